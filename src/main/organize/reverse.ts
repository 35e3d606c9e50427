import { mkdir, rm, rmdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Db } from '../db/database'
import { fsyncDir } from '../fs/durable'
import { systemClock } from '../util/clock'
import {
  copyDurably,
  placeNoClobber,
  removeFile,
  sameContent,
  sameDevice,
  sameInode,
  sha256File,
  statOrUndefined,
  StepError,
} from './fs-ops'
import {
  journaledDirs,
  movePhotoPath,
  organizeSteps,
  requireOrganizeRun,
  setRunState,
  setStep,
  type OrganizeStep,
  type StepState,
} from './journal'
import { RunContext, type OrganizeDeps, type OrganizeReport } from './run-context'

/**
 * Puts back what a run did, last step first: a rollback or an undo (the caller holds the run's claim). Runs
 * again after a stop, it goes on where it stopped.
 */
export async function runReverse(
  db: Db,
  runId: number,
  action: 'rollback' | 'undo',
  deps: OrganizeDeps,
): Promise<OrganizeReport> {
  const now = deps.now ?? systemClock
  setRunState(db, runId, action === 'undo' ? 'undoing' : 'rolling-back', now)
  const run = requireOrganizeRun(db, runId)
  const steps = organizeSteps(db, runId, { states: ['started', 'done', 'undoing'] }).reverse()
  const already = run.steps.undone + run.steps.kept
  const ctx = new RunContext(db, { ...run, total: steps.length + already }, action, deps, already, run.steps.kept)
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
}

async function reverseStep(ctx: RunContext, step: OrganizeStep): Promise<void> {
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

async function moveBack(ctx: RunContext, step: OrganizeStep): Promise<Reversal> {
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
