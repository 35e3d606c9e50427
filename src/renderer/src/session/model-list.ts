/** The library's models as every screen sees them: listed over IPC, and the session kept on the active one. */
import type { ModelSummary } from '../../../shared/ipc/contract'
import { call, ipcMessage } from '../ipc'
import { syncActiveModel } from './active-model'
import { useSessionStore } from './session-store'

const store = () => useSessionStore.getState()

/** Takes a fresh list (the answer of any change to the library) and keeps the session on its active model. */
export function applyModelList(models: ModelSummary[]): void {
  store().setModels({ status: 'ready', data: models })
  syncActiveModel(models)
}

export async function refreshModels(): Promise<void> {
  if (store().models.status === 'error') store().setModels({ status: 'loading' })
  try {
    applyModelList(await call('models:list'))
  } catch (error) {
    store().setModels({ status: 'error', message: ipcMessage(error) })
  }
}

/** A model's name as listed, else its id. */
export function modelName(id: string): string {
  const { models } = store()
  return (models.status === 'ready' && models.data.find((m) => m.id === id)?.name) || id
}
