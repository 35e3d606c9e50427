/** What the Library writes to disk: XMP sidecars next to the selected photos, and the export of every photo. */
import { call, ipcMessage } from '../ipc'
import { formatCount } from '../lib/format'
import { notify } from '../session/notices'
import { useLibraryStore } from './library-store'
import { targetIds } from './selection-actions'

const store = () => useLibraryStore.getState()

export async function writeSidecars(): Promise<void> {
  const ids = targetIds()
  if (ids.length === 0 || store().busy) return
  store().setBusy('sidecars')
  try {
    const result = await call('library:writeSidecars', { photoIds: ids })
    const parts = [`Wrote ${formatCount(result.written, 'XMP sidecar')}`]
    if (result.unchanged > 0) parts.push(`${result.unchanged} already up to date`)
    if (result.failed.length > 0) {
      const first = result.failed[0]!
      parts.push(`${result.failed.length} failed (${first.path}: ${first.reason})`)
    }
    notify(`${parts.join(' · ')}.`)
  } catch (error) {
    notify(`The sidecars could not be written: ${ipcMessage(error)}`)
  } finally {
    store().setBusy(null)
  }
}

export async function exportLibrary(format: 'csv' | 'json'): Promise<void> {
  if (store().busy) return
  store().setBusy(`export-${format}`)
  try {
    const result = await call('library:export', { format })
    if (result) notify(`Exported ${formatCount(result.rows, 'photo')} to ${result.path}.`)
  } catch (error) {
    notify(`The export failed: ${ipcMessage(error)}`)
  } finally {
    store().setBusy(null)
  }
}
