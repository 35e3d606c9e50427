import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import type { ClassScore } from '../../shared/engine/postprocess'
import { writeEmbedding } from '../embeddings/embedding-store'
import type { ClassifyResult } from '../inference/classify-result'
import {
  photoLevels,
  photoPredictions,
  photoVerdict,
  recordClassificationError,
  recordPredictions,
  type RecordPredictionsInput,
} from '../tags/predictions'
import type { Pending } from './classify-queue'
import { recordJobError, type Job } from './store'

/**
 * Where a job's results are written: each photo's predictions (through the tag store, which turns them
 * into suggested tags) with the job's outcome and counts, in the caller's transaction. The only writer
 * of classification results.
 */

export interface Counts {
  classified: number
  failed: number
  reused: number
}

/**
 * Settles, in one transaction, the job's photos that need no run of the model: those it already
 * classified (or failed on, unless `retryFailed`), and those whose content it classified under
 * another path. With `embeddingVersion` (the version of the embedding the model makes now), a photo
 * whose content has no embedding of that version is run again (its result is replaced, its
 * embedding written), like a photo without a result. Returns the photos left to classify, by path.
 */
export function takeKnownResults(
  db: Db,
  job: Job,
  threshold: number,
  now: () => Date,
  photoIds?: readonly number[],
  embeddingVersion?: number,
): Pending[] {
  const { modelId } = job
  const retryFailed = job.options.retryFailed === true
  if (photoIds?.length === 0) return []
  return db.transaction(() => {
    const rows = stmt(
      db,
      `SELECT p.id, p.path, p.sha256, c.error, c.k,
         (@version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.model_id = @modelId
            AND e.sha256 = p.sha256 AND e.version = @version)) AS noEmbedding
       FROM job_photos jp
         JOIN photos p ON p.id = jp.photo_id
         LEFT JOIN classifications c ON c.photo_id = p.id AND c.model_id = @modelId
       WHERE jp.job_id = @jobId AND jp.outcome IS NULL
         AND (@ids IS NULL OR jp.photo_id IN (SELECT value FROM json_each(@ids)))
       ORDER BY p.path`,
    ).all({
      jobId: job.id,
      modelId,
      ids: photoIds ? JSON.stringify(photoIds) : null,
      version: embeddingVersion ?? null,
    }) as (Pending & {
      error: string | null
      k: number | null
      noEmbedding: 0 | 1
    })[]
    const needed: Pending[] = []
    let reused = 0
    let failed = 0
    const donor = stmt(
      db,
      `SELECT c.photo_id FROM photos p JOIN classifications c ON c.photo_id = p.id AND c.model_id = ? AND c.k > 0
       WHERE p.sha256 = ? AND p.id <> ? LIMIT 1`,
    ).pluck()
    for (const row of rows) {
      const pending: Pending = { id: row.id, path: row.path, sha256: row.sha256 }
      if (row.k !== null && row.k > 0) {
        // Classified before the model's embedding (or with an older one): run again for it.
        if (row.noEmbedding) {
          needed.push(pending)
          continue
        }
        setOutcome(db, job.id, row.id, 'reused')
        reused++
      } else if (row.k !== null && !retryFailed) {
        setOutcome(db, job.id, row.id, 'failed')
        recordJobError(db, job.id, { stage: 'classify', path: row.path, reason: row.error ?? 'unknown error' }, now)
        failed++
      } else {
        // A copy's result is taken only with its embedding (shared by content); else the photo is run.
        const from = row.noEmbedding ? undefined : (donor.get(modelId, row.sha256, row.id) as number | undefined)
        if (from === undefined) {
          needed.push(pending)
          continue
        }
        recordPredictions(db, { photoId: row.id, modelId, ...storedResult(db, from, modelId), threshold }, now)
        setOutcome(db, job.id, row.id, 'reused')
        reused++
      }
    }
    addCounts(db, job.id, { reused, failed }, now)
    return needed
  })()
}

/**
 * Records one result for every photo of its content group and adds them to `counts`; the caller
 * holds the transaction and adds the counts to the job.
 */
export function recordResult(
  db: Db,
  job: { jobId: number; modelId: string; runId: number; threshold: number },
  group: readonly Pending[],
  result: ClassifyResult,
  counts: Counts,
  now: () => Date,
): void {
  const { jobId, modelId, runId, threshold } = job
  group.forEach((photo, i) => {
    if (stmt(db, 'SELECT 1 FROM photos WHERE id = ?').get(photo.id) === undefined) return // forgotten meanwhile
    const first = i === 0
    if ('error' in result) {
      recordClassificationError(
        db,
        { photoId: photo.id, modelId, error: result.error, runId: first ? runId : null },
        now,
      )
      recordJobError(db, jobId, { stage: 'classify', path: photo.path, reason: result.error }, now)
      setOutcome(db, jobId, photo.id, 'failed')
      counts.failed++
    } else {
      recordPredictions(
        db,
        {
          photoId: photo.id,
          modelId,
          top: result.top,
          verdict: result.verdict,
          levels: result.levels,
          runId: first ? runId : null,
          threshold,
        },
        now,
      )
      // The group shares one content: its embedding is written once, with the predictions.
      if (first && result.embedding) writeEmbedding(db, { modelId, sha256: photo.sha256, ...result.embedding })
      setOutcome(db, jobId, photo.id, first ? 'classified' : 'reused')
      if (first) counts.classified++
      else counts.reused++
    }
  })
}

export function isBatch(arrived: ClassifyResult | readonly ClassifyResult[]): arrived is readonly ClassifyResult[] {
  return Array.isArray(arrived)
}

export function setOutcome(db: Db, jobId: number, photoId: number, outcome: 'classified' | 'failed' | 'reused'): void {
  stmt(db, 'UPDATE job_photos SET outcome = ? WHERE job_id = ? AND photo_id = ?').run(outcome, jobId, photoId)
}

export function addCounts(
  db: Db,
  jobId: number,
  counts: { classified?: number; failed?: number; reused?: number },
  now: () => Date,
): void {
  stmt(
    db,
    `UPDATE jobs SET classified = classified + @classified, failed = failed + @failed, reused = reused + @reused,
       updated_at = @at WHERE id = @jobId`,
  ).run({
    jobId,
    classified: counts.classified ?? 0,
    failed: counts.failed ?? 0,
    reused: counts.reused ?? 0,
    at: now().toISOString(),
  })
}

/** A photo's stored result for a model, as the classifier gave it: top-K, verdict and hierarchy levels. */
function storedResult(
  db: Db,
  photoId: number,
  modelId: string,
): Pick<RecordPredictionsInput, 'top' | 'verdict' | 'levels'> {
  const top: ClassScore[] = photoPredictions(db, photoId, modelId).map((p) => ({
    index: p.classIndex,
    label: p.label,
    p: p.probability,
  }))
  const stored = photoVerdict(db, photoId, modelId)
  // A result from before verdicts has no score: it stays known, as it was.
  const verdict =
    stored && stored.ood !== null && stored.source !== null
      ? { unknown: stored.unknown, ood: stored.ood, source: stored.source }
      : undefined
  return { top, verdict, levels: photoLevels(db, photoId, modelId) }
}

export function updateTotal(db: Db, jobId: number, now: () => Date): void {
  stmt(
    db,
    `UPDATE jobs SET total = (SELECT count(*) FROM job_photos WHERE job_id = @id),
       skipped = (SELECT count(*) FROM job_errors WHERE job_id = @id AND stage = 'scan'), updated_at = @at
     WHERE id = @id`,
  ).run({ id: jobId, at: now().toISOString() })
}
