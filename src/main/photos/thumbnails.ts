import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import sharp from 'sharp'
import { tempPathBeside } from '../fs/durable'
import { describeFileError } from '../fs/file-errors'
import { MAX_DECODE_PIXELS } from './decode'

/**
 * Thumbnails for the library grid, cached on disk.
 *
 * - Cached by content: `<cacheDir>/<first two hex digits>/<sha256>-<size>.jpg`, so the same photo
 *   under another path (a copy, a move) reuses its thumbnail, and a cached one is returned without
 *   opening the photo. The caller vouches for `sha256` (the library's hash of the file's bytes):
 *   an edited file needs its new hash.
 * - sharp's pipeline: EXIF orientation applied, fit inside size × size keeping the aspect (never
 *   enlarged), JPEG quality 80 in sRGB without metadata (so no viewer rotates it twice). For JPEG
 *   input libvips decodes at 1/2, 1/4 or 1/8 scale straight from the DCT (shrink-on-load), so a
 *   12-megapixel photo is never decoded at full size; transparency is flattened onto white.
 * - Written to a temporary file in the cache folder and renamed into place: a reader never sees
 *   half a thumbnail. Concurrent requests for the same thumbnail share one job.
 */

export const DEFAULT_THUMBNAIL_SIZE = 256
export const MAX_THUMBNAIL_SIZE = 4096
export const THUMBNAIL_QUALITY = 80

export interface ThumbnailDeps {
  /** Folder of the cache (the app's `userData/thumbs`); created when missing. */
  cacheDir: string
}

export interface ThumbnailPhoto {
  path: string
  /** SHA-256 of the file's bytes, 64 hex digits. */
  sha256: string
}

/** A photo the thumbnailer could not read; `message` says which and why, for a person. */
export class ThumbnailError extends Error {
  override name = 'ThumbnailError'
  constructor(
    readonly photoPath: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot make a thumbnail of ${photoPath}: ${reason}`, options)
  }
}

const inFlight = new Map<string, Promise<string>>()

/** Where the thumbnail of a photo with this hash, at this size, lives in the cache. */
export function thumbnailPath(cacheDir: string, sha256: string, size: number = DEFAULT_THUMBNAIL_SIZE): string {
  if (!/^[0-9a-f]{64}$/i.test(sha256)) throw new TypeError(`Not a SHA-256 hex digest: ${JSON.stringify(sha256)}`)
  if (!Number.isInteger(size) || size < 1 || size > MAX_THUMBNAIL_SIZE) {
    throw new RangeError(`Thumbnail size must be an integer from 1 to ${MAX_THUMBNAIL_SIZE}, not ${size}.`)
  }
  const hash = sha256.toLowerCase()
  return join(resolve(cacheDir), hash.slice(0, 2), `${hash}-${size}.jpg`)
}

/**
 * Returns the path of the photo's cached thumbnail (JPEG, at most `size` pixels on its long side),
 * making it first when it is not cached. Calls for the same hash and size while one is being made
 * get the very same promise. Rejects with ThumbnailError when the photo cannot be read.
 */
export function thumbnail(
  deps: ThumbnailDeps,
  photo: ThumbnailPhoto,
  size: number = DEFAULT_THUMBNAIL_SIZE,
): Promise<string> {
  let target: string
  try {
    target = thumbnailPath(deps.cacheDir, photo.sha256, size)
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)))
  }
  const pending = inFlight.get(target)
  if (pending !== undefined) return pending
  const job = ensureThumbnail(photo.path, target, size).finally(() => inFlight.delete(target))
  inFlight.set(target, job)
  return job
}

/** Encodes a thumbnail of `input` (a path or the file's bytes) and returns the JPEG bytes. */
export async function renderThumbnail(
  input: string | Uint8Array,
  size: number = DEFAULT_THUMBNAIL_SIZE,
): Promise<Buffer> {
  return sharp(input, { limitInputPixels: MAX_DECODE_PIXELS, failOn: 'error' })
    .rotate()
    .resize(size, size, { fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: THUMBNAIL_QUALITY })
    .toBuffer()
}

async function ensureThumbnail(photoPath: string, target: string, size: number): Promise<string> {
  const cached = await stat(target).catch(() => undefined)
  if (cached?.isFile() === true && cached.size > 0) return target
  const data = await renderThumbnail(photoPath, size).catch((error: unknown) => explainFailure(photoPath, error))
  await mkdir(dirname(target), { recursive: true })
  // A cache: no fsync needed, a torn file is rebuilt.
  const temp = tempPathBeside(target)
  try {
    await writeFile(temp, data, { flag: 'wx' })
    await rename(temp, target)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(temp, { force: true }).catch(() => undefined)
    throw error
  }
  return target
}

/**
 * libvips' error text is process-wide, so under concurrent work a failure can arrive as
 * "Unknown error"; a header that still parses then means the pixel data is what is broken.
 */
async function explainFailure(photoPath: string, error: unknown): Promise<never> {
  let reason = describeFileError(error)
  if (reason.startsWith('could not read the image')) {
    const format = await sharp(photoPath)
      .metadata()
      .then((m) => m.format)
      .catch(() => undefined)
    if (format !== undefined) reason = `damaged or truncated ${format.toUpperCase()} data`
  }
  throw new ThumbnailError(photoPath, reason, { cause: error })
}
