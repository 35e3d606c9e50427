/**
 * What the Classify screen does: hands dropped photos to the session's engine and keeps the screen's
 * store up to date; Clear (with undo), Cancel and Retry. Components call these; they never talk to the
 * worker themselves.
 */
import { EngineError } from '../engine/client'
import type { ModelTag } from '../engine/messages'
import { ipcMessage } from '../ipc'
import type { CollectedFiles } from '../lib/files'
import { formatCount } from '../lib/format'
import { engine } from '../session/engine-client'
import { notify, useNoticeStore } from '../session/notices'
import { useSessionStore } from '../session/session-store'
import { useClassifyStore, type Photo } from './classify-store'

const TOP_K = 5
/** How long a Clear can be undone. */
const UNDO_MS = 10_000

const store = () => useClassifyStore.getState()
const session = () => useSessionStore.getState()

let started = false
let nextPhotoId = 1
/** Cancellation used by Clear: those photos are run again if the Clear is undone. */
const clearedBeforeRun = new EngineError('cancelled', 'Cleared before it ran.')
/** Cleared photos the engine never ran (the Clear cancelled them): an undo runs them. */
const stalled = new Set<number>()
let undoTimer: ReturnType<typeof setTimeout> | undefined

/** Once at start: photos that failed only because no model was loaded run when the session is ready. */
export function startClassify(): void {
  if (started) return
  started = true
  useSessionStore.subscribe((now, before) => {
    if (now.engine.status !== 'ready' || before.engine.status === 'ready') return
    for (const photo of store().photos) if (photo.failure === 'load') retryPhoto(photo.id)
  })
}

function classify(photo: Photo): void {
  const { model } = session()
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
        store().failPhoto(photo.id, ipcMessage(error), error instanceof EngineError ? error.kind : 'inference')
      },
    )
}

function labelsOf(modelId: string): readonly string[] {
  const { model } = session()
  return model.status === 'ready' && model.card.id === modelId ? model.card.labels : []
}

/** A model renamed since its session started is named as it is called now. */
function withCurrentName(tag: ModelTag): ModelTag {
  const { model } = session()
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
  if (notes.length > 0) notify(notes.join('. ') + '.')
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
  if (cancelled > 0) notify(`Cancelled ${formatCount(cancelled, 'photo')} that had not run yet.`)
}

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
  useNoticeStore.getState().show(`Cleared ${formatCount(removed.length, 'photo')}.`, undoClear)
  undoTimer = setTimeout(() => {
    undoTimer = undefined
    forgetCleared()
    const notices = useNoticeStore.getState()
    if (notices.notice?.undo === undoClear) notices.dismiss()
  }, UNDO_MS)
}

export function undoClear(): void {
  if (undoTimer !== undefined) clearTimeout(undoTimer)
  undoTimer = undefined
  const restored = store().restoreCleared()
  if (restored.length === 0) return
  useNoticeStore.getState().dismiss()
  for (const photo of restored) {
    if (stalled.delete(photo.id)) classify(photo)
  }
}
