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

/** Which library model a session runs, so each result can say which model produced it. */
export interface ModelTag {
  id: string
  name: string
}

// ---------------------------------------------------------------------------------------------
// Page -> worker

export interface LoadRequest {
  type: 'load'
  id: number
  /** Same-origin path of the model's bytes (`/library/models/<id>.onnx`). */
  modelUrl: string
  card: ClassifierCard
  model: ModelTag
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

/** How long each provider is measured: until `maxMs` have passed or `maxRuns` ran (at least one run). */
export interface BenchmarkBudget {
  maxMs: number
  maxRuns: number
}

/**
 * Measures a model (any library model, not only the loaded one) on every provider this machine has:
 * WASM always, WebGPU when an adapter exists. Each provider gets its own session, a warm-up run, then
 * timed single-image runs. It waits for the session's lane, so it never overlaps a batch of photos.
 */
export interface BenchmarkRequest {
  type: 'benchmark'
  id: number
  modelUrl: string
  /** The model's input size; the input and output names are read from the session. */
  input: { height: number; width: number }
  budget: BenchmarkBudget
}

/** Stops a running benchmark after its current run; providers already measured are still reported. */
export interface CancelBenchmarkRequest {
  type: 'cancel-benchmark'
  /** The id of the benchmark request. */
  id: number
}

export type WorkerRequest = LoadRequest | ClassifyRequest | BenchmarkRequest | CancelBenchmarkRequest

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
  /** The model that produced these logits. */
  model: ModelTag
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

export type BenchmarkProvider = 'wasm' | 'webgpu'

export interface BenchmarkProgressReply {
  type: 'benchmark-progress'
  id: number
  provider: BenchmarkProvider
  /** What is measured, for people: "WASM · 4 threads", "WebGPU · SwiftShader (software)". */
  label: string
  /** Which of `count` providers this is (0-based). */
  index: number
  count: number
  /** `loading`: fetching the model, creating the session and the warm-up run; `running`: timed runs. */
  phase: 'loading' | 'running'
  /** Share of this provider's budget spent, 0…1. */
  fraction: number
}

/** One provider's measurement; `skipped` (no adapter) and `failed` carry the reason. */
export interface BenchmarkResult {
  provider: BenchmarkProvider
  label: string
  status: 'ok' | 'failed' | 'skipped'
  /** The WebGPU adapter measured, and whether it is a software one (slow; for testing only). */
  adapter?: string
  software: boolean
  runs?: number
  imagesPerSecond?: number
  msPerImage?: number
  /** Time to create the session and run it once (warm-up). */
  sessionMs?: number
  reason?: string
}

export interface BenchmarkedReply {
  type: 'benchmarked'
  id: number
  results: BenchmarkResult[]
  /** True when it was cancelled: `results` holds the providers measured before. */
  cancelled: boolean
}

export type WorkerReply = LoadedReply | ClassifiedReply | FailedReply | BenchmarkProgressReply | BenchmarkedReply
