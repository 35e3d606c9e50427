import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import type { PhotoTag, PhotoTagState, Tag, TagSource, TagStatus } from './types'
import { systemClock } from '../util/clock'

/** A tag operation that cannot be done as asked (a name taken, an unknown tag or photo); the message is for a person. */
export class TagError extends Error {}

const MAX_TAG_NAME = 200

/** Trims and collapses white space; refuses empty and over-long names. */
export function normalizeTagName(name: string): string {
  const normalized = name.normalize('NFC').trim().replace(/\s+/g, ' ')
  if (normalized === '') throw new TagError('A tag needs a name.')
  if (normalized.length > MAX_TAG_NAME) throw new TagError(`A tag name has at most ${MAX_TAG_NAME} characters.`)
  return normalized
}

/** Whether a label can name a tag (model labels that cannot are kept as predictions, not suggested). */
export function canBeTagName(label: string): boolean {
  const normalized = label.normalize('NFC').trim().replace(/\s+/g, ' ')
  return normalized !== '' && normalized.length <= MAX_TAG_NAME
}

export function getTag(db: Db, id: number): Tag | undefined {
  return stmt(db, 'SELECT id, name FROM tags WHERE id = ?').get(id) as Tag | undefined
}

function requireTag(db: Db, id: number): Tag {
  const tag = getTag(db, id)
  if (!tag) throw new TagError(`No tag with id ${id}.`)
  return tag
}

export function listTags(db: Db): Tag[] {
  return stmt(db, 'SELECT id, name FROM tags ORDER BY name').all() as Tag[]
}

/**
 * The tag a name stands for, case-insensitively: the tag of that name, else the tag it was renamed
 * or merged into (so a model's label "cat" keeps landing on "Kitty" after a rename).
 */
export function findTag(db: Db, name: string): Tag | undefined {
  const normalized = normalizeTagName(name)
  return (stmt(db, 'SELECT id, name FROM tags WHERE name = ?').get(normalized) ??
    stmt(db, 'SELECT t.id, t.name FROM tag_aliases a JOIN tags t ON t.id = a.tag_id WHERE a.name = ?').get(
      normalized,
    )) as Tag | undefined
}

/** `findTag`, creating the tag when the name is new. */
export function ensureTag(db: Db, name: string, now: () => Date = systemClock): { tag: Tag; created: boolean } {
  const existing = findTag(db, name)
  if (existing) return { tag: existing, created: false }
  const normalized = normalizeTagName(name)
  const { lastInsertRowid } = stmt(db, 'INSERT INTO tags (name, created_at) VALUES (?, ?)').run(
    normalized,
    now().toISOString(),
  )
  return { tag: { id: Number(lastInsertRowid), name: normalized }, created: true }
}

// ---------------------------------------------------------------------------------------------
// Decisions on a selection of photos, each returning what undoes it.

export interface TagChangeEntry {
  photoId: number
  /** The row before the change; null when the photo did not have the tag. */
  before: PhotoTagState | null
}

/**
 * What a tag operation changed, enough to undo it (`undoTagChange`). Plain data: the caller keeps it
 * (e.g. an undo stack in the Review screen) and may serialize it.
 */
export interface TagChange {
  action: 'accept' | 'reject' | 'add' | 'remove'
  tagId: number
  /** The change created the tag (an `add` of a new name); undo deletes it again when nothing uses it. */
  createdTag: boolean
  /** Only the photos whose row changed. */
  entries: TagChangeEntry[]
}

interface StateRow {
  source: TagSource
  status: TagStatus
  score: number | null
  model_id: string | null
  created_at: string
  updated_at: string
}

const STATE_COLUMNS = 'source, status, score, model_id, created_at, updated_at'

function toState(row: StateRow): PhotoTagState {
  return {
    source: row.source,
    status: row.status,
    score: row.score,
    modelId: row.model_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

class Statements {
  readonly state
  readonly setStatus
  readonly insertPerson
  readonly remove
  readonly photoExists
  readonly restore
  constructor(db: Db) {
    this.state = db.prepare<[number, number], StateRow>(
      `SELECT ${STATE_COLUMNS} FROM photo_tags WHERE photo_id = ? AND tag_id = ?`,
    )
    this.setStatus = db.prepare<[TagStatus, string, number, number]>(
      'UPDATE photo_tags SET status = ?, updated_at = ? WHERE photo_id = ? AND tag_id = ?',
    )
    this.insertPerson = db.prepare<[number, number, string, string]>(
      `INSERT INTO photo_tags (photo_id, tag_id, source, status, score, model_id, created_at, updated_at)
       VALUES (?, ?, 'person', 'accepted', NULL, NULL, ?, ?)`,
    )
    this.remove = db.prepare<[number, number]>('DELETE FROM photo_tags WHERE photo_id = ? AND tag_id = ?')
    this.photoExists = db.prepare<[number], { id: number }>('SELECT id FROM photos WHERE id = ?')
    this.restore = db.prepare(
      `INSERT OR REPLACE INTO photo_tags (photo_id, tag_id, source, status, score, model_id, created_at, updated_at)
       VALUES (@photoId, @tagId, @source, @status, @score, @modelId, @createdAt, @updatedAt)`,
    )
  }
}

const statements = new WeakMap<Db, Statements>()
function stmts(db: Db): Statements {
  let s = statements.get(db)
  if (!s) statements.set(db, (s = new Statements(db)))
  return s
}

function unique(ids: readonly number[]): number[] {
  return [...new Set(ids)]
}

function requirePhotos(s: Statements, photoIds: readonly number[]): void {
  for (const id of photoIds) if (!s.photoExists.get(id)) throw new TagError(`No photo with id ${id}.`)
}

/** Accepts the tag on every photo of the selection; a photo without it gets it as the person's tag. */
export function acceptTags(
  db: Db,
  photoIds: readonly number[],
  tagId: number,
  now: () => Date = systemClock,
): TagChange {
  return db.transaction(() => {
    requireTag(db, tagId)
    return accept(db, unique(photoIds), tagId, 'accept', false, now().toISOString())
  })()
}

function accept(
  db: Db,
  photoIds: number[],
  tagId: number,
  action: 'accept' | 'add',
  createdTag: boolean,
  at: string,
): TagChange {
  const s = stmts(db)
  requirePhotos(s, photoIds)
  const entries: TagChangeEntry[] = []
  for (const photoId of photoIds) {
    const row = s.state.get(photoId, tagId)
    if (row?.status === 'accepted') continue
    if (row) s.setStatus.run('accepted', at, photoId, tagId)
    else s.insertPerson.run(photoId, tagId, at, at)
    entries.push({ photoId, before: row ? toState(row) : null })
  }
  return { action, tagId, createdTag, entries }
}

/** Rejects the tag where the photo has it (suggested or accepted); the row stays, so the model does not suggest it again. */
export function rejectTags(
  db: Db,
  photoIds: readonly number[],
  tagId: number,
  now: () => Date = systemClock,
): TagChange {
  return db.transaction(() => {
    requireTag(db, tagId)
    const s = stmts(db)
    const at = now().toISOString()
    const entries: TagChangeEntry[] = []
    for (const photoId of unique(photoIds)) {
      const row = s.state.get(photoId, tagId)
      if (!row || row.status === 'rejected') continue
      s.setStatus.run('rejected', at, photoId, tagId)
      entries.push({ photoId, before: toState(row) })
    }
    return { action: 'reject' as const, tagId, createdTag: false, entries }
  })()
}

/** Adds a tag by name (created when new) to every photo of the selection, as accepted. */
export function addTag(db: Db, photoIds: readonly number[], name: string, now: () => Date = systemClock): TagChange {
  return db.transaction(() => {
    const ids = unique(photoIds)
    requirePhotos(stmts(db), ids)
    const { tag, created } = ensureTag(db, name, now)
    return accept(db, ids, tag.id, 'add', created, now().toISOString())
  })()
}

/** Takes the tag off every photo of the selection, whatever its status. */
export function removeTags(db: Db, photoIds: readonly number[], tagId: number): TagChange {
  return db.transaction(() => {
    const s = stmts(db)
    const entries: TagChangeEntry[] = []
    for (const photoId of unique(photoIds)) {
      const row = s.state.get(photoId, tagId)
      if (!row) continue
      s.remove.run(photoId, tagId)
      entries.push({ photoId, before: toState(row) })
    }
    return { action: 'remove' as const, tagId, createdTag: false, entries }
  })()
}

/**
 * Puts every row a change touched back as it was (photos deleted since are skipped), and deletes a
 * tag the change created if nothing uses it any more. Meant for the last change; undoing an older
 * one overwrites what came after it on the same rows. False when the tag is gone (deleted or merged
 * since): nothing is done.
 */
export function undoTagChange(db: Db, change: TagChange): boolean {
  return db.transaction(() => {
    const s = stmts(db)
    if (!getTag(db, change.tagId)) return false
    for (const { photoId, before } of change.entries) {
      if (before === null) s.remove.run(photoId, change.tagId)
      else if (s.photoExists.get(photoId)) s.restore.run({ photoId, tagId: change.tagId, ...before })
    }
    if (change.createdTag) {
      stmt(
        db,
        `DELETE FROM tags WHERE id = ? AND NOT EXISTS (SELECT 1 FROM photo_tags WHERE tag_id = tags.id)
           AND NOT EXISTS (SELECT 1 FROM tag_aliases WHERE tag_id = tags.id)`,
      ).run(change.tagId)
    }
    return true
  })()
}

// ---------------------------------------------------------------------------------------------
// Tags themselves.

/**
 * Renames a tag. The old name stays an alias of the tag, so model labels of that name keep landing
 * on it. Only a change of case is allowed onto a name another tag holds: merge instead.
 */
export function renameTag(db: Db, tagId: number, name: string): Tag {
  const normalized = normalizeTagName(name)
  return db.transaction(() => {
    const tag = requireTag(db, tagId)
    const holder = stmt(db, 'SELECT id, name FROM tags WHERE name = ?').get(normalized) as Tag | undefined
    if (holder && holder.id !== tagId) {
      throw new TagError(`A tag named "${holder.name}" exists already: merge the two tags instead.`)
    }
    stmt(db, 'DELETE FROM tag_aliases WHERE name = ?').run(normalized)
    if (tag.name.toLowerCase() !== normalized.toLowerCase()) {
      stmt(db, 'INSERT OR REPLACE INTO tag_aliases (name, tag_id) VALUES (?, ?)').run(tag.name, tagId)
    }
    stmt(db, 'UPDATE tags SET name = ? WHERE id = ?').run(normalized, tagId)
    return { id: tagId, name: normalized }
  })()
}

export interface MergeReport {
  /** Rows moved onto the target tag. */
  moved: number
  /** Photos that had both tags: one row kept, the stronger decision (accepted > rejected > suggested). */
  combined: number
}

const STATUS_WEIGHT = `CASE status WHEN 'accepted' THEN 3 WHEN 'rejected' THEN 2 ELSE 1 END`

/**
 * Merges tags into `targetId`: their photos get the target tag (one row per photo, never a
 * duplicate; where a photo had both, the stronger decision wins, then the higher score), their names
 * become aliases of the target, and the source tags are deleted.
 */
export function mergeTags(
  db: Db,
  sourceIds: readonly number[],
  targetId: number,
  now: () => Date = systemClock,
): MergeReport {
  return db.transaction(() => {
    requireTag(db, targetId)
    const at = now().toISOString()
    let moved = 0
    let combined = 0
    for (const sourceId of unique(sourceIds)) {
      if (sourceId === targetId) continue
      const source = requireTag(db, sourceId)
      combined += stmt(
        db,
        `SELECT count(*) AS n FROM photo_tags s JOIN photo_tags t ON t.photo_id = s.photo_id AND t.tag_id = ?
           WHERE s.tag_id = ?`,
      )
        .pluck()
        .get(targetId, sourceId) as number
      stmt(
        db,
        `UPDATE photo_tags AS t
         SET source = s.source, status = s.status, score = s.score, model_id = s.model_id,
             created_at = s.created_at, updated_at = @at
         FROM (SELECT photo_id, ${STATE_COLUMNS}, ${STATUS_WEIGHT} AS weight FROM photo_tags WHERE tag_id = @source) AS s
         WHERE t.tag_id = @target AND t.photo_id = s.photo_id
           AND (s.weight > (${STATUS_WEIGHT.replace('status', 't.status')})
             OR (s.weight = (${STATUS_WEIGHT.replace('status', 't.status')})
                 AND coalesce(s.score, -1) > coalesce(t.score, -1)))`,
      ).run({ at, source: sourceId, target: targetId })
      moved += stmt(
        db,
        `INSERT INTO photo_tags (photo_id, tag_id, ${STATE_COLUMNS})
           SELECT photo_id, @target, source, status, score, model_id, created_at, @at
           FROM photo_tags WHERE tag_id = @source AND true
           ON CONFLICT (photo_id, tag_id) DO NOTHING`,
      ).run({ at, source: sourceId, target: targetId }).changes
      stmt(db, 'UPDATE tag_aliases SET tag_id = ? WHERE tag_id = ?').run(targetId, sourceId)
      stmt(db, 'DELETE FROM tags WHERE id = ?').run(sourceId)
      stmt(db, 'INSERT OR REPLACE INTO tag_aliases (name, tag_id) VALUES (?, ?)').run(source.name, targetId)
    }
    return { moved, combined }
  })()
}

/** Deletes a tag, its photo rows and its aliases. */
export function deleteTag(db: Db, tagId: number): void {
  stmt(db, 'DELETE FROM tags WHERE id = ?').run(tagId)
}

// ---------------------------------------------------------------------------------------------
// Reading.

export interface TagCount extends Tag {
  accepted: number
  suggested: number
  rejected: number
  /** Photos showing the tag: accepted or suggested. */
  photos: number
}

const COUNT_COLUMNS = `t.id, t.name,
  count(pt.photo_id) FILTER (WHERE pt.status = 'accepted') AS accepted,
  count(pt.photo_id) FILTER (WHERE pt.status = 'suggested') AS suggested,
  count(pt.photo_id) FILTER (WHERE pt.status = 'rejected') AS rejected,
  count(pt.photo_id) FILTER (WHERE pt.status <> 'rejected') AS photos`

/** Every tag with its photo counts, by name. */
export function tagCounts(db: Db): TagCount[] {
  return stmt(
    db,
    `SELECT ${COUNT_COLUMNS} FROM tags t LEFT JOIN photo_tags pt ON pt.tag_id = t.id GROUP BY t.id ORDER BY t.name`,
  ).all() as TagCount[]
}

/**
 * The FTS5 query for search-as-you-type: every word of the input as a prefix ("gold ret" finds
 * "golden retriever"); undefined when the input has no word characters.
 */
export function tagMatchQuery(input: string): string | undefined {
  const words = input.normalize('NFC').match(/[\p{L}\p{N}]+/gu)
  if (!words) return undefined
  return words.map((word) => `"${word}"*`).join(' ')
}

/**
 * Tags whose name (or a word in it) starts with each word typed, for search-as-you-type: names that
 * start with the input first, then by photo count, then by name.
 */
export function searchTags(db: Db, input: string, limit = 20): TagCount[] {
  const match = tagMatchQuery(input)
  if (match === undefined) return []
  const prefix = input.normalize('NFC').trim().replace(/\s+/g, ' ')
  return stmt(
    db,
    `SELECT ${COUNT_COLUMNS} FROM tags t LEFT JOIN photo_tags pt ON pt.tag_id = t.id
       WHERE t.id IN (SELECT rowid FROM tags_fts WHERE tags_fts MATCH @match)
       GROUP BY t.id
       ORDER BY substr(t.name, 1, length(@prefix)) = @prefix COLLATE NOCASE DESC, photos DESC, t.name
       LIMIT @limit`,
  ).all({ match, prefix, limit }) as TagCount[]
}

interface PhotoTagRow extends StateRow {
  photo_id: number
  tag_id: number
  name: string
}

function toPhotoTag(row: PhotoTagRow): PhotoTag {
  return { photoId: row.photo_id, tagId: row.tag_id, name: row.name, ...toState(row) }
}

/** The tags of one photo, rejected ones included (the UI shows them struck out), by name. */
export function photoTags(db: Db, photoId: number): PhotoTag[] {
  return (
    stmt(
      db,
      `SELECT pt.photo_id, pt.tag_id, t.name, pt.source, pt.status, pt.score, pt.model_id, pt.created_at, pt.updated_at
         FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.photo_id = ? ORDER BY t.name`,
    ).all(photoId) as PhotoTagRow[]
  ).map(toPhotoTag)
}
