import type { Db } from '../db/database'
import { stmt } from '../db/sql'

/**
 * The library's photos still to classify with a model: present, and either with no result for it (with
 * `retryFailed`, also those it failed on), or classified by it without the embedding the model makes now
 * (`embeddingVersion`: none stored for the photo's content, or one of an older embedding spec), so that photos
 * classified before embeddings existed, or before the model's profile changed, get theirs. The one definition of
 * "pending": the library job takes these photos and the Library screen counts them.
 */
const PENDING = `FROM photos p
  WHERE p.status = 'present'
    AND (NOT EXISTS (SELECT 1 FROM classifications c WHERE c.photo_id = p.id AND c.model_id = @modelId
                     AND (c.error IS NULL OR NOT @retryFailed))
      OR (@embeddingVersion IS NOT NULL
          AND EXISTS (SELECT 1 FROM classifications c WHERE c.photo_id = p.id AND c.model_id = @modelId
                      AND c.error IS NULL AND c.k > 0)
          AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.model_id = @modelId AND e.sha256 = p.sha256
                          AND e.version = @embeddingVersion)))`

export interface PendingOptions {
  retryFailed?: boolean
  /**
   * The version of the embedding the model makes now (`EmbeddingSpec.version`, see `modelEmbeddingVersion`);
   * undefined for a model that makes none (or where it is not known): then only photos without a result pend.
   */
  embeddingVersion?: number | undefined
}

/** Named parameters of `PENDING_PHOTO_IDS`. */
export function pendingParams(
  modelId: string,
  options: PendingOptions = {},
): { modelId: string; retryFailed: number; embeddingVersion: number | null } {
  return { modelId, retryFailed: options.retryFailed ? 1 : 0, embeddingVersion: options.embeddingVersion ?? null }
}

/** The pending photos' ids, oldest first, as a SELECT taking `pendingParams` (jobs add them to their photos). */
export const PENDING_PHOTO_IDS = `SELECT p.id ${PENDING} ORDER BY p.id`

/** How many photos are pending for the model. */
export function pendingCount(db: Db, modelId: string, options: PendingOptions = {}): number {
  return stmt(db, `SELECT count(*) ${PENDING}`).pluck().get(pendingParams(modelId, options)) as number
}
