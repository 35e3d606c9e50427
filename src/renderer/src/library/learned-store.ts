import { create } from 'zustand'
import type { ChannelOutput } from '../../../shared/ipc/contract'
import type { Loadable } from '../lib/loadable'

export type LearnedTags = ChannelOutput<'learned:tags'>

/** Tags learned from the person's examples (in the tag manager): which are learned, which can be. */
interface LearnedState {
  tags: Loadable<LearnedTags>
  /** The tag being learned or forgotten. */
  busy: { tagId: number; action: 'learn' | 'forget' } | null
  error: string | null

  setTags(tags: Loadable<LearnedTags>): void
  setBusy(busy: LearnedState['busy']): void
  setError(error: string | null): void
}

export const useLearnedStore = create<LearnedState>()((set) => ({
  tags: { status: 'loading' },
  busy: null,
  error: null,

  setTags: (tags) => set({ tags }),
  setBusy: (busy) => set({ busy }),
  setError: (error) => set({ error }),
}))
