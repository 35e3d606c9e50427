/**
 * Importing a model: the system's file dialog (or a file dropped on the window), what the file holds in
 * the import dialog, then the import itself. Folders and files are picked in the main process and named
 * by tokens.
 */
import type { ImportRequest, PickedFile, PickedLabels } from '../../../shared/ipc/contract'
import { call, ipcMessage, pathForFile } from '../ipc'
import { refreshModels } from '../session/model-list'
import { useNavStore } from '../session/navigation'
import { notify } from '../session/notices'
import { useModelsStore } from './models-store'

const store = () => useModelsStore.getState()

/** False once the dialog was closed (or another file chosen) while the file was read. */
function stillReading(token: string): boolean {
  const state = store().importing
  return state?.step === 'reading' && state.file.token === token
}

/** Import model…: the system's file dialog, then what the file holds, in the import dialog. */
export async function startImport(): Promise<void> {
  if (!canStartImport()) return
  useNavStore.getState().go('models')
  store().setPicking(true)
  let file
  try {
    file = await call('models:pickFile')
  } catch (error) {
    store().setImporting({ step: 'failed', message: `The file dialog could not open: ${ipcMessage(error)}` })
    return
  } finally {
    store().setPicking(false)
  }
  if (file !== null) await inspect(file)
}

/** Whether a new import may start now (not while one is being read, confirmed or picked). */
function canStartImport(): boolean {
  const { picking, importing } = store()
  return !picking && (!importing || importing.step === 'failed')
}

/**
 * A file dropped on the Models screen: the bridge gives its path, the main process grants it (only
 * .onnx files), and it is read as if it had been picked.
 */
export async function importDropped(files: readonly File[]): Promise<void> {
  if (!canStartImport()) return
  const models = files.filter((f) => /\.onnx$/i.test(f.name))
  const file = models[0]
  if (!file) {
    const names = files
      .slice(0, 3)
      .map((f) => f.name)
      .join(', ')
    notify(
      files.length === 0
        ? 'Nothing to import: the drop held no files.'
        : `Only .onnx model files can be imported (not ${names}); photos go on the Classify screen.`,
    )
    return
  }
  if (models.length > 1) notify(`One model at a time: importing ${file.name} only.`)
  const path = pathForFile(file)
  if (path === '') {
    notify(`${file.name} has no path on disk that the app can read; use Import model… instead.`)
    return
  }
  let picked: PickedFile
  try {
    picked = await call('models:grantDropped', { path })
  } catch (error) {
    store().setImporting({ step: 'failed', message: ipcMessage(error) })
    return
  }
  await inspect(picked)
}

/** Reads a granted file's graph and shows what it holds (or why it cannot be imported). */
async function inspect(file: PickedFile): Promise<void> {
  store().setImporting({ step: 'reading', file })
  try {
    const preview = await call('models:inspect', { token: file.token })
    if (!stillReading(file.token)) return
    store().setImporting({ step: 'preview', file, preview, submitting: false })
  } catch (error) {
    if (!stillReading(file.token)) return
    store().setImporting({ step: 'failed', file, message: ipcMessage(error) })
  }
}

export async function submitImport(request: ImportRequest): Promise<void> {
  const state = store().importing
  if (state?.step !== 'preview' || state.submitting) return
  store().setImporting({ ...state, submitting: true, error: undefined })
  try {
    const result = await call('models:import', request)
    store().setImporting(null)
    notify(
      result.alreadyPresent
        ? `${result.model.name} was already in the library; nothing was added.`
        : `Imported ${result.model.name}. Set it active to classify with it.`,
    )
    await refreshModels()
    store().requestFocus(result.model.id)
  } catch (error) {
    const current = store().importing
    if (current?.step === 'preview') store().setImporting({ ...current, submitting: false, error: ipcMessage(error) })
  }
}

export function closeImport(): void {
  const state = store().importing
  if (state?.step === 'preview' && state.submitting) return
  store().setImporting(null)
}

/** Labels file…: the labels read from the file, null when the person cancels. */
export async function pickLabels(): Promise<PickedLabels | null> {
  return call('labels:pickFile')
}
