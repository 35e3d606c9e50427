/**
 * The built app in real Electron, where node_modules/electron has its binary (a developer's machine;
 * not CI, which skips the download): launched with playwright-core's `_electron`.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { repoRoot, sharedPath } from '../support/shared'

const pathFile = join(repoRoot, 'node_modules', 'electron', 'path.txt')
const binary = existsSync(pathFile)
  ? join(repoRoot, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim())
  : undefined
const hasElectron = binary !== undefined && existsSync(binary)
if (!hasElectron)
  console.log(
    'smoke.test.ts skipped: node_modules/electron has no binary (installed with ELECTRON_SKIP_BINARY_DOWNLOAD).',
  )

describe.skipIf(!hasElectron)('the built app in real Electron', () => {
  it('is cross-origin isolated, runs a multi-threaded engine, classifies, runs a job, and quits cleanly', async () => {
    const native = (target: string): void =>
      void execFileSync(process.execPath, [join(repoRoot, 'scripts', 'native-deps.mjs'), target], { stdio: 'inherit' })
    const home = mkdtempSync(join(tmpdir(), 'resnet-lens-smoke-'))
    const photos = join(home, 'photos')
    mkdirSync(photos)
    copyFileSync(sharedPath('photos', 'chelsea.png'), join(photos, 'chelsea.png'))
    native('electron')
    const app = await _electron.launch({
      executablePath: binary!,
      args: [repoRoot],
      env: { ...process.env, XDG_CONFIG_HOME: home, HOME: home },
    })
    try {
      const page = await app.firstWindow()
      await page.getByTestId('nav-classify').waitFor({ timeout: 60_000 })
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true)
      const provider = page.getByTestId('provider')
      await expect
        .poll(() => provider.textContent(), { timeout: 60_000 })
        .toMatch(/WebGPU|WASM · ([2-9]|\d\d+) threads/)
      // A folder job through the utility process: the dialog answers from the main process.
      await app.evaluate(({ dialog }, folder) => {
        dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [folder] })) as typeof dialog.showOpenDialog
      }, photos)
      const result = await page.evaluate(async () => {
        const api = (window as unknown as { api: { invoke(c: string, i?: unknown): Promise<{ value: unknown }> } }).api
        // The value of each reply envelope.
        const invoke = async (c: string, i?: unknown) => (await api.invoke(c, i)).value
        const picked = (await invoke('jobs:pickFolder')) as { token: string }
        const job = (await invoke('jobs:start', { folderToken: picked.token })) as { id: number }
        for (let i = 0; i < 240; i++) {
          const jobs = (await invoke('jobs:list')) as { id: number; state: string; classified: number }[]
          const found = jobs.find((j) => j.id === job.id)
          if (found && found.state !== 'running' && found.state !== 'queued') return found
          await new Promise((resolve) => setTimeout(resolve, 250))
        }
        return undefined
      })
      expect(result).toMatchObject({ state: 'done', classified: 1 })
      await app.close()
      expect(existsSync(join(home, 'ResNet Lens Dev', 'library.db'))).toBe(true)
      expect(existsSync(join(home, 'ResNet Lens Dev', 'library.db-wal'))).toBe(false)
    } finally {
      await app.close().catch(() => undefined)
      native('node')
      rmSync(home, { recursive: true, force: true })
    }
  })
})
