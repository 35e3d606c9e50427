import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

/**
 * A worker thread running an entry script: the first of the `built` scripts that exists (the app's bundle),
 * else the TypeScript `source` through tsx's loader (the CLI, the tests and the bench run from source; Node 20
 * workers do not inherit `--import` hooks).
 */
export function startScriptWorker(built: readonly string[], source: string): Worker {
  const script = built.find((path) => existsSync(path))
  if (script) return new Worker(script)
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  const tsx = pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href
  const entry = pathToFileURL(source).href
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(boot, { eval: true })
}
