/**
 * `npm run dev` on the Electron stand-in: electron-vite builds the main process and the preload, starts
 * Vite's dev server and runs the app with it (ELECTRON_RENDERER_URL). The page comes from the dev
 * server, so its relative `/library/models/…` and `/library/photos/…` URLs go to that origin: the
 * app answers them itself (routeLibraryOnDevServer), where Vite would answer with its index page.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_APP_DIR, launchApp, STAND_IN_ELECTRON } from '../support/electron-app'
import { waitForCards, waitForProvider } from '../support/cards'
import { dropFiles, fileFromDisk } from '../support/drop'
import { repoRoot, sharedPath } from '../support/shared'

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

let scratch: string

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'resnet-lens-dev-'))
})

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true })
})

describe('npm run dev on the Electron stand-in', () => {
  it("classifies a photo and shows a model's activations with the page from Vite's dev server", async () => {
    // The app's folder as `npm run dev` sees it, its build in a folder of its own (the checkout's
    // out/ stays as the other tests built it). The sources are DEFAULT_APP_DIR's (STANDIN_APP_DIR).
    const appDir = join(scratch, 'app')
    mkdirSync(appDir)
    cpSync(join(DEFAULT_APP_DIR, 'package.json'), join(appDir, 'package.json'))
    symlinkSync(join(DEFAULT_APP_DIR, 'resources'), join(appDir, 'resources'))
    symlinkSync(join(repoRoot, 'node_modules'), join(appDir, 'node_modules'))
    const port = await freePort()
    const pageErrors: string[] = []
    const app = await launchApp({
      command: {
        file: process.execPath,
        args: [
          join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
          'dev',
          '--config',
          join(DEFAULT_APP_DIR, 'tests', 'electron', 'dev-server.config.ts'),
          '--outDir',
          join(appDir, 'out'),
          '--entry',
          appDir,
          '--logLevel',
          'warn',
        ],
        cwd: DEFAULT_APP_DIR,
      },
      env: { ELECTRON_EXEC_PATH: STAND_IN_ELECTRON, STANDIN_DEV_PORT: String(port) },
      async preparePage(page) {
        page.on('console', (message) => {
          if (message.type() === 'error') pageErrors.push(message.text())
        })
        page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`))
      },
    })
    try {
      // Vite prepares its dependencies on the first load.
      const page = await app.page(150_000)
      const state = (await app.host.control('state')) as { windows: { url: string }[] }
      expect(state.windows[0]?.url).toBe(`http://localhost:${port}/`)

      // The model's bytes, not the dev server's index page (defect 1).
      const model = await page.evaluate(async () => {
        const api = (window as unknown as { api: { invoke(c: string): Promise<{ value: { modelUrl: string } }> } }).api
        const { modelUrl } = (await api.invoke('models:active')).value
        const response = await fetch(modelUrl)
        const bytes = new Uint8Array(await response.arrayBuffer())
        return { status: response.status, type: response.headers.get('content-type'), size: bytes.length }
      })
      expect(model.type).not.toMatch(/text\/html/)
      expect(model).toMatchObject({ status: 200 })
      expect(model.size).toBeGreaterThan(100_000)

      // The engine is up (Vite has optimized what the page and its worker import) before a photo comes.
      await waitForProvider(page, /^WASM/)
      await dropFiles(page, '[data-testid="drop-zone"]', [fileFromDisk(sharedPath('photos', 'chelsea.png'))])
      const [card] = await waitForCards(page, 1)
      expect(card!.error).toBeNull()
      expect(card!.predictions[0]!.label).toBe('cat')

      // Enter on the focused card opens its detail (a <dialog>: React's development mode opens it twice).
      await page.getByTestId('photo-card').focus()
      await page.keyboard.press('Enter')
      await page.getByTestId('photo-detail').getByTestId('activations-panel').waitFor({ timeout: 90_000 })
      expect(await page.locator('[data-testid="activation-stage"]').count()).toBe(4)
      expect(app.host.notices.filter((n) => n.what === 'dialog.errorBox' || n.what === 'protocol-error')).toEqual([])

      expect(await app.quit()).toEqual({ code: 0, signal: null })
    } catch (error) {
      throw new Error(
        `${String(error)}\nThe page said: ${pageErrors.join('\n')}\nThe app said: ${app.output().slice(-3000)}`,
      )
    } finally {
      await app.close()
    }
  })
})
