import { create } from 'zustand'
import type { ChannelOutput } from '../../../shared/ipc/contract'
import type { Loadable } from '../lib/loadable'

export type SimilarResult = ChannelOutput<'similar:photos'>

interface SimilarState {
  /** The similar photos of a photo under a model (`similarKey`), the latest few kept. */
  byKey: Record<string, Loadable<SimilarResult>>
  set(key: string, state: Loadable<SimilarResult>): void
  drop(keys: readonly string[]): void
}

export const useSimilarStore = create<SimilarState>()((set) => ({
  byKey: {},
  set: (key, state) => set((s) => ({ byKey: { ...s.byKey, [key]: state } })),
  drop: (keys) =>
    set((s) => ({ byKey: Object.fromEntries(Object.entries(s.byKey).filter(([k]) => !keys.includes(k))) })),
}))

/** The key of a photo's similar photos under a model ('' : the active one, as the main process picks it). */
export function similarKey(photoId: number, modelId: string | undefined): string {
  return `${photoId}|${modelId ?? ''}`
}
