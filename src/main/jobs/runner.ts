import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import type { ClassifyResult, ModelClassifyFn } from '../inference/classify-result'
import { describeFileError } from '../fs/file-errors'
import { addPaths } from '../photo-library/ingest'
import { PENDING_PHOTO_IDS, pendingParams } from '../photo-library/pending'
import { getSuggestionThreshold } from '../tags/predictions'
import { markInterruptedRuns } from '../photo-library/runs'
import { systemClock } from '../util/clock'
import type { EmbeddingVersionOf } from '../knowledge/embedding-version'
import { ClassifyQueue } from './classify-queue'
import { addCounts, isBatch, recordResult, takeKnownResults, updateTotal, type Counts } from './job-results'
import { ProgressReporter, type JobProgress } from './progress'
import {
  FINAL_STATES,
  getJob,
  insertJob,
  jobErrors,
  listJobs,
  recordJobError,
  requireJob,
  setJobState,
  type Job,
  type JobError,
  type JobOptions,
  type JobState,
} from './store'

export interface JobRunnerDeps {
  db: Db
  classify: ModelClassifyFn
  now?: () => Date
  onProgress?: (progress: JobProgress) => void
  /** Progress is reported at most this often, besides at every change of phase or state (default 100 ms). */
  progressIntervalMs?: number
  /** Files hashed and read at the same time by the scan (default 4). */
  scanConcurrency?: number
  /**
   * The version of the embedding a model makes now (`modelEmbeddingVersion`); undefined when it makes none. With
   * it, photos classified without that embedding are classified again for it; without it, never.
   */
  embeddingVersion?: EmbeddingVersionOf
}

interface Active {
  id: number
  controller: AbortController
  /** What the job becomes when it stops early; null: left 'running' (resumed at the next start). */
  stopAs: 'paused' | 'cancelled' | null
}

/**
 * Runs jobs one at a time: a folder job scans its folder into the library (the tag store's ingest), a
 * library job takes the library's pending photos; then each classifies its photos that have no result
 * for the job's model, writing each result with the job's
 * counts in one transaction as it arrives. A photo already classified by the model is not run again,
 * nor is a photo with the same content (its result is copied), unless its content lacks the embedding
 * the model makes now (`embeddingVersion`). Jobs survive the process: a job left
 * 'running' or 'queued' by a crash or a quit is picked up by `resumeInterrupted()`.
 */
export class JobRunner {
  private readonly db: Db
  private readonly now: () => Date
  private readonly queue: number[] = []
  private readonly waiters = new Map<number, ((job: Job) => void)[]>()
  private active: Active | undefined
  private pumping: Promise<void> | undefined
  private closed = false

  constructor(private readonly deps: JobRunnerDeps) {
    this.db = deps.db
    this.now = deps.now ?? systemClock
  }

  /** A new job, queued but not started: a folder's, or with `folder: null` the library's. */
  create(input: { folder: string | null; modelId: string; options?: JobOptions }): Job {
    return insertJob(this.db, { ...input, folder: input.folder === null ? null : resolve(input.folder) }, this.now)
  }

  get(id: number): Job | undefined {
    return getJob(this.db, id)
  }

  list(options: { states?: readonly JobState[]; limit?: number } = {}): Job[] {
    return listJobs(this.db, options)
  }

  errors(id: number, options: { limit?: number; offset?: number } = {}): JobError[] {
    return jobErrors(this.db, id, options)
  }

  /** The job now running in this process, if any. */
  activeId(): number | undefined {
    return this.active?.id
  }

  /**
   * Runs a job (after the jobs queued before it); resolves with the job once it stops: done, failed,
   * paused or cancelled. Also resumes a paused, failed or interrupted job. A finished job is returned
   * as it is.
   */
  start(id: number): Promise<Job> {
    if (this.closed) return Promise.reject(new Error('The job runner is closed.'))
    const job = requireJob(this.db, id)
    const ended = this.whenStopped(id)
    if (this.active?.id === id || this.queue.includes(id)) return ended
    if (job.state === 'done' || job.state === 'cancelled') {
      this.settle(job)
      return ended
    }
    if (job.state !== 'queued') setJobState(this.db, id, 'queued', this.now)
    this.queue.push(id)
    this.pump()
    return ended
  }

  /** Same as `start`: picks a paused, failed or interrupted job up where it stopped. */
  resume(id: number): Promise<Job> {
    return this.start(id)
  }

  /** Stops a job after the result in flight (nothing done is lost); `resume` picks it up again. */
  pause(id: number): Promise<Job> {
    return this.stop(id, 'paused')
  }

  /** Stops a job for good; what it recorded stays. */
  cancel(id: number): Promise<Job> {
    return this.stop(id, 'cancelled')
  }

  /**
   * At start: runs again the jobs a crash or a quit left 'running' or 'queued' (oldest first), and marks
   * the classification runs left 'running' as interrupted. Resolves when they have all stopped.
   */
  resumeInterrupted(): Promise<Job[]> {
    if (this.active === undefined) markInterruptedRuns(this.db)
    const jobs = listJobs(this.db, { states: ['running', 'queued'], limit: 1000 })
      .filter((job) => job.id !== this.active?.id)
      .reverse()
    return Promise.all(jobs.map((job) => this.start(job.id)))
  }

  /** Resolves when no job is running or queued. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping
  }

  /**
   * Stops the running job without finishing it (it stays 'running' in the database, so the next
   * `resumeInterrupted()` picks it up), leaves queued jobs queued, and refuses new work.
   */
  async close(): Promise<void> {
    this.closed = true
    for (const id of this.queue.splice(0)) {
      const job = getJob(this.db, id)
      if (job) this.settle(job)
    }
    if (this.active) {
      this.active.stopAs = null
      this.active.controller.abort()
    }
    await this.idle()
  }

  // -------------------------------------------------------------------------------------------

  private whenStopped(id: number): Promise<Job> {
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? []
      list.push(resolve)
      this.waiters.set(id, list)
    })
  }

  private settle(job: Job): void {
    const list = this.waiters.get(job.id)
    this.waiters.delete(job.id)
    for (const resolve of list ?? []) resolve(job)
  }

  private async stop(id: number, as: 'paused' | 'cancelled'): Promise<Job> {
    const job = requireJob(this.db, id)
    if (this.active?.id === id) {
      const ended = this.whenStopped(id)
      this.active.stopAs = as
      this.active.controller.abort()
      return ended
    }
    const queued = this.queue.indexOf(id)
    if (queued >= 0) this.queue.splice(queued, 1)
    if (FINAL_STATES.has(job.state) && job.state !== 'failed') return job
    if (job.state === as || (as === 'paused' && job.state === 'failed')) return job
    const stopped = setJobState(this.db, id, as, this.now, job.message)
    this.settle(stopped)
    return stopped
  }

  private pump(): void {
    if (this.pumping) return
    this.pumping = (async () => {
      try {
        for (let id = this.queue.shift(); id !== undefined; id = this.queue.shift()) {
          const job = getJob(this.db, id)
          if (!job) continue
          if (job.state !== 'queued') {
            this.settle(job)
            continue
          }
          this.settle(await this.run(job))
        }
      } finally {
        this.pumping = undefined
      }
    })()
  }

  private async run(queued: Job): Promise<Job> {
    const { db } = this
    const active: Active = { id: queued.id, controller: new AbortController(), stopAs: null }
    this.active = active
    const { signal } = active.controller
    let job = setJobState(db, queued.id, 'running', this.now)
    const reporter = new ProgressReporter(this.deps.onProgress, this.deps.progressIntervalMs ?? 100)
    try {
      const folderError = job.folder === null ? undefined : await checkFolder(job.folder)
      if (folderError !== undefined) {
        job = setJobState(db, job.id, 'failed', this.now, `${job.folder}: ${folderError}`)
        reporter.finish(db, job)
        return job
      }
      const complete = await this.scanAndClassify(job, signal, reporter)
      job = requireJob(db, job.id)
      if (complete && !signal.aborted) job = setJobState(db, job.id, 'done', this.now)
      else if (active.stopAs) job = setJobState(db, job.id, active.stopAs, this.now)
    } catch (error) {
      if (signal.aborted)
        job = active.stopAs ? setJobState(db, job.id, active.stopAs, this.now) : requireJob(db, job.id)
      else job = setJobState(db, job.id, 'failed', this.now, error instanceof Error ? error.message : String(error))
    } finally {
      this.active = undefined
    }
    reporter.finish(db, job)
    return job
  }

  /**
   * Gathers the job's photos (a folder job scans its folder into the library; a library job takes the
   * library's pending photos) and classifies them at the same time: each chunk gathered is settled at
   * once (photos with a result for the model, or with the content of one, need no run) and the rest
   * stream to the classifier. Photos left unclassified by an earlier session go first. True when both
   * finished.
   */
  private async scanAndClassify(job: Job, signal: AbortSignal, reporter: ProgressReporter): Promise<boolean> {
    const threshold = job.options.suggestionThreshold ?? getSuggestionThreshold(this.db)
    // Known already (the usual case: the Library screen counted the pending photos), the photos are taken in the
    // same turn the job starts, so the job's item has its total at once.
    const asked = this.embeddingVersion(job.modelId)
    const embeddingVersion = asked instanceof Promise ? await asked : asked
    if (signal.aborted) return false
    const work = new ClassifyQueue(this.db, job, threshold, this.now)
    // A classifier that fails stops the scan too.
    const stop = new AbortController()
    const stopScan = (): void => stop.abort()
    signal.addEventListener('abort', stopScan)
    reporter.phase(this.db, job, 'scanning')
    work.enqueue(takeKnownResults(this.db, job, threshold, this.now, undefined, embeddingVersion))
    try {
      const onChunk = (photoIds: readonly number[]): void =>
        work.enqueue(takeKnownResults(this.db, job, threshold, this.now, photoIds, embeddingVersion))
      const scanning = (
        job.folder === null
          ? Promise.resolve(this.gatherLibrary(job, embeddingVersion, onChunk))
          : this.scan(job, job.folder, stop.signal, reporter, onChunk)
      )
        .then((scanned) => {
          if (scanned) reporter.phase(this.db, requireJob(this.db, job.id), 'classifying')
          return scanned
        })
        .finally(() => work.close())
      const classifying = this.classify(job, work, signal, reporter).catch((error: unknown) => {
        stop.abort()
        throw error
      })
      const [scanned] = await Promise.all([scanning, classifying])
      return scanned && !signal.aborted
    } finally {
      signal.removeEventListener('abort', stopScan)
    }
  }

  /** The version of the embedding the model makes now; undefined when it makes none or it cannot be told. */
  private embeddingVersion(modelId: string): number | undefined | Promise<number | undefined> {
    // One that cannot be told: classified as before, without backfilling embeddings.
    try {
      const asked = this.deps.embeddingVersion?.(modelId)
      return asked instanceof Promise ? asked.catch(() => undefined) : asked
    } catch {
      return undefined
    }
  }

  /** Adds the library's pending photos to a library job. */
  private gatherLibrary(
    job: Job,
    embeddingVersion: number | undefined,
    onChunk: (photoIds: readonly number[]) => void,
  ): boolean {
    const { db, now } = this
    const added = db.transaction(() => {
      const ids = stmt(
        db,
        `INSERT OR IGNORE INTO job_photos (job_id, photo_id) SELECT @jobId, id FROM (${PENDING_PHOTO_IDS}) RETURNING photo_id`,
      )
        .pluck()
        .all({
          jobId: job.id,
          ...pendingParams(job.modelId, { retryFailed: job.options.retryFailed === true, embeddingVersion }),
        }) as number[]
      updateTotal(db, job.id, now)
      return ids
    })()
    onChunk(added)
    return true
  }

  /** Adds the folder to the library and its photos to the job, chunk by chunk; false when stopped meanwhile. */
  private async scan(
    job: Job,
    folder: string,
    signal: AbortSignal,
    reporter: ProgressReporter,
    onChunk: (photoIds: number[]) => void,
  ): Promise<boolean> {
    const { db, now } = this
    const addToJob = (photoIds: readonly number[]): void => {
      db.transaction(() => {
        const add = stmt(db, 'INSERT OR IGNORE INTO job_photos (job_id, photo_id) VALUES (?, ?)')
        for (const photoId of photoIds) add.run(job.id, photoId)
        updateTotal(db, job.id, now)
      })()
    }
    const report = await addPaths([folder], {
      db,
      now,
      signal,
      ...(this.deps.scanConcurrency !== undefined && { concurrency: this.deps.scanConcurrency }),
      onChunk: (photoIds) => {
        addToJob(photoIds)
        onChunk(photoIds)
      },
      onProgress: ({ found }) => reporter.scanning(db, job.id, found),
    })
    db.transaction(() => {
      for (const skipped of report.skipped) recordJobError(db, job.id, { stage: 'scan', ...skipped }, now)
      updateTotal(db, job.id, now)
    })()
    return !report.cancelled && !signal.aborted
  }

  private async classify(
    job: Job,
    work: ClassifyQueue,
    signal: AbortSignal,
    reporter: ProgressReporter,
  ): Promise<void> {
    const { db, now } = this
    let finished = false
    try {
      for await (const arrived of this.deps.classify(job.modelId, work.paths(), signal)) {
        // A batch of results (one inference run) is written in one transaction: a commit per batch,
        // not per photo. Each is written before the next is asked for.
        const results: readonly ClassifyResult[] = isBatch(arrived) ? arrived : [arrived]
        db.transaction(() => {
          const counts: Counts = { classified: 0, failed: 0, reused: 0 }
          for (const result of results) {
            const group = work.take(result.path)
            if (group !== undefined) recordResult(db, this.target(job, work), group, result, counts, now)
          }
          addCounts(db, job.id, counts, now)
        })()
        for (const result of results) reporter.classified(db, job.id, result.path)
        if (signal.aborted) break
      }
      // Paths the classifier never answered for (it should answer every one) fail rather than hang.
      if (!signal.aborted) {
        for (const [path, group] of work.unanswered()) {
          const result = { path, error: 'no result from the classifier' }
          db.transaction(() => {
            const counts: Counts = { classified: 0, failed: 0, reused: 0 }
            recordResult(db, this.target(job, work), group, result, counts, now)
            addCounts(db, job.id, counts, now)
          })()
        }
      }
      finished = true
    } finally {
      work.finish(finished && !signal.aborted ? 'finished' : signal.aborted ? 'cancelled' : 'failed', now)
    }
  }

  private target(job: Job, work: ClassifyQueue): Parameters<typeof recordResult>[1] {
    return { jobId: job.id, modelId: job.modelId, runId: work.runId(), threshold: work.threshold }
  }
}

async function checkFolder(folder: string): Promise<string | undefined> {
  try {
    if (!(await stat(folder)).isDirectory()) return 'not a folder'
    return undefined
  } catch (error) {
    return describeFileError(error) === 'file not found' ? 'folder not found' : describeFileError(error)
  }
}
