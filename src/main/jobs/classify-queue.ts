import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import { finishRun, startRun, type Run } from '../photo-library/runs'
import type { Job } from './store'

/** A photo of a job waiting for the classifier. */
export interface Pending {
  id: number
  path: string
  sha256: string
}

/**
 * The photos of a running job waiting for the classifier, as a stream of path chunks. Photos with the
 * same content go as one (the first path stands for its group until its result is recorded). The
 * classification run is started with the first photo queued and counts every photo handed over.
 */
export class ClassifyQueue {
  private readonly groups = new Map<string, Pending[]>()
  private readonly byPath = new Map<string, Pending[]>()
  private readonly handed = new Set<number>()
  private readonly chunks: string[][] = []
  private wake: (() => void) | undefined
  private closed = false
  private run: Run | undefined

  constructor(
    private readonly db: Db,
    private readonly job: Job,
    readonly threshold: number,
    private readonly now: () => Date,
  ) {}

  enqueue(photos: readonly Pending[]): void {
    const fresh: string[] = []
    for (const photo of photos) {
      if (this.handed.has(photo.id)) continue
      this.handed.add(photo.id)
      const group = this.groups.get(photo.sha256)
      if (group) {
        group.push(photo)
        continue
      }
      const created = [photo]
      this.groups.set(photo.sha256, created)
      this.byPath.set(photo.path, created)
      fresh.push(photo.path)
    }
    if (fresh.length === 0) return
    this.run ??= startRun(this.db, this.job.modelId, 0, this.now)
    stmt(this.db, 'UPDATE runs SET total = total + ? WHERE id = ?').run(fresh.length, this.run.id)
    this.chunks.push(fresh)
    this.wake?.()
  }

  /** No more photos will come. */
  close(): void {
    this.closed = true
    this.wake?.()
  }

  async *paths(): AsyncGenerator<readonly string[]> {
    for (;;) {
      const chunk = this.chunks.shift()
      if (chunk) yield chunk
      else if (this.closed) return
      else {
        await new Promise<void>((resolve) => (this.wake = resolve))
        this.wake = undefined
      }
    }
  }

  /** The group a result is for (once); undefined for a path not asked for or already answered. */
  take(path: string): Pending[] | undefined {
    const group = this.byPath.get(path)
    if (group === undefined) return undefined
    this.byPath.delete(path)
    this.groups.delete(group[0]!.sha256)
    return group
  }

  unanswered(): [string, Pending[]][] {
    return [...this.byPath]
  }

  runId(): number {
    if (!this.run) throw new Error('No classification run was started.')
    return this.run.id
  }

  finish(status: 'finished' | 'cancelled' | 'failed', now: () => Date): void {
    if (this.run) finishRun(this.db, this.run.id, status, now)
  }
}
