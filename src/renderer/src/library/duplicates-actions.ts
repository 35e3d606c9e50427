/**
 * The duplicates view: finds the near-duplicate copies (the main process hashes the photos it has not
 * hashed yet, reporting its progress, then groups them), and tags every copy but the one to keep
 * "duplicate" — one undoable action of the Library (Z). Nothing is deleted or moved here.
 */
import { call, ipcMessage, subscribe } from '../ipc'
import { formatCount } from '../lib/format'
import { notify } from '../session/notices'
import { useDuplicatesStore, othersOf } from './duplicates-store'
import { scheduleRefresh } from './library-grid'
import { useLibraryStore } from './library-store'

/** The tag the other copies get. */
export const DUPLICATE_TAG = 'duplicate'

const store = () => useDuplicatesStore.getState()

/** Bumped by every search: progress and answers of an older one are dropped. */
let searches = 0

export function closeDuplicates(): void {
  useLibraryStore.getState().setDuplicatesOpen(false)
}

/** Finds the duplicates afresh (the photos hashed before are not hashed again), with its progress. */
export async function findDuplicates(): Promise<void> {
  const mine = ++searches
  store().setFinding()
  let stop = (): void => undefined
  try {
    stop = subscribe('duplicates:progress', (progress) => {
      if (mine === searches && store().status === 'finding') store().setProgress(progress)
    })
  } catch (error) {
    // Without events the bar stays indeterminate; the search itself still runs.
    console.error(ipcMessage(error))
  }
  try {
    const reply = await call('duplicates:find', {})
    if (mine === searches) store().setFound(reply.groups, reply.photos)
  } catch (error) {
    if (mine === searches) store().setError(ipcMessage(error))
  } finally {
    stop()
  }
}

/**
 * Tags the other copies of these groups (each named by its kept copy's id; 'all': every group not tagged
 * yet) "duplicate". Returns the photos tagged, or undefined when it failed (the error is in the store).
 */
export async function tagOthers(which: number | 'all'): Promise<number | undefined> {
  const { groups, tagged, tagging } = store()
  if (tagging !== null) return undefined
  const chosen = groups.filter((g) => !tagged.has(g.keepId) && (which === 'all' || g.keepId === which))
  const photoIds = chosen.flatMap(othersOf)
  if (photoIds.length === 0) return 0
  store().setTagging(which)
  store().setTagError(null)
  try {
    const change = await call('tags:add', { photoIds, name: DUPLICATE_TAG })
    const label = `Tag ${formatCount(photoIds.length, 'copy', 'copies')} “${DUPLICATE_TAG}”`
    useLibraryStore.getState().pushUndo({ label, changes: [change] })
    store().markTagged(chosen.map((g) => g.keepId))
    notify(`Tagged ${formatCount(photoIds.length, 'copy', 'copies')} “${DUPLICATE_TAG}” (Z in the Library undoes it).`)
    scheduleRefresh(0)
    return photoIds.length
  } catch (error) {
    store().setTagError(`The copies could not be tagged: ${ipcMessage(error)}`)
    return undefined
  } finally {
    store().setTagging(null)
  }
}
