/**
 * Each model's knowledge profile for the Models screen: what the card says about it (read and validated by the
 * main process), and building one from a folder of photos (pick, build with progress, cancel) or deleting the
 * one built in the app.
 */
import { create } from 'zustand'
import type { KnowledgeView, PickedFolder, ProfileProgress } from '../../../shared/ipc/contract'
import { call, ipcMessage, subscribe } from '../ipc'
import { startEngine } from '../session/active-model'
import { modelName } from '../session/model-list'
import { notify } from '../session/notices'
import { useSessionStore } from '../session/session-store'

/**
 * A card's build panel: closed; a folder picked and waiting for Build (with the last failure, if any);
 * a build running (the latest progress).
 */
export type ProfileBuildState =
  | { step: 'picking'; error?: string }
  | { step: 'ready'; folder: PickedFolder; labelsFromFolders: boolean; starting: boolean; error?: string }
  | { step: 'running'; progress: ProfileProgress; cancelling: boolean }
  | { step: 'failed'; error: string }

export type KnowledgeState =
  { status: 'loading' } | { status: 'ready'; view: KnowledgeView } | { status: 'error'; message: string }

interface KnowledgeStore {
  views: Record<string, KnowledgeState>
  builds: Record<string, ProfileBuildState | undefined>
  setView(modelId: string, state: KnowledgeState): void
  setBuild(modelId: string, state: ProfileBuildState | undefined): void
}

export const useKnowledgeStore = create<KnowledgeStore>((set) => ({
  views: {},
  builds: {},
  setView: (modelId, state) => set((s) => ({ views: { ...s.views, [modelId]: state } })),
  setBuild: (modelId, state) => set((s) => ({ builds: { ...s.builds, [modelId]: state } })),
}))

const store = () => useKnowledgeStore.getState()

let listening = false

/** Listens to build progress (once). */
function listen(): void {
  if (listening) return
  listening = true
  try {
    subscribe('models:profileProgress', onProgress)
  } catch (error) {
    listening = false
    console.error(ipcMessage(error))
  }
}

/** Reads what the card says about a model's profile. */
export async function loadKnowledge(modelId: string): Promise<void> {
  listen()
  if (!store().views[modelId]) store().setView(modelId, { status: 'loading' })
  try {
    const view = await call('models:knowledge', { id: modelId })
    store().setView(modelId, { status: 'ready', view })
    // A build started before this window was (re)loaded: its progress events take it from here.
    if (view.building && store().builds[modelId] === undefined) {
      store().setBuild(modelId, {
        step: 'running',
        progress: { modelId, phase: 'reading', done: 0, total: 0, imagesPerSecond: 0 },
        cancelling: false,
      })
    }
  } catch (error) {
    store().setView(modelId, { status: 'error', message: ipcMessage(error) })
  }
}

function onProgress(progress: ProfileProgress): void {
  const { modelId, phase } = progress
  const current = store().builds[modelId]
  if (phase === 'reading' || phase === 'fitting') {
    store().setBuild(modelId, {
      step: 'running',
      progress,
      cancelling: current?.step === 'running' && current.cancelling,
    })
    return
  }
  if (phase === 'done') {
    store().setBuild(modelId, undefined)
    notify(`${modelName(modelId)}: ${progress.message ?? 'the profile is built.'}`)
    afterProfileChange(modelId)
  } else if (phase === 'cancelled') {
    store().setBuild(modelId, undefined)
    void loadKnowledge(modelId)
  } else {
    store().setBuild(modelId, { step: 'failed', error: progress.message ?? 'The profile could not be built.' })
    void loadKnowledge(modelId)
  }
}

/** The card reads the profile again, and the window's engine reloads the active model to use it. */
function afterProfileChange(modelId: string): void {
  void loadKnowledge(modelId)
  const { models } = useSessionStore.getState()
  const active = models.status === 'ready' && models.data.find((m) => m.active)?.id === modelId
  if (active) void startEngine()
}

/** Build profile…: the folder dialog; a picked folder waits for the person to choose the options and Build. */
export async function pickProfileFolder(modelId: string): Promise<void> {
  listen()
  const current = store().builds[modelId]
  if (current?.step === 'picking' || current?.step === 'running') return
  store().setBuild(modelId, { step: 'picking' })
  try {
    const folder = await call('models:pickProfileFolder')
    if (store().builds[modelId]?.step !== 'picking') return
    if (folder === null) {
      // Cancelled: back to where it was (a folder picked before stays).
      store().setBuild(modelId, current?.step === 'ready' ? current : undefined)
      return
    }
    store().setBuild(modelId, {
      step: 'ready',
      folder,
      labelsFromFolders: current?.step === 'ready' ? current.labelsFromFolders : false,
      starting: false,
    })
  } catch (error) {
    store().setBuild(modelId, { step: 'failed', error: `The folder dialog could not open: ${ipcMessage(error)}` })
  }
}

export function setLabelsFromFolders(modelId: string, labelsFromFolders: boolean): void {
  const current = store().builds[modelId]
  if (current?.step === 'ready') store().setBuild(modelId, { ...current, labelsFromFolders })
}

/** Starts the build for the picked folder; a refusal (too few photos…) stays on the panel. */
export async function buildProfile(modelId: string): Promise<void> {
  const current = store().builds[modelId]
  if (current?.step !== 'ready' || current.starting) return
  store().setBuild(modelId, { ...current, starting: true, error: undefined })
  try {
    const { total } = await call('models:buildProfile', {
      id: modelId,
      token: current.folder.token,
      labelsFromFolders: current.labelsFromFolders,
    })
    // Progress events may already have moved it on.
    if (store().builds[modelId]?.step === 'ready') {
      store().setBuild(modelId, {
        step: 'running',
        progress: { modelId, phase: 'reading', done: 0, total, imagesPerSecond: 0 },
        cancelling: false,
      })
    }
  } catch (error) {
    const now = store().builds[modelId]
    if (now?.step === 'ready') store().setBuild(modelId, { ...now, starting: false, error: ipcMessage(error) })
  }
}

export async function cancelProfileBuild(modelId: string): Promise<void> {
  const current = store().builds[modelId]
  if (current?.step === 'running') {
    store().setBuild(modelId, { ...current, cancelling: true })
    try {
      await call('models:cancelProfile', { id: modelId })
    } catch (error) {
      store().setBuild(modelId, { step: 'failed', error: ipcMessage(error) })
    }
    return
  }
  // Not started yet: just close the panel.
  store().setBuild(modelId, undefined)
}

export function closeProfilePanel(modelId: string): void {
  if (store().builds[modelId]?.step !== 'running') store().setBuild(modelId, undefined)
}

/** Deletes the profile built in the app (a shipped one, if any, takes over). */
export async function deleteProfile(modelId: string): Promise<void> {
  try {
    const view = await call('models:deleteProfile', { id: modelId })
    store().setView(modelId, { status: 'ready', view })
    notify(`${modelName(modelId)}: the profile built here was deleted.`)
    afterProfileChange(modelId)
  } catch (error) {
    store().setBuild(modelId, { step: 'failed', error: ipcMessage(error) })
  }
}
