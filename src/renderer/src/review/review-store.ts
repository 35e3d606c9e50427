import { create } from 'zustand'
import type { ChannelOutput, ReviewItemResult, TagChangeItem } from '../../../shared/ipc/contract'
import type { Loadable } from '../lib/loadable'

export type ReviewGroup = ChannelOutput<'review:groups'>[number]
export type ReviewCursor = ChannelOutput<'review:queue'>['next']

export type Decision = 'accepted' | 'rejected' | null

/** One suggestion in the queue, with the decision taken on it here. */
export interface ReviewEntry {
  item: ReviewItemResult
  decision: Decision
}

/** A decision taken here: which entry, what it changed (to undo it), and the entry's decision before. */
export interface ReviewUndo {
  index: number
  change: TagChangeItem
  before: Decision
}

interface ReviewState {
  groups: Loadable<ReviewGroup[]>
  /** The class under review; null: every class, one after the other. */
  tagId: number | null
  queue: Loadable<{ entries: ReviewEntry[]; next: ReviewCursor; total: number }>
  /** The entry shown; `entries.length` once every one was decided. */
  index: number
  /** Decisions, last on top: Z undoes them one by one. */
  undo: ReviewUndo[]
  busy: boolean
  error: string | null

  setGroups(groups: Loadable<ReviewGroup[]>): void
  setTagId(tagId: number | null): void
  setQueue(queue: ReviewState['queue']): void
  setIndex(index: number): void
  updateEntry(index: number, change: Partial<ReviewEntry>): void
  appendEntries(entries: ReviewEntry[], next: ReviewCursor): void
  setUndo(undo: ReviewUndo[]): void
  setBusy(busy: boolean): void
  setError(error: string | null): void
}

export const useReviewStore = create<ReviewState>()((set) => ({
  groups: { status: 'loading' },
  tagId: null,
  queue: { status: 'loading' },
  index: 0,
  undo: [],
  busy: false,
  error: null,

  setGroups: (groups) => set({ groups }),
  setTagId: (tagId) => set({ tagId }),
  setQueue: (queue) => set({ queue }),
  setIndex: (index) => set({ index }),
  updateEntry: (index, change) =>
    set((s) => {
      if (s.queue.status !== 'ready') return {}
      const entries = s.queue.data.entries.slice()
      const entry = entries[index]
      if (!entry) return {}
      entries[index] = { ...entry, ...change }
      return { queue: { status: 'ready', data: { ...s.queue.data, entries } } }
    }),
  appendEntries: (more, next) =>
    set((s) => {
      if (s.queue.status !== 'ready') return {}
      return {
        queue: { status: 'ready', data: { ...s.queue.data, entries: [...s.queue.data.entries, ...more], next } },
      }
    }),
  setUndo: (undo) => set({ undo }),
  setBusy: (busy) => set({ busy }),
  setError: (error) => set({ error }),
}))
