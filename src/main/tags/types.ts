/** Rows and values of the photo library (photos, predictions, tags), as the repositories return them. */

export type PhotoStatus = 'present' | 'missing'
export type TagSource = 'model' | 'person'
export type TagStatus = 'suggested' | 'accepted' | 'rejected'

export interface Photo {
  id: number
  path: string
  size: number
  mtimeMs: number
  sha256: string
  /** Upright size (EXIF orientation applied). */
  width: number
  height: number
  /** EXIF DateTimeOriginal (else CreateDate, else DateTime), `YYYY-MM-DDTHH:MM:SS` plus `±HH:MM` when the file says. */
  takenAt: string | null
  status: PhotoStatus
  addedAt: string
  seenAt: string
}

/** What ingest learned about a file, before it has an id. */
export interface PhotoFile {
  path: string
  size: number
  mtimeMs: number
  sha256: string
  width: number
  height: number
  takenAt: string | null
}

/** One class of a top-K, best first (index 0 is rank 1). Same shape as the engine's ClassScore. */
export interface ScoredClass {
  index: number
  label: string
  p: number
}

export interface Prediction {
  rank: number
  classIndex: number
  label: string
  probability: number
}

export interface Tag {
  id: number
  name: string
}

/** A tag on one photo. */
export interface PhotoTag {
  photoId: number
  tagId: number
  name: string
  source: TagSource
  status: TagStatus
  /** The model's probability for a model tag; null for a tag a person added. */
  score: number | null
  modelId: string | null
  createdAt: string
  updatedAt: string
}

export const systemClock: () => Date = () => new Date()
