import { availableParallelism } from 'node:os'
import * as ort from 'onnxruntime-web'
import type { OrtModule } from '../../shared/engine/classifier'

/** onnxruntime in a Node process: the module, the session options to use and a line for the user. */
export interface NodeEngine {
  ort: OrtModule
  sessionOptions: ort.InferenceSession.SessionOptions
  /** e.g. "WASM, 2 threads" */
  provider: string
}

export function defaultThreadCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()))
}

/**
 * onnxruntime-web's WASM backend (its Node build). The thread count is process-wide and fixed when
 * the first session is created, so call this once, before loading any model.
 */
export function createWasmEngine(threads = defaultThreadCount()): NodeEngine {
  ort.env.wasm.numThreads = threads
  return {
    ort,
    sessionOptions: { executionProviders: ['wasm'] },
    provider: `WASM, ${threads} thread${threads === 1 ? '' : 's'}`,
  }
}
