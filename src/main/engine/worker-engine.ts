import type { ClassifierCard } from '../../shared/engine/classifier'
import type { KnowledgeFiles } from '../knowledge/load-knowledge'
import type {
  Calibration,
  LoadedSession,
  WorkerBackend,
  WorkerReplies,
  WorkerRequest,
  WorkerResult,
} from '../engine-process/protocol'
import type { EnginePort, SpawnEnginePort } from './engine-port'

export interface WorkerClassifyOptions {
  k?: number
  /** Images per request (one inference run each). */
  batchSize?: number
  /** Requests sent ahead of the one being answered; bounds memory whatever the number of files. */
  ahead?: number
  logits?: boolean
  /** Also return each image's features (for building a knowledge profile). */
  features?: boolean
  signal?: AbortSignal
}

/** A model as the worker loads it. */
export interface WorkerModel {
  modelPath: string
  card: ClassifierCard
  sha256: string
  knowledge?: KnowledgeFiles
}

/**
 * The main side of one engine worker: loads models, streams classifications with a bounded number of
 * batches in flight, calibrates. The worker is started on first use and again after a crash.
 */
export class WorkerEngine {
  private port: EnginePort | undefined
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  private readonly loaded = new Map<string, Promise<LoadedSession>>()
  /** What each key was loaded with, so a worker started again after a crash can load it again. */
  private readonly models = new Map<string, { model: WorkerModel; backend: WorkerBackend }>()

  constructor(private readonly spawn: SpawnEnginePort) {}

  /** Loads a model under `key` (once; a later call with the same key waits for the same load). */
  load(key: string, model: WorkerModel, backend: WorkerBackend): Promise<LoadedSession> {
    this.models.set(key, { model, backend })
    let loading = this.loaded.get(key)
    if (!loading) {
      loading = this.request({ op: 'load', key, ...model, backend })
      this.loaded.set(key, loading)
      loading.catch(() => this.loaded.delete(key))
    }
    return loading
  }

  isLoaded(key: string): boolean {
    return this.loaded.has(key)
  }

  /** Times the model; a run the worker's crash cut short is run once more (in the new worker). */
  async calibrate(key: string, batch: number, minMs = 600): Promise<Calibration> {
    for (let attempt = 0; ; attempt++) {
      await this.ensureLoaded(key)
      try {
        return await this.request({ op: 'calibrate', key, batch, minMs })
      } catch (error) {
        if (attempt > 0 || !(error instanceof WorkerGoneError)) throw error
      }
    }
  }

  async release(key: string): Promise<void> {
    this.models.delete(key)
    if (!this.loaded.delete(key) || !this.port) return
    await this.request({ op: 'release', key })
  }

  /**
   * Results in the order of `paths` (a list, or a stream of chunks that may still be growing, e.g. a
   * folder scan); stops sending batches once `signal` aborts. At most `ahead + 1` batches are in the
   * worker at once, and results already back are yielded without waiting for more paths.
   */
  async *classify(
    key: string,
    paths: readonly string[] | AsyncIterable<readonly string[]>,
    options: WorkerClassifyOptions = {},
  ): AsyncGenerator<WorkerResult> {
    for await (const batch of this.classifyBatches(key, paths, options)) yield* batch
  }

  /** Like `classify`, one batch (one inference run) at a time. */
  async *classifyBatches(
    key: string,
    paths: readonly string[] | AsyncIterable<readonly string[]>,
    options: WorkerClassifyOptions = {},
  ): AsyncGenerator<WorkerResult[]> {
    const { k = 5, batchSize = 32, ahead = 2, logits = false, features = false, signal } = options
    const batches = inBatches(paths, batchSize)
    const inFlight: Promise<WorkerResult[]>[] = []
    let next: Promise<IteratorResult<readonly string[]>> | undefined
    let exhausted = false
    try {
      for (;;) {
        while (!exhausted && inFlight.length <= ahead && !signal?.aborted) {
          next ??= batches.next()
          const first = inFlight[0]
          const arrived = first
            ? await Promise.race([
                next,
                first.then(
                  () => undefined,
                  () => undefined,
                ),
              ])
            : await next
          if (arrived === undefined) break // a batch is back: yield it before waiting for more paths
          next = undefined
          if (arrived.done) exhausted = true
          else {
            const batch = [...arrived.value]
            const reply = this.ensureLoaded(key).then(() =>
              this.request({ op: 'classify', key, paths: batch, k, logits, ...(features && { features }) }),
            )
            reply.catch(() => undefined) // awaited below in order; a rejection must not go unhandled meanwhile
            inFlight.push(reply)
          }
        }
        const reply = inFlight.shift()
        if (!reply) return
        yield await reply
      }
    } finally {
      void batches.return(undefined)
    }
  }

  /**
   * Stops the worker: it finishes the inference in progress (stopping a thread inside a native call
   * would take the whole process down), refuses what is queued, and exits; it is terminated only if it
   * does not within `graceMs`.
   */
  async close(graceMs = 10_000): Promise<void> {
    const port = this.port
    if (!port) return
    this.loaded.clear()
    this.models.clear()
    const exited = new Promise<void>((resolve) => port.onExit(() => resolve()))
    const asked = this.request({ op: 'shutdown' }).catch(() => undefined)
    this.port = undefined
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)))
    const outcome = await Promise.race([asked.then(() => exited), late])
    clearTimeout(timer)
    if (outcome === 'late') await port.terminate()
  }

  /**
   * The session under `key` in the worker running now: a worker started again after a crash (or a kill)
   * has none of the old one's sessions, so what was loaded before is loaded again first.
   */
  private async ensureLoaded(key: string): Promise<void> {
    const loading = this.loaded.get(key)
    if (loading) {
      await loading
      return
    }
    const known = this.models.get(key)
    if (known) await this.load(key, known.model, known.backend)
  }

  private request<Op extends WorkerRequest['op']>(
    message: Extract<WorkerRequest, { op: Op }>,
  ): Promise<WorkerReplies[Op]> {
    const port = this.connect()
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      port.postMessage({ id, ...message })
    })
  }

  private connect(): EnginePort {
    if (this.port) return this.port
    const port = this.spawn()
    port.onMessage((reply) => {
      const waiter = this.pending.get(reply.id)
      if (!waiter) return
      this.pending.delete(reply.id)
      if (reply.ok) waiter.resolve(reply.value)
      else waiter.reject(new Error(reply.error))
    })
    port.onExit((reason) => {
      if (this.port === port) {
        this.port = undefined
        this.loaded.clear() // a new worker starts without the old one's sessions
      }
      const waiting = [...this.pending.values()]
      this.pending.clear()
      for (const waiter of waiting) waiter.reject(new WorkerGoneError(reason))
    })
    this.port = port
    return port
  }
}

/** The worker went away (crashed, was killed or stopped) before it answered. */
export class WorkerGoneError extends Error {
  override name = 'WorkerGoneError'
}

async function* inBatches(
  paths: readonly string[] | AsyncIterable<readonly string[]>,
  size: number,
): AsyncGenerator<readonly string[]> {
  const chunks: AsyncIterable<readonly string[]> | Iterable<readonly string[]> = isList(paths) ? [paths] : paths
  for await (const chunk of chunks) for (let i = 0; i < chunk.length; i += size) yield chunk.slice(i, i + size)
}

function isList(paths: readonly string[] | AsyncIterable<readonly string[]>): paths is readonly string[] {
  return Array.isArray(paths)
}
