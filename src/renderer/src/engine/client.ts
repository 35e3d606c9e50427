import type { ClassifierCard } from '../../../shared/engine/classifier'
import type {
  ActivationsReply,
  ActivationsRequest,
  BenchmarkBudget,
  BenchmarkedReply,
  BenchmarkProgressReply,
  ClassifiedReply,
  ClassifyRequest,
  EnginePreference,
  FailureKind,
  KnowledgeSource,
  LoadedReply,
  ModelTag,
  WorkerReply,
  WorkerRequest,
} from './messages'

/** A request the engine refused or could not finish; `message` is for people. */
export class EngineError extends Error {
  override name = 'EngineError'
  constructor(
    readonly kind: FailureKind | 'cancelled' | 'crashed',
    message: string,
  ) {
    super(message)
  }
}

/** The replies that settle a request. */
type FinalReply = LoadedReply | ClassifiedReply | BenchmarkedReply | ActivationsReply

interface Pending {
  resolve(reply: FinalReply): void
  reject(error: EngineError): void
}

interface Queued {
  request: ClassifyRequest
  pending: Pending
}

/** The part of a Worker the client uses (tests may pass a fake). */
export interface WorkerLike {
  postMessage(message: WorkerRequest): void
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerReply>) => void): void
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void
  terminate(): void
}

/** A benchmark in progress: its outcome, and a way to stop it after the current run. */
export interface BenchmarkRun {
  done: Promise<BenchmarkedReply>
  cancel(): void
}

export function createEngineWorker(): WorkerLike {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'resnet-lens-engine' })
}

/**
 * Promise-based client of the engine worker. Each request carries an id; classify requests are
 * queued here and at most `maxInFlight` are handed to the worker at a time, so dropping a thousand
 * photos neither floods the worker nor decodes them all at once, and queued ones can be cancelled.
 */
export class EngineClient {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly progress = new Map<number, (reply: BenchmarkProgressReply) => void>()
  private readonly queue: Queued[] = []
  private inFlight = 0
  private crashed: string | undefined

  constructor(
    private readonly worker: WorkerLike = createEngineWorker(),
    private readonly maxInFlight = 8,
  ) {
    worker.addEventListener('message', (event) => this.onReply(event.data))
    worker.addEventListener('error', (event) => {
      this.crashed = `The inference engine stopped: ${event.message || 'its script failed to load'}`
      const error = new EngineError('crashed', this.crashed)
      this.cancelQueued(error)
      const stranded = [...this.pending.values()]
      this.pending.clear()
      for (const p of stranded) p.reject(error)
    })
  }

  /**
   * Creates (or recreates) the session for a model and an engine preference; `knowledge` says where the model's
   * profile and hierarchy are (without it, verdicts come from the logits alone); `photoModelUrl`, for a card with
   * views, the copy that runs the photo alone (see `LoadRequest`).
   */
  load(
    modelUrl: string,
    card: ClassifierCard,
    model: ModelTag,
    preference: EnginePreference,
    knowledge?: KnowledgeSource,
    photoModelUrl?: string,
  ): Promise<LoadedReply> {
    const id = this.nextId++
    return this.send<LoadedReply>({
      type: 'load',
      id,
      modelUrl,
      card,
      model,
      preference,
      ...(knowledge && { knowledge }),
      ...(photoModelUrl !== undefined && { photoModelUrl }),
    })
  }

  /**
   * Measures a model's speed on each provider (in the worker, after whatever it is running now).
   * `onProgress` hears which provider is measured and how far along it is.
   */
  benchmark(
    modelUrl: string,
    input: { height: number; width: number },
    budget: BenchmarkBudget,
    onProgress: (reply: BenchmarkProgressReply) => void,
  ): BenchmarkRun {
    const id = this.nextId++
    this.progress.set(id, onProgress)
    const done = this.send<BenchmarkedReply>({ type: 'benchmark', id, modelUrl, input, budget })
    done.then(
      () => this.progress.delete(id),
      () => this.progress.delete(id),
    )
    return {
      done,
      cancel: () => {
        if (this.pending.has(id)) this.worker.postMessage({ type: 'cancel-benchmark', id })
      },
    }
  }

  /**
   * Decodes and classifies one photo in the worker; `embedding`: the result carries the embedding the library keeps
   * (a card with views then runs them; without, the photo alone).
   */
  classify(file: Blob, name: string, k = 5, embedding = false): Promise<ClassifiedReply> {
    if (this.crashed) return Promise.reject(new EngineError('crashed', this.crashed))
    const id = this.nextId++
    const request: ClassifyRequest = { type: 'classify', id, file, name, k, ...(embedding && { embedding }) }
    return new Promise<ClassifiedReply>((resolve, reject) => {
      const pending: Pending = { resolve: resolve as Pending['resolve'], reject }
      this.queue.push({ request, pending })
      this.drain()
    })
  }

  /**
   * One photo's activations: each stage's shape, channel means and strongest channels, the CAMs and the
   * top classes, from one run of the model's tapped copy (after whatever the worker is running now).
   */
  activations(
    file: Blob,
    name: string,
    options: Omit<ActivationsRequest, 'type' | 'id' | 'file' | 'name'>,
  ): Promise<ActivationsReply> {
    const id = this.nextId++
    return this.send<ActivationsReply>({ type: 'activations', id, file, name, ...options })
  }

  /** Photos waiting to be handed to the worker. */
  get queued(): number {
    return this.queue.length
  }

  /** Rejects every classify request not yet handed to the worker; returns how many. */
  cancelQueued(error = new EngineError('cancelled', 'Cancelled before it ran.')): number {
    const dropped = this.queue.splice(0)
    for (const { pending } of dropped) pending.reject(error)
    return dropped.length
  }

  dispose(): void {
    this.crashed = 'The engine was closed.'
    this.cancelQueued(new EngineError('cancelled', this.crashed))
    const stranded = [...this.pending.values()]
    this.pending.clear()
    for (const p of stranded) p.reject(new EngineError('cancelled', 'The engine was closed.'))
    this.worker.terminate()
  }

  private send<T extends FinalReply>(request: WorkerRequest): Promise<T> {
    if (this.crashed) return Promise.reject(new EngineError('crashed', this.crashed))
    return new Promise<T>((resolve, reject) => {
      this.pending.set(request.id, { resolve: resolve as Pending['resolve'], reject })
      this.worker.postMessage(request)
    })
  }

  private drain(): void {
    while (!this.crashed && this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const { request, pending } = this.queue.shift()!
      this.inFlight++
      const settle = (): void => {
        this.inFlight--
        this.drain()
      }
      this.pending.set(request.id, {
        resolve: (reply) => {
          settle()
          pending.resolve(reply)
        },
        reject: (error) => {
          settle()
          pending.reject(error)
        },
      })
      this.worker.postMessage(request)
    }
  }

  private onReply(reply: WorkerReply): void {
    if (reply.type === 'benchmark-progress') {
      this.progress.get(reply.id)?.(reply)
      return
    }
    const pending = this.pending.get(reply.id)
    if (!pending) return
    this.pending.delete(reply.id)
    if (reply.type === 'failed') pending.reject(new EngineError(reply.kind, reply.message))
    else pending.resolve(reply)
  }
}
