import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Worker } from 'node:worker_threads'
import type { WorkerMessage, WorkerReply } from '../engine-process/protocol'
import { startScriptWorker } from '../util/script-worker'

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

/**
 * An engine worker in a Node worker thread of this process: the built script beside the bundle, else the
 * source (src/main/engine-process/engine-worker.ts).
 */
export function spawnWorkerThread(): EnginePort {
  const source = join(here, '..', 'engine-process', 'engine-worker.ts')
  return workerThreadPort(startScriptWorker([join(here, 'engine-worker.js')], source))
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
