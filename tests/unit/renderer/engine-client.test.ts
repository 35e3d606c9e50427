import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-web'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { addFeatureOutputs } from '../../../src/main/onnx/feature-graph'
import { readModelGraph } from '../../../src/main/onnx'
import { readClassifierHead } from '../../../src/main/onnx/classifier-head'
import { addTapOutputs, stageTaps } from '../../../src/main/onnx/taps'
import { decodeImage } from '../../../src/main/photos/decode'
import { EngineClient, EngineError, type WorkerLike } from '../../../src/renderer/src/engine/client'
import { DecodeError } from '../../../src/renderer/src/engine/decode'
import type {
  ClassifiedReply,
  LoadedReply,
  ModelTag,
  WorkerReply,
  WorkerRequest,
} from '../../../src/renderer/src/engine/messages'
import { createRequestHandler } from '../../../src/renderer/src/engine/request-handler'
import type { WorkerRuntime } from '../../../src/renderer/src/engine/worker-runtime'
import { Classifier, type ClassifierCard } from '../../../src/shared/engine/classifier'
import { parseModelCard } from '../../../src/shared/model-card'
import { preprocess } from '../../../src/shared/preprocess/preprocess'
import { withoutViews } from '../../../src/shared/preprocess/views'
import { cifarHalfDir, readReferencePredictions, repoRoot } from '../../support/shared'

type MessageListener = (event: MessageEvent<WorkerReply>) => void
type ErrorListener = (event: ErrorEvent) => void

/** A fake worker's side of the `WorkerLike` seam: its listeners, and how it hands them a reply or a crash. */
abstract class FakeWorker implements WorkerLike {
  terminated = false
  private readonly messageListeners: MessageListener[] = []
  private readonly errorListeners: ErrorListener[] = []

  abstract postMessage(message: WorkerRequest): void

  addEventListener(type: 'message', listener: MessageListener): void
  addEventListener(type: 'error', listener: ErrorListener): void
  addEventListener(type: 'message' | 'error', listener: MessageListener | ErrorListener): void {
    if (type === 'message') this.messageListeners.push(listener as MessageListener)
    else this.errorListeners.push(listener as ErrorListener)
  }

  terminate(): void {
    this.terminated = true
  }

  reply(data: WorkerReply): void {
    const event: Partial<MessageEvent<WorkerReply>> = { data }
    for (const listener of this.messageListeners) listener(event as MessageEvent<WorkerReply>)
  }

  crash(message: string): void {
    const event: Partial<ErrorEvent> = { message }
    for (const listener of this.errorListeners) listener(event as ErrorEvent)
  }
}

/** A worker the test answers by hand: it records what the client sends. */
class ScriptedWorker extends FakeWorker {
  readonly sent: WorkerRequest[] = []

  postMessage(message: WorkerRequest): void {
    this.sent.push(message)
  }

  /** The ids of the requests of one type the client sent, in order. */
  ids(type: WorkerRequest['type']): number[] {
    return this.sent.filter((request) => request.type === type).map((request) => request.id)
  }
}

const card = parseModelCard(
  JSON.parse(readFileSync(join(repoRoot, 'resources', 'models', 'resnet56-cifar10.card.json'), 'utf8')),
)
const model: ModelTag = { id: 'bundled', name: 'ResNet-56' }
const provider = { id: 'wasm' as const, label: 'WASM · 1 thread', reason: '' }
const photo = new Blob([new Uint8Array([0xff, 0xd8])], { type: 'image/jpeg' })

function loaded(id: number, loadMs = 1): LoadedReply {
  return { type: 'loaded', id, provider, loadMs, knowledge: { source: 'energy', note: 'no profile' } }
}

function classified(id: number): ClassifiedReply {
  return {
    type: 'classified',
    id,
    top: [{ label: 'cat', index: 3, p: 0.9 }],
    verdict: { unknown: false, ood: 0, source: 'energy' },
    logits: new Float32Array(10),
    provider,
    model,
    batchMs: 1,
    batchSize: 1,
    decodeMs: 1,
    width: 32,
    height: 32,
  }
}

describe('EngineClient against a scripted worker', () => {
  it('matches each reply to its request by id, whatever the order the replies come in', async () => {
    const worker = new ScriptedWorker()
    const client = new EngineClient(worker)
    const first = client.load('/a.onnx', card, model, 'wasm')
    const second = client.load('/b.onnx', card, model, 'auto')
    const [a, b] = worker.ids('load')
    expect(a).not.toBe(b)
    worker.reply(loaded(b!, 2))
    worker.reply(loaded(a!, 1))
    expect(await first).toMatchObject({ id: a, loadMs: 1 })
    expect(await second).toMatchObject({ id: b, loadMs: 2 })
    expect(worker.sent[0]).toMatchObject({ type: 'load', modelUrl: '/a.onnx', preference: 'wasm' })
  })

  it('ignores replies to requests it does not know', async () => {
    const worker = new ScriptedWorker()
    const client = new EngineClient(worker)
    const loading = client.load('/a.onnx', card, model, 'wasm')
    const [id] = worker.ids('load')
    worker.reply(loaded(id! + 100))
    worker.reply(loaded(id!))
    worker.reply(loaded(id!, 5))
    expect((await loading).loadMs).toBe(1)
  })

  it.each(['decode', 'load', 'inference', 'protocol'] as const)(
    'rejects a %s failure as an EngineError of that kind, with its message',
    async (kind) => {
      const worker = new ScriptedWorker()
      const client = new EngineClient(worker)
      const classifying = client.classify(photo, 'cat.jpg')
      const [id] = worker.ids('classify')
      worker.reply({ type: 'failed', id: id!, kind, message: 'Not an image this app can read' })
      const error = await classifying.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(EngineError)
      expect(error).toMatchObject({ name: 'EngineError', kind, message: 'Not an image this app can read' })
    },
  )

  it('hands the worker at most maxInFlight photos; the others wait in the queue until one settles', async () => {
    const worker = new ScriptedWorker()
    const client = new EngineClient(worker, 2)
    const results = [1, 2, 3, 4].map((n) => client.classify(photo, `${n}.jpg`, 3))
    expect(worker.ids('classify')).toHaveLength(2)
    expect(worker.sent[0]).toMatchObject({ type: 'classify', name: '1.jpg', k: 3, file: photo })
    expect(client.queued).toBe(2)

    const [first, second] = worker.ids('classify')
    worker.reply(classified(first!))
    expect(worker.ids('classify')).toHaveLength(3)
    worker.reply({ type: 'failed', id: second!, kind: 'decode', message: 'no' })
    expect(worker.ids('classify')).toHaveLength(4)
    expect(client.queued).toBe(0)

    const [, , third, fourth] = worker.ids('classify')
    worker.reply(classified(fourth!))
    worker.reply(classified(third!))
    const settled = await Promise.allSettled(results)
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect((await results[2]!).id).toBe(third)
  })

  it('cancelQueued rejects the photos not handed to the worker yet, as cancelled; those in flight still finish', async () => {
    const worker = new ScriptedWorker()
    const client = new EngineClient(worker, 1)
    const running = client.classify(photo, 'a.jpg')
    const waiting = [client.classify(photo, 'b.jpg'), client.classify(photo, 'c.jpg')]
    expect(client.cancelQueued()).toBe(2)
    expect(client.queued).toBe(0)
    for (const result of waiting) {
      await expect(result).rejects.toMatchObject({ kind: 'cancelled', message: 'Cancelled before it ran.' })
    }
    const [id] = worker.ids('classify')
    worker.reply(classified(id!))
    expect((await running).id).toBe(id)
    expect(worker.ids('classify')).toHaveLength(1)
    expect(client.cancelQueued()).toBe(0)
  })

  it('a crashed worker rejects every pending and queued request, and every later one, without sending it', async () => {
    const worker = new ScriptedWorker()
    const client = new EngineClient(worker, 1)
    const calls = [
      client.load('/a.onnx', card, model, 'wasm'),
      client.classify(photo, 'in-flight.jpg'),
      client.classify(photo, 'queued.jpg'),
    ]
    worker.crash('out of memory')
    for (const call of calls) {
      await expect(call).rejects.toMatchObject({
        kind: 'crashed',
        message: 'The inference engine stopped: out of memory',
      })
    }
    const sent = worker.sent.length
    await expect(client.classify(photo, 'later.jpg')).rejects.toMatchObject({ kind: 'crashed' })
    await expect(client.load('/a.onnx', card, model, 'wasm')).rejects.toMatchObject({ kind: 'crashed' })
    expect(worker.sent).toHaveLength(sent)
  })

  it('says the script failed to load when the crash has no message', async () => {
    const worker = new ScriptedWorker()
    const client = new EngineClient(worker)
    const loading = client.load('/a.onnx', card, model, 'wasm')
    worker.crash('')
    await expect(loading).rejects.toMatchObject({
      kind: 'crashed',
      message: 'The inference engine stopped: its script failed to load',
    })
  })

  it('dispose rejects what is pending as cancelled, terminates the worker and refuses later requests', async () => {
    const worker = new ScriptedWorker()
    const client = new EngineClient(worker, 1)
    const calls = [client.load('/a.onnx', card, model, 'wasm'), client.classify(photo, 'a.jpg')]
    const queued = client.classify(photo, 'b.jpg')
    client.dispose()
    expect(worker.terminated).toBe(true)
    for (const call of [...calls, queued]) {
      await expect(call).rejects.toMatchObject({ kind: 'cancelled', message: 'The engine was closed.' })
    }
    await expect(client.classify(photo, 'c.jpg')).rejects.toMatchObject({ kind: 'crashed' })
  })

  it('hands benchmark progress to its listener, and sends a cancel only while the benchmark runs', async () => {
    const worker = new ScriptedWorker()
    const client = new EngineClient(worker)
    const progress = vi.fn()
    const run = client.benchmark('/a.onnx', { height: 32, width: 32 }, { maxMs: 100, maxRuns: 5 }, progress)
    const [id] = worker.ids('benchmark')
    expect(worker.sent[0]).toMatchObject({ type: 'benchmark', modelUrl: '/a.onnx', budget: { maxRuns: 5 } })
    const step = {
      type: 'benchmark-progress',
      id: id!,
      provider: 'wasm',
      label: 'WASM · 1 thread',
      index: 0,
      count: 1,
      phase: 'running',
      fraction: 0.5,
    } as const
    worker.reply(step)
    expect(progress).toHaveBeenCalledWith(step)

    run.cancel()
    expect(worker.sent.at(-1)).toEqual({ type: 'cancel-benchmark', id })
    worker.reply({ type: 'benchmarked', id: id!, results: [], cancelled: true })
    expect(await run.done).toMatchObject({ cancelled: true, results: [] })

    run.cancel()
    worker.reply(step)
    expect(worker.ids('cancel-benchmark')).toHaveLength(1)
    expect(progress).toHaveBeenCalledTimes(1)
  })

  it('sends an activations request with its options and resolves with the reply', async () => {
    const worker = new ScriptedWorker()
    const client = new EngineClient(worker)
    const options = {
      card,
      model,
      tappedModelUrl: '/m.tapped.onnx',
      taps: [],
      head: null,
      topChannels: 4,
      k: 3,
    }
    const asking = client.activations(photo, 'cat.jpg', options)
    expect(worker.sent[0]).toMatchObject({ type: 'activations', name: 'cat.jpg', ...options })
    const [id] = worker.ids('activations')
    worker.reply({ type: 'failed', id: id!, kind: 'load', message: 'The activations could not start: gone' })
    await expect(asking).rejects.toMatchObject({ kind: 'load' })
  })
})

// ---------------------------------------------------------------------------------------------
// The real worker code, in this process

/** The app's origin as the worker sees it: the files it may fetch, by URL. */
const served = new Map<string, Uint8Array<ArrayBuffer>>()

/** Decodes like the main process (sharp: the same RGB bytes as the browser's decoder for these JPEGs). */
async function decodeWithSharp(file: Blob): ReturnType<WorkerRuntime['decode']> {
  if (file.size === 0) throw new DecodeError('Not an image this app can read (the file is empty)')
  try {
    return await decodeImage(new Uint8Array(await file.arrayBuffer()))
  } catch (error) {
    throw new DecodeError(`Not an image this app can read (${error instanceof Error ? error.message : error})`)
  }
}

/**
 * A WorkerLike that runs the worker's real request handler in this process on onnxruntime-web's WASM backend.
 * Messages cross asynchronously and replies are structured-cloned with their transfer list, as a Worker's are.
 */
class InProcessWorker extends FakeWorker {
  private readonly handle = createRequestHandler({
    ort,
    threads: { threads: 1, note: '' },
    gpu: undefined,
    decode: decodeWithSharp,
    post: (reply, transfer = []) => {
      const copy = structuredClone(reply, { transfer })
      setTimeout(() => this.reply(copy), 0)
    },
  })

  postMessage(message: WorkerRequest): void {
    setTimeout(() => this.handle(message), 0)
  }
}

const modelPath = join(repoRoot, 'resources', 'models', 'resnet56-cifar10.onnx')
const bytes = new Uint8Array(readFileSync(modelPath))
const report = readModelGraph(bytes)
const urls = {
  plain: '/library/models/bundled.onnx',
  features: '/library/models/bundled.features.onnx',
  photoFeatures: '/library/models/bundled.photo-features.onnx',
  tapped: '/library/models/bundled.tapped.onnx',
  head: '/library/models/bundled.head.bin',
  profile: '/library/models/bundled.profile.json',
  hierarchy: '/library/models/bundled.hierarchy.json',
}
const knowledge = { profileUrl: urls.profile, hierarchyUrl: urls.hierarchy, sha256: card.sha256 }

/** The first photos of the CIFAR-10 half test set, one per class, with PyTorch's prediction for each. */
const references = Array.from({ length: 10 }, (_, label) =>
  readReferencePredictions().find((row) => row.label === label),
).filter((row) => row !== undefined)
const photoOf = (path: string): Blob =>
  new Blob([new Uint8Array(readFileSync(join(cifarHalfDir(), path)))], { type: 'image/jpeg' })

describe('EngineClient with the real worker code (onnxruntime-web WASM, in this process)', () => {
  beforeAll(() => {
    ort.env.wasm.numThreads = 1
    ort.env.logLevel = 'error'
    const head = readClassifierHead(bytes, report)
    const headBin = new Float32Array(head.weights.length + head.bias.length)
    headBin.set(head.weights)
    headBin.set(head.bias, head.weights.length)
    const serve = (url: string, body: Uint8Array): void => void served.set(url, new Uint8Array(body))
    serve(urls.plain, bytes)
    serve(urls.features, addFeatureOutputs(bytes, report, card.preprocessing.views).model)
    serve(urls.photoFeatures, addFeatureOutputs(bytes, report).model)
    serve(
      urls.tapped,
      addTapOutputs(
        bytes,
        stageTaps(report).map((tap) => tap.tensor),
      ),
    )
    serve(urls.head, new Uint8Array(headBin.buffer))
    serve(urls.profile, readFileSync(modelPath.replace(/\.onnx$/, '.profile.json')))
    serve(urls.hierarchy, readFileSync(join(repoRoot, 'resources', 'labels', 'cifar10.hierarchy.json')))
    vi.stubGlobal('fetch', async (url: string) => {
      const body = served.get(url)
      return body ? new Response(body) : new Response('not found', { status: 404 })
    })
  })
  afterAll(() => {
    vi.unstubAllGlobals()
  })

  let client: EngineClient | undefined
  afterEach(() => {
    client?.dispose()
    client = undefined
  })

  it('classifies real photos as a direct run of the model does, and as PyTorch does, with the profile', async () => {
    client = new EngineClient(new InProcessWorker())
    // Sent before the model: they wait for the first load.
    const results = references.map((row) => client!.classify(photoOf(row.path), row.path, 3))
    const load = await client.load(urls.features, card, model, 'wasm', knowledge)
    expect(load.provider).toMatchObject({
      id: 'wasm',
      label: 'WASM · 1 thread',
      reason: 'WASM chosen in the engine setting',
    })
    expect(load.knowledge.source).toBe('profile')

    // The logits are the photo's own run (the views only feed the features).
    const plainCard = withoutViews(card)
    const direct = await Classifier.create(ort, bytes, plainCard as ClassifierCard, { executionProviders: ['wasm'] })
    try {
      for (const [i, row] of references.entries()) {
        const reply = await results[i]!
        expect(reply).toMatchObject({ type: 'classified', model, provider: load.provider, width: 32, height: 32 })
        expect(reply.top).toHaveLength(3)
        expect(reply.top[0]!.index).toBe(row.resnet56)
        expect(reply.verdict).toBeDefined()
        const image = await decodeImage(join(cifarHalfDir(), row.path))
        const expected = await direct.runBatch(preprocess(image, plainCard), 1)
        expect(reply.logits).toHaveLength(10)
        reply.logits.forEach((logit, c) => expect(logit).toBeCloseTo(expected[c]!, 4))
      }
    } finally {
      await direct.release()
    }
  })

  it('runs the photo alone for a result without embedding, and the card’s views for one with (the library’s)', async () => {
    client = new EngineClient(new InProcessWorker())
    const fetched: string[] = []
    vi.stubGlobal('fetch', async (url: string) => {
      fetched.push(url)
      const body = served.get(url)
      return body ? new Response(body) : new Response('not found', { status: 404 })
    })
    const load = await client.load(urls.features, card, model, 'wasm', knowledge, urls.photoFeatures)
    expect(load.knowledge.source).toBe('profile')
    // Only the copy on the photo alone is fetched until a result needs the embedding.
    expect(fetched.filter((url) => url.endsWith('.onnx'))).toEqual([urls.photoFeatures])
    const row = references[3]!
    const alone = await client.classify(photoOf(row.path), row.path, 3)
    expect(fetched.filter((url) => url.endsWith('.onnx'))).toEqual([urls.photoFeatures])
    const viewed = await client.classify(photoOf(row.path), row.path, 3, true)
    expect(fetched.filter((url) => url.endsWith('.onnx'))).toEqual([urls.photoFeatures, urls.features])
    // The logits and the verdict are the photo's own run either way; the embedding adds the views (384 values, not 224).
    viewed.logits.forEach((logit, c) => expect(logit).toBeCloseTo(alone.logits[c]!, 4))
    expect(viewed.verdict.source).toBe('profile')
    expect(viewed.verdict.ood).toBeCloseTo(alone.verdict.ood, 2)
    expect(viewed.top[0]!.index).toBe(row.resnet56)
    expect(viewed.embedding!.vector).toHaveLength(384)
    expect(alone.embedding?.vector).toHaveLength(224)
    expect(viewed.embedding!.version).not.toBe(alone.embedding!.version)
  })

  it('fails a photo it cannot decode with kind decode, and goes on with the next', async () => {
    client = new EngineClient(new InProcessWorker())
    await client.load(urls.plain, card, model, 'wasm')
    await expect(client.classify(new Blob([]), 'empty.jpg')).rejects.toMatchObject({
      kind: 'decode',
      message: 'Not an image this app can read (the file is empty)',
    })
    await expect(client.classify(new Blob(['not a photo']), 'notes.txt')).rejects.toMatchObject({ kind: 'decode' })
    const row = references[0]!
    expect((await client.classify(photoOf(row.path), row.path)).top[0]!.index).toBe(row.resnet56)
  })

  it('fails a load whose model cannot be fetched, and the photos waiting for it, with kind load', async () => {
    client = new EngineClient(new InProcessWorker())
    const row = references[0]!
    const classifying = client.classify(photoOf(row.path), row.path)
    await expect(client.load('/library/models/missing.onnx', card, model, 'wasm')).rejects.toMatchObject({
      kind: 'load',
      message: 'the model file could not be fetched (HTTP 404)',
    })
    await expect(classifying).rejects.toMatchObject({
      kind: 'load',
      message: expect.stringMatching(/^The model is not loaded/),
    })
  })

  it('measures WASM and skips WebGPU where there is none', async () => {
    client = new EngineClient(new InProcessWorker())
    const progress = vi.fn()
    const run = client.benchmark(urls.plain, { height: 32, width: 32 }, { maxMs: 200, maxRuns: 3 }, progress)
    const done = await run.done
    expect(done.cancelled).toBe(false)
    expect(done.results).toEqual([
      expect.objectContaining({ provider: 'wasm', label: 'WASM · 1 thread', status: 'ok', runs: 3 }),
      expect.objectContaining({ provider: 'webgpu', status: 'skipped', reason: 'not available here' }),
    ])
    expect(progress).toHaveBeenCalledWith(expect.objectContaining({ provider: 'wasm', phase: 'loading', index: 0 }))
  })

  it("computes a real photo's activations: each stage, the CAM and the loaded model's calibrated classes", async () => {
    client = new EngineClient(new InProcessWorker())
    const load = await client.load(urls.features, card, model, 'wasm', knowledge)
    const head = readClassifierHead(bytes, report)
    const taps = stageTaps(report).map((tap) => ({ stage: tap.name, tensor: tap.tensor, shape: tap.shape }))
    const row = references[3]!
    const reply = await client.activations(photoOf(row.path), row.path, {
      card,
      model,
      tappedModelUrl: urls.tapped,
      taps,
      head: { url: urls.head, classes: head.classes, channels: head.channels, featureStage: head.featureStage },
      topChannels: 4,
      k: 3,
    })
    expect(reply.provider).toEqual(load.provider)
    expect(reply.stages.map((stage) => stage.stage)).toEqual(taps.map((tap) => tap.stage))
    expect(reply.stages[0]!.top).toHaveLength(4)
    expect(reply.camError).toBeUndefined()
    expect(reply.cam).toMatchObject({ stage: head.featureStage })
    expect(reply.top[0]!.index).toBe(row.resnet56)
    expect(reply.sessionMs).toBeGreaterThan(0)

    const classified = await client.classify(photoOf(row.path), row.path, 3)
    expect(reply.top.map((c) => c.index)).toEqual(classified.top.map((c) => c.index))
    reply.top.forEach((c, i) => expect(c.p).toBeCloseTo(classified.top[i]!.p, 4))

    const again = await client.activations(photoOf(row.path), row.path, {
      card,
      model,
      tappedModelUrl: urls.tapped,
      taps,
      head: null,
      topChannels: 2,
      k: 1,
    })
    expect(again).toMatchObject({
      sessionMs: 0,
      cam: null,
      camError: 'the classifier head could not be read from the graph',
    })
  })
})
