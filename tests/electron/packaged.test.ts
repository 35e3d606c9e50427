/**
 * The package `npm run dist` makes, as far as it can be made without Electron's binary: electron-builder
 * itself lays it out (production dependencies, file filters, asar and asarUnpack, extra resources) from
 * a stand-in Electron folder, for this platform only; then the packaged app runs on the Electron
 * stand-in from that layout (`process.resourcesPath`, `app.isPackaged`) and runs a folder job.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchApp } from '../support/electron-app'
import { invoke as invokeOnPage } from '../support/page-ipc'
import { repoRoot, sharedPath } from '../support/shared'

const asar = createRequire(import.meta.url)('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[]
  extractAll(archive: string, dest: string): void
}

const OTHER_PLATFORMS = ['darwin', 'linux', 'win32'].filter((p) => p !== process.platform)

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

function sizeOf(dir: string): number {
  return filesUnder(dir).reduce((sum, file) => sum + statSync(file).size, 0)
}

let scratch: string
let resources: string

describe.runIf(process.platform === 'linux')('the packaged app (electron-builder layout, Electron stand-in)', () => {
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'resnet-lens-package-'))
    // What electron-builder copies as "Electron": an executable and an empty resources folder.
    const electronDist = join(scratch, 'electron-dist')
    mkdirSync(join(electronDist, 'resources'), { recursive: true })
    writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n')
    chmodSync(join(electronDist, 'electron'), 0o755)
    const out = join(scratch, 'dist')
    execFileSync(
      process.execPath,
      [
        join(repoRoot, 'node_modules', 'electron-builder', 'cli.js'),
        '--linux',
        'dir',
        `-c.electronDist=${electronDist}`,
        // Rebuilding better-sqlite3 for Electron needs Electron's headers; the stand-in runs Node's build.
        '-c.npmRebuild=false',
        `-c.directories.output=${out}`,
      ],
      { cwd: repoRoot, stdio: 'pipe' },
    )
    resources = join(out, 'linux-unpacked', 'resources')
  }, 180_000)

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true })
  })

  it("holds this platform's binaries only, its native modules unpacked, and prints its size", () => {
    const archive = join(resources, 'app.asar')
    const unpacked = join(resources, 'app.asar.unpacked')
    const packed = asar.listPackage(archive, { isPack: false }).map((p) => p.replaceAll('\\', '/'))
    const unpackedFiles = filesUnder(unpacked).map((f) => '/' + relative(unpacked, f).split(sep).join('/'))
    const all = [...new Set([...packed, ...unpackedFiles])] // the archive lists its unpacked files too

    // onnxruntime-node: this platform and architecture only, and no GPU providers.
    const ortBinaries = all.filter((p) => /^\/node_modules\/onnxruntime-node\/bin\/napi-v\d+\/[^/]+\/[^/]+\/./.test(p))
    expect(ortBinaries.length).toBeGreaterThan(0)
    for (const path of ortBinaries) {
      expect(path).toContain(`/${process.platform}/${process.arch}/`)
      expect(path).not.toMatch(/providers_(cuda|tensorrt)/)
    }
    for (const other of OTHER_PLATFORMS) expect(all.some((p) => p.includes(`/napi-v6/${other}/`))).toBe(false)
    // onnxruntime-web: its Node build and one WebAssembly module, not the browsers' builds.
    expect(all.filter((p) => p.startsWith('/node_modules/onnxruntime-web/dist/')).sort()).toEqual(
      expect.arrayContaining([
        '/node_modules/onnxruntime-web/dist/ort.node.min.mjs',
        '/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm',
      ]),
    )
    expect(all.filter((p) => p.startsWith('/node_modules/onnxruntime-web/dist/')).length).toBeLessThanOrEqual(3)
    // No development dependencies.
    for (const dev of ['electron', 'vite', 'vitest', 'typescript', 'playwright-core', 'electron-builder'])
      expect(all.some((p) => p.startsWith(`/node_modules/${dev}/`))).toBe(false)
    // Every native module and WebAssembly file is a real file outside the archive.
    const native = all.filter((p) => /\.(node|wasm)$|\.so(\.\d+)*$|\.dylib$|\.dll$/.test(p))
    expect(native.length).toBeGreaterThan(4)
    for (const path of native) expect(unpackedFiles, path).toContain(path)
    // The bundled model and labels are extra resources beside the archive.
    expect(statSync(join(resources, 'resources', 'models', 'resnet56-cifar10.onnx')).isFile()).toBe(true)

    const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`
    const archiveSize = statSync(archive).size
    const total = archiveSize + sizeOf(unpacked) + sizeOf(join(resources, 'resources'))
    console.log(
      `package without Electron itself: ${mb(total)} (app.asar ${mb(archiveSize)}, unpacked ${mb(sizeOf(unpacked))}, ` +
        `resources ${mb(sizeOf(join(resources, 'resources')))}); onnxruntime-node ${mb(
          sizeOf(join(unpacked, 'node_modules', 'onnxruntime-node')),
        )}`,
    )
    expect(total).toBeLessThan(200e6)
  })

  it('runs from the package: resources from resourcesPath, production dependencies only, a job in the engine process', async () => {
    // Electron reads app.asar (and its unpacked files) as a folder; Node needs it extracted.
    asar.extractAll(join(resources, 'app.asar'), join(resources, 'app'))
    const photos = join(scratch, 'photos')
    mkdirSync(photos)
    for (const name of ['chelsea.png', 'coffee.png', 'rocket.jpg'])
      copyFileSync(sharedPath('photos', name), join(photos, name))
    const app = await launchApp({ resourcesPath: resources, dialogs: () => ({ canceled: false, filePaths: [photos] }) })
    try {
      const page = await app.page()
      const invoke = <T>(channel: string, input?: unknown): Promise<T> => invokeOnPage<T>(page, channel, input)
      // A packaged app keeps its data in the installed app's folder, not the dev one.
      expect(await invoke('app:info')).toMatchObject({ dataDir: join(app.appData, 'ResNet Lens') })
      const picked = await invoke<{ token: string }>('jobs:pickFolder')
      const job = await invoke<{ id: number }>('jobs:start', { folderToken: picked.token })
      let state: { state: string; classified: number } | undefined
      for (let i = 0; i < 240 && !['done', 'failed'].includes(state?.state ?? ''); i++) {
        await new Promise((resolve) => setTimeout(resolve, 250))
        state = (await invoke<{ id: number; state: string; classified: number }[]>('jobs:list')).find(
          (j) => j.id === job.id,
        )
      }
      expect(state).toMatchObject({ state: 'done', classified: 3 })
      expect(app.host.notices).toContainEqual({
        what: 'utility.spawn',
        detail: expect.objectContaining({ modulePath: join(resources, 'app', 'out', 'main', 'engine-worker.js') }),
      })
      expect(await app.quit()).toEqual({ code: 0, signal: null })
    } finally {
      await app.close()
    }
  })
})
