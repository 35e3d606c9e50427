import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import type { Photo, PhotoFile, PhotoStatus } from './types'
import { systemClock } from '../util/clock'

interface PhotoRow {
  id: number
  path: string
  size: number
  mtime_ms: number
  sha256: string
  width: number
  height: number
  taken_at: string | null
  status: PhotoStatus
  added_at: string
  seen_at: string
}

export const PHOTO_COLUMNS = 'id, path, size, mtime_ms, sha256, width, height, taken_at, status, added_at, seen_at'

export function toPhoto(row: PhotoRow): Photo {
  return {
    id: row.id,
    path: row.path,
    size: row.size,
    mtimeMs: row.mtime_ms,
    sha256: row.sha256,
    width: row.width,
    height: row.height,
    takenAt: row.taken_at,
    status: row.status,
    addedAt: row.added_at,
    seenAt: row.seen_at,
  }
}

export function toPhotos(rows: unknown[]): Photo[] {
  return (rows as PhotoRow[]).map(toPhoto)
}

/** Adds a photo; its path must be new. Returns it with its id. */
export function addPhoto(db: Db, file: PhotoFile, now: () => Date = systemClock): Photo {
  const at = now().toISOString()
  const row = stmt(
    db,
    `INSERT INTO photos (path, size, mtime_ms, sha256, width, height, taken_at, status, added_at, seen_at)
       VALUES (@path, @size, @mtimeMs, @sha256, @width, @height, @takenAt, 'present', @at, @at)
       RETURNING ${PHOTO_COLUMNS}`,
  ).get({ ...file, mtimeMs: Math.trunc(file.mtimeMs), at }) as PhotoRow
  return toPhoto(row)
}

export function getPhoto(db: Db, id: number): Photo | undefined {
  const row = stmt(db, `SELECT ${PHOTO_COLUMNS} FROM photos WHERE id = ?`).get(id) as PhotoRow | undefined
  return row && toPhoto(row)
}

export function findPhotoByPath(db: Db, path: string): Photo | undefined {
  const row = stmt(db, `SELECT ${PHOTO_COLUMNS} FROM photos WHERE path = ?`).get(path) as PhotoRow | undefined
  return row && toPhoto(row)
}

/** Every photo with this content, lowest id first (copies of one file are separate photos). */
export function findPhotosBySha256(db: Db, sha256: string): Photo[] {
  return toPhotos(stmt(db, `SELECT ${PHOTO_COLUMNS} FROM photos WHERE sha256 = ? ORDER BY id`).all(sha256))
}

/**
 * Points a photo at its file as found now: a new path (moved or renamed), a new size/mtime, or new
 * content. New content (another sha256) makes its model results stale: its predictions and the
 * model's pending suggestions go (a person's decisions stay). Marks the photo present.
 */
export function updatePhotoFile(db: Db, id: number, file: PhotoFile, now: () => Date = systemClock): Photo {
  return db.transaction(() => {
    const before = getPhoto(db, id)
    if (!before) throw new Error(`No photo with id ${id}.`)
    if (before.sha256 !== file.sha256) {
      stmt(db, 'DELETE FROM classifications WHERE photo_id = ?').run(id)
      stmt(db, "DELETE FROM photo_tags WHERE photo_id = ? AND status = 'suggested'").run(id)
    }
    const row = stmt(
      db,
      `UPDATE photos SET path = @path, size = @size, mtime_ms = @mtimeMs, sha256 = @sha256, width = @width,
           height = @height, taken_at = @takenAt, status = 'present', seen_at = @at
         WHERE id = @id RETURNING ${PHOTO_COLUMNS}`,
    ).get({ ...file, mtimeMs: Math.trunc(file.mtimeMs), id, at: now().toISOString() }) as PhotoRow
    return toPhoto(row)
  })()
}

export function setPhotoStatus(db: Db, id: number, status: PhotoStatus, now: () => Date = systemClock): void {
  stmt(db, 'UPDATE photos SET status = ?, seen_at = ? WHERE id = ?').run(status, now().toISOString(), id)
}

/** Forgets photos (their predictions and tags go with them); the files are not touched. */
export function removePhotos(db: Db, ids: readonly number[]): number {
  const remove = stmt(db, 'DELETE FROM photos WHERE id = ?')
  return db.transaction(() => ids.reduce((n, id) => n + remove.run(id).changes, 0))()
}

export function photoCount(db: Db, status?: PhotoStatus): number {
  return (
    status === undefined
      ? stmt(db, 'SELECT count(*) FROM photos').pluck().get()
      : stmt(db, 'SELECT count(*) FROM photos WHERE status = ?').pluck().get(status)
  ) as number
}
