import type { Db } from '../db/database'
import type { Classifier } from '../../shared/engine/classifier'
import { classifyFiles, type ClassifyFilesOptions } from '../engine/classify-files'
import { getSuggestionThreshold, recordClassificationError, recordPredictions } from './predictions'
import { finishRun, markInterruptedRuns, startRun, type Run } from './runs'
import { systemClock, type ScoredClass } from './types'
import type { LevelScore } from '../../shared/knowledge/levels'
import type { Verdict } from '../../shared/knowledge/verdict'

/**
 * One file's result: its top-K with the verdict (absent: known, as before verdicts) and the hierarchy
 * levels the tag store may back off to, or why it could not be classified.
 */
export type ClassifyResult =
  | { path: string; top: readonly ScoredClass[]; verdict?: Verdict; levels?: readonly LevelScore[] }
  | { path: string; error: string }

/**
 * Classifies files, yielding one result per path as they arrive (any order). `classifierFn` adapts
 * the Node engine; tests pass a fake.
 */
export type ClassifyFn = (paths: readonly string[], signal?: AbortSignal) => AsyncIterable<ClassifyResult>

/** `classifyFiles` over a loaded classifier, as a ClassifyFn. */
export function classifierFn(classifier: Classifier, options: ClassifyFilesOptions = {}): ClassifyFn {
  return (paths) =>
    classifyFiles(
      classifier,
      paths.map((path) => ({ path })),
      options,
    )
}

export interface ClassifyPendingDeps {
  db: Db
  /** The model the predictions are recorded for (a row of `models`). */
  modelId: string
  classify: ClassifyFn
  now?: () => Date
  signal?: AbortSignal
  onProgress?: (progress: ClassifyProgress) => void
  /** Defaults to the setting (`getSuggestionThreshold`), read once at the start. */
  threshold?: number
  /** Also try again the photos this model failed on before (by default they are left alone). */
  retryFailed?: boolean
}

export interface ClassifyProgress {
  total: number
  classified: number
  failed: number
}

export interface ClassifyPendingReport {
  run: Run
  errors: { photoId: number; path: string; error: string }[]
  cancelled: boolean
}

/**
 * Classifies the present photos that have no predictions for the model, writing each photo's top-K
 * and suggested tags in one transaction as its result arrives, so a crash or a cancel loses nothing
 * done and a later call resumes with the rest (nothing is classified twice). Records the run.
 * Runs on one database go one at a time: runs left 'running' by a dead process become 'interrupted'.
 */
export async function classifyPending(deps: ClassifyPendingDeps): Promise<ClassifyPendingReport> {
  const { db, modelId, classify, now = systemClock, signal, onProgress, retryFailed = false } = deps
  const threshold = deps.threshold ?? getSuggestionThreshold(db)
  const pending = db
    .prepare(
      `SELECT p.id, p.path FROM photos p
       WHERE p.status = 'present'
         AND NOT EXISTS (SELECT 1 FROM classifications c WHERE c.photo_id = p.id AND c.model_id = @modelId
                         AND (c.error IS NULL OR NOT @retryFailed))
       ORDER BY p.id`,
    )
    .all({ modelId, retryFailed: retryFailed ? 1 : 0 }) as { id: number; path: string }[]
  const byPath = new Map(pending.map((p) => [p.path, p.id]))

  markInterruptedRuns(db)
  const run = startRun(db, modelId, pending.length, now)
  const progress: ClassifyProgress = { total: pending.length, classified: 0, failed: 0 }
  const errors: ClassifyPendingReport['errors'] = []
  const photoStillThere = db.prepare('SELECT 1 FROM photos WHERE id = ?')
  let cancelled = false
  try {
    if (pending.length > 0 && !signal?.aborted) {
      for await (const result of classify(
        pending.map((p) => p.path),
        signal,
      )) {
        const photoId = byPath.get(result.path)
        // Each photo once; a photo forgotten meanwhile is skipped.
        if (photoId === undefined || photoStillThere.get(photoId) === undefined) continue
        byPath.delete(result.path)
        if ('error' in result) {
          recordClassificationError(db, { photoId, modelId, error: result.error, runId: run.id }, now)
          errors.push({ photoId, path: result.path, error: result.error })
          progress.failed++
        } else {
          const { top, verdict, levels } = result
          recordPredictions(db, { photoId, modelId, top, verdict, levels, runId: run.id, threshold }, now)
          progress.classified++
        }
        onProgress?.({ ...progress })
        if (signal?.aborted) break
      }
    }
    cancelled = signal?.aborted ?? false
    return { run: finishRun(db, run.id, cancelled ? 'cancelled' : 'finished', now), errors, cancelled }
  } catch (error) {
    finishRun(db, run.id, 'failed', now)
    throw error
  }
}
