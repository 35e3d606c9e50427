/** The Classify screen's own state: the photos dropped on it and what the engine said about each. */
import { create } from 'zustand'
import type { ClassScore } from '../../../shared/engine/postprocess'
import type { LevelScore } from '../../../shared/knowledge/levels'
import type { Verdict } from '../../../shared/knowledge/verdict'
import type { ModelTag } from '../engine/messages'

export type PhotoStatus = 'pending' | 'done' | 'error'

export type PhotoFailure = 'decode' | 'load' | 'inference' | 'cancelled' | 'crashed' | 'protocol'

export interface PhotoResult {
  /** Calibrated probabilities, best first; for an unknown photo, the classes it is closest to (never its tags). */
  top: ClassScore[]
  /** Whether the photo is one of the things the model knows. */
  verdict: Verdict
  /** The label hierarchy's levels with their summed probability, where the model's labels have one. */
  levels?: LevelScore[]
  /** Raw logits as the model returned them (float32 values, kept exactly). */
  logits: number[]
  /** The provider that ran this photo, e.g. "WASM · 2 threads". */
  provider: string
  /** The model that produced it (its name when it ran); cards keep it when another model becomes active. */
  model: ModelTag
  /** That model's class names, for the logits (shared by every result of the model). */
  labels: readonly string[]
  /** Inference time of the batch this photo ran in, and that batch's size. */
  batchMs: number
  batchSize: number
  decodeMs: number
  width: number
  height: number
}

export interface Photo {
  id: number
  name: string
  /** Path inside a dropped folder, or the file name. */
  path: string
  size: number
  /** Object URL of the file, for the thumbnail; revoked when the card is cleared for good. */
  url: string
  file: File
  status: PhotoStatus
  result?: PhotoResult
  error?: string
  /** Why it failed: a photo that could not be decoded will not do better a second time; the rest may. */
  failure?: PhotoFailure
}

interface ClassifyState {
  photos: Photo[]
  /** The photos of the last Clear, kept while its undo is offered. */
  cleared: Photo[] | null

  addPhotos(photos: Photo[]): void
  resolvePhoto(id: number, result: PhotoResult): void
  failPhoto(id: number, message: string, failure: PhotoFailure): void
  markPending(ids: readonly number[]): void
  /** Removes every card and keeps them for undo; returns what was removed. */
  clearPhotos(): Photo[]
  /** Puts the last cleared cards back; returns them. */
  restoreCleared(): Photo[]
  /** Forgets the cleared cards (their object URLs are revoked by the caller). */
  dropCleared(): Photo[]
}

function updatePhoto(photos: Photo[], id: number, change: (photo: Photo) => Photo): Photo[] {
  const index = photos.findIndex((p) => p.id === id)
  if (index < 0) return photos
  const next = photos.slice()
  next[index] = change(photos[index]!)
  return next
}

export const useClassifyStore = create<ClassifyState>()((set, get) => ({
  photos: [],
  cleared: null,

  addPhotos: (photos) => set((s) => ({ photos: [...s.photos, ...photos] })),
  // Results also land on cleared cards, so an undone Clear shows them.
  resolvePhoto: (id, result) =>
    set((s) => {
      const change = (p: Photo): Photo => ({ ...p, status: 'done', result, error: undefined, failure: undefined })
      return { photos: updatePhoto(s.photos, id, change), cleared: s.cleared && updatePhoto(s.cleared, id, change) }
    }),
  failPhoto: (id, message, failure) =>
    set((s) => {
      const change = (p: Photo): Photo => ({ ...p, status: 'error', error: message, failure, result: undefined })
      return { photos: updatePhoto(s.photos, id, change), cleared: s.cleared && updatePhoto(s.cleared, id, change) }
    }),
  markPending: (ids) =>
    set((s) => {
      const wanted = new Set(ids)
      const change = (p: Photo): Photo =>
        wanted.has(p.id) ? { ...p, status: 'pending', error: undefined, result: undefined, failure: undefined } : p
      return { photos: s.photos.map(change) }
    }),
  clearPhotos: () => {
    const { photos } = get()
    set({ photos: [], cleared: photos })
    return photos
  },
  restoreCleared: () => {
    const { cleared } = get()
    if (!cleared) return []
    set((s) => ({ photos: [...cleared, ...s.photos], cleared: null }))
    return cleared
  },
  dropCleared: () => {
    const { cleared } = get()
    set({ cleared: null })
    return cleared ?? []
  },
}))

/** Counts for the toolbar. */
export function summarize(photos: readonly Photo[]): { total: number; done: number; failed: number; pending: number } {
  let done = 0
  let failed = 0
  for (const p of photos) {
    if (p.status === 'done') done++
    else if (p.status === 'error') failed++
  }
  return { total: photos.length, done, failed, pending: photos.length - done - failed }
}
