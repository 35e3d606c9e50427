/** Adding photos to the library: dropped files and folders, or the system's folder dialog; then they are classified. */
import type { IngestReportResult } from '../../../shared/ipc/contract'
import { call, ipcMessage } from '../ipc'
import { notify } from '../session/notices'
import { classifyPending } from './classify-library'
import { useLibraryStore } from './library-store'

const store = () => useLibraryStore.getState()

/** Whether an add runs now (its progress shows while it does). */
export function adding(): boolean {
  return store().ingest !== null
}

async function runAdd(add: () => Promise<IngestReportResult | null>): Promise<void> {
  if (adding()) {
    notify('Photos are being added already: wait for that to finish.')
    return
  }
  store().setIngest({ phase: 'scanning', found: 0, done: 0 })
  store().setReport(null)
  try {
    const report = await add()
    if (report === null) return
    store().setReport({ report })
    void classifyPending()
  } catch (error) {
    store().setReport({ error: ipcMessage(error) })
  } finally {
    store().setIngest(null)
  }
}

/** Files and folders dropped on the window (their paths, from the bridge). */
export function addPaths(paths: string[]): void {
  if (paths.length === 0) {
    store().setReport({
      error:
        'The dropped items have no place on disk (dragged from a web page?): drop files or folders from the file manager.',
    })
    return
  }
  void runAdd(() => call('library:addPaths', { paths }))
}

/** "Add photos…": the system's folder dialog. */
export function pickFolders(): void {
  void runAdd(() => call('library:pickFolders'))
}

export function dismissReport(): void {
  store().setReport(null)
}
