import type { ClassScore } from '../../../shared/engine/postprocess'
import type { ClassifierCard } from '../../../shared/engine/classifier'

/** Which execution provider the user prefers; `auto` picks WebGPU on a hardware adapter, else WASM. */
export type EnginePreference = 'auto' | 'webgpu' | 'wasm'

export const ENGINE_PREFERENCES: readonly EnginePreference[] = ['auto', 'webgpu', 'wasm']

export function isEnginePreference(value: unknown): value is EnginePreference {
  return value === 'auto' || value === 'webgpu' || value === 'wasm'
}

/** The provider a session runs on, as the UI shows it. */
export interface ProviderInfo {
  id: 'webgpu' | 'wasm'
  /** What ran, for people: "WebGPU", "WASM · 2 threads". */
  label: string
  /** Why another provider (or more threads) was not used; empty when nothing was skipped. */
  reason: string
  /** The WebGPU adapter, when one was looked at: "SwiftShader (software)", "nvidia ampere". */
  adapter?: string
}

// ---------------------------------------------------------------------------------------------
// Page -> worker

export interface LoadRequest {
  type: 'load'
  id: number
  /** Same-origin path of the model's bytes (`/library/models/<id>.onnx`). */
  modelUrl: string
  card: ClassifierCard
  preference: EnginePreference
}

export interface ClassifyRequest {
  type: 'classify'
  id: number
  /** The photo's bytes; the worker decodes them. */
  file: Blob
  /** For messages only. */
  name: string
  k: number
}

export type WorkerRequest = LoadRequest | ClassifyRequest

// ---------------------------------------------------------------------------------------------
// Worker -> page

export interface LoadedReply {
  type: 'loaded'
  id: number
  provider: ProviderInfo
  /** Time to fetch the model and create the session. */
  loadMs: number
}

export interface ClassifiedReply {
  type: 'classified'
  id: number
  top: ClassScore[]
  /** Raw logits, one per class (transferred). */
  logits: Float32Array
  provider: ProviderInfo
  /** Wall time of the batch's inference (session.run + read back). */
  batchMs: number
  batchSize: number
  /** Decode + preprocess time of this photo. */
  decodeMs: number
  width: number
  height: number
}

export type FailureKind = 'decode' | 'load' | 'inference' | 'protocol'

export interface FailedReply {
  type: 'failed'
  id: number
  kind: FailureKind
  /** A sentence for people, never a stack. */
  message: string
}

export type WorkerReply = LoadedReply | ClassifiedReply | FailedReply
