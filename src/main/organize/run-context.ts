import { mkdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Db } from '../db/database'
import { describeFileError } from '../fs/file-errors'
import { systemClock } from '../util/clock'
import { exists, statOrUndefined, StepError } from './fs-ops'
import { destInJournal, journalDir, setStep, type OrganizeRun, type OrganizeStep } from './journal'
import { assertInside } from './plan'
import { withSuffix } from './safe-name'

/** The moments of a step at which a test may stop the process (see `OrganizeDeps.probe`). */
export type OrganizePoint =
  | 'started'
  | 'temp-written'
  | 'linked'
  | 'placed'
  | 'source-removed'
  | 'done'
  | 'undo-started'
  | 'undo-linked'
  | 'undo-placed'
  | 'undone'

export type OrganizeAction = 'organize' | 'rollback' | 'undo'

export interface OrganizeProgress {
  runId: number
  action: OrganizeAction
  /** Steps settled (done or failed; for undo and rollback, reversed or kept). */
  done: number
  total: number
  failed: number
  /** Files per second in this call (0 until known). */
  rate: number
  /** Seconds left at that rate; null when unknown. */
  eta: number | null
  current: string | null
}

export interface OrganizeDeps {
  now?: () => Date
  /** Stops after the step in flight; the run can be resumed or rolled back later. */
  signal?: AbortSignal
  onProgress?: (progress: OrganizeProgress) => void
  /** Progress is reported at most this often, and at the end (default 100 ms). */
  progressIntervalMs?: number
  /** Moves copy, verify and delete even on one device (as they do across devices): for tests. */
  forceCopy?: boolean
  /** Called at each point of a step, with its sequence number: a seam for crash tests. */
  probe?: (point: OrganizePoint, seq: number) => void
}

export interface StepProblem {
  seq: number
  source: string
  dest: string
  reason: string
}

export interface OrganizeReport {
  run: OrganizeRun
  /** Steps settled by this call. */
  processed: number
  /** Steps that failed (organize), or were left in place or could not be reversed (undo, rollback). */
  problems: StepProblem[]
  /** The signal stopped it; call again (resume, rollback or undo) to go on. */
  cancelled: boolean
}

/** One call's state over a run: its options, progress, problems and the folders it has made sure of. */
export class RunContext {
  readonly now: () => Date
  readonly problems: StepProblem[] = []
  private readonly dirsReady = new Set<string>()
  private readonly started = performance.now()
  private lastReport = -Infinity
  processed = 0
  settled: number
  failed: number

  constructor(
    readonly db: Db,
    readonly run: OrganizeRun,
    readonly action: OrganizeAction,
    readonly deps: OrganizeDeps,
    settled: number,
    failed: number,
  ) {
    this.now = deps.now ?? systemClock
    this.settled = settled
    this.failed = failed
  }

  probe(point: OrganizePoint, seq: number): void {
    this.deps.probe?.(point, seq)
  }

  /** The temp name of a step's copy in a folder (hidden, so folder scans skip it). */
  temp(folder: string, seq: number): string {
    return join(folder, `.rl-organize-${this.run.id}-${seq}.tmp`)
  }

  /** Creates the folder and its missing parents, each journaled before it is made. */
  async ensureDir(dir: string): Promise<void> {
    if (this.dirsReady.has(dir)) return
    const missing: string[] = []
    for (let d = dir; !(await exists(d)); d = dirname(d)) {
      missing.push(d)
      if (dirname(d) === d) break
    }
    for (const d of missing.reverse()) {
      journalDir(this.db, this.run.id, d)
      await mkdir(d).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error
      })
    }
    const stats = await statOrUndefined(dir)
    if (!stats?.isDirectory()) throw new StepError(`${dir} is not a folder`)
    this.dirsReady.add(dir)
  }

  /**
   * Claims a destination for a step in the journal ('started'): `dest` if nothing is there and no other
   * step has it, else the first free `name (n).ext` beside it.
   */
  async claimDest(step: OrganizeStep, dest: string): Promise<string> {
    let candidate = dest
    for (let n = 2; (await exists(candidate)) || destInJournal(this.db, this.run.id, candidate, step.seq); n++) {
      candidate = join(dirname(dest), withSuffix(basename(step.source), n, { file: true }))
    }
    assertInside(this.run.out, step.folder, candidate)
    setStep(this.db, step, { state: 'started', dest: candidate }, this.now)
    return candidate
  }

  report(current: string | null, force = false): void {
    const { onProgress, progressIntervalMs = 100 } = this.deps
    if (!onProgress) return
    const t = performance.now()
    if (!force && t - this.lastReport < progressIntervalMs) return
    this.lastReport = t
    const seconds = (t - this.started) / 1000
    const rate = seconds > 0.2 && this.processed > 0 ? this.processed / seconds : 0
    const left = Math.max(0, this.run.total - this.settled)
    onProgress({
      runId: this.run.id,
      action: this.action,
      done: this.settled,
      total: this.run.total,
      failed: this.failed,
      rate,
      eta: left === 0 ? 0 : rate > 0 ? left / rate : null,
      current,
    })
  }

  problem(step: OrganizeStep, dest: string, error: unknown): string {
    const reason = error instanceof StepError ? error.message : describeFileError(error)
    this.problems.push({ seq: step.seq, source: step.source, dest, reason })
    return reason
  }
}
