/**
 * Entry of the engine worker: runs in an Electron utility process (the app) or a Node worker thread
 * (the CLI, the tests, the bench). Inference and decoding stay off the main process's event loop.
 */
import { setPriority } from 'node:os'
import { parentPort } from 'node:worker_threads'
import type { WorkerBackend, WorkerMessage, WorkerReply } from './protocol'
import { EngineWorkerCore } from './engine-worker-core'
import type { NodeEngine } from '../inference/node-ort'

/** Electron's utility process: `process.parentPort` delivers `{ data }` events. */
interface UtilityParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

const BACKGROUND_NICENESS = 10

async function createEngine(backend: WorkerBackend): Promise<NodeEngine> {
  // Loaded on first use, so a worker that only ever runs one backend never loads the other.
  if (backend === 'native') return (await import('../inference/native-ort')).createNativeEngine()
  return (await import('../inference/node-ort')).createWasmEngine()
}

// Batch work yields to the app: a lower priority for this thread (Linux) or process, inherited by the
// inference threads onnxruntime starts from here, so the main process's event loop and the window stay
// responsive while every core is busy classifying.
try {
  setPriority(0, BACKGROUND_NICENESS)
} catch {
  // Not permitted here: run at the normal priority.
}

const utility = (process as { parentPort?: UtilityParentPort }).parentPort
if (parentPort) {
  const port = parentPort
  const core = new EngineWorkerCore(
    createEngine,
    (reply: WorkerReply) => port.postMessage(reply),
    // In a worker thread, process.exit ends the thread only.
    () => process.exit(0),
  )
  port.on('message', (message: WorkerMessage) => core.handle(message))
} else if (utility) {
  const core = new EngineWorkerCore(
    createEngine,
    (reply: WorkerReply) => utility.postMessage(reply),
    () => process.exit(0),
  )
  utility.on('message', (event) => core.handle(event.data as WorkerMessage))
} else {
  throw new Error('The engine worker runs in a worker thread or a utility process.')
}
