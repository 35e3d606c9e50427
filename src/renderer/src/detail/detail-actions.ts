/**
 * What the Photo detail does: opens and closes, and asks the engine worker for one photo's
 * activations under the active model (its tapped copy, in a session of its own). Results are kept
 * for the last few photos, so going back and forth is instant.
 */
import { ipcMessage } from '../ipc'
import { engine } from '../session/engine-client'
import { loadArchitecture, useArchitectureStore } from '../session/model-architectures'
import { useSessionStore } from '../session/session-store'
import { runKey, useDetailStore, type ActivationsResult, type DetailPhoto } from './detail-store'

/** Channels sent per stage, the most active first. */
export const TOP_CHANNELS = 16
/** Photos whose activations are kept (a ResNet-50 photo's are about 1.5 MB). */
const KEEP = 6

const store = () => useDetailStore.getState()
/** Run keys, oldest first. */
const order: string[] = []

function remember(key: string): void {
  const at = order.indexOf(key)
  if (at >= 0) order.splice(at, 1)
  order.push(key)
  if (order.length > KEEP) store().dropRuns(order.splice(0, order.length - KEEP))
}

export function openDetail(photoId: number): void {
  store().open(photoId)
}

export function closeDetail(): void {
  store().close()
}

/** Opens the previous (-1) or next (+1) photo's detail, in the order of the cards. */
export function stepDetail(photos: readonly DetailPhoto[], step: 1 | -1): void {
  const { photoId } = store()
  const at = photos.findIndex((p) => p.id === photoId)
  const next = photos[at + step]
  if (at >= 0 && next) store().open(next.id)
}

/**
 * Runs the photo through the active model's tapped copy, unless that was done (or is under way);
 * `force` runs it again after a failure.
 */
export async function ensureActivations(photo: DetailPhoto, force = false): Promise<void> {
  const { model } = useSessionStore.getState()
  if (model.status !== 'ready') return
  const { card } = model
  const key = runKey(photo.id, card.id)
  const known = store().runs[key]
  if (known && (known.status !== 'error' || !force)) {
    if (known.status !== 'error') remember(key)
    return
  }
  store().setRun(key, { status: 'loading' })
  remember(key)
  const architecture = await loadArchitecture(card.id)
  if (!architecture) {
    const state = useArchitectureStore.getState().byId[card.id]
    store().setRun(key, {
      status: 'error',
      message: `The model's stages could not be read: ${state?.status === 'error' ? state.message : 'unknown error'}`,
    })
    return
  }
  try {
    const reply = await engine().activations(photo.file, photo.name, {
      card: { input: card.input, output: card.output, labels: card.labels, preprocessing: card.preprocessing },
      model: { id: card.id, name: card.name },
      tappedModelUrl: architecture.tappedModelUrl,
      taps: architecture.taps,
      head: architecture.head,
      topChannels: TOP_CHANNELS,
      k: 5,
    })
    const result: ActivationsResult = {
      model: reply.model,
      provider: reply.provider,
      top: reply.top,
      probabilities: reply.probabilities,
      logits: reply.logits,
      stages: reply.stages,
      cam: reply.cam,
      ...(reply.camError !== undefined && { camError: reply.camError }),
      width: reply.width,
      height: reply.height,
      decodeMs: reply.decodeMs,
      sessionMs: reply.sessionMs,
      runMs: reply.runMs,
      analysisMs: reply.analysisMs,
      architecture,
      spec: { input: card.input, preprocessing: card.preprocessing },
      labels: card.labels,
    }
    if (key in store().runs) store().setRun(key, { status: 'ready', data: result })
  } catch (error) {
    if (key in store().runs) store().setRun(key, { status: 'error', message: ipcMessage(error) })
  }
}
