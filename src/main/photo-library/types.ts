/** Rows of the photo library, as its repositories return them. */

export type PhotoStatus = 'present' | 'missing'

/** What ingest learned about a file, before it has an id. */
export interface PhotoFile {
  path: string
  size: number
  mtimeMs: number
  sha256: string
  /** Upright size (EXIF orientation applied). */
  width: number
  height: number
  /** EXIF DateTimeOriginal (else CreateDate, else DateTime), `YYYY-MM-DDTHH:MM:SS` plus `±HH:MM` when the file says. */
  takenAt: string | null
}

export interface Photo extends PhotoFile {
  id: number
  status: PhotoStatus
  addedAt: string
  seenAt: string
}
