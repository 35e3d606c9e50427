import type { Db } from '../db/database'
import { systemClock } from '../util/clock'
import { runForward } from './forward'
import { journalPlan, laterRunUsing, listOrganizeRuns, requireOrganizeRun, type OrganizeRun } from './journal'
import type { OrganizePlan } from './plan'
import { runReverse } from './reverse'
import type { OrganizeDeps, OrganizeReport } from './run-context'

export type {
  OrganizeAction,
  OrganizeDeps,
  OrganizePoint,
  OrganizeProgress,
  OrganizeReport,
  StepProblem,
} from './run-context'

const active = new WeakMap<Db, Set<number>>()

/** Marks a run as in progress in this process; a second call for it fails until released. */
function claim(db: Db, runId: number): () => void {
  let runs = active.get(db)
  if (!runs) active.set(db, (runs = new Set()))
  if (runs.has(runId)) throw new Error(`Organize run ${runId} is already in progress.`)
  runs.add(runId)
  return () => runs.delete(runId)
}

/** Runs `work` holding the run's claim. */
async function claimed<T>(db: Db, runId: number, work: () => Promise<T>): Promise<T> {
  const release = claim(db, runId)
  try {
    return await work()
  } finally {
    release()
  }
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
  return claimed(db, runId, () => runForward(db, runId, deps))
}

/** Finishes a run a crash, a quit or a cancel left 'running'. */
export async function resumeOrganize(db: Db, runId: number, deps: OrganizeDeps = {}): Promise<OrganizeReport> {
  const run = requireOrganizeRun(db, runId)
  if (run.state !== 'running') throw new Error(`Organize run ${runId} is ${run.state}: there is nothing to resume.`)
  return claimed(db, runId, () => runForward(db, runId, deps))
}

/** Puts back what an unfinished run did (a crash, a quit or a cancel left it 'running'). */
export async function rollbackOrganize(db: Db, runId: number, deps: OrganizeDeps = {}): Promise<OrganizeReport> {
  const run = requireOrganizeRun(db, runId)
  if (run.state !== 'running' && run.state !== 'rolling-back') {
    throw new Error(
      `Organize run ${runId} is ${run.state}: only an unfinished run can be rolled back${run.state === 'done' ? ' (undo it instead)' : ''}.`,
    )
  }
  return claimed(db, runId, () => runReverse(db, runId, 'rollback', deps))
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
  return claimed(db, runId, () => runReverse(db, runId, 'undo', deps))
}
