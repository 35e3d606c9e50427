import type { Db } from '../../../src/main/db/database'
import { findTag } from '../../../src/main/tags'

/** The status of a photo's tag as the database has it (suggested, accepted, rejected), or undefined. */
export function tagStatus(db: Db, photoId: number, tag: string): string | undefined {
  return db
    .prepare('SELECT status FROM photo_tags WHERE photo_id = ? AND tag_id = ?')
    .pluck()
    .get(photoId, findTag(db, tag)!.id) as string | undefined
}
