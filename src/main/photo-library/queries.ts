import type { Db } from '../db/database'
import { PHOTO_COLUMNS, toPhotos } from './photos'
import { stmt } from '../db/sql'
import { tagMatchQuery } from '../tags/tags'
import type { Photo, PhotoStatus } from './types'

/** Photos a model does not know (its verdict: none of its classes), or those it does. */
export type VerdictFilter = 'unknown' | 'known'

/** Filters of the library grid; all given ones apply (AND). */
export interface PhotoFilter {
  /** Photos showing every one of these tags (suggested or accepted). */
  tagIds?: readonly number[]
  /** true: photos with at least one suggested tag (the "needs review" filter); false: none. */
  needsReview?: boolean
  status?: PhotoStatus
  /** Photos this model has classified (with predictions). */
  modelId?: string
  /** Inclusive range of the top-1 probability given by `modelId` (required with these). */
  minProbability?: number
  maxProbability?: number
  /**
   * 'unknown': photos `modelId` classified and found to be none of its classes; 'known': those it
   * classified and knows. Without `modelId`: by any model that classified the photo.
   */
  verdict?: VerdictFilter
  /**
   * Search-as-you-type over tag names: photos with a tag (suggested or accepted) in which every typed
   * word starts a word of the name ("gold ret" finds "golden retriever").
   */
  tagQuery?: string
}

export interface PageRequest {
  /** The last id of the previous page (keyset pagination); null or absent for the first page. */
  after?: number | null
  /** 1 to 1,000; default 200. */
  limit?: number
}

export interface PhotoPage {
  /** By id, ascending. */
  photos: Photo[]
  /** Pass as `after` for the next page; null after the last one. */
  nextAfter: number | null
}

const SHOWN = `status IN ('suggested', 'accepted')`

/**
 * A filter as SQL. The query is driven by the most selective part: the first tag's rows in the
 * (tag_id, photo_id) index when there is a tag, the photos matching a tag search when there is one,
 * else the photos by id; the rest are checked per photo. So a rare tag's first page does not scan
 * 50,000 photos to find ten.
 */
interface Built {
  from: string
  /** The photo id column of the driving table (what the keyset compares and orders by). */
  key: string
  where: string[]
  params: Record<string, unknown>
  /** Nothing can match (a search with no word, or no tag name matching it). */
  empty: boolean
}

function build(db: Db, filter: PhotoFilter): Built {
  const where: string[] = []
  const params: Record<string, unknown> = {}
  let from = 'photos p'
  let key = 'p.id'
  let empty = false
  const tagIds = [...new Set(filter.tagIds ?? [])]
  tagIds.forEach((tagId, i) => {
    params[`tag${i}`] = tagId
    if (i === 0) {
      from = 'photo_tags d INDEXED BY photo_tags_by_tag CROSS JOIN photos p ON p.id = d.photo_id'
      key = 'd.photo_id'
      where.push(`d.tag_id = @tag0 AND d.${SHOWN}`)
    } else {
      where.push(`EXISTS (SELECT 1 FROM photo_tags WHERE photo_id = p.id AND tag_id = @tag${i} AND ${SHOWN})`)
    }
  })
  if (filter.tagQuery !== undefined && filter.tagQuery.trim() !== '') {
    const match = tagMatchQuery(filter.tagQuery)
    const matching =
      match === undefined
        ? []
        : (stmt(db, 'SELECT rowid FROM tags_fts WHERE tags_fts MATCH ?').pluck().all(match) as number[])
    if (matching.length === 0) empty = true
    params.matching = JSON.stringify(matching)
    if (tagIds.length > 0) {
      // A photo has a few tags: look through them (`+` keeps SQLite from probing each matching tag).
      where.push(
        `EXISTS (SELECT 1 FROM photo_tags WHERE photo_id = p.id AND ${SHOWN}
           AND +tag_id IN (SELECT value FROM json_each(@matching)))`,
      )
    } else {
      where.push(
        `p.id IN (SELECT photo_id FROM photo_tags WHERE tag_id IN (SELECT value FROM json_each(@matching))
           AND ${SHOWN} AND photo_id > @after)`,
      )
    }
  }
  if (filter.needsReview !== undefined) {
    where.push(
      `${filter.needsReview ? '' : 'NOT '}EXISTS (SELECT 1 FROM photo_tags WHERE photo_id = p.id AND status = 'suggested')`,
    )
  }
  if (filter.status !== undefined) {
    // A literal, not a parameter, so that 'missing' can use its partial index.
    if (filter.status !== 'present' && filter.status !== 'missing')
      throw new RangeError(`Unknown status ${filter.status}`)
    where.push(`p.status = '${filter.status}'`)
  }
  const ranged = filter.minProbability !== undefined || filter.maxProbability !== undefined
  if (ranged && filter.modelId === undefined) {
    throw new RangeError('A probability range needs the model whose probability it is (modelId).')
  }
  if (filter.verdict !== undefined && filter.verdict !== 'unknown' && filter.verdict !== 'known') {
    throw new RangeError(`Unknown verdict filter ${String(filter.verdict)}`)
  }
  // A literal, not a parameter, so that 'unknown' can use its partial index.
  const verdict = filter.verdict === undefined ? '' : ` AND unknown = ${filter.verdict === 'unknown' ? 1 : 0}`
  if (filter.modelId !== undefined) {
    params.model = filter.modelId
    params.minP = filter.minProbability ?? 0
    params.maxP = filter.maxProbability ?? 1
    where.push(
      `EXISTS (SELECT 1 FROM classifications WHERE photo_id = p.id AND model_id = @model AND k > 0` +
        (ranged ? ' AND top_p >= @minP AND top_p <= @maxP' : '') +
        `${verdict})`,
    )
  } else if (filter.verdict !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM classifications WHERE photo_id = p.id AND k > 0${verdict})`)
  }
  return { from, key, where, params, empty }
}

/**
 * One page of photos matching the filter, by id, with keyset pagination (`after` = the last id seen),
 * so every page costs about the same however deep into 50,000 photos it is.
 */
export function listPhotos(db: Db, filter: PhotoFilter = {}, page: PageRequest = {}): PhotoPage {
  const limit = Math.max(1, Math.min(1000, Math.trunc(page.limit ?? 200)))
  const { from, key, where, params, empty } = build(db, filter)
  if (empty) return { photos: [], nextAfter: null }
  const sql = `SELECT ${PHOTO_COLUMNS.replace(/(\w+)/g, 'p.$1')} FROM ${from}
    WHERE ${[`${key} > @after`, ...where].join(' AND ')} ORDER BY ${key} LIMIT @limit`
  const photos = toPhotos(stmt(db, sql).all({ ...params, after: page.after ?? 0, limit: limit + 1 }))
  const more = photos.length > limit
  if (more) photos.length = limit
  return { photos, nextAfter: more ? photos.at(-1)!.id : null }
}

/** How many photos match the filter (the grid's scroll height). */
export function countPhotos(db: Db, filter: PhotoFilter = {}): number {
  const { from, where, params, empty } = build(db, filter)
  if (empty) return 0
  const sql = `SELECT count(*) FROM ${from}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`
  return stmt(db, sql)
    .pluck()
    .get({ ...params, ...(sql.includes('@after') && { after: 0 }) }) as number
}

// ---------------------------------------------------------------------------------------------
// Review queue: suggested tags, grouped by class, lowest probability first.

export interface ReviewGroup {
  tagId: number
  name: string
  /** Suggestions waiting, on photos that are present. */
  count: number
  lowestScore: number
}

/**
 * A model's suggestion on a photo the model does not know is never reviewed (`recordPredictions` withdraws them;
 * this keeps any left from before out of the queue). A learned tag's suggestions are: a learned tag is often for
 * what the model does not know.
 */
const KNOWN_TO_ITS_MODEL = `(pt.source <> 'model' OR NOT EXISTS (SELECT 1 FROM classifications c
  WHERE c.photo_id = pt.photo_id AND c.model_id = pt.model_id AND c.unknown = 1))`

/** The classes with suggestions waiting, by name. */
export function reviewGroups(db: Db): ReviewGroup[] {
  return db
    .prepare(
      `SELECT t.id AS tagId, t.name, count(*) AS count, min(pt.score) AS lowestScore
       FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id JOIN photos p ON p.id = pt.photo_id
       WHERE pt.status = 'suggested' AND p.status = 'present' AND ${KNOWN_TO_ITS_MODEL}
       GROUP BY t.id ORDER BY t.name`,
    )
    .all() as ReviewGroup[]
}

export interface ReviewItem {
  photoId: number
  path: string
  width: number
  height: number
  tagId: number
  name: string
  score: number
  modelId: string | null
}

/** Where a review page ended: pass back as `after`. */
export interface ReviewCursor {
  tagId: number
  name: string
  score: number
  photoId: number
}

export interface ReviewPage {
  items: ReviewItem[]
  next: ReviewCursor | null
}

/**
 * The review queue: suggestions on present photos, class by class (by name), lowest score first
 * within a class; `tagId` restricts it to one class. Photos unknown to the model that suggested the
 * tag are skipped. Keyset-paginated with the cursor returned.
 */
export function reviewQueue(
  db: Db,
  options: { tagId?: number; after?: ReviewCursor | null; limit?: number } = {},
): ReviewPage {
  const limit = Math.max(1, Math.min(1000, Math.trunc(options.limit ?? 50)))
  const after = options.after ?? null
  const groups = (
    options.tagId !== undefined
      ? db.prepare('SELECT id, name FROM tags WHERE id = ?').all(options.tagId)
      : db
          .prepare(
            `SELECT id, name FROM tags t
             WHERE EXISTS (SELECT 1 FROM photo_tags WHERE tag_id = t.id AND status = 'suggested')
               AND (@name IS NULL OR name >= @name)
             ORDER BY name`,
          )
          .all({ name: after?.name ?? null })
  ) as { id: number; name: string }[]
  const page = db.prepare(
    `SELECT pt.photo_id AS photoId, p.path, p.width, p.height, pt.tag_id AS tagId, @name AS name, pt.score,
       pt.model_id AS modelId
     FROM photo_tags pt INDEXED BY photo_tags_review JOIN photos p ON p.id = pt.photo_id
     WHERE pt.tag_id = @tagId AND pt.status = 'suggested' AND p.status = 'present' AND ${KNOWN_TO_ITS_MODEL}
       AND (@score IS NULL OR (pt.score, pt.photo_id) > (@score, @photoId))
     ORDER BY pt.score, pt.photo_id LIMIT @limit`,
  )
  const items: ReviewItem[] = []
  for (const group of groups) {
    const resume = after !== null && after.tagId === group.id
    const rows = page.all({
      tagId: group.id,
      name: group.name,
      score: resume ? after.score : null,
      photoId: resume ? after.photoId : null,
      limit: limit + 1 - items.length,
    }) as ReviewItem[]
    items.push(...rows)
    if (items.length > limit) break
  }
  const more = items.length > limit
  if (more) items.length = limit
  const last = items.at(-1)
  return {
    items,
    next: more && last ? { tagId: last.tagId, name: last.name, score: last.score, photoId: last.photoId } : null,
  }
}
