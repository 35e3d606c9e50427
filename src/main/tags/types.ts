/** Rows and values of the tag store (predictions, tags), as its repositories return them. */

export type TagSource = 'model' | 'person' | 'learned'
export type TagStatus = 'suggested' | 'accepted' | 'rejected'

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

/** A photo_tags row without its key: enough to put it back exactly. */
export interface PhotoTagState {
  source: TagSource
  status: TagStatus
  /** The model's probability for a model tag; null for a tag a person added. */
  score: number | null
  modelId: string | null
  createdAt: string
  updatedAt: string
}

/** A tag on one photo. */
export interface PhotoTag extends PhotoTagState {
  photoId: number
  tagId: number
  name: string
}
