import type { EmbeddingVector } from '../../shared/embedding/embedding-vector'
import { basename } from 'node:path'
import type { EmitEvent } from '../../shared/ipc/contract'
import { photoUrlPath } from '../../shared/ipc/routes'
import type { LevelScore } from '../../shared/knowledge/levels'
import type { Verdict } from '../../shared/knowledge/verdict'
import type { ClassScore } from '../../shared/engine/postprocess'
import { WindowRequests } from './window-requests'
import type { ClassifyResult } from '../inference/classify-result'

/** Photos handed to the window at a time, and how many such requests may wait for an answer. */
const CHUNK = 16
const AHEAD = 2
/** A window that does not answer a batch within this long is taken as gone. */
const ANSWER_TIMEOUT_MS = 120_000

const WINDOW_GONE = 'the window closed'

/** The window that was to answer is gone (closed, or its page no longer listens). */
export class WindowGoneError extends Error {
  override name = 'WindowGoneError'
}

/** One photo as the window's engine classified it: calibrated top classes, its verdict and hierarchy levels. */
export type RouteResult =
  | { photoId: number; top: ClassScore[]; verdict?: Verdict; levels?: LevelScore[]; embedding?: EmbeddingVector }
  | { photoId: number; error: string }

export type RouteAnswer = { results: RouteResult[] } | { error: string }

export interface RendererRouteDeps {
  emit: EmitEvent
  hasWindow: () => boolean
  /** The library's photo id for a path the job's scan added. */
  photoIdOf: (path: string) => number | undefined
}

/**
 * Batches for WebGPU, which exists only in the window: each chunk of a job's photos goes to the
 * window's engine (`engine:classifyBatch`), which fetches them from the app protocol, classifies them
 * and answers (`engine:batchResults`). At most `AHEAD` chunks wait for an answer at once.
 */
export class RendererRoute {
  private readonly requests = new WindowRequests<RouteAnswer>(ANSWER_TIMEOUT_MS, () => ({
    error: 'the window did not answer',
  }))

  constructor(private readonly deps: RendererRouteDeps) {}

  available(): boolean {
    return this.deps.hasWindow()
  }

  /**
   * The results of each chunk of photos, from the window. With `fallback`, a window that closes (or
   * stops listening) mid-job hands the photos it had not answered, and the rest, to `fallback` at once.
   */
  async *classifyBatches(
    modelId: string,
    paths: AsyncIterable<readonly string[]>,
    signal?: AbortSignal,
    fallback?: (paths: AsyncIterable<readonly string[]>) => AsyncIterable<ClassifyResult[]>,
  ): AsyncGenerator<ClassifyResult[]> {
    const inFlight: { paths: readonly string[]; reply: Promise<ClassifyResult[]> }[] = []
    /** Photos sent to a window that went away, or not sent because it had. */
    const left: string[] = []
    let gone = false
    const take = async (): Promise<ClassifyResult[] | undefined> => {
      const { paths: sent, reply } = inFlight.shift()!
      try {
        return await reply
      } catch (error) {
        if (!(error instanceof WindowGoneError) || !fallback) throw error
        gone = true
        left.push(...sent)
        return undefined
      }
    }
    const chunks = paths[Symbol.asyncIterator]()
    reading: while (!gone) {
      const next = await chunks.next()
      if (next.done) break
      for (let i = 0; i < next.value.length; i += CHUNK) {
        const part = next.value.slice(i, i + CHUNK)
        if (!gone && fallback && !this.deps.hasWindow()) gone = true
        if (gone) {
          left.push(...part)
          continue
        }
        if (signal?.aborted) break reading
        const reply = this.send(modelId, part)
        reply.catch(() => undefined) // awaited in order below
        inFlight.push({ paths: part, reply })
        if (inFlight.length > AHEAD) {
          const results = await take()
          if (results) yield results
        }
      }
    }
    while (inFlight.length > 0) {
      const results = await take()
      if (results) yield results
    }
    if (!gone || !fallback || signal?.aborted) return
    yield* fallback(
      (async function* () {
        if (left.length > 0) yield left
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value
      })(),
    )
  }

  /** No window listens any more: the batches it was sent fail now (to the fallback), not at the time limit. */
  windowGone(): void {
    if (!this.deps.hasWindow()) this.requests.abandonAll({ error: WINDOW_GONE })
  }

  /** The window's answer; false when nothing waits for it. */
  answer(requestId: number, answer: RouteAnswer): boolean {
    return this.requests.answer(requestId, answer)
  }

  private async send(modelId: string, paths: readonly string[]): Promise<ClassifyResult[]> {
    if (!this.deps.hasWindow()) throw new WindowGoneError('WebGPU runs in the window, and no window is open.')
    const byId = new Map<number, string>()
    const missing: ClassifyResult[] = []
    for (const path of paths) {
      const id = this.deps.photoIdOf(path)
      if (id === undefined) missing.push({ path, error: 'not in the library' })
      else byId.set(id, path)
    }
    const answer = await this.requests.ask((requestId) =>
      this.deps.emit('engine:classifyBatch', {
        requestId,
        modelId,
        photos: [...byId].map(([id, path]) => ({ id, name: basename(path), photoUrl: photoUrlPath(id, 'original') })),
      }),
    )
    if ('error' in answer && answer.error === WINDOW_GONE)
      throw new WindowGoneError(`WebGPU in the window: ${answer.error}`)
    if ('error' in answer) throw new Error(`WebGPU in the window: ${answer.error}`)
    const results: ClassifyResult[] = [...missing]
    for (const result of answer.results) {
      const path = byId.get(result.photoId)
      if (path === undefined) continue
      byId.delete(result.photoId)
      results.push('error' in result ? { path, error: result.error } : resultOf(path, result))
    }
    for (const path of byId.values()) results.push({ path, error: 'no result from the window' })
    return results
  }
}

/** A window result as the tag store records it: the verdict and levels ride along where the window sent them. */
function resultOf(path: string, result: Extract<RouteResult, { top: ClassScore[] }>): ClassifyResult {
  return {
    path,
    top: result.top,
    ...(result.verdict && { verdict: result.verdict }),
    ...(result.levels && { levels: result.levels }),
    ...(result.embedding && { embedding: result.embedding }),
  }
}
