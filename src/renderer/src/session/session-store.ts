/**
 * What the whole window shares, owned by no screen: the library's models, the active model and the
 * state of its session in the engine worker, and the engine preference.
 */
import { create } from 'zustand'
import type { ModelSummary } from '../../../shared/ipc/contract'
import type { ModelCard } from '../../../shared/model-card'
import type { EnginePreference, KnowledgeStatus, ProviderInfo } from '../engine/messages'
import type { Loadable } from '../lib/loadable'
import { readStoredPreference, storePreference } from './engine-preference'

/** Where the engine fetches the model's bytes (its features copy), its profile and its labels' hierarchy. */
export interface ModelUrls {
  modelUrl: string
  /** For a card with views: the features copy on the photo alone (see `LoadRequest`). */
  photoModelUrl?: string
  profileUrl: string
  hierarchyUrl: string
}

export type ModelState =
  { status: 'loading' } | ({ status: 'ready'; card: ModelCard } & ModelUrls) | { status: 'error'; message: string }

export type EngineState =
  | { status: 'idle' }
  | { status: 'loading' }
  | {
      status: 'ready'
      provider: ProviderInfo
      loadMs: number
      /** Whether verdicts come from the model's profile or from its logits alone (and why). */
      knowledge: KnowledgeStatus
    }
  | { status: 'error'; message: string }

interface SessionState {
  /** The library's models as last listed. */
  models: Loadable<ModelSummary[]>
  /** The active model, read from the library. */
  model: ModelState
  /** Its session in the engine worker. */
  engine: EngineState
  preference: EnginePreference

  setModels(models: Loadable<ModelSummary[]>): void
  setModel(model: ModelState): void
  setEngine(engine: EngineState): void
  setPreference(preference: EnginePreference): void
}

export const useSessionStore = create<SessionState>()((set) => ({
  models: { status: 'loading' },
  model: { status: 'loading' },
  engine: { status: 'idle' },
  preference: readStoredPreference(),

  setModels: (models) => set({ models }),
  setModel: (model) => set({ model }),
  setEngine: (engine) => set({ engine }),
  setPreference: (preference) => {
    storePreference(preference)
    set({ preference })
  },
}))

const NO_MODELS: ModelSummary[] = []

/** The models as listed, or none while loading or after an error (a stable array, for selectors). */
export function modelsOf(state: { models: Loadable<ModelSummary[]> }): ModelSummary[] {
  return state.models.status === 'ready' ? state.models.data : NO_MODELS
}

/** The active model's id once it is read; undefined while it loads or when it could not be read. */
export function activeModelIdOf(state: { model: ModelState }): string | undefined {
  return state.model.status === 'ready' ? state.model.card.id : undefined
}
