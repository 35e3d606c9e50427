import type { EmbeddingVector } from '../../../shared/embedding/embedding-vector'
import type { KnowledgeStatus } from '../../../shared/knowledge/resolve'
import type { ClassScore } from '../../../shared/engine/postprocess'
import type { ClassifierCard } from '../../../shared/engine/classifier'
import type { LevelScore } from '../../../shared/knowledge/levels'
import type { Verdict } from '../../../shared/knowledge/verdict'

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

/**
 * Where a model's knowledge lives (`models:active`): its profile and its labels' hierarchy, each answered
 * with 404 when there is none; the profile is checked against the model's sha256.
 */
export interface KnowledgeSource {
  profileUrl: string
  hierarchyUrl: string
  /** The model's sha256 (its card's): a profile made for another model is refused. */
  sha256: string
}

/** What the engine made of the model's profile, as the main process's engines report it. */
export type { KnowledgeStatus }

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
  /** The model's profile and hierarchy; none: every verdict comes from the logits alone. */
  knowledge?: KnowledgeSource
  /**
   * For a card with views: the features copy that runs the photo alone (`/library/models/<id>.photo-features.onnx`),
   * which classifies photos whose result keeps no embedding; `modelUrl`'s copy, on the views, is opened for the
   * first photo that needs the embedding.
   */
  photoModelUrl?: string
}

export interface ClassifyRequest {
  type: 'classify'
  id: number
  /** The photo's bytes; the worker decodes them. */
  file: Blob
  /** For messages only. */
  name: string
  k: number
  /** The result must carry the embedding of the model's card, views included (a library photo's). */
  embedding?: boolean
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

/** One stage output the tapped model returns (as `models:architecture` lists it). */
export interface TapSpec {
  /** The torchvision name of the stage: conv1, maxpool, layer1… */
  stage: string
  /** The graph tensor added as an output. */
  tensor: string
  /** Without the batch axis: [C, H, W]. */
  shape: number[]
}

/**
 * The activations of one photo: decoded and preprocessed like a classified one, then run through the
 * model's tapped copy (the stage outputs added as graph outputs) in a session of its own, kept apart
 * from the one that classifies; created on the first request for a model on the provider the plain
 * session uses, and kept until another model or provider is loaded.
 */
export interface ActivationsRequest {
  type: 'activations'
  id: number
  file: Blob
  /** For messages only. */
  name: string
  /** The model the activations are for (its card: input, output, labels, preprocessing). */
  card: ClassifierCard
  model: ModelTag
  /** Same-origin path of the tapped model (`/library/models/<id>.tapped.onnx`). */
  tappedModelUrl: string
  taps: TapSpec[]
  /** The classifier's weights (Float32 LE: classes × channels, then the bias) and which stage it reads. */
  head: { url: string; classes: number; channels: number; featureStage: string } | null
  /** How many of each stage's channels to send, the most active first. */
  topChannels: number
  /** How many classes to rank in `top`. */
  k: number
}

export type WorkerRequest =
  LoadRequest | ClassifyRequest | BenchmarkRequest | CancelBenchmarkRequest | ActivationsRequest

// ---------------------------------------------------------------------------------------------
// Worker -> page

export interface LoadedReply {
  type: 'loaded'
  id: number
  provider: ProviderInfo
  /** Time to fetch the model and create the session. */
  loadMs: number
  /** Whether verdicts come from the model's profile or, without a usable one, from the logits. */
  knowledge: KnowledgeStatus
}

export interface ClassifiedReply {
  type: 'classified'
  id: number
  /** Calibrated probabilities, best first (for an unknown photo: the classes it is closest to). */
  top: ClassScore[]
  /** Whether the photo is one of the things the model knows. */
  verdict: Verdict
  /** The label hierarchy's levels with their summed probability, where the model's labels have a hierarchy. */
  levels?: LevelScore[]
  /** The photo's embedding, where the model has features and an embedding spec. */
  embedding?: EmbeddingVector
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

/** One stage's output for one photo: its shape, every channel's mean, and the strongest channels' maps. */
export interface StageActivations {
  stage: string
  tensor: string
  /** [C, H, W] without the batch axis. */
  shape: number[]
  /** The mean of each of the C channels over the map. */
  means: Float32Array
  /** The `topChannels` channels with the highest mean, highest first. */
  top: { channel: number; mean: number }[]
  /** Their H×W maps, one after the other (top.length × H × W, transferred). */
  maps: Float32Array
  /** The largest value in `maps` (the stage's colour scale). */
  max: number
}

/**
 * Class activation maps over the feature stage: CAM(c) = Σ_k w[c, k] · A_k, an H×W map per class, for
 * every class (or, for a very large head, the most likely ones). CAM(c)'s mean + bias[c] = logit[c].
 */
export interface CamSet {
  stage: string
  height: number
  width: number
  /** The classes whose maps are in `maps`, in that order. */
  classes: Int32Array
  /** classes.length × H × W (transferred). */
  maps: Float32Array
  /** The classifier's bias of those classes. */
  bias: Float32Array
}

export interface ActivationsReply {
  type: 'activations'
  id: number
  model: ModelTag
  provider: ProviderInfo
  /** Calibrated like a classified photo's (the loaded model's calibration), best first. */
  top: ClassScore[]
  /** The calibrated probability of every class, in class order (transferred). */
  probabilities: Float32Array
  /** Raw logits of the same run (transferred). */
  logits: Float32Array
  stages: StageActivations[]
  /** Null when the model has no readable classifier head; `camError` then says why. */
  cam: CamSet | null
  camError?: string
  /** The photo's upright decoded size: the CAM is drawn over `inputRegionInPhoto` of it. */
  width: number
  height: number
  decodeMs: number
  /** Creating the tapped session (0 when it was already open). */
  sessionMs: number
  /** session.run with the taps, read back. */
  runMs: number
  /** Channel means, top channels and the CAMs. */
  analysisMs: number
}

export type WorkerReply =
  LoadedReply | ClassifiedReply | FailedReply | BenchmarkProgressReply | BenchmarkedReply | ActivationsReply
