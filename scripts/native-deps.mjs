#!/usr/bin/env node
// Builds better-sqlite3 for the runtime about to use it: Node (tests, CLI) or Electron (npm start).
// Both share one node_modules, so `npm start` followed by `npm test` needs a rebuild in between.
// Usage: node scripts/native-deps.mjs node|electron
//
// What was built is checked, not assumed: the module's binary names the ABI it was built for
// (`node_register_module_v<ABI>`), which must be Node's (process.versions.modules) or Electron's
// (node_modules/electron/abi_version). Electron's build uses @electron/rebuild, as Electron's docs
// recommend, without npm's `runtime`/`target`/`disturl` environment settings (npm 11 warns that they
// stop working) and without an inherited `nodedir` (a global `nodedir=/usr` builds Node's ABI).
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const MODULE = 'better-sqlite3'

/** npm settings from the environment that would point a native build at the wrong headers or runtime. */
const BUILD_ENV_KEYS = /^npm_config_(runtime|target|target_arch|disturl|dist_url|nodedir|node_gyp|build_from_source)$/i

/** The paths this script works on, for the checkout at `root`. */
export function locate(root) {
  const require = createRequire(join(root, 'package.json'))
  const moduleDir = dirname(require.resolve(`${MODULE}/package.json`))
  const electronDir = dirname(require.resolve('electron/package.json'))
  return {
    root,
    moduleDir,
    binary: join(moduleDir, 'build', 'Release', 'better_sqlite3.node'),
    marker: join(moduleDir, 'build', 'Release', 'built-for-electron.txt'),
    electronVersion: JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version,
    electronAbi: Number(readFileSync(join(electronDir, 'abi_version'), 'utf8').trim()),
  }
}

/** The ABI a native module's binary was built for (its `node_register_module_v<N>` symbol), if any. */
export function abiOf(binary) {
  if (!existsSync(binary)) return undefined
  const match = /node_register_module_v(\d+)/.exec(readFileSync(binary).toString('latin1'))
  return match ? Number(match[1]) : undefined
}

/** The environment for a native build: this one without npm's runtime/target/header settings. */
export function buildEnv(env = process.env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !BUILD_ENV_KEYS.test(key)))
}

/**
 * How to run npm here. Under npm (npm_execpath) its own CLI script runs with this Node; otherwise
 * `npm`, which on Windows is `npm.cmd`: a .cmd file runs only through a shell since Node 20.12.2
 * (spawning it without one throws EINVAL).
 */
export function npmCommand(platform = process.platform, env = process.env) {
  const cli = env.npm_execpath
  if (cli && /\.[cm]?js$/.test(cli)) return { file: process.execPath, args: [cli], shell: false }
  if (platform === 'win32') return { file: 'npm.cmd', args: [], shell: true }
  return { file: 'npm', args: [], shell: false }
}

/** Rebuilds the module for this Node with `npm rebuild` (default) . */
export function rebuildForNode(paths) {
  const npm = npmCommand()
  const result = spawnSync(npm.file, [...npm.args, 'rebuild', MODULE], {
    cwd: paths.root,
    stdio: 'inherit',
    env: buildEnv(),
    shell: npm.shell,
  })
  if (result.error) throw result.error
  if (result.status !== 0) throw new Error(`npm rebuild ${MODULE} exited with ${result.status}`)
}

/** Rebuilds the module for Electron with @electron/rebuild. */
export async function rebuildForElectron(paths) {
  const { rebuild } = createRequire(join(paths.root, 'package.json'))('@electron/rebuild')
  const saved = process.env
  process.env = buildEnv(saved) // @electron/rebuild hands its environment to node-gyp
  try {
    await rebuild({ buildPath: paths.root, electronVersion: paths.electronVersion, onlyModules: [MODULE], force: true })
  } finally {
    process.env = saved
  }
}

function loadsInNode(root) {
  const probe = `const D=require('${MODULE}');new D(':memory:').prepare('select 1').get()`
  return spawnSync(process.execPath, ['-e', probe], { cwd: root, stdio: 'ignore' }).status === 0
}

/**
 * Makes the module fit `target` ('node' or 'electron'), rebuilding it if it does not, and checks the
 * result. `deps` replaces the builds and the Node check (tests).
 */
export async function ensureNativeDeps(target, paths, deps = {}) {
  const log = deps.log ?? ((line) => console.log(`native-deps: ${line}`))
  if (target === 'node') {
    const wanted = Number(process.versions.modules)
    const loads = deps.loadsInNode ?? (() => loadsInNode(paths.root))
    if (!existsSync(paths.marker) && abiOf(paths.binary) === wanted && loads()) return 'ok'
    rmSync(paths.marker, { force: true })
    log(`rebuilding ${MODULE} for Node ${process.versions.node} (ABI ${wanted})…`)
    await (deps.rebuildForNode ?? rebuildForNode)(paths)
    const built = abiOf(paths.binary)
    if (built !== wanted || !loads())
      throw new Error(`${MODULE} was rebuilt for Node but has ABI ${built ?? 'unknown'}, not ${wanted}.`)
    return 'rebuilt'
  }
  if (target === 'electron') {
    const wanted = `electron-${paths.electronVersion}`
    const marked = existsSync(paths.marker) && readFileSync(paths.marker, 'utf8').trim() === wanted
    if (marked && abiOf(paths.binary) === paths.electronAbi) return 'ok'
    rmSync(paths.marker, { force: true })
    log(`rebuilding ${MODULE} for Electron ${paths.electronVersion} (ABI ${paths.electronAbi})…`)
    await (deps.rebuildForElectron ?? rebuildForElectron)(paths)
    const built = abiOf(paths.binary)
    if (built !== paths.electronAbi) {
      throw new Error(
        `${MODULE} was rebuilt for Electron ${paths.electronVersion} but has ABI ${built ?? 'unknown'}, ` +
          `not ${paths.electronAbi}` +
          (built === Number(process.versions.modules) ? " (Node's: were Node's headers used?)" : '') +
          '. Check `npm config get nodedir` and the build output above.',
      )
    }
    writeFileSync(paths.marker, wanted + '\n')
    return 'rebuilt'
  }
  throw new Error('usage: node scripts/native-deps.mjs node|electron')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  ensureNativeDeps(process.argv[2], locate(root)).catch((error) => {
    console.error(`native-deps: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(error instanceof Error && error.message.startsWith('usage') ? 2 : 1)
  })
}
