import type { Stats } from 'node:fs'
import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Db } from '../db/database'
import { fsyncDir } from '../fs/durable'
import {
  copyDurably,
  DestinationTaken,
  exists,
  placeNoClobber,
  removeFile,
  sameContent,
  sameDevice,
  sameInode,
  sha256File,
  statOrUndefined,
  StepError,
} from './fs-ops'
import { movePhotoPath, organizeSteps, requireOrganizeRun, setRunState, setStep, type OrganizeStep } from './journal'
import { RunContext, type OrganizeDeps, type OrganizeReport } from './run-context'

/** Whether a step's file reached its destination (a failed step whose file did is kept as done). */
interface Attempt {
  placed: boolean
}

/** Carries out a run's pending and started steps, in order (the caller holds the run's claim). */
export async function runForward(db: Db, runId: number, deps: OrganizeDeps): Promise<OrganizeReport> {
  const run = requireOrganizeRun(db, runId)
  const ctx = new RunContext(db, run, 'organize', deps, run.steps.done + run.steps.failed, run.steps.failed)
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
}

async function forwardStep(ctx: RunContext, step: OrganizeStep): Promise<void> {
  const { db, run } = ctx
  let dest = step.dest
  const attempt: Attempt = { placed: false }
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

function finishStep(ctx: RunContext, step: OrganizeStep, dest: string): void {
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

function unchanged(a: Stats, b: Stats): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.dev === b.dev
}

/**
 * Copy (then, for a move, delete the source): temp file beside the destination, flushed, hash-checked
 * against the plan, placed without replacing anything. A destination holding the planned content is
 * this step's own, placed before a stop.
 */
async function copyStep(
  ctx: RunContext,
  step: OrganizeStep,
  dest: string,
  attempt: Attempt,
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
async function moveStep(ctx: RunContext, step: OrganizeStep, dest: string, attempt: Attempt): Promise<string> {
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
  ctx: RunContext,
  step: OrganizeStep,
  from: string,
  dest: string,
  attempt: Attempt,
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
