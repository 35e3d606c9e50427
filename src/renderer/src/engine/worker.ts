/**
 * The inference engine: a dedicated Web Worker that owns the onnxruntime session, decodes photos,
 * preprocesses them with the shared module, batches them and runs the model, so the UI thread never
 * blocks on a photo or a model.
 */
import * as ort from 'onnxruntime-web'
// ORT's WebAssembly build (WASM and WebGPU/JSEP in one file) and its Emscripten loader, served from
// the app's own assets: the app is offline and never reaches a CDN.
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url'
import ortLoaderUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url'
import type { ClassifierHead } from '../../../shared/engine/activations'
import { Classifier, type ClassifierCard } from '../../../shared/engine/classifier'
import { rankProbabilities } from '../../../shared/engine/postprocess'
import { FEATURES_OUTPUT } from '../../../shared/knowledge/features'
import { interpret, type Knowledge } from '../../../shared/knowledge/interpret'
import { judge } from '../../../shared/knowledge/judge'
import type { KnowledgeProfile } from '../../../shared/knowledge/profile'
import { preprocess } from '../../../shared/preprocess/preprocess'
import { camClasses, computeCams, mapShape, parseHead, summarizeStage } from './analysis'
import { decodePhoto, DecodeError } from './decode'
import { fetchKnowledge, resolveKnowledge } from './knowledge'
import type {
  ActivationsReply,
  ActivationsRequest,
  BenchmarkProgressReply,
  BenchmarkProvider,
  BenchmarkRequest,
  BenchmarkResult,
  ClassifyRequest,
  FailureKind,
  KnowledgeStatus,
  LoadRequest,
  ModelTag,
  ProviderInfo,
  WorkerReply,
  WorkerRequest,
} from './messages'
import { planProvider, planThreads, probeWebGpu, wasmLabel } from './providers'

interface WorkerScope {
  postMessage(message: WorkerReply, transfer?: Transferable[]): void
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void
  crossOriginIsolated: boolean
  location: Location
  navigator: Navigator
}
const scope = self as unknown as WorkerScope

/** Photos decoded at the same time (a decoded 24 MP photo is ~100 MB of RGBA). */
const MAX_PARALLEL_DECODES = 3
/** Most photos in one session.run. */
const MAX_BATCH = 16

const threadPlan = planThreads(scope.crossOriginIsolated, scope.navigator.hardwareConcurrency)
ort.env.wasm.numThreads = threadPlan.threads
ort.env.wasm.wasmPaths = {
  wasm: new URL(ortWasmUrl, scope.location.href).href,
  mjs: new URL(ortLoaderUrl, scope.location.href).href,
}
ort.env.logLevel = 'error'

function post(reply: WorkerReply, transfer: Transferable[] = []): void {
  scope.postMessage(reply, transfer)
}

function fail(id: number, kind: FailureKind, message: string): void {
  post({ type: 'failed', id, kind, message })
}

/** One line of an error, for people. */
function messageOf(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error)
  const line = raw.split('\n').find((l) => l.trim() !== '') ?? 'unknown error'
  return line.length > 300 ? `${line.slice(0, 297)}…` : line
}

// ---------------------------------------------------------------------------------------------
// The session

interface Engine {
  classifier: Classifier
  card: ClassifierCard
  model: ModelTag
  provider: ProviderInfo
  /** The model's profile and hierarchy, as far as they could be read. */
  knowledge: Knowledge
  knowledgeStatus: KnowledgeStatus
}

/** The bytes of the loaded model only (a session restart reuses them); a model's file can be 230 MB. */
let cachedModel: { url: string; bytes: Promise<Uint8Array> } | undefined

async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`the model file could not be fetched (HTTP ${response.status})`)
  return new Uint8Array(await response.arrayBuffer())
}

/** The model's bytes; `keep` makes them the cached ones (loads), else they are dropped after use (benchmarks). */
function fetchModel(url: string, keep: boolean): Promise<Uint8Array> {
  if (cachedModel?.url === url) return cachedModel.bytes
  const bytes = download(url)
  if (keep) {
    const entry = { url, bytes }
    cachedModel = entry
    bytes.catch(() => {
      if (cachedModel === entry) cachedModel = undefined
    })
  }
  return bytes
}

/** The session options every session uses, whether it classifies or is benchmarked. */
function sessionOptions(provider: BenchmarkProvider): ort.InferenceSession.SessionOptions {
  return { executionProviders: [provider], graphOptimizationLevel: 'all' }
}

let webgpuAdapterSet = false

/** ORT reads the adapter once, when its WebGPU backend starts; use the one that was judged. */
function selectWebGpuAdapter(adapter: GPUAdapterLike): void {
  if (webgpuAdapterSet) return
  ort.env.webgpu.adapter = adapter as unknown as typeof ort.env.webgpu.adapter
  webgpuAdapterSet = true
}

/** A session that ran once, and the length of the features its model gives (undefined: logits only). */
interface WarmSession {
  classifier: Classifier
  featureLength: number | undefined
}

/** The part of a GPUDevice the warm-up uses to hear of its run's validation errors. */
interface ErrorScopes {
  pushErrorScope(filter: 'validation'): void
  popErrorScope(): Promise<{ message: string } | null>
}

/** The device ORT's WebGPU backend runs on (once a WebGPU session exists). */
async function webGpuDevice(): Promise<ErrorScopes | undefined> {
  try {
    const device = (await (ort.env.webgpu.device as unknown as Promise<unknown>)) as Partial<ErrorScopes> | undefined
    return typeof device?.pushErrorScope === 'function' && typeof device.popErrorScope === 'function'
      ? (device as ErrorScopes)
      : undefined
  } catch {
    return undefined
  }
}

async function createWebGpu(bytes: Uint8Array, card: ClassifierCard, adapter: GPUAdapterLike): Promise<WarmSession> {
  selectWebGpuAdapter(adapter)
  const classifier = await Classifier.create(ort, bytes, card, sessionOptions('webgpu'))
  return warmedUp(classifier, await webGpuDevice())
}

async function createWasm(bytes: Uint8Array, card: ClassifierCard): Promise<WarmSession> {
  return warmedUp(await Classifier.create(ort, bytes, card, sessionOptions('wasm')))
}

/**
 * One run on a blank image: the first run allocates buffers (and compiles shaders on WebGPU), so
 * it should not be charged to the first photo; and a provider that can create a session but not
 * run it fails here, where Auto can still fall back. A features model runs as photos will (logits
 * and features), which also tells how many features it gives per image.
 *
 * WebGPU reports a kernel it cannot build (one over the device's limits, say) as a validation error
 * on the device, while the run itself "succeeds" with zeros: `device`'s error scope catches those.
 */
async function warmedUp(classifier: Classifier, device?: ErrorScopes): Promise<WarmSession> {
  try {
    const blank = new Float32Array(classifier.tensorLength)
    let featureLength: number | undefined
    device?.pushErrorScope('validation')
    const ran = (async () => {
      if (classifier.hasOutput(FEATURES_OUTPUT)) {
        const { features } = await classifier.runWithFeatures(blank, 1, FEATURES_OUTPUT)
        featureLength = features.length > 0 ? features.length : undefined
      } else {
        await classifier.runBatch(blank, 1)
      }
    })()
    // The scope is closed whether or not the run threw; a run error comes first.
    const settledRun = await ran.then(
      () => undefined,
      (error: unknown) => ({ error }),
    )
    const invalid = await device?.popErrorScope()
    if (settledRun) throw settledRun.error
    if (invalid) throw new Error(`the GPU refused a kernel of this model (${messageOf(invalid.message)})`)
    return { classifier, featureLength }
  } catch (error) {
    await classifier.release().catch(() => undefined)
    throw error
  }
}

function joinNotes(...notes: string[]): string {
  return notes.filter((n) => n !== '').join('; ')
}

/** The session on the provider the preference and this machine allow, and what it runs on. */
async function openSession(request: LoadRequest): Promise<WarmSession & { provider: ProviderInfo }> {
  const [bytes, probe] = await Promise.all([
    fetchModel(request.modelUrl, true),
    request.preference === 'wasm'
      ? Promise.resolve({ kind: 'unavailable' as const, why: 'not asked' })
      : probeWebGpu(scope.navigator.gpu),
  ])
  const plan = planProvider(request.preference, probe)
  if (plan.use === 'none') throw new Error(plan.error)

  let fallbackNote = plan.note
  if (plan.use === 'webgpu') {
    try {
      const session = await createWebGpu(bytes, request.card, plan.adapter)
      return {
        ...session,
        provider: { id: 'webgpu', label: 'WebGPU', reason: plan.note, adapter: plan.adapterName },
      }
    } catch (error) {
      if (!plan.fallbackToWasm) throw new Error(`WebGPU session failed: ${messageOf(error)}`)
      fallbackNote = `WebGPU: session failed (${messageOf(error)}) — using WASM`
    }
  }
  const session = await createWasm(bytes, request.card)
  return {
    ...session,
    provider: {
      id: 'wasm',
      label: wasmLabel(threadPlan.threads),
      reason: joinNotes(fallbackNote, threadPlan.note),
      ...(probe.kind !== 'unavailable' ? { adapter: probe.name } : {}),
    },
  }
}

/** The session and the model's knowledge (fetched while the session is created; never fatal). */
async function openEngine(request: LoadRequest): Promise<Engine> {
  const fetched = fetchKnowledge(request.knowledge)
  const session = await openSession(request)
  const { knowledge, status } = resolveKnowledge(await fetched, {
    sha256: request.knowledge?.sha256 ?? '',
    classes: request.card.output.classes,
    featureLength: session.featureLength,
  })
  return {
    classifier: session.classifier,
    card: request.card,
    model: request.model,
    provider: session.provider,
    knowledge,
    knowledgeStatus: status,
  }
}

/** Work that touches a session runs one at a time, in order: loads, batches and benchmarks. */
let lane: Promise<unknown> = Promise.resolve()
function inLane<T>(task: () => Promise<T>): Promise<T> {
  const run = lane.then(task, task)
  lane = run.catch(() => undefined)
  return run
}

let current: Engine | undefined
/**
 * What the last load in the lane left (an engine, or why it failed). Work in the lane reads this: a
 * load queued behind that work only runs after it, so waiting for it there would never end.
 */
let settled: { engine: Engine } | { error: unknown } | undefined
/** The latest load: classify requests wait on it. */
let engineReady: Promise<Engine> | undefined
let resolveFirstLoad: ((engine: Promise<Engine>) => void) | undefined
const firstLoad = new Promise<Engine>((resolve) => {
  resolveFirstLoad = (engine) => resolve(engine)
})

function handleLoad(request: LoadRequest): void {
  const started = performance.now()
  const loading = inLane(async () => {
    const previous = current
    current = undefined
    if (previous) await previous.classifier.release().catch(() => undefined)
    // The tapped session follows the plain one's model and provider: it is opened again on demand.
    await releaseTapped()
    try {
      const engine = await openEngine(request)
      current = engine
      settled = { engine }
      return engine
    } catch (error) {
      settled = { error }
      throw error
    }
  })
  engineReady = loading
  if (resolveFirstLoad) {
    resolveFirstLoad(loading)
    resolveFirstLoad = undefined
  }
  loading.then(
    (engine) =>
      post({
        type: 'loaded',
        id: request.id,
        provider: engine.provider,
        loadMs: performance.now() - started,
        knowledge: engine.knowledgeStatus,
      }),
    (error: unknown) => fail(request.id, 'load', messageOf(error)),
  )
}

function waitForEngine(): Promise<Engine> {
  return engineReady ?? firstLoad
}

/** The engine as the loads before this point of the lane left it; only for work running in the lane. */
function laneEngine(): Engine {
  if (!settled) throw new Error('no model was loaded')
  if ('error' in settled) throw settled.error
  return settled.engine
}

// ---------------------------------------------------------------------------------------------
// Photos: decode (bounded), preprocess, batch

interface Prepared {
  request: ClassifyRequest
  card: ClassifierCard
  tensor: Float32Array
  decodeMs: number
  width: number
  height: number
}

/** The model was not loaded, so a photo could not be prepared for it. */
class LoadFailure extends Error {}

const waiting: ClassifyRequest[] = []
const prepared: Prepared[] = []
let decoding = 0
let running = false

async function prepare(request: ClassifyRequest): Promise<Prepared> {
  const started = performance.now()
  const image = await decodePhoto(request.file)
  let card: ClassifierCard
  try {
    card = (await waitForEngine()).card
  } catch (error) {
    throw new LoadFailure(messageOf(error))
  }
  // The shared preprocessing (the CLI runs the same code); the RGBA pixels are dropped right after.
  const tensor = preprocess(image, card)
  return { request, card, tensor, decodeMs: performance.now() - started, width: image.width, height: image.height }
}

function failureOf(error: unknown): { kind: FailureKind; message: string } {
  if (error instanceof DecodeError) return { kind: 'decode', message: error.message }
  if (error instanceof LoadFailure) return { kind: 'load', message: `The model is not loaded: ${error.message}` }
  return { kind: 'inference', message: `Could not classify this photo: ${messageOf(error)}` }
}

async function runBatch(items: Prepared[]): Promise<void> {
  let batch = items
  let engine: Engine
  try {
    engine = laneEngine()
  } catch (error) {
    for (const item of batch) fail(item.request.id, 'load', `The model is not loaded: ${messageOf(error)}`)
    return
  }
  const { classifier } = engine
  // Photos prepared for a model that has since been replaced are prepared again for the new one.
  const stale = batch.filter((item) => item.card !== engine.card)
  if (stale.length > 0) {
    waiting.unshift(...stale.map((item) => item.request))
    batch = batch.filter((item) => item.card === engine.card)
  }
  const runnable = batch.filter((item) => {
    if (item.tensor.length === classifier.tensorLength) return true
    fail(item.request.id, 'inference', 'The model changed while this photo was waiting; add it again.')
    return false
  })
  if (runnable.length === 0) return
  const size = classifier.tensorLength
  const input = new Float32Array(runnable.length * size)
  runnable.forEach((item, i) => input.set(item.tensor, i * size))
  const started = performance.now()
  let logits: Float32Array
  let features: Float32Array | undefined
  try {
    // A features model gives each photo's features in the same run: what the verdict measures it by.
    if (classifier.hasOutput(FEATURES_OUTPUT)) {
      ;({ logits, features } = await classifier.runWithFeatures(input, runnable.length, FEATURES_OUTPUT))
    } else {
      logits = await classifier.runBatch(input, runnable.length)
    }
  } catch (error) {
    for (const item of runnable) fail(item.request.id, 'inference', `Inference failed: ${messageOf(error)}`)
    return
  }
  const batchMs = performance.now() - started
  const classes = engine.card.output.classes
  const perImage = features ? features.length / runnable.length : 0
  runnable.forEach((item, i) => {
    const row = logits.slice(i * classes, (i + 1) * classes)
    const photoFeatures = features?.subarray(i * perImage, (i + 1) * perImage)
    const { top, verdict, levels } = interpret(row, photoFeatures, engine.card.labels, item.request.k, engine.knowledge)
    post(
      {
        type: 'classified',
        id: item.request.id,
        top,
        verdict,
        ...(levels && { levels }),
        logits: row,
        provider: engine.provider,
        model: engine.model,
        batchMs,
        batchSize: runnable.length,
        decodeMs: item.decodeMs,
        width: item.width,
        height: item.height,
      },
      [row.buffer],
    )
  })
}

function pump(): void {
  while (decoding < MAX_PARALLEL_DECODES && waiting.length > 0) {
    const request = waiting.shift()!
    decoding++
    prepare(request)
      .then(
        (item) => void prepared.push(item),
        (error: unknown) => {
          const { kind, message } = failureOf(error)
          fail(request.id, kind, message)
        },
      )
      .finally(() => {
        decoding--
        pump()
      })
  }
  if (!running && prepared.length > 0) {
    running = true
    const batch = prepared.splice(0, MAX_BATCH)
    void inLane(() => runBatch(batch)).finally(() => {
      running = false
      pump()
    })
  }
}

// ---------------------------------------------------------------------------------------------
// Benchmark: images per second on each provider, each in its own session

/** Benchmarks asked to stop; checked between runs. */
const cancelledBenchmarks = new Set<number>()
class BenchmarkCancelled extends Error {}

interface BenchmarkTarget {
  provider: BenchmarkProvider
  label: string
  software: boolean
  adapter?: GPUAdapterLike
  adapterName?: string
}

/** A fixed, non-trivial input (values like a normalised photo's), the same for every run. */
function benchmarkInput(length: number): Float32Array {
  const data = new Float32Array(length)
  let state = 0x2545f491
  for (let i = 0; i < length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    data[i] = ((state >>> 0) / 0xffffffff) * 4 - 2
  }
  return data
}

async function measure(
  request: BenchmarkRequest,
  bytes: Uint8Array,
  target: BenchmarkTarget,
  report: (phase: BenchmarkProgressReply['phase'], fraction: number) => void,
): Promise<BenchmarkResult> {
  const base = {
    provider: target.provider,
    label: target.label,
    software: target.software,
    ...(target.adapterName !== undefined && { adapter: target.adapterName }),
  }
  const cancelled = (): boolean => cancelledBenchmarks.has(request.id)
  let session: ort.InferenceSession | undefined
  try {
    report('loading', 0)
    const opened = performance.now()
    if (target.adapter) selectWebGpuAdapter(target.adapter)
    session = await ort.InferenceSession.create(bytes, sessionOptions(target.provider))
    const live = session
    const inputName = live.inputNames[0]
    const outputName = live.outputNames[0]
    if (inputName === undefined || outputName === undefined) throw new Error('the model has no input or no output')
    const { height, width } = request.input
    const data = benchmarkInput(3 * height * width)
    // One photo per run, and the logits read back, as the Classify screen does for a single photo.
    const runOnce = async (): Promise<void> => {
      const input = new ort.Tensor('float32', data, [1, 3, height, width])
      const outputs = await live.run({ [inputName]: input }, [outputName])
      input.dispose()
      const output = outputs[outputName]
      if (!output) throw new Error(`the model returned no "${outputName}" output`)
      await output.getData()
      output.dispose()
    }
    await runOnce()
    const sessionMs = performance.now() - opened
    if (cancelled()) throw new BenchmarkCancelled()
    report('running', 0)

    const { maxMs, maxRuns } = request.budget
    const started = performance.now()
    let runs = 0
    let elapsed = 0
    let reported = started
    while (runs === 0 || (elapsed < maxMs && runs < maxRuns)) {
      if (cancelled()) throw new BenchmarkCancelled()
      await runOnce()
      runs++
      const now = performance.now()
      elapsed = now - started
      if (now - reported > 100) {
        reported = now
        report('running', Math.min(1, Math.max(runs / maxRuns, elapsed / maxMs)))
      }
    }
    return {
      ...base,
      status: 'ok',
      runs,
      imagesPerSecond: (runs * 1000) / elapsed,
      msPerImage: elapsed / runs,
      sessionMs,
    }
  } catch (error) {
    if (error instanceof BenchmarkCancelled) throw error
    return { ...base, status: 'failed', reason: messageOf(error) }
  } finally {
    await session?.release().catch(() => undefined)
  }
}

async function runBenchmark(request: BenchmarkRequest): Promise<void> {
  const results: BenchmarkResult[] = []
  let cancelled = false
  try {
    if (cancelledBenchmarks.has(request.id)) throw new BenchmarkCancelled()
    const [bytes, probe] = await Promise.all([fetchModel(request.modelUrl, false), probeWebGpu(scope.navigator.gpu)])
    const targets: BenchmarkTarget[] = [{ provider: 'wasm', label: wasmLabel(threadPlan.threads), software: false }]
    let skipped: BenchmarkResult | undefined
    if (probe.kind === 'unavailable') {
      skipped = { provider: 'webgpu', label: 'WebGPU', status: 'skipped', software: false, reason: probe.why }
    } else {
      const software = probe.kind === 'software'
      targets.push({
        provider: 'webgpu',
        label: software ? `WebGPU · ${probe.name} (software)` : `WebGPU · ${probe.name}`,
        software,
        adapter: probe.adapter,
        adapterName: probe.name,
      })
    }
    for (const [index, target] of targets.entries()) {
      results.push(
        await measure(request, bytes, target, (phase, fraction) =>
          post({
            type: 'benchmark-progress',
            id: request.id,
            provider: target.provider,
            label: target.label,
            index,
            count: targets.length,
            phase,
            fraction,
          }),
        ),
      )
    }
    if (skipped) results.push(skipped)
  } catch (error) {
    if (!(error instanceof BenchmarkCancelled)) {
      fail(request.id, 'load', `The benchmark could not start: ${messageOf(error)}`)
      return
    }
    cancelled = true
  } finally {
    cancelledBenchmarks.delete(request.id)
  }
  post({ type: 'benchmarked', id: request.id, results, cancelled })
}

// ---------------------------------------------------------------------------------------------
// Activations: a tapped session beside the plain one, and the classifier's weights for the CAM

interface TappedSession {
  key: string
  opened: Promise<{ classifier: Classifier; provider: ProviderInfo }>
}

/** One tapped session at a time (a tapped ResNet-50 holds ~100 MB of weights): the last model asked for. */
let tapped: TappedSession | undefined
/** The last classifier head fetched (8 MB for ImageNet's 1000 × 2048). */
let cachedHead: { url: string; head: Promise<ClassifierHead> } | undefined

async function releaseTapped(): Promise<void> {
  const session = tapped
  tapped = undefined
  cachedHead = undefined
  if (!session) return
  await session.opened.then(({ classifier }) => classifier.release()).catch(() => undefined)
}

/** The provider the plain session runs on (WASM when it could not start): the tapped one uses the same. */
function plainProvider(): ProviderInfo | undefined {
  try {
    return laneEngine().provider
  } catch {
    return undefined
  }
}

async function openTapped(request: ActivationsRequest, plain: ProviderInfo | undefined) {
  const bytes = await download(request.tappedModelUrl).catch((error: unknown) => {
    throw new Error(`the tapped model could not be fetched: ${messageOf(error)}`)
  })
  const wasm = (reason: string): ProviderInfo => ({
    id: 'wasm',
    label: wasmLabel(threadPlan.threads),
    reason: joinNotes(reason, threadPlan.note),
  })
  if (plain?.id === 'webgpu') {
    try {
      const classifier = await Classifier.create(ort, bytes, request.card, sessionOptions('webgpu'))
      return { classifier, provider: plain }
    } catch (error) {
      const classifier = await Classifier.create(ort, bytes, request.card, sessionOptions('wasm'))
      return { classifier, provider: wasm(`WebGPU: the tapped session failed (${messageOf(error)}) — using WASM`) }
    }
  }
  const classifier = await Classifier.create(ort, bytes, request.card, sessionOptions('wasm'))
  return { classifier, provider: plain?.id === 'wasm' ? plain : wasm('the classifying session is not running') }
}

/** The tapped session for this model on the plain session's provider, created the first time it is asked for. */
async function tappedSession(
  request: ActivationsRequest,
): Promise<{ classifier: Classifier; provider: ProviderInfo; created: boolean }> {
  const plain = plainProvider()
  const key = `${request.tappedModelUrl}|${plain?.id ?? 'wasm'}|${plain?.label ?? ''}`
  if (tapped?.key === key) return { ...(await tapped.opened), created: false }
  await releaseTapped()
  const session: TappedSession = { key, opened: openTapped(request, plain) }
  tapped = session
  session.opened.catch(() => {
    if (tapped === session) tapped = undefined
  })
  return { ...(await session.opened), created: true }
}

function classifierHead(head: NonNullable<ActivationsRequest['head']>): Promise<ClassifierHead> {
  if (cachedHead?.url === head.url) return cachedHead.head
  const entry = {
    url: head.url,
    head: fetch(head.url).then(async (response) => {
      if (!response.ok) throw new Error(`the classifier weights could not be fetched (HTTP ${response.status})`)
      return parseHead(await response.arrayBuffer(), head.classes, head.channels)
    }),
  }
  cachedHead = entry
  entry.head.catch(() => {
    if (cachedHead === entry) cachedHead = undefined
  })
  return entry.head
}

class SessionFailure extends Error {}

/**
 * The activations' probabilities, calibrated as the loaded model's classified photos are (the tapped copy gives no
 * features: the calibration needs none), and their top classes. Another model than the loaded one gets its plain
 * softmax.
 */
function calibrated(request: ActivationsRequest, logits: Float32Array) {
  let profile: KnowledgeProfile | undefined
  try {
    const engine = laneEngine()
    if (engine.model.id === request.model.id) profile = engine.knowledge.profile
  } catch {
    // No model loaded: plain softmax.
  }
  const { probabilities } = judge(logits, undefined, profile)
  return {
    top: rankProbabilities(probabilities, request.card.labels, request.k),
    probabilities: Float32Array.from(probabilities),
  }
}

async function runActivations(
  request: ActivationsRequest,
  tensor: Float32Array,
  photo: { width: number; height: number; decodeMs: number },
): Promise<void> {
  const opening = performance.now()
  const session = await tappedSession(request).catch((error: unknown) => {
    throw new SessionFailure(messageOf(error))
  })
  const sessionMs = session.created ? performance.now() - opening : 0
  // The classifier's weights arrive while the model runs (fetched once per model).
  const head = request.head ? classifierHead(request.head) : undefined
  head?.catch(() => undefined)
  const started = performance.now()
  const run = await session.classifier.runTapped(
    tensor,
    1,
    request.taps.map((tap) => tap.tensor),
  )
  const runMs = performance.now() - started

  const analysing = performance.now()
  const stages = request.taps.map((tap) => {
    const output = run.taps.get(tap.tensor)
    if (!output) throw new Error(`the model returned no "${tap.tensor}" output`)
    return summarizeStage(tap, output.dims, output.data, request.topChannels)
  })
  const logits = run.logits.slice(0, request.card.output.classes)
  let cam: ActivationsReply['cam'] = null
  let camError: string | undefined
  if (request.head && head) {
    try {
      const weights = await head
      const feature = request.taps.find((tap) => tap.stage === request.head?.featureStage)
      const output = feature && run.taps.get(feature.tensor)
      if (!feature || !output) throw new Error(`the feature stage ${request.head.featureStage} is not tapped`)
      const [channels, height, width] = mapShape(output.dims)
      const classes = camClasses(logits, height * width, channels)
      cam = computeCams(output.data, channels, height, width, weights, feature.stage, classes)
    } catch (error) {
      camError = messageOf(error)
    }
  } else {
    camError = 'the classifier head could not be read from the graph'
  }
  const analysisMs = performance.now() - analysing

  const reply: ActivationsReply = {
    type: 'activations',
    id: request.id,
    model: request.model,
    provider: session.provider,
    ...calibrated(request, logits),
    logits,
    stages,
    cam,
    ...(camError !== undefined && { camError }),
    width: photo.width,
    height: photo.height,
    decodeMs: photo.decodeMs,
    sessionMs,
    runMs,
    analysisMs,
  }
  const transfer: Transferable[] = [
    logits.buffer,
    reply.probabilities.buffer,
    ...stages.map((s) => s.maps.buffer),
    ...stages.map((s) => s.means.buffer),
  ]
  if (cam) transfer.push(cam.maps.buffer, cam.classes.buffer, cam.bias.buffer)
  post(reply, transfer)
}

async function handleActivations(request: ActivationsRequest): Promise<void> {
  const decoding = performance.now()
  let tensor: Float32Array
  let photo: { width: number; height: number; decodeMs: number }
  try {
    const image = await decodePhoto(request.file)
    tensor = preprocess(image, request.card)
    photo = { width: image.width, height: image.height, decodeMs: performance.now() - decoding }
  } catch (error) {
    const { kind, message } = failureOf(error)
    fail(request.id, kind, message)
    return
  }
  await inLane(() => runActivations(request, tensor, photo)).catch((error: unknown) => {
    if (error instanceof SessionFailure) fail(request.id, 'load', `The activations could not start: ${error.message}`)
    else fail(request.id, 'inference', `The activations could not be computed: ${messageOf(error)}`)
  })
}

scope.addEventListener('message', (event) => {
  const request = event.data
  switch (request?.type) {
    case 'load':
      handleLoad(request)
      break
    case 'classify':
      waiting.push(request)
      pump()
      break
    case 'benchmark':
      void inLane(() => runBenchmark(request))
      break
    case 'cancel-benchmark':
      cancelledBenchmarks.add(request.id)
      break
    case 'activations':
      void handleActivations(request)
      break
    default:
      break
  }
})
