import type { Db } from '../db/database'
import type { DomainHandlers, reviewChannels } from '../../shared/ipc/contract'
import type { PhotoLibraryService } from '../photo-library/library-service'
import { reviewGroups } from '../photo-library/queries'

/** The review queue: the suggested tags still to decide, grouped by tag, and a page of them. */
export function createReviewHandlers(db: Db, photos: PhotoLibraryService): DomainHandlers<typeof reviewChannels> {
  return {
    'review:groups': () => reviewGroups(db),
    'review:queue': ({ tagId, after, limit }) =>
      photos.review({
        ...(tagId !== undefined && { tagId }),
        after: after ?? null,
        ...(limit !== undefined && { limit }),
      }),
  }
}
