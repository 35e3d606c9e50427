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
import { Classifier, type ClassifierCard } from '../../../shared/engine/classifier'
import { topK } from '../../../shared/engine/postprocess'
import { preprocess } from '../../../shared/preprocess/preprocess'
import { decodePhoto, DecodeError } from './decode'
import type { ClassifyRequest, FailureKind, LoadRequest, ProviderInfo, WorkerReply, WorkerRequest } from './messages'
import { planProvider, planThreads, probeWebGpu, wasmLabel, type ProviderPlan } from './providers'

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
  provider: ProviderInfo
}

const modelBytes = new Map<string, Promise<Uint8Array>>()

function fetchModel(url: string): Promise<Uint8Array> {
  let bytes = modelBytes.get(url)
  if (!bytes) {
    bytes = (async () => {
      const response = await fetch(url)
      if (!response.ok) throw new Error(`the model file could not be fetched (HTTP ${response.status})`)
      return new Uint8Array(await response.arrayBuffer())
    })()
    bytes.catch(() => modelBytes.delete(url))
    modelBytes.set(url, bytes)
  }
  return bytes
}

let webgpuAdapterSet = false

async function createWebGpu(
  bytes: Uint8Array,
  card: ClassifierCard,
  plan: Extract<ProviderPlan, { use: 'webgpu' }>,
): Promise<Classifier> {
  if (!webgpuAdapterSet) {
    // ORT reads the adapter once, when its WebGPU backend starts; use the one that was judged.
    ort.env.webgpu.adapter = plan.adapter as unknown as typeof ort.env.webgpu.adapter
    webgpuAdapterSet = true
  }
  return warmedUp(
    await Classifier.create(ort, bytes, card, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all' }),
  )
}

async function createWasm(bytes: Uint8Array, card: ClassifierCard): Promise<Classifier> {
  return warmedUp(
    await Classifier.create(ort, bytes, card, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }),
  )
}

/**
 * One run on a blank image: the first run allocates buffers (and compiles shaders on WebGPU), so
 * it should not be charged to the first photo; and a provider that can create a session but not
 * run it fails here, where Auto can still fall back.
 */
async function warmedUp(classifier: Classifier): Promise<Classifier> {
  try {
    await classifier.runBatch(new Float32Array(classifier.tensorLength), 1)
    return classifier
  } catch (error) {
    await classifier.release().catch(() => undefined)
    throw error
  }
}

function joinNotes(...notes: string[]): string {
  return notes.filter((n) => n !== '').join('; ')
}

async function openEngine(request: LoadRequest): Promise<Engine> {
  const [bytes, probe] = await Promise.all([
    fetchModel(request.modelUrl),
    request.preference === 'wasm'
      ? Promise.resolve({ kind: 'unavailable' as const, why: 'not asked' })
      : probeWebGpu(scope.navigator.gpu),
  ])
  const plan = planProvider(request.preference, probe)
  if (plan.use === 'none') throw new Error(plan.error)

  let fallbackNote = plan.note
  if (plan.use === 'webgpu') {
    try {
      const classifier = await createWebGpu(bytes, request.card, plan)
      return {
        classifier,
        card: request.card,
        provider: { id: 'webgpu', label: 'WebGPU', reason: plan.note, adapter: plan.adapterName },
      }
    } catch (error) {
      if (!plan.fallbackToWasm) throw new Error(`WebGPU session failed: ${messageOf(error)}`)
      fallbackNote = `WebGPU: session failed (${messageOf(error)}) — using WASM`
    }
  }
  const classifier = await createWasm(bytes, request.card)
  return {
    classifier,
    card: request.card,
    provider: {
      id: 'wasm',
      label: wasmLabel(threadPlan.threads),
      reason: joinNotes(fallbackNote, threadPlan.note),
      ...(probe.kind !== 'unavailable' ? { adapter: probe.name } : {}),
    },
  }
}

/** Work that touches the session runs one at a time, in order: loads and batches. */
let lane: Promise<unknown> = Promise.resolve()
function inLane<T>(task: () => Promise<T>): Promise<T> {
  const run = lane.then(task, task)
  lane = run.catch(() => undefined)
  return run
}

let current: Engine | undefined
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
    const engine = await openEngine(request)
    current = engine
    return engine
  })
  engineReady = loading
  if (resolveFirstLoad) {
    resolveFirstLoad(loading)
    resolveFirstLoad = undefined
  }
  loading.then(
    (engine) =>
      post({ type: 'loaded', id: request.id, provider: engine.provider, loadMs: performance.now() - started }),
    (error: unknown) => fail(request.id, 'load', messageOf(error)),
  )
}

function waitForEngine(): Promise<Engine> {
  return engineReady ?? firstLoad
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

async function runBatch(batch: Prepared[]): Promise<void> {
  let engine: Engine
  try {
    engine = await waitForEngine()
  } catch (error) {
    for (const item of batch) fail(item.request.id, 'load', `The model is not loaded: ${messageOf(error)}`)
    return
  }
  const { classifier } = engine
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
  try {
    logits = await classifier.runBatch(input, runnable.length)
  } catch (error) {
    for (const item of runnable) fail(item.request.id, 'inference', `Inference failed: ${messageOf(error)}`)
    return
  }
  const batchMs = performance.now() - started
  const classes = engine.card.output.classes
  runnable.forEach((item, i) => {
    const row = logits.slice(i * classes, (i + 1) * classes)
    post(
      {
        type: 'classified',
        id: item.request.id,
        top: topK(row, engine.card.labels, item.request.k),
        logits: row,
        provider: engine.provider,
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
    default:
      break
  }
})
