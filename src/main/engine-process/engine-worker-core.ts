import { readFile } from 'node:fs/promises'
import { withoutViews } from '../../shared/preprocess/views'
import { Classifier } from '../../shared/engine/classifier'
import { FEATURES_OUTPUT, featureLength, type FeatureLayout } from '../../shared/knowledge/features'
import { interpret, type Knowledge } from '../../shared/knowledge/interpret'
import { decodeForModel } from '../photos/decode'
import { addFeatureOutputs } from '../onnx/feature-graph'
import { loadKnowledge } from '../knowledge/load-knowledge'
import { outputsOf, prepareFile } from '../inference/classify-files'
import { mapWithConcurrency } from '../util/map-with-concurrency'
import type {
  Calibration,
  LoadedSession,
  WorkerBackend,
  WorkerMessage,
  WorkerReply,
  WorkerRequest,
  WorkerResult,
} from './protocol'
import type { NodeEngine } from '../inference/node-ort'

/** Files decoded at the same time per request (libuv's pool of 4 threads does the decoding). */
const DECODE_CONCURRENCY = 4

/** A loaded model: its session and what the engine knows about it. */
interface Session {
  classifier: Classifier
  knowledge: Knowledge
}

/**
 * The engine worker's logic, apart from its transport: sessions by key, and classify requests whose
 * files are decoded and preprocessed as soon as they arrive while inference runs one batch at a time,
 * so the caller keeps the model busy by sending the next batch before the last one is answered.
 */
export class EngineWorkerCore {
  private readonly engines = new Map<WorkerBackend, NodeEngine>()
  private readonly sessions = new Map<string, Promise<Session>>()
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
        for (const session of this.sessions.values()) await (await session.catch(() => undefined))?.classifier.release()
        this.sessions.clear()
        return null
      case 'release': {
        const session = this.sessions.get(request.key)
        this.sessions.delete(request.key)
        await (await session?.catch(() => undefined))?.classifier.release()
        return null
      }
    }
  }

  private async load(request: Extract<WorkerRequest, { op: 'load' }>): Promise<LoadedSession> {
    let engine = this.engines.get(request.backend)
    if (!engine) {
      engine = await this.createEngine(request.backend)
      this.engines.set(request.backend, engine)
    }
    const nodeEngine = engine
    let loaded: Omit<LoadedSession, 'provider'> | undefined
    const created = (async (): Promise<Session> => {
      const bytes = await readFile(request.modelPath)
      // The features ride along in the same run; a graph whose stages cannot be read classifies without them.
      let model: Uint8Array = bytes
      let features = 0
      let layout: FeatureLayout | undefined
      try {
        const spliced = addFeatureOutputs(bytes, undefined, request.card.preprocessing.views)
        model = spliced.model
        layout = spliced.layout
        features = featureLength(spliced.layout)
      } catch {
        // Logits only: the verdict falls back to the logit-based score.
      }
      // Views only feed the features: without them the photo alone is run.
      const card = layout ? request.card : withoutViews(request.card)
      const classifier = await Classifier.create(nodeEngine.ort, model, card, nodeEngine.sessionOptions)
      const { knowledge, status } = await loadKnowledge(request.knowledge ?? {}, {
        sha256: request.sha256,
        classes: request.card.output.classes,
        featureLength: features > 0 ? features : undefined,
        layout,
      })
      loaded = { knowledge: status, featureLength: features }
      return { classifier, knowledge }
    })()
    const previous = this.sessions.get(request.key)
    this.sessions.set(request.key, created)
    try {
      await created
    } catch (error) {
      if (this.sessions.get(request.key) === created) this.sessions.delete(request.key)
      throw error
    }
    await (await previous?.catch(() => undefined))?.classifier.release()
    return { provider: engine.provider, ...loaded! }
  }

  private session(key: string): Promise<Session> {
    const session = this.sessions.get(key)
    if (!session) throw new Error(`No model loaded as "${key}" in the engine worker.`)
    return session
  }

  private async classify(request: Extract<WorkerRequest, { op: 'classify' }>): Promise<WorkerResult[]> {
    const { classifier, knowledge } = await this.session(request.key)
    const decode = (path: string) => decodeForModel(path, classifier.card)
    const prepared = mapWithConcurrency(request.paths, DECODE_CONCURRENCY, (path) =>
      prepareFile(classifier, { path }, decode),
    )
    return this.serially(async () => {
      const items = await prepared
      const rows = await outputsOf(classifier, items)
      return items.map((item, i): WorkerResult => {
        const { path } = item.input
        if ('error' in item) return { path, error: item.error }
        const { logits, features } = rows[i]!
        const result: WorkerResult = {
          path,
          ...interpret(logits, features, classifier.card.labels, request.k, knowledge),
        }
        if (request.logits) result.logits = logits.slice()
        if (request.features && features) result.features = features.slice()
        return result
      })
    })
  }

  /** Images per second through the model alone (no decoding); the first time for a session, after a warm-up run. */
  private async calibrate(request: Extract<WorkerRequest, { op: 'calibrate' }>): Promise<Calibration> {
    const { classifier } = await this.session(request.key)
    return this.serially(async () => {
      const batch = new Float32Array(request.batch * classifier.tensorLength)
      for (let i = 0; i < batch.length; i++) batch[i] = Math.sin(i) // any input: the time does not depend on it
      // What a batch job runs: the logits and, where the model gives them, its features.
      const runOnce = () =>
        classifier.hasOutput(FEATURES_OUTPUT)
          ? classifier.runWithFeatures(batch, request.batch, FEATURES_OUTPUT)
          : classifier.runBatch(batch, request.batch)
      if (!this.warmedUp.has(classifier)) {
        await runOnce()
        this.warmedUp.add(classifier)
      }
      let runs = 0
      const started = performance.now()
      while (runs < 2 || performance.now() - started < request.minMs) {
        await runOnce()
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
