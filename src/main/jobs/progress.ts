import type { Db } from '../db/database'
import { jobErrorCount, requireJob, type Job, type JobState } from './store'

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

/** Turns the job's counts into progress events, throttled, with the rate of this session. */
export class ProgressReporter {
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
