/**
 * What the Models screen does with the library's models: starts the screen (the list, the catalog and
 * its download events), sets the active model, renames and deletes. Imports, downloads and benchmarks
 * have modules of their own. Components call these; they never call IPC or the worker themselves.
 */
import { call, ipcMessage, subscribe } from '../ipc'
import { applyModelList, modelName, refreshModels } from '../session/model-list'
import { useNavStore } from '../session/navigation'
import { notify } from '../session/notices'
import { useSessionStore } from '../session/session-store'
import { onDownloadProgress, refreshCatalog } from './catalog-actions'
import { useModelsStore, type CardBusy } from './models-store'

const store = () => useModelsStore.getState()

let started = false

/** Reads the library and the catalog and listens to download progress (once; StrictMode-safe). */
export function startModels(): void {
  if (started) return
  started = true
  try {
    subscribe('catalog:progress', onDownloadProgress)
  } catch (error) {
    console.error(ipcMessage(error))
  }
  void refreshModels()
  void refreshCatalog()
}

/** Opens the Models screen on one model's card. */
export function showModel(id: string): void {
  useNavStore.getState().go('models')
  store().requestFocus(id)
}

async function onCard(id: string, busy: CardBusy, run: () => Promise<void>): Promise<boolean> {
  if (store().busy[id]) return false
  store().setBusy(id, busy)
  if (store().cardError?.modelId === id) store().setCardError(null)
  try {
    await run()
    return true
  } catch (error) {
    store().setCardError({ modelId: id, message: ipcMessage(error) })
    return false
  } finally {
    store().setBusy(id, undefined)
  }
}

export function setActiveModel(id: string): void {
  void onCard(id, 'activating', async () => {
    applyModelList(await call('models:setActive', { id }))
    notify(`${modelName(id)} is now the active model; Classify uses it for new photos.`)
  })
}

/** Saves a new name; resolves false (and shows why on the card) when it was refused. */
export async function renameModel(id: string, name: string): Promise<boolean> {
  const trimmed = name.trim()
  if (trimmed === modelName(id)) {
    store().setRenaming(null)
    return true
  }
  const saved = await onCard(id, 'renaming', async () => {
    applyModelList(await call('models:rename', { id, name: trimmed }))
  })
  if (saved && store().renaming === id) store().setRenaming(null)
  return saved
}

export function startRename(id: string): void {
  if (store().cardError?.modelId === id) store().setCardError(null)
  store().setRenaming(id)
}

export function cancelRename(): void {
  store().setRenaming(null)
}

/** Asks for confirmation first (the bundled model cannot be deleted). */
export function requestDelete(id: string): void {
  const { models } = useSessionStore.getState()
  if (models.status === 'ready' && models.data.find((m) => m.id === id)?.builtin) return
  store().setConfirmingDelete(id)
}

export function cancelDelete(): void {
  store().setConfirmingDelete(null)
}

export function confirmDelete(): void {
  const id = store().confirmingDelete
  if (!id) return
  store().setConfirmingDelete(null)
  const name = modelName(id)
  void onCard(id, 'deleting', async () => {
    applyModelList(await call('models:delete', { id }))
    notify(`Deleted ${name}.`)
    // Its catalog entry (if it came from there) can be downloaded again.
    void refreshCatalog()
  })
}
