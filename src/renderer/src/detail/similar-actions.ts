/**
 * The photos most like one photo (the strip under a photo's details): read over IPC for the model in use,
 * the latest few kept so that going back and forth shows them at once (and reads them again quietly).
 */
import { call, ipcMessage } from '../ipc'
import { similarKey, useSimilarStore } from './similar-store'

/** Photos the strip shows. */
export const STRIP_TOP = 12
/** Photos whose similar photos are kept. */
const KEEP = 24

const store = () => useSimilarStore.getState()
/** Keys, oldest first. */
const order: string[] = []
/** The latest request per key: an older answer is dropped. */
const requests = new Map<string, number>()
let requestIds = 0

function remember(key: string): void {
  const at = order.indexOf(key)
  if (at >= 0) order.splice(at, 1)
  order.push(key)
  if (order.length > KEEP) store().drop(order.splice(0, order.length - KEEP))
}

/**
 * Reads the photo's similar photos: a spinner only when none are known yet; known ones stay shown while
 * they are read again (a classification may have changed them).
 */
export async function loadSimilar(photoId: number, modelId?: string): Promise<void> {
  const key = similarKey(photoId, modelId)
  const request = ++requestIds
  requests.set(key, request)
  remember(key)
  if (store().byKey[key]?.status !== 'ready') store().set(key, { status: 'loading' })
  try {
    // One more than shown, in case the photo itself comes back among them.
    const reply = await call('similar:photos', {
      photoIds: [photoId],
      top: STRIP_TOP + 1,
      ...(modelId !== undefined && { modelId }),
    })
    // Dropped meanwhile (many photos were looked at since), or asked again.
    if (requests.get(key) !== request || !order.includes(key)) return
    const photos = reply.photos.filter((p) => p.photo.id !== photoId).slice(0, STRIP_TOP)
    store().set(key, { status: 'ready', data: { ...reply, photos } })
  } catch (error) {
    if (requests.get(key) === request) store().set(key, { status: 'error', message: ipcMessage(error) })
  }
}
