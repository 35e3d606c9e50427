import { basename } from 'node:path'
import type { EmitEvent } from '../../shared/ipc/contract'
import { photoUrlPath } from '../../shared/ipc/routes'
import type { ClassifyResult } from '../tags/classify-pending'
import type { ScoredClass } from '../tags/types'
import { WindowRequests } from './window-requests'

/** Photos handed to the window at a time, and how many such requests may wait for an answer. */
const CHUNK = 16
const AHEAD = 2
/** A window that does not answer a batch within this long is taken as gone. */
const ANSWER_TIMEOUT_MS = 120_000

export type RouteAnswer =
  { results: ({ photoId: number; top: ScoredClass[] } | { photoId: number; error: string })[] } | { error: string }

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

  async *classifyBatches(
    modelId: string,
    paths: AsyncIterable<readonly string[]>,
    signal?: AbortSignal,
  ): AsyncGenerator<ClassifyResult[]> {
    const inFlight: Promise<ClassifyResult[]>[] = []
    for await (const chunk of paths) {
      for (let i = 0; i < chunk.length; i += CHUNK) {
        if (signal?.aborted) break
        const request = this.send(modelId, chunk.slice(i, i + CHUNK))
        request.catch(() => undefined) // awaited in order below
        inFlight.push(request)
        if (inFlight.length > AHEAD) yield await inFlight.shift()!
      }
      if (signal?.aborted) break
    }
    while (inFlight.length > 0) yield await inFlight.shift()!
  }

  /** The window's answer; false when nothing waits for it. */
  answer(requestId: number, answer: RouteAnswer): boolean {
    return this.requests.answer(requestId, answer)
  }

  private async send(modelId: string, paths: readonly string[]): Promise<ClassifyResult[]> {
    if (!this.deps.hasWindow()) throw new Error('WebGPU runs in the window, and no window is open.')
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
    if ('error' in answer) throw new Error(`WebGPU in the window: ${answer.error}`)
    const results: ClassifyResult[] = [...missing]
    for (const result of answer.results) {
      const path = byId.get(result.photoId)
      if (path === undefined) continue
      byId.delete(result.photoId)
      results.push('error' in result ? { path, error: result.error } : { path, top: result.top })
    }
    for (const path of byId.values()) results.push({ path, error: 'no result from the window' })
    return results
  }
}
