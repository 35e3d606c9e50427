import { createHash } from 'node:crypto'
import { existsSync, type Dirent, type Stats } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import sharp, { type Metadata } from 'sharp'
import { sha256File } from '../fs/hash'
import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import { mapWithConcurrency } from '../util/map-with-concurrency'
import { IMAGE_EXTENSIONS } from '../../shared/image-files'
import { describeFileError } from '../fs/file-errors'
import { readJpegHeader } from '../photos/jpeg-header'
import { exifOrientation, exifTakenAt } from './exif-date'
import {
  addPhoto,
  findPhotoByPath,
  findPhotosBySha256,
  PHOTO_COLUMNS,
  setPhotoStatus,
  toPhotos,
  updatePhotoFile,
} from './photos'
import type { Photo, PhotoFile } from './types'
import { systemClock } from '../util/clock'

export { sha256File }

export interface IngestDeps {
  db: Db
  now?: () => Date
  signal?: AbortSignal
  onProgress?: (progress: IngestProgress) => void
  /** After each chunk of files is written: the photos it added or met (each photo once per call). */
  onChunk?: (photoIds: number[]) => void
  /** Files hashed and read at the same time (default 4). */
  concurrency?: number
}

export interface IngestProgress {
  /** Files found so far (final once the scan is over). */
  found: number
  /** Files handled. */
  done: number
}

export interface SkippedFile {
  path: string
  /** For a person: "not an image file (.csv)", "permission denied", "cannot read folder: ...". */
  reason: string
}

export interface IngestReport {
  /** New photos. */
  added: number
  /** Known photos found again at another path (same content, old path gone): path updated, tags kept. */
  moved: number
  /** Known paths whose content changed: photo kept with its person's tags, model results dropped. */
  updated: number
  /** Photos marked missing that are back. */
  restored: number
  /** Known photos, as they were. */
  unchanged: number
  /** Photos of a scanned folder whose files are gone: marked missing (kept with their tags). */
  missing: number
  skipped: SkippedFile[]
  /** The photo of every file taken, in scan order (each once). */
  photoIds: number[]
  /** The signal aborted the scan; what was done before is kept. */
  cancelled: boolean
}

/** A file handled in one write transaction with its neighbours. */
const CHUNK = 128

/**
 * Adds files and folders (recursively, common image types) to the library. Each file is hashed
 * (sha256, streamed) and its size, EXIF date read with sharp. Idempotent: a known file whose size and
 * mtime have not changed is not read again. A file at a new path whose content matches a photo whose
 * old path is gone is that photo, moved or renamed: its path is updated and its tags stay. Photos
 * under a scanned folder whose files have gone are marked missing. Unreadable and non-image files
 * are listed in `skipped` with the reason.
 */
export async function addPaths(paths: readonly string[], deps: IngestDeps): Promise<IngestReport> {
  const { db, now = systemClock, signal, onProgress, onChunk, concurrency = 4 } = deps
  const report: IngestReport = {
    added: 0,
    moved: 0,
    updated: 0,
    restored: 0,
    unchanged: 0,
    missing: 0,
    skipped: [],
    photoIds: [],
    cancelled: false,
  }
  const files: string[] = []
  const folders: string[] = []
  for (const arg of paths) {
    const path = resolve(arg)
    let stats: Stats
    try {
      stats = await stat(path)
    } catch (error) {
      report.skipped.push({ path, reason: describeFileError(error) })
      continue
    }
    if (stats.isDirectory()) {
      if (await walk(path, files, report.skipped)) folders.push(path)
    } else files.push(path)
  }
  const unique = [...new Set(files)]
  const seen = new Set<number>()
  for (let start = 0; start < unique.length; start += CHUNK) {
    if (signal?.aborted) {
      report.cancelled = true
      return report
    }
    const chunk = unique.slice(start, start + CHUNK)
    const inspected = await mapWithConcurrency(chunk, concurrency, (path) => inspect(db, path))
    const stored: number[] = []
    db.transaction(() => {
      for (const item of inspected) {
        const id = store(db, item, report, now)
        if (id !== undefined && !seen.has(id)) {
          seen.add(id)
          stored.push(id)
        }
      }
    })()
    report.photoIds.push(...stored)
    onChunk?.(stored)
    onProgress?.({ found: unique.length, done: Math.min(unique.length, start + CHUNK) })
  }
  // Photos under a folder scanned whole that the scan did not meet, and whose file is gone.
  db.transaction(() => {
    for (const folder of folders) {
      for (const photo of photosUnder(db, folder)) {
        if (seen.has(photo.id) || photo.status === 'missing' || existsSync(photo.path)) continue
        setPhotoStatus(db, photo.id, 'missing', now)
        report.missing++
      }
    }
  })()
  return report
}

export interface RefreshReport {
  checked: number
  /** Files gone: photos marked missing (kept with their tags). */
  missing: number
  /** Missing photos whose file is back. */
  restored: number
  /** Files whose content changed: re-read, model results dropped. */
  updated: number
  unchanged: number
  /** Files that exist but could not be checked (e.g. permission denied); left as they were. */
  skipped: SkippedFile[]
  cancelled: boolean
}

/**
 * Rescans every photo of the library: a file that is gone marks its photo missing (never dropped
 * with its tags), a missing one that is back is present again, changed content is re-read. Files
 * whose size and mtime are unchanged are not read.
 */
export async function refreshLibrary(deps: IngestDeps): Promise<RefreshReport> {
  const { db, now = systemClock, signal, onProgress, concurrency = 4 } = deps
  const report: RefreshReport = {
    checked: 0,
    missing: 0,
    restored: 0,
    updated: 0,
    unchanged: 0,
    skipped: [],
    cancelled: false,
  }
  const total = stmt(db, 'SELECT count(*) FROM photos').pluck().get() as number
  const page = stmt(db, `SELECT ${PHOTO_COLUMNS} FROM photos WHERE id > ? ORDER BY id LIMIT ${CHUNK}`)
  for (let after = 0; ;) {
    if (signal?.aborted) {
      report.cancelled = true
      break
    }
    const photos = toPhotos(page.all(after))
    const last = photos.at(-1)
    if (!last) break
    after = last.id
    const checked = await mapWithConcurrency(photos, concurrency, check)
    db.transaction(() => {
      for (const [photo, state] of checked.map((c, i) => [photos[i]!, c] as const)) {
        report.checked++
        if (state.kind === 'gone') {
          if (photo.status === 'present') {
            setPhotoStatus(db, photo.id, 'missing', now)
            report.missing++
          } else report.unchanged++
        } else if (state.kind === 'error') {
          report.skipped.push({ path: photo.path, reason: state.reason })
        } else if (state.kind === 'same') {
          if (photo.status === 'missing') {
            setPhotoStatus(db, photo.id, 'present', now)
            report.restored++
          } else report.unchanged++
        } else {
          updatePhotoFile(db, photo.id, state.file, now)
          if (photo.status === 'missing') report.restored++
          else if (photo.sha256 !== state.file.sha256) report.updated++
          else report.unchanged++
        }
      }
    })()
    onProgress?.({ found: total, done: report.checked })
  }
  return report
}

// ---------------------------------------------------------------------------------------------

/** Walks a folder in sorted order; false when some part of it could not be read. */
async function walk(folder: string, into: string[], skipped: SkippedFile[]): Promise<boolean> {
  let entries: Dirent[]
  try {
    entries = await readdir(folder, { withFileTypes: true })
  } catch (error) {
    skipped.push({ path: folder, reason: `cannot read folder: ${describeFileError(error)}` })
    return false
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  let whole = true
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue
    const path = join(folder, entry.name)
    // Symbolic links to folders are not followed, so a link cycle cannot loop forever.
    if (entry.isDirectory()) whole = (await walk(path, into, skipped)) && whole
    else if (!entry.isFile() && !entry.isSymbolicLink()) continue
    else if (IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) into.push(path)
    else skipped.push({ path, reason: `not an image file (${extname(entry.name) || 'no extension'})` })
  }
  return whole
}

type Inspected =
  | { path: string; kind: 'known'; photo: Photo }
  | { path: string; kind: 'read'; file: PhotoFile }
  | { path: string; kind: 'skipped'; reason: string }

/** What a path is now: a known photo unchanged (size and mtime), or the file read anew. */
async function inspect(db: Db, path: string): Promise<Inspected> {
  let stats: Stats
  try {
    stats = await stat(path)
    if (stats.isDirectory()) return { path, kind: 'skipped', reason: 'is a folder' }
  } catch (error) {
    return { path, kind: 'skipped', reason: describeFileError(error) }
  }
  const known = findPhotoByPath(db, path)
  if (known && sameFile(known, stats)) return { path, kind: 'known', photo: known }
  try {
    return { path, kind: 'read', file: await readPhotoFile(path, stats) }
  } catch (error) {
    return { path, kind: 'skipped', reason: describeFileError(error) }
  }
}

function sameFile(photo: Photo, stats: Stats): boolean {
  return photo.size === stats.size && photo.mtimeMs === Math.trunc(stats.mtimeMs)
}

/** Hashes a file and reads its upright size and EXIF date; throws for what sharp cannot read. */
export async function readPhotoFile(path: string, stats?: Stats): Promise<PhotoFile> {
  const s = stats ?? (await stat(path))
  const [header, sha256] = s.size <= READ_WHOLE_BYTES ? await readSmallFile(path) : await readLargeFile(path)
  const { width, height } = header
  if (!(width > 0 && height > 0)) throw new Error(`could not read the image size of ${path}`)
  return {
    path,
    size: s.size,
    mtimeMs: Math.trunc(s.mtimeMs),
    sha256,
    width,
    height,
    takenAt: exifTakenAt(header.exif),
  }
}

/** Files up to this size are read once, for both the hash and the header; larger ones are streamed. */
const READ_WHOLE_BYTES = 8 * 1024 * 1024

/** The upright size and the EXIF block. */
interface Header {
  width: number
  height: number
  exif: Uint8Array | undefined
}

async function readSmallFile(path: string): Promise<[Header, string]> {
  const bytes = await readFile(path)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  // Most photos are JPEGs: their markers give the size without libvips; the rest ask sharp.
  const jpeg = readJpegHeader(bytes)
  if (jpeg) {
    const turned = exifOrientation(jpeg.exif) >= 5
    return [
      { width: turned ? jpeg.height : jpeg.width, height: turned ? jpeg.width : jpeg.height, exif: jpeg.exif },
      sha256,
    ]
  }
  return [fromSharp(await sharp(bytes).metadata()), sha256]
}

async function readLargeFile(path: string): Promise<[Header, string]> {
  const [meta, sha256] = await Promise.all([sharp(path).metadata(), sha256File(path)])
  return [fromSharp(meta), sha256]
}

function fromSharp(meta: Metadata): Header {
  return { width: meta.autoOrient.width, height: meta.autoOrient.height, exif: meta.exif }
}

/** Writes one inspected file; returns its photo id (undefined when skipped). */
function store(db: Db, item: Inspected, report: IngestReport, now: () => Date): number | undefined {
  if (item.kind === 'skipped') {
    report.skipped.push({ path: item.path, reason: item.reason })
    return undefined
  }
  if (item.kind === 'known') {
    if (item.photo.status === 'missing') {
      setPhotoStatus(db, item.photo.id, 'present', now)
      report.restored++
    } else report.unchanged++
    return item.photo.id
  }
  const { file } = item
  // Read again inside the transaction: an earlier file of this batch may have claimed the row.
  const known = findPhotoByPath(db, file.path)
  if (known) {
    updatePhotoFile(db, known.id, file, now)
    if (known.status === 'missing') report.restored++
    else if (known.sha256 !== file.sha256) report.updated++
    else report.unchanged++
    return known.id
  }
  const moved = findPhotosBySha256(db, file.sha256).find((p) => p.status === 'missing' || !existsSync(p.path))
  if (moved) {
    updatePhotoFile(db, moved.id, file, now)
    report.moved++
    return moved.id
  }
  report.added++
  return addPhoto(db, file, now).id
}

function photosUnder(db: Db, folder: string): Photo[] {
  const prefix = folder.endsWith(sep) ? folder : folder + sep
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
  return toPhotos(
    stmt(db, `SELECT ${PHOTO_COLUMNS} FROM photos WHERE path >= ? AND path < ? ORDER BY id`).all(prefix, end),
  )
}

type Checked =
  { kind: 'gone' } | { kind: 'same' } | { kind: 'read'; file: PhotoFile } | { kind: 'error'; reason: string }

async function check(photo: Photo): Promise<Checked> {
  let stats: Stats
  try {
    stats = await stat(photo.path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' }
    return { kind: 'error', reason: describeFileError(error) }
  }
  if (stats.isDirectory()) return { kind: 'gone' }
  if (sameFile(photo, stats)) return { kind: 'same' }
  try {
    return { kind: 'read', file: await readPhotoFile(photo.path, stats) }
  } catch (error) {
    return { kind: 'error', reason: describeFileError(error) }
  }
}
