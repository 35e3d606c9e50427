/**
 * What the Classify screen does: reads the active model over IPC, drives the engine worker, and
 * keeps the store up to date. Components call these; they never talk to the worker themselves.
 */
import type { ModelSummary } from '../../shared/ipc/contract'
import { EngineClient, EngineError } from './engine/client'
import type { EnginePreference, ModelTag } from './engine/messages'
import { call, ipcMessage } from './ipc'
import type { CollectedFiles } from './lib/files'
import { formatCount } from './lib/format'
import { useClassifyStore, type Photo } from './store'

const TOP_K = 5
/** How long a Clear can be undone. */
const UNDO_MS = 10_000

let client: EngineClient | undefined
/** The one inference worker: Classify runs photos on it, the Models screen its benchmarks. */
export function engine(): EngineClient {
  client ??= new EngineClient()
  return client
}

const store = () => useClassifyStore.getState()

function messageOf(error: unknown): string {
  return ipcMessage(error)
}

// ---------------------------------------------------------------------------------------------
// Model and engine

let started = false
let loadGeneration = 0
let modelGeneration = 0
/** The active model's id as the library last listed it, while a read of the active model is in flight. */
let expectedActiveId: string | undefined

/** Called once at start (idempotent under StrictMode's double effects). */
export function startApp(): void {
  if (started) return
  started = true
  void loadActiveModel()
}

/** Reads the active model and starts its session; a later call wins over one still reading. */
export async function loadActiveModel(): Promise<void> {
  const generation = ++modelGeneration
  store().setModel({ status: 'loading' })
  store().setEngine({ status: 'idle' })
  try {
    const active = await call('models:active')
    if (generation !== modelGeneration) return
    const expected = expectedActiveId
    expectedActiveId = undefined
    // The library changed its active model while this read was in flight: read again.
    if (expected !== undefined && expected !== active.card.id) return loadActiveModel()
    store().setModel({
      status: 'ready',
      card: active.card,
      modelUrl: active.modelUrl,
      profileUrl: active.profileUrl,
      hierarchyUrl: active.hierarchyUrl,
    })
  } catch (error) {
    if (generation !== modelGeneration) return
    expectedActiveId = undefined
    store().setModel({ status: 'error', message: `The active model could not be read: ${messageOf(error)}` })
    return
  }
  await startEngine()
}

/**
 * Keeps the Classify screen on the library's active model: after set-active or delete it loads the
 * new one (cards already classified keep their results, which name their model); after a rename of
 * the active model only its name changes.
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
    expectedActiveId = active.id
    return
  }
  void loadActiveModel()
}

/** Creates the session for the active model with the current preference (again, if it changed). */
export async function startEngine(): Promise<void> {
  const { model, preference } = store()
  if (model.status !== 'ready') return
  const generation = ++loadGeneration
  store().setEngine({ status: 'loading' })
  try {
    const tag = { id: model.card.id, name: model.card.name }
    const reply = await engine().load(model.modelUrl, model.card, tag, preference, {
      profileUrl: model.profileUrl,
      hierarchyUrl: model.hierarchyUrl,
      sha256: model.card.sha256,
    })
    if (generation !== loadGeneration) return
    store().setEngine({ status: 'ready', provider: reply.provider, loadMs: reply.loadMs, knowledge: reply.knowledge })
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
          verdict: reply.verdict,
          ...(reply.levels && { levels: reply.levels }),
          logits: Array.from(reply.logits),
          provider: reply.provider.label,
          model: withCurrentName(reply.model),
          labels: labelsOf(reply.model.id),
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

function labelsOf(modelId: string): readonly string[] {
  const { model } = store()
  return model.status === 'ready' && model.card.id === modelId ? model.card.labels : []
}

/** A model renamed since its session started is named as it is called now. */
function withCurrentName(tag: ModelTag): ModelTag {
  const { model } = store()
  return model.status === 'ready' && model.card.id === tag.id ? { id: tag.id, name: model.card.name } : tag
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
