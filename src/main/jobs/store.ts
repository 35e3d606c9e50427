import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import { systemClock } from '../util/clock'

/** A folder's job scans the folder into the library first; the library's classifies what is there. */
export type JobKind = 'folder' | 'library'
export type JobState = 'queued' | 'running' | 'paused' | 'cancelled' | 'done' | 'failed'
export type JobErrorStage = 'scan' | 'classify'
export type JobOutcome = 'classified' | 'failed' | 'reused'

/** What the job was asked to do besides classifying; stored as JSON, read back as given. */
export interface JobOptions {
  /** Try again the photos this model failed on before (by default their error is kept). */
  retryFailed?: boolean
  /** Probability at or above which a prediction becomes a suggested tag (default: the setting). */
  suggestionThreshold?: number
  /** What to do once classified (the CLI's `--organize`); the runner itself only stores it. */
  organize?: { mode: 'copy' | 'move'; out: string; threshold: number }
  [key: string]: unknown
}

export interface Job {
  id: number
  kind: JobKind
  /** The folder a folder job scans; null for a library job. */
  folder: string | null
  modelId: string
  options: JobOptions
  state: JobState
  /** Photos of the folder (found by its scans). */
  total: number
  /** Photos this job ran through the model. */
  classified: number
  /** Photos the model could not read (this job's or an earlier result kept). */
  failed: number
  /** Photos that already had the model's result (the same photo, or a photo with the same content). */
  reused: number
  /** Files the scan could not take (not an image, unreadable). */
  skipped: number
  /** Why the job failed. */
  message: string | null
  createdAt: string
  startedAt: string | null
  updatedAt: string
  finishedAt: string | null
}

export interface JobError {
  stage: JobErrorStage
  path: string
  reason: string
  at: string
}

interface JobRow extends Omit<Job, 'options'> {
  options: string
}

const JOB_COLUMNS = `id, kind, folder, model_id AS modelId, options, state, total, classified, failed, reused, skipped,
  message, created_at AS createdAt, started_at AS startedAt, updated_at AS updatedAt, finished_at AS finishedAt`

function toJob(row: JobRow): Job {
  return { ...row, options: JSON.parse(row.options) as JobOptions }
}

export const FINAL_STATES: ReadonlySet<JobState> = new Set(['cancelled', 'done', 'failed'])

export function insertJob(
  db: Db,
  input: { folder: string | null; modelId: string; options?: JobOptions },
  now: () => Date = systemClock,
): Job {
  const at = now().toISOString()
  const row = stmt(
    db,
    `INSERT INTO jobs (kind, folder, model_id, options, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     RETURNING ${JOB_COLUMNS}`,
  ).get(
    input.folder === null ? 'library' : 'folder',
    input.folder,
    input.modelId,
    JSON.stringify(input.options ?? {}),
    at,
    at,
  ) as JobRow
  return toJob(row)
}

export function getJob(db: Db, id: number): Job | undefined {
  const row = stmt(db, `SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`).get(id) as JobRow | undefined
  return row && toJob(row)
}

export function requireJob(db: Db, id: number): Job {
  const job = getJob(db, id)
  if (!job) throw new Error(`No job with id ${id}.`)
  return job
}

/** Most recent first. */
export function listJobs(db: Db, options: { states?: readonly JobState[]; limit?: number } = {}): Job[] {
  const { states, limit = 100 } = options
  return (
    stmt(
      db,
      `SELECT ${JOB_COLUMNS} FROM jobs
       WHERE @states IS NULL OR state IN (SELECT value FROM json_each(@states)) ORDER BY id DESC LIMIT @limit`,
    ).all({ states: states ? JSON.stringify(states) : null, limit }) as JobRow[]
  ).map(toJob)
}

/** Sets the state (and the timestamps it implies); returns the job as it is now. */
export function setJobState(
  db: Db,
  id: number,
  state: JobState,
  now: () => Date = systemClock,
  message: string | null = null,
): Job {
  const at = now().toISOString()
  const row = stmt(
    db,
    `UPDATE jobs SET state = @state, updated_at = @at, message = @message,
       started_at = CASE WHEN @state = 'running' THEN coalesce(started_at, @at) ELSE started_at END,
       finished_at = CASE WHEN @state IN ('cancelled', 'done', 'failed') THEN @at ELSE NULL END
     WHERE id = @id RETURNING ${JOB_COLUMNS}`,
  ).get({ id, state, at, message }) as JobRow | undefined
  if (!row) throw new Error(`No job with id ${id}.`)
  return toJob(row)
}

export function jobErrors(db: Db, id: number, options: { limit?: number; offset?: number } = {}): JobError[] {
  const { limit = 1000, offset = 0 } = options
  return stmt(db, 'SELECT stage, path, reason, at FROM job_errors WHERE job_id = ? ORDER BY id LIMIT ? OFFSET ?').all(
    id,
    limit,
    offset,
  ) as JobError[]
}

export function jobErrorCount(db: Db, id: number): number {
  return stmt(db, 'SELECT count(*) FROM job_errors WHERE job_id = ?').pluck().get(id) as number
}

/** Records (or replaces) the error of one file at one stage. */
export function recordJobError(
  db: Db,
  id: number,
  error: { stage: JobErrorStage; path: string; reason: string },
  now: () => Date = systemClock,
): void {
  stmt(
    db,
    `INSERT INTO job_errors (job_id, stage, path, reason, at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (job_id, stage, path) DO UPDATE SET reason = excluded.reason, at = excluded.at`,
  ).run(id, error.stage, error.path, error.reason, now().toISOString())
}

/** The photos of a job (every scan's), with what the job did with each; by photo id. */
export function jobPhotoIds(db: Db, id: number): number[] {
  return stmt(db, 'SELECT photo_id FROM job_photos WHERE job_id = ? ORDER BY photo_id').pluck().all(id) as number[]
}
