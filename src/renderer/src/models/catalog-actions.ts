/** The catalog on the Models screen (and the first start's offer): its entries, downloads and their progress. */
import type { DownloadProgress } from '../../../shared/ipc/contract'
import { call, ipcMessage } from '../ipc'
import { refreshModels } from '../session/model-list'
import { notify } from '../session/notices'
import { useModelsStore } from './models-store'

const store = () => useModelsStore.getState()

export async function refreshCatalog(): Promise<void> {
  if (store().catalog.status === 'error') store().setCatalog({ status: 'loading' })
  try {
    store().setCatalog({ status: 'ready', data: await call('catalog:list') })
  } catch (error) {
    store().setCatalog({ status: 'error', message: ipcMessage(error) })
  }
}

/** A download's `catalog:progress` event. */
export function onDownloadProgress(progress: DownloadProgress): void {
  const { id, state } = progress
  if (state === 'downloading' || state === 'verifying') {
    store().setDownload(id, progress)
    return
  }
  const entry = store().catalog
  const name = (entry.status === 'ready' && entry.data.find((e) => e.id === id)?.name) || id
  if (state === 'failed') {
    store().setDownload(id, progress)
    void refreshCatalog()
    return
  }
  store().setDownload(id, undefined)
  if (state === 'done') {
    notify(`Downloaded ${name}; it is in the library.`)
    void refreshModels().then(() => progress.modelId && store().requestFocus(progress.modelId))
  }
  void refreshCatalog()
}

export async function downloadEntry(id: string): Promise<void> {
  store().setDownloadError(id, undefined)
  const previous = store().downloads[id]
  if (previous?.state === 'failed') store().setDownload(id, undefined)
  const catalog = store().catalog
  const entry = catalog.status === 'ready' ? catalog.data.find((e) => e.id === id) : undefined
  try {
    const { started } = await call('catalog:download', { id })
    if (started && entry && !store().downloads[id]) {
      store().setDownload(id, {
        id,
        state: 'downloading',
        received: entry.partialBytes,
        total: entry.bytes,
        bytesPerSecond: 0,
      })
    }
  } catch (error) {
    store().setDownloadError(id, ipcMessage(error))
  }
  void refreshCatalog()
}

export async function cancelDownload(id: string): Promise<void> {
  try {
    await call('catalog:cancel', { id })
  } catch (error) {
    store().setDownloadError(id, ipcMessage(error))
  }
}
