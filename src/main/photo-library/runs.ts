import type { Db } from '../db/database'
import { systemClock } from '../util/clock'

export type RunStatus = 'running' | 'finished' | 'cancelled' | 'failed' | 'interrupted'

/** A classification run: one model over the photos it had not classified yet. */
export interface Run {
  id: number
  modelId: string
  startedAt: string
  finishedAt: string | null
  status: RunStatus
  /** Photos the run set out to classify. */
  total: number
  /** Photos whose predictions it recorded (counted in the same transaction as the predictions). */
  classified: number
  failed: number
}

const RUN_COLUMNS = `id, model_id AS modelId, started_at AS startedAt, finished_at AS finishedAt, status, total,
  classified, failed`

export function startRun(db: Db, modelId: string, total: number, now: () => Date = systemClock): Run {
  return db
    .prepare(`INSERT INTO runs (model_id, started_at, total) VALUES (?, ?, ?) RETURNING ${RUN_COLUMNS}`)
    .get(modelId, now().toISOString(), total) as Run
}

export function finishRun(
  db: Db,
  runId: number,
  status: Exclude<RunStatus, 'running' | 'interrupted'>,
  now: () => Date = systemClock,
): Run {
  return db
    .prepare(`UPDATE runs SET status = ?, finished_at = ? WHERE id = ? RETURNING ${RUN_COLUMNS}`)
    .get(status, now().toISOString(), runId) as Run
}

/**
 * Marks runs left 'running' by a process that died as 'interrupted'. Call it when no run is in
 * progress in this process (at start, or before a new run: runs on one database are one at a time).
 */
export function markInterruptedRuns(db: Db): number {
  return db.prepare("UPDATE runs SET status = 'interrupted' WHERE status = 'running'").run().changes
}

export function getRun(db: Db, runId: number): Run | undefined {
  return db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(runId) as Run | undefined
}

/** Most recent first. */
export function listRuns(db: Db, options: { modelId?: string; limit?: number } = {}): Run[] {
  const { modelId, limit = 50 } = options
  return db
    .prepare(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE (@modelId IS NULL OR model_id = @modelId) ORDER BY id DESC LIMIT @limit`,
    )
    .all({ modelId: modelId ?? null, limit }) as Run[]
}
