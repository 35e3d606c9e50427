import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import { systemClock } from '../util/clock'
import type { OrganizeMode, OrganizePlan } from './plan'

export type OrganizeRunState = 'running' | 'done' | 'rolling-back' | 'rolled-back' | 'undoing' | 'undone'
/**
 * pending: journaled, not begun; started: its destination is chosen and its file operation may have
 * begun; done; failed: not done, nothing of it left on disk (see `note`); undoing; undone; kept: undo
 * left it in place (see `note`).
 */
export type StepState = 'pending' | 'started' | 'done' | 'failed' | 'undoing' | 'undone' | 'kept'

export interface OrganizeRun {
  id: number
  jobId: number | null
  modelId: string
  folder: string | null
  out: string
  mode: OrganizeMode
  threshold: number
  state: OrganizeRunState
  createdAt: string
  finishedAt: string | null
  undoneAt: string | null
  total: number
  /** Steps by state. */
  steps: Record<StepState, number>
}

export interface OrganizeStep {
  runId: number
  seq: number
  photoId: number | null
  source: string
  dest: string
  folder: string
  label: string | null
  p: number | null
  sha256: string
  size: number
  mtimeMs: number
  state: StepState
  note: string | null
  updatedAt: string
}

const RUN_COLUMNS = `id, job_id AS jobId, model_id AS modelId, folder, out, mode, threshold, state,
  created_at AS createdAt, finished_at AS finishedAt, undone_at AS undoneAt`
const STEP_COLUMNS = `run_id AS runId, seq, photo_id AS photoId, source, dest, folder, label, p, sha256, size,
  mtime_ms AS mtimeMs, state, note, updated_at AS updatedAt`

const NO_STEPS: Record<StepState, number> = {
  pending: 0,
  started: 0,
  done: 0,
  failed: 0,
  undoing: 0,
  undone: 0,
  kept: 0,
}

/** Writes the whole plan (run and steps, all pending) in one transaction; returns the run's id. */
export function journalPlan(db: Db, plan: OrganizePlan, now: () => Date = systemClock): number {
  return db.transaction(() => {
    const at = now().toISOString()
    const runId = stmt(
      db,
      `INSERT INTO organize_runs (job_id, model_id, folder, out, mode, threshold, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
      .pluck()
      .get(plan.jobId, plan.modelId, plan.folder, plan.out, plan.mode, plan.threshold, at) as number
    const insert = stmt(
      db,
      `INSERT INTO organize_steps (run_id, seq, photo_id, source, dest, folder, label, p, sha256, size, mtime_ms,
         updated_at) VALUES (@runId, @seq, @photoId, @source, @dest, @folder, @label, @p, @sha256, @size, @mtimeMs, @at)`,
    )
    plan.steps.forEach((step, i) => insert.run({ ...step, runId, seq: i + 1, at }))
    return runId
  })()
}

export function getOrganizeRun(db: Db, id: number): OrganizeRun | undefined {
  const row = stmt(db, `SELECT ${RUN_COLUMNS} FROM organize_runs WHERE id = ?`).get(id) as
    Omit<OrganizeRun, 'total' | 'steps'> | undefined
  if (!row) return undefined
  const steps = { ...NO_STEPS }
  for (const { state, n } of stmt(
    db,
    'SELECT state, count(*) AS n FROM organize_steps WHERE run_id = ? GROUP BY state',
  ).all(id) as { state: StepState; n: number }[]) {
    steps[state] = n
  }
  return { ...row, total: Object.values(steps).reduce((a, b) => a + b, 0), steps }
}

export function requireOrganizeRun(db: Db, id: number): OrganizeRun {
  const run = getOrganizeRun(db, id)
  if (!run) throw new Error(`No organize run with id ${id}.`)
  return run
}

/** Most recent first. */
export function listOrganizeRuns(
  db: Db,
  options: { jobId?: number; states?: readonly OrganizeRunState[]; limit?: number } = {},
): OrganizeRun[] {
  const { jobId, states, limit = 100 } = options
  const ids = stmt(
    db,
    `SELECT id FROM organize_runs WHERE (@jobId IS NULL OR job_id = @jobId)
       AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states))) ORDER BY id DESC LIMIT @limit`,
  )
    .pluck()
    .all({ jobId: jobId ?? null, states: states ? JSON.stringify(states) : null, limit }) as number[]
  return ids.map((id) => requireOrganizeRun(db, id))
}

/** A run's steps in order (a page of them). */
export function organizeSteps(
  db: Db,
  runId: number,
  options: { states?: readonly StepState[]; limit?: number; offset?: number } = {},
): OrganizeStep[] {
  const { states, limit = 1_000_000, offset = 0 } = options
  return stmt(
    db,
    `SELECT ${STEP_COLUMNS} FROM organize_steps WHERE run_id = @runId
       AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states))) ORDER BY seq LIMIT @limit OFFSET @offset`,
  ).all({ runId, states: states ? JSON.stringify(states) : null, limit, offset }) as OrganizeStep[]
}

export function setRunState(db: Db, id: number, state: OrganizeRunState, now: () => Date = systemClock): void {
  const at = now().toISOString()
  stmt(
    db,
    `UPDATE organize_runs SET state = @state,
       finished_at = CASE WHEN @state = 'done' THEN @at ELSE finished_at END,
       undone_at = CASE WHEN @state IN ('undone', 'rolled-back') THEN @at ELSE undone_at END
     WHERE id = @id`,
  ).run({ id, state, at })
}

export function setStep(
  db: Db,
  step: Pick<OrganizeStep, 'runId' | 'seq'>,
  change: { state: StepState; dest?: string; note?: string | null },
  now: () => Date = systemClock,
): void {
  stmt(
    db,
    `UPDATE organize_steps SET state = @state, dest = coalesce(@dest, dest), note = @note, updated_at = @at
     WHERE run_id = @runId AND seq = @seq`,
  ).run({
    runId: step.runId,
    seq: step.seq,
    state: change.state,
    dest: change.dest ?? null,
    note: change.note ?? null,
    at: now().toISOString(),
  })
}

/** Whether another step of the run already has this destination (case-insensitively). */
export function destInJournal(db: Db, runId: number, dest: string, exceptSeq: number): boolean {
  return (
    stmt(db, 'SELECT 1 FROM organize_steps WHERE run_id = ? AND dest = ? COLLATE NOCASE AND seq <> ?').get(
      runId,
      dest,
      exceptSeq,
    ) !== undefined
  )
}

/** Records a folder the run is about to create (before it is created). */
export function journalDir(db: Db, runId: number, path: string): void {
  stmt(db, 'INSERT OR IGNORE INTO organize_dirs (run_id, path) VALUES (?, ?)').run(runId, path)
}

export function journaledDirs(db: Db, runId: number): string[] {
  return stmt(db, 'SELECT path FROM organize_dirs WHERE run_id = ?').pluck().all(runId) as string[]
}

/**
 * The photo library follows a moved file: the photo's path becomes its new one (unless another photo
 * holds that path already).
 */
export function movePhotoPath(db: Db, photoId: number | null, from: string, to: string): void {
  if (photoId === null) return
  stmt(
    db,
    `UPDATE photos SET path = @to WHERE id = @photoId AND path = @from
       AND NOT EXISTS (SELECT 1 FROM photos WHERE path = @to)`,
  ).run({ photoId, from, to })
}

/**
 * A later run (not undone) that took one of this run's results as its source: undoing this one first
 * would lose track of the files.
 */
export function laterRunUsing(db: Db, runId: number): number | undefined {
  return stmt(
    db,
    `SELECT r.id FROM organize_steps s JOIN organize_runs r ON r.id = s.run_id
     WHERE r.id > @runId AND r.state NOT IN ('undone', 'rolled-back')
       AND s.state IN ('started', 'done', 'undoing', 'kept')
       AND s.source IN (SELECT dest FROM organize_steps WHERE run_id = @runId AND state IN ('done', 'undoing'))
     LIMIT 1`,
  )
    .pluck()
    .get({ runId }) as number | undefined
}
