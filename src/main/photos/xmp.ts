import { randomBytes } from 'node:crypto'
import { open, readFile, realpath, rename, rm, stat, writeFile as fsWriteFile } from 'node:fs/promises'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { keywordPath as shippedKeywordPath } from '../knowledge/hierarchies'
import {
  DEFAULT_HIERARCHY_ROOT,
  XmpFormatError,
  mergeXmpKeywords,
  readXmpKeywords,
  type KeywordPathOf,
} from './xmp-packet'

export { DEFAULT_HIERARCHY_ROOT, XmpFormatError, normalizeKeywords, type KeywordPathOf } from './xmp-packet'

/**
 * XMP sidecars for accepted tags, readable by digiKam, darktable and Lightroom.
 *
 * - Name: `<file>.<ext>.xmp` beside the photo (`IMG_1.jpg.xmp`, darktable's and digiKam's
 *   convention). Reading also looks at Lightroom's `<file>.xmp` (`IMG_1.xmp`).
 * - Keywords go to `dc:subject` (flat, what every tool reads) and `lr:hierarchicalSubject`: as
 *   their path in the shipped label hierarchies where they have one (`animal|dog|Norfolk terrier`,
 *   `knowledge/hierarchies.ts`), else as `ResNet Lens|<keyword>` (the root is an option). That branch,
 *   and the app's list of the paths it wrote (`resnetLens:hierarchicalSubject`), are how the app knows,
 *   later, which keywords it wrote: writing replaces the app's keywords with the given set and keeps
 *   every keyword the person or another tool put there (see `mergeXmpKeywords`).
 * - An existing sidecar is merged, never replaced: other properties (rating, labels, darktable's
 *   history, unknown namespaces) are written back as they were. A sidecar that is not XMP is
 *   refused (XmpFormatError), not overwritten.
 * - The new content goes to a temporary file in the same folder, is flushed to disk, then renamed
 *   over the old one: a failure at any point (disk full, permissions) leaves the old sidecar as it
 *   was. Writes to the same sidecar from this process are queued one after another.
 * - Originals are never opened for writing.
 */

export interface SidecarWriteOptions {
  /** Top of the app's keyword branch in `lr:hierarchicalSubject`, for keywords without a path; default `ResNet Lens`. */
  hierarchyRoot?: string
  /** A keyword's path in the label hierarchy; default the shipped hierarchies' (`keywordPath`). */
  keywordPath?: KeywordPathOf
  /** Where to put the temporary file before the rename; default a hidden file beside the sidecar. */
  tempPathFor?: (sidecarPath: string) => string
  /** Writes the temporary file (injectable to test failures such as a full disk). */
  writeFile?: (path: string, data: string) => Promise<void>
}

export interface SidecarWriteResult {
  /** The sidecar that holds the keywords. */
  path: string
  /** False when nothing had to change (no file was touched). */
  written: boolean
  /** `dc:subject` as written, the person's keywords included. */
  subject: string[]
  /** `lr:hierarchicalSubject` as written. */
  hierarchicalSubject: string[]
}

export interface SidecarKeywords {
  /** The sidecars read, darktable/digiKam's `<file>.<ext>.xmp` first, then Lightroom's `<file>.xmp`. */
  paths: string[]
  /** `dc:subject` of those sidecars, in order, without repeats. */
  subject: string[]
  /** `lr:hierarchicalSubject` of those sidecars, in order, without repeats. */
  hierarchicalSubject: string[]
  /** Every keyword named: `dc:subject`, then hierarchy leaves not already there. */
  keywords: string[]
  /** The keywords the app wrote: under its branch (`ResNet Lens|…`) or as a hierarchy path it lists as its own. */
  appKeywords: string[]
}

/** The sidecar the app writes for a photo: the existing `<file>.<ext>.xmp` (or `.XMP`), else `<file>.<ext>.xmp`. */
export async function sidecarPathFor(photoPath: string): Promise<string> {
  const upper = `${photoPath}.XMP`
  if (!(await isFile(`${photoPath}.xmp`)) && (await isFile(upper))) return upper
  return `${photoPath}.xmp`
}

/** Sidecar names to look for, in order: darktable/digiKam `IMG_1.jpg.xmp`, then Lightroom `IMG_1.xmp`. */
export function sidecarCandidates(photoPath: string): string[] {
  const extension = extname(photoPath)
  const stem = extension === '' ? undefined : join(dirname(photoPath), basename(photoPath, extension))
  const names = [`${photoPath}.xmp`, `${photoPath}.XMP`]
  if (stem !== undefined) names.push(`${stem}.xmp`, `${stem}.XMP`)
  return names
}

/**
 * Reads the keywords of a photo's sidecars (any tool's). Returns null when the photo has none.
 * Throws (with the sidecar's path) when one exists but is not readable XMP.
 */
export async function readSidecarKeywords(
  photoPath: string,
  options: { hierarchyRoot?: string } = {},
): Promise<SidecarKeywords | null> {
  const found: { path: string; identity: string }[] = []
  for (const candidate of sidecarCandidates(photoPath)) {
    const info = await stat(candidate).catch(() => undefined)
    if (info === undefined || !info.isFile()) continue
    const identity = `${info.dev}:${info.ino}` // one file on a case-insensitive disk answers to two names
    if (!found.some((f) => f.identity === identity)) found.push({ path: candidate, identity })
  }
  if (found.length === 0) return null
  const merged: SidecarKeywords = { paths: [], subject: [], hierarchicalSubject: [], keywords: [], appKeywords: [] }
  for (const { path } of found) {
    let keywords
    try {
      const text = await readFile(path, 'utf8')
      if (text.trim() === '') continue // an empty file (a tool that crashed while writing): nothing to read
      keywords = readXmpKeywords(text, options.hierarchyRoot ?? DEFAULT_HIERARCHY_ROOT)
    } catch (error) {
      throw describeSidecarError(path, error)
    }
    merged.paths.push(path)
    for (const field of ['subject', 'hierarchicalSubject', 'keywords', 'appKeywords'] as const) {
      for (const item of keywords[field]) if (!merged[field].includes(item)) merged[field].push(item)
    }
  }
  return merged.paths.length === 0 ? null : merged
}

const queues = new Map<string, Promise<unknown>>()

/**
 * Sets the app's keywords (the photo's accepted tags, the whole set) in the photo's sidecar,
 * creating it when needed and merging into it when it exists. With no keywords and no sidecar,
 * nothing is created.
 */
export async function writeSidecarKeywords(
  photoPath: string,
  keywords: readonly string[],
  options: SidecarWriteOptions = {},
): Promise<SidecarWriteResult> {
  // Queued by photo, synchronously, so that writes land in call order.
  const key = resolve(photoPath)
  const previous = queues.get(key) ?? Promise.resolve()
  const job = previous
    .catch(() => undefined)
    .then(async () => {
      if (!(await isFile(photoPath)))
        throw new Error(`XMP sidecar: the photo ${photoPath} is not a file (moved or deleted?)`)
      const path = await sidecarPathFor(photoPath)
      const target = await realpath(path).catch(() => path) // a symlinked sidecar is replaced where it lives
      return writeNow(target, path, keywords, options)
    })
  queues.set(key, job)
  try {
    return await job
  } finally {
    if (queues.get(key) === job) queues.delete(key)
  }
}

async function writeNow(
  target: string,
  path: string,
  keywords: readonly string[],
  options: SidecarWriteOptions,
): Promise<SidecarWriteResult> {
  const text = await readFile(target, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw describeSidecarError(path, error)
  })
  // An empty file (left by a tool that crashed while writing) holds nothing to keep.
  const existing = text === null || text.trim() === '' ? null : text
  let merged
  try {
    merged = mergeXmpKeywords(
      existing,
      keywords,
      options.hierarchyRoot ?? DEFAULT_HIERARCHY_ROOT,
      options.keywordPath ?? ((keyword) => shippedKeywordPath(keyword)),
    )
  } catch (error) {
    throw describeSidecarError(path, error)
  }
  const result = { path, subject: merged.subject, hierarchicalSubject: merged.hierarchicalSubject }
  if (!merged.changed) return { ...result, written: false }
  const mode = text === null ? undefined : (await stat(target)).mode & 0o7777
  await replaceFile(target, merged.xml, mode, options).catch((error: unknown) => {
    throw describeSidecarError(path, error)
  })
  return { ...result, written: true }
}

/** Writes `data` to a temporary file, flushes it, and renames it over `target`; removes the temporary file on failure. */
async function replaceFile(
  target: string,
  data: string,
  mode: number | undefined,
  options: SidecarWriteOptions,
): Promise<void> {
  const temp =
    options.tempPathFor?.(target) ??
    join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await (options.writeFile ?? ((p, d) => fsWriteFile(p, d, { flag: 'wx' })))(temp, data)
    const handle = await open(temp, 'r+')
    try {
      if (mode !== undefined) await handle.chmod(mode)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, target)
  } catch (error) {
    // EEXIST: the temporary name was someone else's file, which is not ours to remove.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(temp, { force: true }).catch(() => undefined)
    throw error
  }
  await syncFolder(dirname(target))
}

/** Makes the rename itself durable where the platform allows it (not on Windows). */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return
  const handle = await open(folder, 'r').catch(() => undefined)
  if (handle === undefined) return
  await handle
    .sync()
    .catch(() => undefined)
    .finally(() => handle.close())
}

function describeSidecarError(path: string, error: unknown): Error {
  if (error instanceof RangeError) return error // a keyword the app cannot write: the caller's to fix
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  let reason = message
  if (error instanceof XmpFormatError) reason = `not a readable XMP sidecar: ${message}`
  else if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') reason = `permission denied (${message})`
  else if (code === 'ENOSPC') reason = `disk full (${message})`
  return new Error(`XMP sidecar ${path}: ${reason}`, { cause: error })
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  )
}
