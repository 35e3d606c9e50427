import { create } from 'zustand'
import type { Architecture } from '../../../shared/ipc/contract'
import type { Verdict } from '../../../shared/knowledge/verdict'
import type { PreprocessSpec } from '../../../shared/preprocess/preprocess'
import type { ActivationsReply, ModelTag } from '../engine/messages'
import type { Loadable } from '../lib/loadable'

/**
 * A photo the detail shows, with what its card already knows (the Classify screen's photos have this
 * shape; the detail reads nothing else of them).
 */
export interface DetailPhoto {
  id: number
  name: string
  /** Path inside a dropped folder, or the file name. */
  path: string
  size: number
  /** Object URL of the file. */
  url: string
  file: Blob
  /** The card's classification, once it ran. */
  result?: {
    verdict: Verdict
    model: ModelTag
    logits: readonly number[]
    width: number
    height: number
  }
}

/**
 * One photo's activations under one model, with what they were read with: the architecture (stage names),
 * the preprocessing (where the model's input lies in the photo) and the class names.
 */
export type ActivationsResult = Omit<ActivationsReply, 'type' | 'id'> & {
  architecture: Architecture
  spec: PreprocessSpec
  labels: readonly string[]
}

/** A channel shown large over the photo: which stage, and its rank among the stage's strongest. */
export interface ChannelZoom {
  stage: string
  rank: number
}

export interface CamSettings {
  /** Whether the overlay is drawn. */
  shown: boolean
  /** The class whose map is shown; null: the top class. */
  classIndex: number | null
  /** "Why A and not B": the class B; null: the plain CAM of A. */
  compareWith: number | null
  /** 0..1. */
  opacity: number
}

interface DetailState {
  /** The photo whose detail is open. */
  photoId: number | null
  zoom: ChannelZoom | null
  cam: CamSettings
  /** Activations by photo and model (`runKey`), the latest few kept. */
  runs: Record<string, Loadable<ActivationsResult>>

  open(photoId: number): void
  close(): void
  setZoom(zoom: ChannelZoom | null): void
  setCam(change: Partial<CamSettings>): void
  setRun(key: string, run: Loadable<ActivationsResult>): void
  dropRuns(keys: readonly string[]): void
}

export const DEFAULT_CAM: CamSettings = { shown: true, classIndex: null, compareWith: null, opacity: 0.6 }

export const useDetailStore = create<DetailState>()((set) => ({
  photoId: null,
  zoom: null,
  cam: DEFAULT_CAM,
  runs: {},

  // Another photo starts on its own top class, with the overlay as it was.
  open: (photoId) => set((s) => ({ photoId, zoom: null, cam: { ...s.cam, classIndex: null, compareWith: null } })),
  close: () => set({ photoId: null, zoom: null }),
  setZoom: (zoom) => set({ zoom }),
  setCam: (change) => set((s) => ({ cam: { ...s.cam, ...change } })),
  setRun: (key, run) => set((s) => ({ runs: { ...s.runs, [key]: run } })),
  dropRuns: (keys) =>
    set((s) => ({ runs: Object.fromEntries(Object.entries(s.runs).filter(([k]) => !keys.includes(k))) })),
}))

export function runKey(photoId: number, modelId: string): string {
  return `${photoId}|${modelId}`
}
