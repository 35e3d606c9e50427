import { vi } from 'vitest'
import type { WorkerLike } from '../../../src/renderer/src/engine/client'
import type {
  ClassifiedReply,
  LoadedReply,
  LoadRequest,
  WorkerReply,
  WorkerRequest,
} from '../../../src/renderer/src/engine/messages'

type MessageListener = (event: MessageEvent<WorkerReply>) => void

/**
 * A stand-in for the engine worker that answers each request as the test says (after a tick, as a worker
 * does), and records what it was asked. The session's engine client runs on it through the `WorkerLike` seam.
 */
export class AnsweringWorker implements WorkerLike {
  readonly requests: WorkerRequest[] = []
  private readonly listeners: MessageListener[] = []

  /** How the worker answers; undefined leaves the request unanswered. */
  constructor(public answer: (request: WorkerRequest) => WorkerReply | undefined = answerLoaded) {}

  postMessage(request: WorkerRequest): void {
    this.requests.push(request)
    const reply = this.answer(request)
    if (reply) setTimeout(() => this.reply(reply), 0)
  }
  addEventListener(type: 'message', listener: MessageListener): void
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void
  addEventListener(type: 'message' | 'error', listener: MessageListener | ((event: ErrorEvent) => void)): void {
    if (type === 'message') this.listeners.push(listener as MessageListener)
  }
  terminate(): void {}

  reply(data: WorkerReply): void {
    const event: Partial<MessageEvent<WorkerReply>> = { data }
    for (const listener of this.listeners) listener(event as MessageEvent<WorkerReply>)
  }

  /** The load requests, in order. */
  loads(): LoadRequest[] {
    return this.requests.filter((r): r is LoadRequest => r.type === 'load')
  }
}

/** A session on WASM for any load; other requests stay unanswered. */
export function answerLoaded(request: WorkerRequest): WorkerReply | undefined {
  return request.type === 'load' ? loaded(request.id) : undefined
}

export function loaded(id: number): LoadedReply {
  return {
    type: 'loaded',
    id,
    provider: { id: 'wasm', label: 'WASM · 2 threads', reason: 'no WebGPU adapter' },
    loadMs: 12,
    knowledge: { source: 'profile' },
  }
}

/** A classification of a photo by `model`: `label` first with probability `p`. */
export function classified(id: number, model: { id: string; name: string }, label: string, p: number): ClassifiedReply {
  return {
    type: 'classified',
    id,
    top: [{ index: 3, label, p }],
    verdict: { unknown: false, ood: 0.1, source: 'profile' },
    logits: new Float32Array([0.5, 1.5, 2.5]),
    provider: { id: 'wasm', label: 'WASM · 2 threads', reason: '' },
    model,
    batchMs: 4,
    batchSize: 1,
    decodeMs: 2,
    width: 32,
    height: 32,
  }
}

/** Starts the renderer's modules afresh (their stores and flags too), with the session's engine on `worker`. */
export async function freshRendererOn(worker: AnsweringWorker): Promise<void> {
  vi.resetModules()
  // The client of the fresh modules: the screens tell its errors by their class.
  const { EngineClient } = await import('../../../src/renderer/src/engine/client')
  const { replaceEngine } = await import('../../../src/renderer/src/session/engine-client')
  replaceEngine(new EngineClient(worker))
}
