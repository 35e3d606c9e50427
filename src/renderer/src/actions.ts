/**
 * What the Classify screen does: reads the active model over IPC, drives the engine worker, and
 * keeps the store up to date. Components call these; they never talk to the worker themselves.
 */
import { EngineClient, EngineError } from './engine/client'
import type { EnginePreference } from './engine/messages'
import { call } from './ipc'
import type { CollectedFiles } from './lib/files'
import { formatCount } from './lib/format'
import { useClassifyStore, type Photo } from './store'

const TOP_K = 5
/** How long a Clear can be undone. */
const UNDO_MS = 10_000

let client: EngineClient | undefined
function engine(): EngineClient {
  client ??= new EngineClient()
  return client
}

const store = () => useClassifyStore.getState()

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

// ---------------------------------------------------------------------------------------------
// Model and engine

let started = false
let loadGeneration = 0

/** Called once at start (idempotent under StrictMode's double effects). */
export function startApp(): void {
  if (started) return
  started = true
  void loadActiveModel()
}

export async function loadActiveModel(): Promise<void> {
  store().setModel({ status: 'loading' })
  store().setEngine({ status: 'idle' })
  try {
    const active = await call('models:active')
    store().setModel({ status: 'ready', card: active.card, modelUrl: active.modelUrl })
  } catch (error) {
    store().setModel({ status: 'error', message: `The active model could not be read: ${messageOf(error)}` })
    return
  }
  await startEngine()
}

/** Creates the session for the active model with the current preference (again, if it changed). */
export async function startEngine(): Promise<void> {
  const { model, preference } = store()
  if (model.status !== 'ready') return
  const generation = ++loadGeneration
  store().setEngine({ status: 'loading' })
  try {
    const reply = await engine().load(model.modelUrl, model.card, preference)
    if (generation !== loadGeneration) return
    store().setEngine({ status: 'ready', provider: reply.provider, loadMs: reply.loadMs })
    // Photos that failed only because no model was loaded run now.
    for (const photo of store().photos) if (photo.failure === 'load') retryPhoto(photo.id)
  } catch (error) {
    if (generation === loadGeneration) store().setEngine({ status: 'error', message: messageOf(error) })
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

// ---------------------------------------------------------------------------------------------
// Photos

let nextPhotoId = 1
/** Cancellation used by Clear: those photos are run again if the Clear is undone. */
const clearedBeforeRun = new EngineError('cancelled', 'Cleared before it ran.')
const stalled = new Set<number>()

function classify(photo: Photo): void {
  const { model } = store()
  if (model.status === 'error') {
    store().failPhoto(photo.id, `Not classified: the model is not loaded (${model.message})`, 'load')
    return
  }
  engine()
    .classify(photo.file, photo.name, TOP_K)
    .then(
      (reply) =>
        store().resolvePhoto(photo.id, {
          top: reply.top,
          logits: Array.from(reply.logits),
          provider: reply.provider.label,
          batchMs: reply.batchMs,
          batchSize: reply.batchSize,
          decodeMs: reply.decodeMs,
          width: reply.width,
          height: reply.height,
        }),
      (error: unknown) => {
        if (error === clearedBeforeRun) {
          stalled.add(photo.id)
          return
        }
        store().failPhoto(photo.id, messageOf(error), error instanceof EngineError ? error.kind : 'inference')
      },
    )
}

export function addFiles(collected: CollectedFiles): void {
  const photos: Photo[] = collected.files.map(({ file, path }) => ({
    id: nextPhotoId++,
    name: file.name,
    path,
    size: file.size,
    url: URL.createObjectURL(file),
    file,
    status: 'pending',
  }))
  if (photos.length > 0) store().addPhotos(photos)
  for (const photo of photos) classify(photo)

  const notes: string[] = []
  if (collected.skipped.length > 0) {
    const sample = collected.skipped.slice(0, 3).join(', ')
    const more = collected.skipped.length > 3 ? ` and ${collected.skipped.length - 3} more` : ''
    notes.push(
      `Skipped ${formatCount(collected.skipped.length, 'file')} that ${collected.skipped.length === 1 ? 'is' : 'are'} not an image (${sample}${more})`,
    )
  }
  if (collected.unreadable.length > 0) {
    notes.push(
      `Could not read ${formatCount(collected.unreadable.length, 'item')} (${collected.unreadable.slice(0, 3).join(', ')})`,
    )
  }
  if (photos.length === 0 && notes.length === 0) notes.push('Nothing to classify: the drop held no files')
  if (notes.length > 0) store().showNotice(notes.join('. ') + '.')
}

export function retryPhoto(id: number): void {
  const photo = store().photos.find((p) => p.id === id)
  if (!photo || photo.status !== 'error') return
  store().markPending([id])
  classify(photo)
}

/** Cancels the photos still waiting for the engine (those already handed over finish). */
export function cancelPending(): void {
  const cancelled = engine().cancelQueued()
  if (cancelled > 0) store().showNotice(`Cancelled ${formatCount(cancelled, 'photo')} that had not run yet.`)
}

let undoTimer: ReturnType<typeof setTimeout> | undefined

function revoke(photos: readonly Photo[]): void {
  for (const photo of photos) {
    URL.revokeObjectURL(photo.url)
    stalled.delete(photo.id)
  }
}

function forgetCleared(): void {
  if (undoTimer !== undefined) clearTimeout(undoTimer)
  undoTimer = undefined
  revoke(store().dropCleared())
}

/** Removes every card; the Clear can be undone for a few seconds, then the thumbnails are released. */
export function clearPhotos(): void {
  if (store().photos.length === 0) return
  forgetCleared()
  engine().cancelQueued(clearedBeforeRun)
  const removed = store().clearPhotos()
  store().showNotice(`Cleared ${formatCount(removed.length, 'photo')}.`, true)
  undoTimer = setTimeout(() => {
    undoTimer = undefined
    forgetCleared()
    const notice = store().notice
    if (notice?.undo) store().dismissNotice()
  }, UNDO_MS)
}

export function undoClear(): void {
  if (undoTimer !== undefined) clearTimeout(undoTimer)
  undoTimer = undefined
  const restored = store().restoreCleared()
  for (const photo of restored) {
    if (stalled.delete(photo.id)) classify(photo)
  }
}
