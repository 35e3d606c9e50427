/**
 * The Library screen's life: it listens to the library's events from the start, reads its first page when
 * it first shows, and while it does not show only notes that the library changed (refreshing on return).
 */
import { ipcMessage, subscribe } from '../ipc'
import { adding } from './add-photos'
import { checkPending, followRunningJob } from './classify-library'
import { reload, scheduleRefresh } from './library-grid'
import { useLibraryStore } from './library-store'
import { loadThreshold } from './threshold-actions'

const store = () => useLibraryStore.getState()

const screen = {
  started: false,
  /** The screen was opened at least once (its first page read). */
  opened: false,
  /** The screen shows now: changes refresh the grid; while it does not, they only mark it stale. */
  shown: false,
  stale: false,
}

/** Listens to the library's events (once; StrictMode-safe). */
export function startLibrary(): void {
  if (screen.started) return
  screen.started = true
  try {
    // Only while an add runs: a late event must not bring back a finished progress bar.
    subscribe('library:progress', (progress) => {
      if (adding() && progress.phase === 'scanning') store().setIngest(progress)
    })
    subscribe('library:changed', () => {
      if (screen.shown) scheduleRefresh()
      else screen.stale = true
    })
  } catch (error) {
    console.error(ipcMessage(error))
  }
}

/**
 * Called when the Library screen shows: the first time it loads, later it refreshes what changed
 * meanwhile. Returns what to call when it goes.
 */
export function openLibrary(): () => void {
  screen.shown = true
  if (!screen.opened) {
    screen.opened = true
    screen.stale = false
    reload()
    void loadThreshold()
  } else if (screen.stale) {
    screen.stale = false
    scheduleRefresh(0)
  }
  void followRunningJob().then(checkPending)
  return () => {
    screen.shown = false
  }
}
