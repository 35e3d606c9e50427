#!/usr/bin/env node
// Builds better-sqlite3 for the runtime about to use it: Node (tests, CLI) or Electron (npm start).
// Both share one node_modules, so `npm start` followed by `npm test` needs a rebuild in between.
// Usage: node scripts/native-deps.mjs node|electron
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const target = process.argv[2]
const moduleDir = dirname(require.resolve('better-sqlite3/package.json'))
const marker = join(moduleDir, 'build', 'Release', 'built-for-electron.txt')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function loadsInNode() {
  const probe = "const D=require('better-sqlite3');new D(':memory:').prepare('select 1').get()"
  return spawnSync(process.execPath, ['-e', probe], { cwd: root, stdio: 'ignore' }).status === 0
}

function rebuild(env) {
  console.log(`native-deps: rebuilding better-sqlite3 for ${target}…`)
  execFileSync(npm, ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
}

if (target === 'node') {
  if (existsSync(marker) || !loadsInNode()) {
    rmSync(marker, { force: true })
    rebuild({ npm_config_runtime: 'node', npm_config_target: process.versions.node, npm_config_disturl: '' })
    if (!loadsInNode()) throw new Error('better-sqlite3 still does not load in Node after a rebuild.')
  }
} else if (target === 'electron') {
  const version = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version
  const wanted = `electron-${version}`
  if (!existsSync(marker) || readFileSync(marker, 'utf8').trim() !== wanted) {
    rebuild({
      npm_config_runtime: 'electron',
      npm_config_target: version,
      npm_config_disturl: 'https://electronjs.org/headers',
    })
    writeFileSync(marker, wanted + '\n')
  }
} else {
  console.error('usage: node scripts/native-deps.mjs node|electron')
  process.exit(2)
}
