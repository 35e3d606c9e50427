import type { Db } from '../db/database'
import { stmt } from '../db/sql'

/**
 * The library's photos still to classify with a model: present, with no result for it (with
 * `retryFailed`, also those it failed on). The one definition of "pending": the library job takes
 * these photos and the Library screen counts them.
 */
const PENDING = `FROM photos p
  WHERE p.status = 'present'
    AND NOT EXISTS (SELECT 1 FROM classifications c WHERE c.photo_id = p.id AND c.model_id = @modelId
                    AND (c.error IS NULL OR NOT @retryFailed))`

export interface PendingOptions {
  retryFailed?: boolean
}

/** Named parameters of `PENDING_PHOTO_IDS`. */
export function pendingParams(modelId: string, options: PendingOptions = {}): { modelId: string; retryFailed: number } {
  return { modelId, retryFailed: options.retryFailed ? 1 : 0 }
}

/** The pending photos' ids, oldest first, as a SELECT taking `pendingParams` (jobs add them to their photos). */
export const PENDING_PHOTO_IDS = `SELECT p.id ${PENDING} ORDER BY p.id`

/** How many photos are pending for the model. */
export function pendingCount(db: Db, modelId: string, options: PendingOptions = {}): number {
  return stmt(db, `SELECT count(*) ${PENDING}`).pluck().get(pendingParams(modelId, options)) as number
}
