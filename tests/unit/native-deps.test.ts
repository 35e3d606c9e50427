import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without types
import * as nativeDeps from '../../scripts/native-deps.mjs'
import { repoRoot } from '../support/shared'

interface Paths {
  root: string
  moduleDir: string
  binary: string
  marker: string
  electronVersion: string
  electronAbi: number
}

const deps = nativeDeps as {
  locate(root: string): Paths
  abiOf(binary: string): number | undefined
  buildEnv(env: Record<string, string>): Record<string, string>
  npmCommand(platform: string, env: Record<string, string>): { file: string; args: string[]; shell: boolean }
  ensureNativeDeps(target: string, paths: Paths, deps: Record<string, unknown>): Promise<string>
}

const scratch: string[] = []
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A stand-in module folder whose "binary" says which ABI it was built for. */
function fakeModule(abi: number): Paths {
  const dir = mkdtempSync(join(tmpdir(), 'native-deps-'))
  scratch.push(dir)
  mkdirSync(join(dir, 'build', 'Release'), { recursive: true })
  const binary = join(dir, 'build', 'Release', 'better_sqlite3.node')
  writeFileSync(binary, `\x7fELF...node_register_module_v${abi}\0...`)
  return {
    root: dir,
    moduleDir: dir,
    binary,
    marker: join(dir, 'build', 'Release', 'built-for-electron.txt'),
    electronVersion: '40.10.2',
    electronAbi: 143,
  }
}

const quiet = { log: () => undefined }

describe('scripts/native-deps.mjs', () => {
  it('reads the ABI a native module was built for from its binary', () => {
    const paths = deps.locate(repoRoot)
    expect(paths.electronAbi).toBe(143) // Electron 40
    expect(deps.abiOf(paths.binary)).toBe(Number(process.versions.modules)) // built for Node by npm install
  })

  it('refuses an "Electron" build that came out with another ABI, and writes no marker (a global nodedir=/usr)', async () => {
    const paths = fakeModule(143)
    writeFileSync(paths.binary, 'node_register_module_v1') // not Electron's: a rebuild is due
    const wrong = deps.ensureNativeDeps('electron', paths, {
      ...quiet,
      rebuildForElectron: async () => writeFileSync(paths.binary, `node_register_module_v${process.versions.modules}`),
    })
    await expect(wrong).rejects.toThrow(
      `has ABI ${process.versions.modules}, not 143 (Node's: were Node's headers used?)`,
    )
    expect(existsSync(paths.marker)).toBe(false)

    const right = await deps.ensureNativeDeps('electron', paths, {
      ...quiet,
      rebuildForElectron: async () => writeFileSync(paths.binary, 'node_register_module_v143'),
    })
    expect(right).toBe('rebuilt')
    expect(readFileSync(paths.marker, 'utf8').trim()).toBe('electron-40.10.2')
    // Built and checked: the next start does nothing.
    expect(
      await deps.ensureNativeDeps('electron', paths, {
        ...quiet,
        rebuildForElectron: () => Promise.reject(new Error('no')),
      }),
    ).toBe('ok')
  })

  it('rebuilds for Node after an Electron build, and checks that too', async () => {
    const paths = fakeModule(143)
    writeFileSync(paths.marker, 'electron-40.10.2\n')
    let loads = false
    const result = await deps.ensureNativeDeps('node', paths, {
      ...quiet,
      loadsInNode: () => loads,
      rebuildForNode: async () => {
        writeFileSync(paths.binary, `node_register_module_v${process.versions.modules}`)
        loads = true
      },
    })
    expect(result).toBe('rebuilt')
    expect(existsSync(paths.marker)).toBe(false)
  })

  it("builds without npm's runtime, target, disturl and nodedir settings", () => {
    const env = deps.buildEnv({
      PATH: '/usr/bin',
      npm_config_runtime: 'electron',
      npm_config_target: '40.10.2',
      npm_config_disturl: 'https://example.invalid',
      npm_config_nodedir: '/usr',
      npm_config_cache: '/tmp/cache',
    })
    expect(env).toEqual({ PATH: '/usr/bin', npm_config_cache: '/tmp/cache' })
  })

  it('runs npm through a shell on Windows (npm.cmd without one throws EINVAL since Node 20.12.2), else through its own CLI script', () => {
    expect(deps.npmCommand('win32', {})).toEqual({ file: 'npm.cmd', args: [], shell: true })
    expect(deps.npmCommand('win32', { npm_execpath: 'C:\\npm\\bin\\npm-cli.js' })).toEqual({
      file: process.execPath,
      args: ['C:\\npm\\bin\\npm-cli.js'],
      shell: false,
    })
    expect(deps.npmCommand('linux', {})).toEqual({ file: 'npm', args: [], shell: false })
    // The command it gives here runs.
    const here = deps.npmCommand(process.platform, process.env as Record<string, string>)
    const run = spawnSync(here.file, [...here.args, '--version'], { shell: here.shell, encoding: 'utf8' })
    expect(run.status).toBe(0)
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })
})
