import { create } from 'zustand'
import type { LearnedTagItem } from '../../../shared/ipc/contract/own-tags'
import type { Loadable } from '../lib/loadable'

/** "Save learned tags as a model…": the dialog's learned tags, and the save in progress or its failure. */
interface SaveLearnedState {
  open: boolean
  learned: Loadable<LearnedTagItem[]>
  saving: boolean
  error: string | null

  setOpen(open: boolean): void
  setLearned(learned: Loadable<LearnedTagItem[]>): void
  setSaving(saving: boolean): void
  setError(error: string | null): void
}

export const useSaveLearnedStore = create<SaveLearnedState>()((set) => ({
  open: false,
  learned: { status: 'loading' },
  saving: false,
  error: null,

  setOpen: (open) => set({ open }),
  setLearned: (learned) => set({ learned }),
  setSaving: (saving) => set({ saving }),
  setError: (error) => set({ error }),
}))

/** The fewest learned tags a model is saved with. */
export const MIN_TAGS = 2

/** Why the form cannot be saved yet, or null when it can. */
export function saveProblem(name: string, tagIds: readonly number[]): string | null {
  if (name.trim() === '') return 'Give the model a name.'
  if (name.trim().length > 200) return 'The name is too long (200 characters at most).'
  if (tagIds.length < MIN_TAGS) return `Pick at least ${MIN_TAGS} learned tags.`
  return null
}
