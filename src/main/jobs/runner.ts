import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Db } from '../db/database'
import { describeFileError } from '../engine/file-errors'
import { addPaths } from '../tags/ingest'
import {
  getSuggestionThreshold,
  photoLevels,
  photoPredictions,
  photoVerdict,
  recordClassificationError,
  recordPredictions,
  type RecordPredictionsInput,
} from '../tags/predictions'
import { finishRun, markInterruptedRuns, startRun, type Run } from '../tags/runs'
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
 * `ClassifyFn` that also names the model and takes its paths as a stream of chunks, so a job
 * classifies the first photos its scan finds while the scan goes on. It is consumed one result at a
 * time, so a classifier that reads ahead by a batch or two holds no more than that (back-pressure).
 */
export type JobClassifyFn = (
  modelId: string,
  paths: AsyncIterable<readonly string[]>,
  signal?: AbortSignal,
) => AsyncIterable<ClassifyResult | readonly ClassifyResult[]>

/** Every path of a stream of chunks, one at a time. */
export async function* eachPath(paths: AsyncIterable<readonly string[]>): AsyncGenerator<string> {
  for await (const chunk of paths) yield* chunk
}

/** A stream of one chunk. */
export async function* pathStream(paths: readonly string[]): AsyncGenerator<readonly string[]> {
  if (paths.length > 0) yield paths
}

/**
 * A JobClassifyFn for a single model (a job for another model fails with a clear message). The
 * ClassifyFn takes all paths at once, so it starts once the stream has ended.
 */
export function forModel(modelId: string, classify: ClassifyFn): JobClassifyFn {
  return (id, paths, signal) => {
    if (id !== modelId) throw new Error(`No classifier for the model "${id}" (this runner has "${modelId}").`)
    return (async function* () {
      const all: string[] = []
      for await (const path of eachPath(paths)) all.push(path)
      yield* classify(all, signal)
    })()
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
   * Scans the folder into the library and classifies its photos at the same time: each chunk of files
   * the scan writes is settled at once (photos with a result for the model, or with the content of
   * one, need no run) and the rest stream to the classifier. Photos left unclassified by an earlier
   * session go first. True when both finished.
   */
  private async scanAndClassify(job: Job, signal: AbortSignal, reporter: ProgressReporter): Promise<boolean> {
    const threshold = job.options.suggestionThreshold ?? getSuggestionThreshold(this.db)
    const work = new ClassifyQueue(this.db, job, threshold, this.now)
    // A classifier that fails stops the scan too.
    const stop = new AbortController()
    const stopScan = (): void => stop.abort()
    signal.addEventListener('abort', stopScan)
    reporter.phase(this.db, job, 'scanning')
    work.enqueue(this.takeKnownResults(job, threshold))
    try {
      const scanning = this.scan(job, stop.signal, reporter, (photoIds) =>
        work.enqueue(this.takeKnownResults(job, threshold, photoIds)),
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

  /** Adds the folder to the library and its photos to the job, chunk by chunk; false when stopped meanwhile. */
  private async scan(
    job: Job,
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
    const report = await addPaths([job.folder], {
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
          const counts = { classified: 0, failed: 0, reused: 0 }
          for (const result of results) {
            const group = work.take(result.path)
            if (group !== undefined)
              this.record(job.id, job.modelId, group, result, work.runId(), work.threshold, counts)
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
            const counts = { classified: 0, failed: 0, reused: 0 }
            this.record(job.id, job.modelId, group, result, work.runId(), work.threshold, counts)
            addCounts(db, job.id, counts, now)
          })()
        }
      }
      finished = true
    } finally {
      work.finish(finished && !signal.aborted ? 'finished' : signal.aborted ? 'cancelled' : 'failed', now)
    }
  }

  /**
   * Settles, in one transaction, the job's photos that need no run of the model: those it already
   * classified (or failed on, unless `retryFailed`), and those whose content it classified under
   * another path. Returns the photos left to classify, by path.
   */
  private takeKnownResults(job: Job, threshold: number, photoIds?: readonly number[]): Pending[] {
    const { db, now } = this
    const { modelId } = job
    const retryFailed = job.options.retryFailed === true
    if (photoIds?.length === 0) return []
    return db.transaction(() => {
      const rows = stmt(
        db,
        `SELECT p.id, p.path, p.sha256, c.error, c.k FROM job_photos jp
           JOIN photos p ON p.id = jp.photo_id
           LEFT JOIN classifications c ON c.photo_id = p.id AND c.model_id = @modelId
         WHERE jp.job_id = @jobId AND jp.outcome IS NULL
           AND (@ids IS NULL OR jp.photo_id IN (SELECT value FROM json_each(@ids)))
         ORDER BY p.path`,
      ).all({ jobId: job.id, modelId, ids: photoIds ? JSON.stringify(photoIds) : null }) as (Pending & {
        error: string | null
        k: number | null
      })[]
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
          recordPredictions(db, { photoId: row.id, modelId, ...storedResult(db, from, modelId), threshold }, now)
          setOutcome(db, job.id, row.id, 'reused')
          reused++
        }
      }
      addCounts(db, job.id, { reused, failed }, now)
      return needed
    })()
  }

  /**
   * Records one result for every photo of its content group and adds them to `counts`; the caller
   * holds the transaction and adds the counts to the job.
   */
  private record(
    jobId: number,
    modelId: string,
    group: readonly Pending[],
    result: ClassifyResult,
    runId: number,
    threshold: number,
    counts: { classified: number; failed: number; reused: number },
  ): void {
    const { db, now } = this
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
          {
            photoId: photo.id,
            modelId,
            top: result.top,
            verdict: result.verdict,
            levels: result.levels,
            runId: first ? runId : null,
            threshold,
          },
          now,
        )
        setOutcome(db, jobId, photo.id, first ? 'classified' : 'reused')
        if (first) counts.classified++
        else counts.reused++
      }
    })
  }
}

function isBatch(arrived: ClassifyResult | readonly ClassifyResult[]): arrived is readonly ClassifyResult[] {
  return Array.isArray(arrived)
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

/** A photo's stored result for a model, as the classifier gave it: top-K, verdict and hierarchy levels. */
function storedResult(
  db: Db,
  photoId: number,
  modelId: string,
): Pick<RecordPredictionsInput, 'top' | 'verdict' | 'levels'> {
  const top: ScoredClass[] = photoPredictions(db, photoId, modelId).map((p) => ({
    index: p.classIndex,
    label: p.label,
    p: p.probability,
  }))
  const stored = photoVerdict(db, photoId, modelId)
  // A result from before verdicts has no score: it stays known, as it was.
  const verdict =
    stored && stored.ood !== null && stored.source !== null
      ? { unknown: stored.unknown, ood: stored.ood, source: stored.source }
      : undefined
  return { top, verdict, levels: photoLevels(db, photoId, modelId) }
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
  /** Files the scan has found so far (the total while it runs). */
  private found = 0

  constructor(
    private readonly emit: ((progress: JobProgress) => void) | undefined,
    private readonly intervalMs: number,
  ) {}

  phase(db: Db, job: Job, phase: JobPhase): void {
    this.phaseName = phase
    this.send(db, job, true)
  }

  scanning(db: Db, jobId: number, found: number): void {
    this.found = found
    if (this.emit && this.due()) this.send(db, requireJob(db, jobId), false)
  }

  classified(db: Db, jobId: number, path: string): void {
    this.classifyStarted ??= performance.now()
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
    const rate = seconds > 0.2 && this.classifiedHere > 1 ? (this.classifiedHere - 1) / seconds : 0
    const done = job.classified + job.failed + job.reused
    const scanning = this.phaseName === 'scanning'
    // While the scan runs, the files found so far (photos and files it could not take) stand for the total.
    const total = scanning ? Math.max(job.total, this.found - job.skipped, done) : job.total
    const left = Math.max(0, total - done)
    this.emit({
      jobId: job.id,
      state: job.state,
      phase: this.phaseName,
      done,
      total,
      rate,
      eta: left === 0 && !scanning ? 0 : rate > 0 ? left / rate : null,
      current: this.current,
      errors: jobErrorCount(db, job.id),
    })
  }
}

function updateTotal(db: Db, jobId: number, now: () => Date): void {
  stmt(
    db,
    `UPDATE jobs SET total = (SELECT count(*) FROM job_photos WHERE job_id = @id),
       skipped = (SELECT count(*) FROM job_errors WHERE job_id = @id AND stage = 'scan'), updated_at = @at
     WHERE id = @id`,
  ).run({ id: jobId, at: now().toISOString() })
}

/**
 * The photos of a running job waiting for the classifier, as a stream of path chunks. Photos with the
 * same content go as one (the first path stands for its group until its result is recorded). The
 * classification run is started with the first photo queued and counts every photo handed over.
 */
class ClassifyQueue {
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
