import type { Stats } from 'node:fs'
import { mkdir, rm, rmdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Db } from '../db/database'
import { describeFileError } from '../engine/file-errors'
import { systemClock } from '../tags/types'
import {
  copyDurably,
  DestinationTaken,
  exists,
  fsyncDir,
  placeNoClobber,
  removeFile,
  sameDevice,
  sameInode,
  sha256File,
  statOrUndefined,
  StepError,
} from './fs-ops'
import {
  destInJournal,
  journalDir,
  journaledDirs,
  journalPlan,
  laterRunUsing,
  listOrganizeRuns,
  movePhotoPath,
  organizeSteps,
  requireOrganizeRun,
  setRunState,
  setStep,
  type OrganizeRun,
  type OrganizeStep,
  type StepState,
} from './journal'
import { assertInside, type OrganizePlan } from './plan'
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

const active = new WeakMap<Db, Set<number>>()

/** Marks a run as in progress in this process; a second call for it fails until released. */
function claim(db: Db, runId: number): () => void {
  let runs = active.get(db)
  if (!runs) active.set(db, (runs = new Set()))
  if (runs.has(runId)) throw new Error(`Organize run ${runId} is already in progress.`)
  runs.add(runId)
  return () => runs.delete(runId)
}

/** The runs a crash or a quit left half done (organizing, rolling back or undoing), oldest first. */
export function interruptedOrganizeRuns(db: Db): OrganizeRun[] {
  const busy = active.get(db) ?? new Set<number>()
  return listOrganizeRuns(db, { states: ['running', 'rolling-back', 'undoing'], limit: 1000 })
    .filter((run) => !busy.has(run.id))
    .reverse()
}

/**
 * Carries out a plan: journals it whole (run and steps, pending) before touching any file, then each
 * step: its destination claimed in the journal ('started'), the file copied to a temp name beside it,
 * flushed and hash-checked, then linked or renamed into place without replacing anything (a move on one
 * device is a link and an unlink, or a rename), the source removed after a verified copy for a move,
 * and the step marked done (with the photo's new path, for a move) in one transaction. Every step can
 * be redone from any point it stopped at, so `resumeOrganize` after a crash neither loses nor
 * duplicates a file.
 */
export async function executeOrganize(db: Db, plan: OrganizePlan, deps: OrganizeDeps = {}): Promise<OrganizeReport> {
  const runId = journalPlan(db, plan, deps.now ?? systemClock)
  return forward(db, runId, deps)
}

/** Finishes a run a crash, a quit or a cancel left 'running'. */
export async function resumeOrganize(db: Db, runId: number, deps: OrganizeDeps = {}): Promise<OrganizeReport> {
  const run = requireOrganizeRun(db, runId)
  if (run.state !== 'running') throw new Error(`Organize run ${runId} is ${run.state}: there is nothing to resume.`)
  return forward(db, runId, deps)
}

/** Puts back what an unfinished run did (a crash, a quit or a cancel left it 'running'). */
export async function rollbackOrganize(db: Db, runId: number, deps: OrganizeDeps = {}): Promise<OrganizeReport> {
  const run = requireOrganizeRun(db, runId)
  if (run.state !== 'running' && run.state !== 'rolling-back') {
    throw new Error(
      `Organize run ${runId} is ${run.state}: only an unfinished run can be rolled back${run.state === 'done' ? ' (undo it instead)' : ''}.`,
    )
  }
  return reverse(db, runId, 'rollback', deps)
}

/**
 * Undoes a finished run exactly: moved files go back to their original paths, copies are removed
 * (a copy changed since is left in place), and the folders the run created are removed when empty.
 * An undo that stopped is finished by calling it again.
 */
export async function undoOrganize(db: Db, runId: number, deps: OrganizeDeps = {}): Promise<OrganizeReport> {
  const run = requireOrganizeRun(db, runId)
  if (run.state !== 'done' && run.state !== 'undoing') {
    throw new Error(
      `Organize run ${runId} is ${run.state}: only a finished run can be undone${run.state === 'running' ? ' (roll it back instead)' : ''}.`,
    )
  }
  const later = laterRunUsing(db, runId)
  if (later !== undefined)
    throw new Error(`Undo organize run ${later} first: it moved on files that run ${runId} placed.`)
  return reverse(db, runId, 'undo', deps)
}

// ---------------------------------------------------------------------------------------------

class Context {
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

async function forward(db: Db, runId: number, deps: OrganizeDeps): Promise<OrganizeReport> {
  const release = claim(db, runId)
  try {
    const run = requireOrganizeRun(db, runId)
    const ctx = new Context(db, run, 'organize', deps, run.steps.done + run.steps.failed, run.steps.failed)
    let cancelled = false
    for (const step of organizeSteps(db, runId, { states: ['pending', 'started'] })) {
      if (deps.signal?.aborted) {
        cancelled = true
        break
      }
      await forwardStep(ctx, step)
      ctx.processed++
      ctx.settled++
      ctx.report(step.source)
    }
    if (!cancelled) setRunState(db, runId, 'done', ctx.now)
    ctx.report(null, true)
    return { run: requireOrganizeRun(db, runId), processed: ctx.processed, problems: ctx.problems, cancelled }
  } finally {
    release()
  }
}

async function forwardStep(ctx: Context, step: OrganizeStep): Promise<void> {
  const { db, run } = ctx
  let dest = step.dest
  const attempt = { placed: false }
  try {
    await ctx.ensureDir(dirname(dest))
    if (step.state === 'pending') dest = await ctx.claimDest(step, dest)
    ctx.probe('started', step.seq)
    if (run.mode === 'copy') dest = await copyStep(ctx, step, dest, attempt, false)
    else if (ctx.deps.forceCopy || !(await movesInPlace(step.source, dirname(dest)))) {
      dest = await copyStep(ctx, step, dest, attempt, true)
    } else dest = await moveStep(ctx, step, dest, attempt)
    finishStep(ctx, step, dest)
  } catch (error) {
    const reason = ctx.problem(step, dest, error)
    // Leave nothing of a failed step on disk (the step is then simply not done), unless it did happen.
    await rm(ctx.temp(dirname(dest), step.seq), { force: true })
    const [source, target] = await Promise.all([statOrUndefined(step.source), statOrUndefined(dest)])
    if (run.mode === 'move' && !source && target && attempt.placed) {
      ctx.problems.pop()
      finishStep(ctx, step, dest)
      return
    }
    if (attempt.placed && source && target) await removeFile(dest)
    setStep(db, step, { state: 'failed', note: reason }, ctx.now)
    ctx.failed++
  }
}

function finishStep(ctx: Context, step: OrganizeStep, dest: string): void {
  const { db, run } = ctx
  db.transaction(() => {
    setStep(db, step, { state: 'done', dest }, ctx.now)
    if (run.mode === 'move') movePhotoPath(db, step.photoId, step.source, dest)
  })()
  ctx.probe('done', step.seq)
}

/** A rename can do it: the source is on the destination's device (or already gone). */
async function movesInPlace(source: string, folder: string): Promise<boolean> {
  if (!(await exists(source))) return true
  return sameDevice(source, folder)
}

async function sameContent(path: string, sha256: string): Promise<boolean> {
  const stats = await statOrUndefined(path)
  return stats !== undefined && stats.isFile() && (await sha256File(path)) === sha256
}

function unchanged(a: Stats, b: Stats): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.dev === b.dev
}

/**
 * Copy (then, for a move, delete the source): temp file beside the destination, flushed, hash-checked
 * against the plan, placed without replacing anything. A destination holding the planned content is
 * this step's own, placed before a stop.
 */
async function copyStep(
  ctx: Context,
  step: OrganizeStep,
  dest: string,
  attempt: { placed: boolean },
  deleteSource: boolean,
): Promise<string> {
  const temp = ctx.temp(dirname(dest), step.seq)
  let copiedFrom: Stats | undefined
  // The destination was free when the step claimed it: holding the planned content, it is this step's
  // copy, placed before a stop; anything else there came since, and the step takes the next free name.
  let placed = false
  if (await exists(dest)) {
    if (await sameContent(dest, step.sha256)) placed = true
    else dest = await ctx.claimDest(step, dest)
  }
  if (!placed) {
    const source = await statOrUndefined(step.source)
    if (!source) throw new StepError('file not found')
    await rm(temp, { force: true })
    await copyDurably(step.source, temp, source)
    ctx.probe('temp-written', step.seq)
    if ((await sha256File(temp)) !== step.sha256) throw new StepError('the file changed since the plan')
    copiedFrom = source
    dest = await place(ctx, step, temp, dest, attempt)
    await fsyncDir(dirname(dest))
    ctx.probe('placed', step.seq)
  }
  await rm(temp, { force: true })
  if (deleteSource) {
    const now = await statOrUndefined(step.source)
    if (now) {
      // The copy was verified against the plan's hash; the original goes only if it is still that file.
      const same = copiedFrom ? unchanged(copiedFrom, now) : await sameContent(step.source, step.sha256)
      if (!same) throw new StepError('the original changed while it was being moved')
      await removeFile(step.source)
      ctx.probe('source-removed', step.seq)
    }
  }
  return dest
}

/** A move on one device: a hard link and an unlink (or a rename), never replacing a file. */
async function moveStep(ctx: Context, step: OrganizeStep, dest: string, attempt: { placed: boolean }): Promise<string> {
  const source = await statOrUndefined(step.source)
  const target = await statOrUndefined(dest)
  if (!source) {
    if (target) return dest // moved before a stop
    throw new StepError('file not found')
  }
  if (target) {
    const ours =
      sameInode(source, target) ||
      ((await sameContent(dest, step.sha256)) && (await sameContent(step.source, step.sha256)))
    if (ours) {
      // Stopped between placing the file and removing its old name.
      await removeFile(step.source)
      ctx.probe('source-removed', step.seq)
      return dest
    }
    dest = await ctx.claimDest(step, dest)
  }
  if (source.size !== step.size || Math.trunc(source.mtimeMs) !== step.mtimeMs) {
    if (!(await sameContent(step.source, step.sha256))) throw new StepError('the file changed since the plan')
  }
  dest = await place(ctx, step, step.source, dest, attempt)
  await fsyncDir(dirname(dest))
  await fsyncDir(dirname(step.source))
  ctx.probe('placed', step.seq)
  return dest
}

/** Places `from` at `dest`, or at the next free name when something took `dest` meanwhile. */
async function place(
  ctx: Context,
  step: OrganizeStep,
  from: string,
  dest: string,
  attempt: { placed: boolean },
): Promise<string> {
  for (;;) {
    try {
      await placeNoClobber(from, dest, () => {
        attempt.placed = true
        ctx.probe('linked', step.seq)
      })
      attempt.placed = true
      return dest
    } catch (error) {
      if (!(error instanceof DestinationTaken)) throw error
      dest = await ctx.claimDest(step, dest)
    }
  }
}

// ---------------------------------------------------------------------------------------------

async function reverse(
  db: Db,
  runId: number,
  action: 'rollback' | 'undo',
  deps: OrganizeDeps,
): Promise<OrganizeReport> {
  const release = claim(db, runId)
  try {
    const now = deps.now ?? systemClock
    setRunState(db, runId, action === 'undo' ? 'undoing' : 'rolling-back', now)
    const run = requireOrganizeRun(db, runId)
    const steps = organizeSteps(db, runId, { states: ['started', 'done', 'undoing'] }).reverse()
    const already = run.steps.undone + run.steps.kept
    const ctx = new Context(db, { ...run, total: steps.length + already }, action, deps, already, run.steps.kept)
    let cancelled = false
    for (const step of steps) {
      if (deps.signal?.aborted) {
        cancelled = true
        break
      }
      await reverseStep(ctx, step)
      ctx.processed++
      ctx.settled++
      ctx.report(step.dest)
    }
    if (!cancelled) {
      await removeCreatedDirs(journaledDirs(db, runId))
      setRunState(db, runId, action === 'undo' ? 'undone' : 'rolled-back', now)
    }
    ctx.report(null, true)
    return { run: requireOrganizeRun(db, runId), processed: ctx.processed, problems: ctx.problems, cancelled }
  } finally {
    release()
  }
}

async function reverseStep(ctx: Context, step: OrganizeStep): Promise<void> {
  const { db, run } = ctx
  try {
    if (step.state !== 'undoing') setStep(db, step, { state: 'undoing' }, ctx.now)
    ctx.probe('undo-started', step.seq)
    await rm(ctx.temp(dirname(step.dest), step.seq), { force: true })
    await rm(ctx.temp(dirname(step.source), step.seq), { force: true })
    const outcome = run.mode === 'copy' ? await removeCopy(step) : await moveBack(ctx, step)
    db.transaction(() => {
      setStep(db, step, outcome, ctx.now)
      if (run.mode === 'move' && outcome.state === 'undone') movePhotoPath(db, step.photoId, step.dest, step.source)
    })()
    if (outcome.state === 'kept') {
      ctx.failed++
      ctx.problems.push({ seq: step.seq, source: step.source, dest: step.dest, reason: outcome.note! })
    }
    ctx.probe('undone', step.seq)
  } catch (error) {
    // Left 'undoing' with the reason: calling undo (or rollback) again tries it again.
    setStep(db, step, { state: 'undoing', note: ctx.problem(step, step.dest, error) }, ctx.now)
    ctx.failed++
  }
}

type Reversal = { state: Extract<StepState, 'undone' | 'kept'>; note?: string | null }

async function removeCopy(step: OrganizeStep): Promise<Reversal> {
  const target = await statOrUndefined(step.dest)
  if (!target) return { state: 'undone' }
  if (!(await sameContent(step.dest, step.sha256))) {
    return { state: 'kept', note: 'the copy changed since it was organized; left in place' }
  }
  await removeFile(step.dest)
  return { state: 'undone' }
}

async function moveBack(ctx: Context, step: OrganizeStep): Promise<Reversal> {
  const source = await statOrUndefined(step.source)
  const target = await statOrUndefined(step.dest)
  if (source && !target) return { state: 'undone' } // back already, or never moved
  if (!source && !target) return { state: 'kept', note: 'the file is gone from both places' }
  if (source && target) {
    // Two names for one file, or the same bytes twice (a copy back that stopped before its cleanup).
    const same =
      sameInode(source, target) ||
      (source.isFile() && target.isFile() && (await sha256File(step.source)) === (await sha256File(step.dest)))
    if (!same) return { state: 'kept', note: 'another file now has the original name; left in place' }
    await removeFile(step.dest)
    return { state: 'undone' }
  }
  await mkdir(dirname(step.source), { recursive: true })
  if (!ctx.deps.forceCopy && (await sameDevice(step.dest, dirname(step.source)))) {
    await placeNoClobber(step.dest, step.source, () => ctx.probe('undo-linked', step.seq))
  } else {
    const temp = ctx.temp(dirname(step.source), step.seq)
    const hash = await sha256File(step.dest)
    await copyDurably(step.dest, temp, target!)
    if ((await sha256File(temp)) !== hash) {
      await rm(temp, { force: true })
      throw new StepError('the copy back did not match the file')
    }
    await placeNoClobber(temp, step.source)
    await fsyncDir(dirname(step.source))
    ctx.probe('undo-placed', step.seq)
    await removeFile(step.dest)
  }
  await fsyncDir(dirname(step.source))
  await fsyncDir(dirname(step.dest))
  return { state: 'undone' }
}

/** Removes the folders a run created, deepest first, where they are empty. */
async function removeCreatedDirs(dirs: readonly string[]): Promise<void> {
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      await rmdir(dir)
      await fsyncDir(dirname(dir))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw error
    }
  }
}
