/**
 * Messages between the main process (or the CLI) and the engine worker: a utility process in the app,
 * a worker thread in the CLI and the tests. Both ends are our own code, built from the same source.
 */
import type { ClassifierCard } from '../../shared/engine/classifier'
import type { ClassScore } from '../../shared/engine/postprocess'

/** The CPU engines the worker runs: onnxruntime-node (native) or onnxruntime-web's WASM build. */
export type WorkerBackend = 'native' | 'wasm'

export type WorkerRequest =
  | {
      op: 'load'
      /** The name later requests use for this session. */
      key: string
      modelPath: string
      card: ClassifierCard
      backend: WorkerBackend
    }
  | {
      op: 'classify'
      key: string
      paths: string[]
      k: number
      /** Also return each image's logits. */
      logits?: boolean
    }
  | { op: 'calibrate'; key: string; batch: number; minMs: number }
  | { op: 'release'; key: string }
  /** Finish the inference in progress, refuse the rest, release every session; then the worker exits. */
  | { op: 'shutdown' }

export type WorkerResult = { path: string; top: ClassScore[]; logits?: Float32Array } | { path: string; error: string }

export interface Calibration {
  imagesPerSecond: number
  batch: number
  runs: number
}

export interface WorkerReplies {
  load: { provider: string }
  classify: WorkerResult[]
  calibrate: Calibration
  release: null
  shutdown: null
}

export type WorkerMessage = { id: number } & WorkerRequest

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string }
