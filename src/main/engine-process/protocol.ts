/**
 * Messages between the main process (or the CLI) and the engine worker: a utility process in the app,
 * a worker thread in the CLI and the tests. Both ends are our own code, built from the same source.
 */
import type { EmbeddingVector } from '../../shared/embedding/embedding-vector'
import type { ClassifierCard } from '../../shared/engine/classifier'
import type { ClassScore } from '../../shared/engine/postprocess'
import type { LevelScore } from '../../shared/knowledge/levels'
import type { Verdict } from '../../shared/knowledge/verdict'
import type { KnowledgeFiles, KnowledgeStatus } from '../knowledge/load-knowledge'

/** The CPU engines the worker runs: onnxruntime-node (native) or onnxruntime-web's WASM build. */
export type WorkerBackend = 'native' | 'wasm'

export type WorkerRequest =
  | {
      op: 'load'
      /** The name later requests use for this session. */
      key: string
      modelPath: string
      card: ClassifierCard
      /** The model file's sha256: a profile must have been built for exactly this file. */
      sha256: string
      backend: WorkerBackend
      /** The model's knowledge profile and label hierarchy; the worker classifies without them too. */
      knowledge?: KnowledgeFiles
    }
  | {
      op: 'classify'
      key: string
      paths: string[]
      k: number
      /** Also return each image's logits. */
      logits?: boolean
      /** Also return each image's features (for building a profile). */
      features?: boolean
    }
  | { op: 'calibrate'; key: string; batch: number; minMs: number }
  | { op: 'release'; key: string }
  /** Finish the inference in progress, refuse the rest, release every session; then the worker exits. */
  | { op: 'shutdown' }

export type WorkerResult =
  | {
      path: string
      /** Calibrated probabilities (the profile's temperature), best first. */
      top: ClassScore[]
      verdict: Verdict
      /** The hierarchy levels over the suggestion threshold's floor, for tags at the right level. */
      levels?: LevelScore[]
      logits?: Float32Array
      features?: Float32Array
      /** The photo's embedding, where the model has features (see `src/shared/embedding/`). */
      embedding?: EmbeddingVector
    }
  | { path: string; error: string }

export interface Calibration {
  imagesPerSecond: number
  batch: number
  runs: number
}

/** What a load reports: the provider, and what became of the model's knowledge. */
export interface LoadedSession {
  provider: string
  knowledge: KnowledgeStatus
  /** Features per image, 0 when the model gives none. */
  featureLength: number
}

export interface WorkerReplies {
  load: LoadedSession
  classify: WorkerResult[]
  calibrate: Calibration
  release: null
  shutdown: null
}

export type WorkerMessage = { id: number } & WorkerRequest

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string }
