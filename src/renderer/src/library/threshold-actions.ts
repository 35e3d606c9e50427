/** The probability from which a prediction becomes a suggested tag. */
import { call, ipcMessage } from '../ipc'
import { formatCount } from '../lib/format'
import { notify } from '../session/notices'
import { useLibraryStore } from './library-store'

const store = () => useLibraryStore.getState()

export async function loadThreshold(): Promise<void> {
  try {
    store().setThreshold((await call('library:threshold')).threshold)
  } catch {
    store().setThreshold(null)
  }
}

export async function setThreshold(threshold: number): Promise<void> {
  const before = store().threshold
  store().setThreshold(threshold)
  try {
    const result = await call('library:setThreshold', { threshold })
    notify(
      `Suggestions from ${Math.round(threshold * 100)} %: ${formatCount(result.suggested, 'new suggestion')}, ${result.withdrawn} withdrawn.`,
    )
  } catch (error) {
    store().setThreshold(before)
    notify(`The threshold was not changed: ${ipcMessage(error)}`)
  }
}
