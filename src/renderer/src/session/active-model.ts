/**
 * The active model and its session in the engine worker: reads the model over IPC, loads it in the
 * worker with the engine preference, and follows the library when its active model changes. Screens
 * read the outcome from the session store; none of them owns it.
 */
import type { ModelSummary } from '../../../shared/ipc/contract'
import type { EnginePreference } from '../engine/messages'
import { call, ipcMessage } from '../ipc'
import { engine } from './engine-client'
import { useSessionStore } from './session-store'

const store = () => useSessionStore.getState()

let started = false
/** Which read and which load are current: a later one wins over one still in flight. */
const latest = {
  modelRead: 0,
  engineLoad: 0,
  /** The active model's id as the library last listed it, while a read of the active model is in flight. */
  expectedActiveId: undefined as string | undefined,
}

/** Called once at start (idempotent under StrictMode's double effects). */
export function startSession(): void {
  if (started) return
  started = true
  void loadActiveModel()
}

/** Reads the active model and starts its session; a later call wins over one still reading. */
export async function loadActiveModel(): Promise<void> {
  const generation = ++latest.modelRead
  store().setModel({ status: 'loading' })
  store().setEngine({ status: 'idle' })
  try {
    const active = await call('models:active')
    if (generation !== latest.modelRead) return
    const expected = latest.expectedActiveId
    latest.expectedActiveId = undefined
    // The library changed its active model while this read was in flight: read again.
    if (expected !== undefined && expected !== active.card.id) return loadActiveModel()
    store().setModel({
      status: 'ready',
      card: active.card,
      modelUrl: active.modelUrl,
      ...(active.photoModelUrl !== undefined && { photoModelUrl: active.photoModelUrl }),
      profileUrl: active.profileUrl,
      hierarchyUrl: active.hierarchyUrl,
    })
  } catch (error) {
    if (generation !== latest.modelRead) return
    latest.expectedActiveId = undefined
    store().setModel({ status: 'error', message: `The active model could not be read: ${ipcMessage(error)}` })
    return
  }
  await startEngine()
}

/**
 * Keeps the session on the library's active model: after set-active or delete it loads the new one
 * (cards already classified keep their results, which name their model); after a rename of the active
 * model only its name changes.
 */
export function syncActiveModel(models: readonly ModelSummary[]): void {
  const active = models.find((m) => m.active)
  if (!active) return
  const { model } = store()
  if (model.status === 'ready' && model.card.id === active.id) {
    if (model.card.name !== active.name) store().setModel({ ...model, card: { ...model.card, name: active.name } })
    return
  }
  if (model.status === 'loading') {
    // The read in flight may predate the change: it checks its answer against this id.
    latest.expectedActiveId = active.id
    return
  }
  void loadActiveModel()
}

/** Creates the session for the active model with the current preference (again, if it changed). */
export async function startEngine(): Promise<void> {
  const { model, preference } = store()
  if (model.status !== 'ready') return
  const generation = ++latest.engineLoad
  store().setEngine({ status: 'loading' })
  try {
    const tag = { id: model.card.id, name: model.card.name }
    const reply = await engine().load(
      model.modelUrl,
      model.card,
      tag,
      preference,
      { profileUrl: model.profileUrl, hierarchyUrl: model.hierarchyUrl, sha256: model.card.sha256 },
      model.photoModelUrl,
    )
    if (generation !== latest.engineLoad) return
    store().setEngine({ status: 'ready', provider: reply.provider, loadMs: reply.loadMs, knowledge: reply.knowledge })
  } catch (error) {
    if (generation === latest.engineLoad) store().setEngine({ status: 'error', message: ipcMessage(error) })
  }
}

export function changePreference(preference: EnginePreference): void {
  if (preference === store().preference) return
  store().setPreference(preference)
  void startEngine()
}

/** Retries whatever failed at start: reading the model, or creating the session. */
export function retryModel(): void {
  if (store().model.status !== 'ready') void loadActiveModel()
  else void startEngine()
}
