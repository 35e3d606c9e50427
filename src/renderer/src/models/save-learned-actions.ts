/**
 * Saves the learned tags as a model of their own (the backbone with a head for these tags): it joins the
 * model library, and the Models screen lists it.
 */
import type { ModelSummary } from '../../../shared/ipc/contract'
import { call, ipcMessage } from '../ipc'
import { refreshModels } from '../session/model-list'
import { notify } from '../session/notices'
import { saveProblem, useSaveLearnedStore } from './save-learned-store'

const store = () => useSaveLearnedStore.getState()

/** Opens the dialog and reads the learned tags. */
export async function openSaveLearned(): Promise<void> {
  store().setOpen(true)
  store().setError(null)
  store().setLearned({ status: 'loading' })
  try {
    const { learned } = await call('learned:tags')
    store().setLearned({ status: 'ready', data: learned })
  } catch (error) {
    store().setLearned({ status: 'error', message: ipcMessage(error) })
  }
}

export function closeSaveLearned(): void {
  if (!store().saving) store().setOpen(false)
}

/** Saves the model; closes the dialog and lists the new model when it worked. */
export async function saveLearnedModel(name: string, tagIds: number[]): Promise<ModelSummary | undefined> {
  const problem = saveProblem(name, tagIds)
  if (problem) {
    store().setError(problem)
    return undefined
  }
  store().setSaving(true)
  store().setError(null)
  try {
    const model = await call('learned:saveModel', { name: name.trim(), tagIds })
    await refreshModels()
    store().setOpen(false)
    notify(`Saved “${model.name}” with ${tagIds.length} learned tags: it is in the model library.`)
    return model
  } catch (error) {
    store().setError(`The model could not be saved: ${ipcMessage(error)}`)
    return undefined
  } finally {
    store().setSaving(false)
  }
}
