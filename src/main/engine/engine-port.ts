import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { WorkerMessage, WorkerReply } from './engine-protocol'

/** A channel to an engine worker: a worker thread here, a utility process in the Electron glue. */
export interface EnginePort {
  postMessage(message: WorkerMessage): void
  onMessage(listener: (reply: WorkerReply) => void): void
  /** Called once when the worker is gone (crashed, killed or terminated), with why. */
  onExit(listener: (reason: string) => void): void
  terminate(): Promise<void>
}

export type SpawnEnginePort = () => EnginePort

const here = dirname(fileURLToPath(import.meta.url))

/** The built engine worker beside the bundle, if this code runs from the build. */
export function builtEngineWorker(): string | undefined {
  const built = join(here, 'engine-worker.js')
  return existsSync(built) ? built : undefined
}

/**
 * A worker thread running the built script, or else the TypeScript source through tsx's loader (the
 * CLI, the tests and the bench run from source; Node 20 workers do not inherit `--import` hooks).
 */
function startWorker(): Worker {
  const built = builtEngineWorker()
  if (built) return new Worker(built)
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  const tsx = pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href
  const source = pathToFileURL(join(here, 'engine-worker.ts')).href
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source)}) })`
  return new Worker(boot, { eval: true })
}

/** An engine worker in a Node worker thread of this process. */
export function spawnWorkerThread(): EnginePort {
  return workerThreadPort(startWorker())
}

/** The port of a worker thread running the engine worker's script. */
export function workerThreadPort(worker: Worker): EnginePort {
  const exit = exitOnce()
  worker.on('error', (error) => exit.fire(`the engine worker failed: ${error.message}`))
  worker.on('exit', (code) => exit.fire(`the engine worker stopped (exit code ${code})`))
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onExit: exit.listen,
    terminate: async () => {
      await worker.terminate()
      exit.fire('the engine worker was stopped')
    },
  }
}

/** `EnginePort.onExit`'s listeners, told once, whichever way the worker went. */
export function exitOnce(): { listen: (listener: (reason: string) => void) => void; fire: (reason: string) => void } {
  let exited = false
  const listeners: ((reason: string) => void)[] = []
  return {
    listen: (listener) => void listeners.push(listener),
    fire: (reason) => {
      if (exited) return
      exited = true
      for (const listener of listeners) listener(reason)
    },
  }
}
