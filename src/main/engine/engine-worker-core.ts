import { readFile } from 'node:fs/promises'
import { Classifier } from '../../shared/engine/classifier'
import { topK } from '../../shared/engine/postprocess'
import { decodeForModel } from '../photos/decode'
import { logitsOf, mapWithConcurrency, prepareFile } from './classify-files'
import type {
  Calibration,
  WorkerBackend,
  WorkerMessage,
  WorkerReply,
  WorkerRequest,
  WorkerResult,
} from './engine-protocol'
import type { NodeEngine } from './node-ort'

/** Files decoded at the same time per request (libuv's pool of 4 threads does the decoding). */
const DECODE_CONCURRENCY = 4

/**
 * The engine worker's logic, apart from its transport: sessions by key, and classify requests whose
 * files are decoded and preprocessed as soon as they arrive while inference runs one batch at a time,
 * so the caller keeps the model busy by sending the next batch before the last one is answered.
 */
export class EngineWorkerCore {
  private readonly engines = new Map<WorkerBackend, NodeEngine>()
  private readonly sessions = new Map<string, Promise<Classifier>>()
  /** Sessions that have run once: the first run of a session is slower (allocation, kernel choice). */
  private readonly warmedUp = new WeakSet<Classifier>()
  private inference: Promise<unknown> = Promise.resolve()
  private closing = false

  constructor(
    private readonly createEngine: (backend: WorkerBackend) => Promise<NodeEngine>,
    private readonly reply: (message: WorkerReply) => void,
    /** Ends the worker, once `shutdown` has been answered. */
    private readonly exit: () => void,
  ) {}

  handle(message: WorkerMessage): void {
    this.run(message).then(
      (value) => {
        this.reply({ id: message.id, ok: true, value })
        if (message.op === 'shutdown') this.exit()
      },
      (error: unknown) =>
        this.reply({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    )
  }

  private async run(request: WorkerRequest): Promise<unknown> {
    switch (request.op) {
      case 'load':
        return this.load(request)
      case 'classify':
        return this.classify(request)
      case 'calibrate':
        return this.calibrate(request)
      case 'shutdown':
        this.closing = true
        await this.inference
        for (const session of this.sessions.values()) await (await session.catch(() => undefined))?.release()
        this.sessions.clear()
        return null
      case 'release': {
        const session = this.sessions.get(request.key)
        this.sessions.delete(request.key)
        await (await session?.catch(() => undefined))?.release()
        return null
      }
    }
  }

  private async load(request: Extract<WorkerRequest, { op: 'load' }>): Promise<{ provider: string }> {
    let engine = this.engines.get(request.backend)
    if (!engine) {
      engine = await this.createEngine(request.backend)
      this.engines.set(request.backend, engine)
    }
    const created = (async () => {
      const bytes = await readFile(request.modelPath)
      return Classifier.create(engine.ort, bytes, request.card, engine.sessionOptions)
    })()
    const previous = this.sessions.get(request.key)
    this.sessions.set(request.key, created)
    try {
      await created
    } catch (error) {
      if (this.sessions.get(request.key) === created) this.sessions.delete(request.key)
      throw error
    }
    await (await previous?.catch(() => undefined))?.release()
    return { provider: engine.provider }
  }

  private session(key: string): Promise<Classifier> {
    const session = this.sessions.get(key)
    if (!session) throw new Error(`No model loaded as "${key}" in the engine worker.`)
    return session
  }

  private async classify(request: Extract<WorkerRequest, { op: 'classify' }>): Promise<WorkerResult[]> {
    const classifier = await this.session(request.key)
    const decode = (path: string) => decodeForModel(path, classifier.card)
    const prepared = mapWithConcurrency(request.paths, DECODE_CONCURRENCY, (path) =>
      prepareFile(classifier, { path }, decode),
    )
    return this.serially(async () => {
      const items = await prepared
      const rows = await logitsOf(classifier, items)
      return items.map((item, i): WorkerResult => {
        const { path } = item.input
        if ('error' in item) return { path, error: item.error }
        const values = rows[i]!
        const top = topK(values, classifier.card.labels, request.k)
        return request.logits ? { path, top, logits: values.slice() } : { path, top }
      })
    })
  }

  /** Images per second through the model alone (no decoding); the first time for a session, after a warm-up run. */
  private async calibrate(request: Extract<WorkerRequest, { op: 'calibrate' }>): Promise<Calibration> {
    const classifier = await this.session(request.key)
    return this.serially(async () => {
      const batch = new Float32Array(request.batch * classifier.tensorLength)
      for (let i = 0; i < batch.length; i++) batch[i] = Math.sin(i) // any input: the time does not depend on it
      if (!this.warmedUp.has(classifier)) {
        await classifier.runBatch(batch, request.batch)
        this.warmedUp.add(classifier)
      }
      let runs = 0
      const started = performance.now()
      while (runs < 2 || performance.now() - started < request.minMs) {
        await classifier.runBatch(batch, request.batch)
        runs++
      }
      const ms = performance.now() - started
      return { imagesPerSecond: (runs * request.batch * 1000) / ms, batch: request.batch, runs }
    })
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const result = this.inference.then(() => {
      if (this.closing) throw new Error('The engine is shutting down.')
      return task()
    })
    this.inference = result.catch(() => undefined)
    return result
  }
}
