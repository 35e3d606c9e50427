import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Db } from '../db/database'
import { describeFileError } from '../engine/file-errors'
import { addPaths } from '../tags/ingest'
import {
  getSuggestionThreshold,
  photoPredictions,
  recordClassificationError,
  recordPredictions,
} from '../tags/predictions'
import { finishRun, markInterruptedRuns, startRun } from '../tags/runs'
import type { ClassifyFn, ClassifyResult } from '../tags/classify-pending'
import { stmt } from '../tags/sql'
import { systemClock, type ScoredClass } from '../tags/types'
import {
  FINAL_STATES,
  getJob,
  insertJob,
  jobErrorCount,
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

/**
 * Classifies files with a model, yielding one result per path as they arrive (any order): a
 * `ClassifyFn` that also names the model. It is consumed one result at a time, so a classifier that
 * decodes ahead by a batch or two holds no more than that (back-pressure).
 */
export type JobClassifyFn = (
  modelId: string,
  paths: readonly string[],
  signal?: AbortSignal,
) => AsyncIterable<ClassifyResult>

/** A JobClassifyFn for a single model (a job for another model fails with a clear message). */
export function forModel(modelId: string, classify: ClassifyFn): JobClassifyFn {
  return (id, paths, signal) => {
    if (id !== modelId) throw new Error(`No classifier for the model "${id}" (this runner has "${modelId}").`)
    return classify(paths, signal)
  }
}

export type JobPhase = 'scanning' | 'classifying' | 'finished'

export interface JobProgress {
  jobId: number
  state: JobState
  phase: JobPhase
  /** Photos with a result for the model (classified, failed or reused); while scanning, files handled. */
  done: number
  /** Photos of the folder; while scanning, files found so far. */
  total: number
  /** Images per second through the model in this session (0 until known). */
  rate: number
  /** Seconds left at that rate; null when unknown. */
  eta: number | null
  /** The file whose result arrived last. */
  current: string | null
  /** Files with an error (scan or classify). */
  errors: number
}

export interface JobRunnerDeps {
  db: Db
  classify: JobClassifyFn
  now?: () => Date
  onProgress?: (progress: JobProgress) => void
  /** Progress is reported at most this often, besides at every change of phase or state (default 100 ms). */
  progressIntervalMs?: number
  /** Files hashed and read at the same time by the scan (default 4). */
  scanConcurrency?: number
}

interface Active {
  id: number
  controller: AbortController
  /** What the job becomes when it stops early; null: left 'running' (resumed at the next start). */
  stopAs: 'paused' | 'cancelled' | null
}

interface Pending {
  id: number
  path: string
  sha256: string
}

/**
 * Runs folder jobs one at a time: scan the folder into the library (the tag store's ingest), then
 * classify its photos that have no result for the job's model, writing each result with the job's
 * counts in one transaction as it arrives. A photo already classified by the model is not run again,
 * nor is a photo with the same content (its result is copied). Jobs survive the process: a job left
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

  /** A new job, queued but not started. */
  create(input: { folder: string; modelId: string; options?: JobOptions }): Job {
    return insertJob(this.db, { ...input, folder: resolve(input.folder) }, this.now)
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
      const folderError = await checkFolder(job.folder)
      if (folderError !== undefined) {
        job = setJobState(db, job.id, 'failed', this.now, `${job.folder}: ${folderError}`)
        reporter.finish(db, job)
        return job
      }
      reporter.phase(db, job, 'scanning')
      const scanned = await this.scan(job, signal, reporter)
      if (scanned) await this.classify(job, signal, reporter)
      job = requireJob(db, job.id)
      if (!signal.aborted) job = setJobState(db, job.id, 'done', this.now)
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

  /** Adds the folder to the library and the photos found to the job; false when stopped meanwhile. */
  private async scan(job: Job, signal: AbortSignal, reporter: ProgressReporter): Promise<boolean> {
    const { db, now } = this
    const report = await addPaths([job.folder], {
      db,
      now,
      signal,
      ...(this.deps.scanConcurrency !== undefined && { concurrency: this.deps.scanConcurrency }),
      onProgress: ({ found, done }) => reporter.scanning(db, job.id, done, found),
    })
    db.transaction(() => {
      const add = stmt(db, 'INSERT OR IGNORE INTO job_photos (job_id, photo_id) VALUES (?, ?)')
      for (const photoId of report.photoIds) add.run(job.id, photoId)
      for (const skipped of report.skipped) recordJobError(db, job.id, { stage: 'scan', ...skipped }, now)
      stmt(
        db,
        `UPDATE jobs SET total = (SELECT count(*) FROM job_photos WHERE job_id = @id),
           skipped = (SELECT count(*) FROM job_errors WHERE job_id = @id AND stage = 'scan'), updated_at = @at
         WHERE id = @id`,
      ).run({ id: job.id, at: now().toISOString() })
    })()
    return !report.cancelled && !signal.aborted
  }

  private async classify(job: Job, signal: AbortSignal, reporter: ProgressReporter): Promise<void> {
    const { db, now } = this
    const { modelId } = job
    const threshold = job.options.suggestionThreshold ?? getSuggestionThreshold(db)
    const needed = this.takeKnownResults(job, threshold)
    reporter.phase(db, requireJob(db, job.id), 'classifying')
    if (needed.length === 0 || signal.aborted) return

    // One run of the model per content: photos with the same sha256 share the first one's result.
    const groups = new Map<string, Pending[]>()
    for (const photo of needed) groups.set(photo.sha256, [...(groups.get(photo.sha256) ?? []), photo])
    const byPath = new Map([...groups.values()].map((group) => [group[0]!.path, group]))

    const run = startRun(db, modelId, byPath.size, now)
    let finished = false
    try {
      for await (const result of this.deps.classify(modelId, [...byPath.keys()], signal)) {
        const group = byPath.get(result.path)
        if (group === undefined) continue
        byPath.delete(result.path)
        this.record(job.id, modelId, group, result, run.id, threshold)
        reporter.classified(db, job.id, result.path)
        if (signal.aborted) break
      }
      // Paths the classifier never answered for (it should answer every one) fail rather than hang.
      if (!signal.aborted) {
        for (const [path, group] of byPath) {
          this.record(job.id, modelId, group, { path, error: 'no result from the classifier' }, run.id, threshold)
        }
      }
      finished = true
    } finally {
      finishRun(db, run.id, finished && !signal.aborted ? 'finished' : signal.aborted ? 'cancelled' : 'failed', now)
    }
  }

  /**
   * Settles, in one transaction, the job's photos that need no run of the model: those it already
   * classified (or failed on, unless `retryFailed`), and those whose content it classified under
   * another path. Returns the photos left to classify, by path.
   */
  private takeKnownResults(job: Job, threshold: number): Pending[] {
    const { db, now } = this
    const { modelId } = job
    const retryFailed = job.options.retryFailed === true
    return db.transaction(() => {
      const rows = stmt(
        db,
        `SELECT p.id, p.path, p.sha256, c.error, c.k FROM job_photos jp
           JOIN photos p ON p.id = jp.photo_id
           LEFT JOIN classifications c ON c.photo_id = p.id AND c.model_id = @modelId
         WHERE jp.job_id = @jobId AND jp.outcome IS NULL ORDER BY p.path`,
      ).all({ jobId: job.id, modelId }) as (Pending & { error: string | null; k: number | null })[]
      const needed: Pending[] = []
      let reused = 0
      let failed = 0
      const donor = stmt(
        db,
        `SELECT c.photo_id FROM photos p JOIN classifications c ON c.photo_id = p.id AND c.model_id = ? AND c.k > 0
         WHERE p.sha256 = ? AND p.id <> ? LIMIT 1`,
      ).pluck()
      for (const row of rows) {
        if (row.k !== null && row.k > 0) {
          setOutcome(db, job.id, row.id, 'reused')
          reused++
        } else if (row.k !== null && !retryFailed) {
          setOutcome(db, job.id, row.id, 'failed')
          recordJobError(db, job.id, { stage: 'classify', path: row.path, reason: row.error ?? 'unknown error' }, now)
          failed++
        } else {
          const from = donor.get(modelId, row.sha256, row.id) as number | undefined
          if (from === undefined) {
            needed.push({ id: row.id, path: row.path, sha256: row.sha256 })
            continue
          }
          recordPredictions(db, { photoId: row.id, modelId, top: storedTop(db, from, modelId), threshold }, now)
          setOutcome(db, job.id, row.id, 'reused')
          reused++
        }
      }
      addCounts(db, job.id, { reused, failed }, now)
      return needed
    })()
  }

  /** Records one result for every photo of its content group, with the job's counts, in one transaction. */
  private record(
    jobId: number,
    modelId: string,
    group: readonly Pending[],
    result: ClassifyResult,
    runId: number,
    threshold: number,
  ): void {
    const { db, now } = this
    db.transaction(() => {
      const counts = { classified: 0, failed: 0, reused: 0 }
      group.forEach((photo, i) => {
        if (stmt(db, 'SELECT 1 FROM photos WHERE id = ?').get(photo.id) === undefined) return // forgotten meanwhile
        const first = i === 0
        if ('error' in result) {
          recordClassificationError(
            db,
            { photoId: photo.id, modelId, error: result.error, runId: first ? runId : null },
            now,
          )
          recordJobError(db, jobId, { stage: 'classify', path: photo.path, reason: result.error }, now)
          setOutcome(db, jobId, photo.id, 'failed')
          counts.failed++
        } else {
          recordPredictions(
            db,
            { photoId: photo.id, modelId, top: result.top, runId: first ? runId : null, threshold },
            now,
          )
          setOutcome(db, jobId, photo.id, first ? 'classified' : 'reused')
          if (first) counts.classified++
          else counts.reused++
        }
      })
      addCounts(db, jobId, counts, now)
    })()
  }
}

function setOutcome(db: Db, jobId: number, photoId: number, outcome: 'classified' | 'failed' | 'reused'): void {
  stmt(db, 'UPDATE job_photos SET outcome = ? WHERE job_id = ? AND photo_id = ?').run(outcome, jobId, photoId)
}

function addCounts(
  db: Db,
  jobId: number,
  counts: { classified?: number; failed?: number; reused?: number },
  now: () => Date,
): void {
  stmt(
    db,
    `UPDATE jobs SET classified = classified + @classified, failed = failed + @failed, reused = reused + @reused,
       updated_at = @at WHERE id = @jobId`,
  ).run({
    jobId,
    classified: counts.classified ?? 0,
    failed: counts.failed ?? 0,
    reused: counts.reused ?? 0,
    at: now().toISOString(),
  })
}

/** A photo's stored top-K for a model, as the classifier gave it. */
function storedTop(db: Db, photoId: number, modelId: string): ScoredClass[] {
  return photoPredictions(db, photoId, modelId).map((p) => ({ index: p.classIndex, label: p.label, p: p.probability }))
}

async function checkFolder(folder: string): Promise<string | undefined> {
  try {
    if (!(await stat(folder)).isDirectory()) return 'not a folder'
    return undefined
  } catch (error) {
    return describeFileError(error) === 'file not found' ? 'folder not found' : describeFileError(error)
  }
}

/** Turns the job's counts into progress events, throttled, with the rate of this session. */
class ProgressReporter {
  private last = -Infinity
  private phaseName: JobPhase = 'scanning'
  private classifyStarted: number | undefined
  private classifiedHere = 0
  private current: string | null = null

  constructor(
    private readonly emit: ((progress: JobProgress) => void) | undefined,
    private readonly intervalMs: number,
  ) {}

  phase(db: Db, job: Job, phase: JobPhase): void {
    this.phaseName = phase
    if (phase === 'classifying') this.classifyStarted = performance.now()
    this.send(db, job, true)
  }

  scanning(db: Db, jobId: number, done: number, found: number): void {
    if (!this.emit || !this.due()) return
    this.emit({
      jobId,
      state: 'running',
      phase: 'scanning',
      done,
      total: found,
      rate: 0,
      eta: null,
      current: null,
      errors: jobErrorCount(db, jobId),
    })
  }

  classified(db: Db, jobId: number, path: string): void {
    this.classifiedHere++
    this.current = path
    if (this.emit && this.due()) this.send(db, requireJob(db, jobId), false)
  }

  finish(db: Db, job: Job): void {
    this.phaseName = 'finished'
    this.send(db, job, true)
  }

  private due(): boolean {
    const t = performance.now()
    if (t - this.last < this.intervalMs) return false
    this.last = t
    return true
  }

  private send(db: Db, job: Job, force: boolean): void {
    if (!this.emit) return
    if (force) this.last = performance.now()
    const seconds = this.classifyStarted === undefined ? 0 : (performance.now() - this.classifyStarted) / 1000
    const rate = seconds > 0.2 && this.classifiedHere > 0 ? this.classifiedHere / seconds : 0
    const done = job.classified + job.failed + job.reused
    const left = this.phaseName === 'scanning' ? Infinity : Math.max(0, job.total - done)
    this.emit({
      jobId: job.id,
      state: job.state,
      phase: this.phaseName,
      done,
      total: job.total,
      rate,
      eta: left === 0 ? 0 : rate > 0 ? left / rate : null,
      current: this.current,
      errors: jobErrorCount(db, job.id),
    })
  }
}
