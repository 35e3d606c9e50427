import { create } from 'zustand'
import type { DuplicateGroupItem } from '../../../shared/ipc/contract/own-tags'

/** The Library's duplicates view: finding the near-duplicate copies, and tagging all but the one to keep. */
interface DuplicatesState {
  status: 'idle' | 'finding' | 'ready' | 'error'
  /** Photos hashed so far while finding; null until the first report. */
  progress: { done: number; total: number } | null
  groups: DuplicateGroupItem[]
  /** Photos compared. */
  photos: number
  error: string | null
  /** Groups whose other copies are tagged "duplicate", by the id of the copy kept. */
  tagged: ReadonlySet<number>
  /** The tagging in progress: a group (its kept copy's id), every group, or none. */
  tagging: number | 'all' | null
  tagError: string | null

  setFinding(): void
  setProgress(progress: { done: number; total: number }): void
  setFound(groups: DuplicateGroupItem[], photos: number): void
  setError(error: string): void
  setTagging(tagging: number | 'all' | null): void
  markTagged(keepIds: readonly number[]): void
  setTagError(error: string | null): void
}

export const useDuplicatesStore = create<DuplicatesState>()((set) => ({
  status: 'idle',
  progress: null,
  groups: [],
  photos: 0,
  error: null,
  tagged: new Set(),
  tagging: null,
  tagError: null,

  setFinding: () => set({ status: 'finding', progress: null, error: null, tagError: null }),
  setProgress: (progress) => set({ progress }),
  setFound: (groups, photos) => set({ status: 'ready', groups, photos, tagged: new Set() }),
  setError: (error) => set({ status: 'error', error }),
  setTagging: (tagging) => set({ tagging }),
  markTagged: (keepIds) => set((s) => ({ tagged: new Set([...s.tagged, ...keepIds]) })),
  setTagError: (tagError) => set({ tagError }),
}))

/** The copies of a group other than the one to keep. */
export function othersOf(group: DuplicateGroupItem): number[] {
  return group.photos.filter((p) => p.id !== group.keepId).map((p) => p.id)
}
