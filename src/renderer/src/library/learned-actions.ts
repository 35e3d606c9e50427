/**
 * Learning the person's own tags from their examples: the tags learned and those that can be, learning one
 * (again), forgetting one. What learning suggests goes to the Review queue, which is read again at once.
 */
import { call, ipcMessage } from '../ipc'
import { formatCount } from '../lib/format'
import { loadGroups } from '../review/review-actions'
import { notify } from '../session/notices'
import { refreshTags, scheduleRefresh } from './library-grid'
import { useLearnedStore } from './learned-store'

const store = () => useLearnedStore.getState()

export async function loadLearned(): Promise<void> {
  try {
    store().setTags({ status: 'ready', data: await call('learned:tags') })
  } catch (error) {
    store().setTags({ status: 'error', message: ipcMessage(error) })
  }
}

/** What changed the suggestions: the list, the review's classes, the grid and the tag counts follow. */
function suggestionsChanged(): void {
  void loadLearned()
  void loadGroups()
  void refreshTags()
  scheduleRefresh(0)
}

/** Learns a tag (again) from its accepted photos; it is then suggested where it fits. True when it did. */
export async function learnTag(tagId: number, name: string): Promise<boolean> {
  if (store().busy) return false
  store().setBusy({ tagId, action: 'learn' })
  store().setError(null)
  try {
    const learned = await call('learned:learn', { tagId })
    notify(
      `Learned “${learned.name}” from ${formatCount(learned.positives, 'example')}: ${formatCount(learned.suggested, 'photo')} to review.`,
    )
    suggestionsChanged()
    return true
  } catch (error) {
    store().setError(`“${name}” could not be learned: ${ipcMessage(error)}`)
    return false
  } finally {
    store().setBusy(null)
  }
}

/** Stops suggesting a learned tag: its open suggestions go, accepted photos keep it. True when it did. */
export async function forgetTag(tagId: number, name: string): Promise<boolean> {
  if (store().busy) return false
  store().setBusy({ tagId, action: 'forget' })
  store().setError(null)
  try {
    const { withdrawn } = await call('learned:forget', { tagId })
    notify(`Forgot “${name}”: ${formatCount(withdrawn, 'suggestion')} withdrawn; accepted photos keep the tag.`)
    suggestionsChanged()
    return true
  } catch (error) {
    store().setError(`“${name}” could not be forgotten: ${ipcMessage(error)}`)
    return false
  } finally {
    store().setBusy(null)
  }
}
