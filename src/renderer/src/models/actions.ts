/**
 * What the Models screen does: reads the library and the catalog over IPC, changes the library,
 * drives imports and downloads, and benchmarks models in the inference worker. Components call
 * these; they never call IPC or the worker themselves.
 */
import { artifactUrlPath } from '../../../shared/ipc/routes'
import type {
  DownloadProgress,
  ImportRequest,
  ModelSummary,
  PickedFile,
  PickedLabels,
} from '../../../shared/ipc/contract'
import { engine, syncActiveModel } from '../actions'
import type { BenchmarkRun } from '../engine/client'
import type { BenchmarkBudget } from '../engine/messages'
import { call, ipcMessage, pathForFile, subscribe } from '../ipc'
import { useNavStore } from '../nav'
import { useClassifyStore } from '../store'
import { useModelsStore } from './store'

const store = () => useModelsStore.getState()
const notify = (text: string) => useClassifyStore.getState().showNotice(text)

/** Each provider is timed for up to 2 s or 200 runs, after a warm-up run. */
export const BENCHMARK_BUDGET: BenchmarkBudget = { maxMs: 2000, maxRuns: 200 }

/**
 * Where the app serves a library model's bytes (the same route `models:active` answers with).
 * TODO: take it from the contract once ModelSummary carries its modelUrl.
 */
function nameOf(id: string): string {
  const models = store().models
  return (models.status === 'ready' && models.data.find((m) => m.id === id)?.name) || id
}

// ---------------------------------------------------------------------------------------------
// Start

let started = false

/** Reads the library and the catalog and listens to download progress (once; StrictMode-safe). */
export function startModels(): void {
  if (started) return
  started = true
  try {
    subscribe('catalog:progress', onProgress)
  } catch (error) {
    console.error(ipcMessage(error))
  }
  void refreshModels()
  void refreshCatalog()
}

/** Takes a fresh list (after any change) and keeps the Classify screen on its active model. */
function applyList(models: ModelSummary[]): void {
  store().setModels({ status: 'ready', data: models })
  syncActiveModel(models)
}

export async function refreshModels(): Promise<void> {
  if (store().models.status === 'error') store().setModels({ status: 'loading' })
  try {
    applyList(await call('models:list'))
  } catch (error) {
    store().setModels({ status: 'error', message: ipcMessage(error) })
  }
}

export async function refreshCatalog(): Promise<void> {
  if (store().catalog.status === 'error') store().setCatalog({ status: 'loading' })
  try {
    store().setCatalog({ status: 'ready', data: await call('catalog:list') })
  } catch (error) {
    store().setCatalog({ status: 'error', message: ipcMessage(error) })
  }
}

/** Opens the Models screen on one model's card. */
export function showModel(id: string): void {
  useNavStore.getState().go('models')
  store().requestFocus(id)
}

// ---------------------------------------------------------------------------------------------
// Library actions

async function onCard(
  id: string,
  busy: 'activating' | 'renaming' | 'deleting',
  run: () => Promise<void>,
): Promise<boolean> {
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
    applyList(await call('models:setActive', { id }))
    notify(`${nameOf(id)} is now the active model; Classify uses it for new photos.`)
  })
}

/** Saves a new name; resolves false (and shows why on the card) when it was refused. */
export async function renameModel(id: string, name: string): Promise<boolean> {
  const trimmed = name.trim()
  if (trimmed === nameOf(id)) {
    store().setRenaming(null)
    return true
  }
  const saved = await onCard(id, 'renaming', async () => {
    applyList(await call('models:rename', { id, name: trimmed }))
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
  const { models } = store()
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
  const name = nameOf(id)
  void onCard(id, 'deleting', async () => {
    applyList(await call('models:delete', { id }))
    notify(`Deleted ${name}.`)
    // Its catalog entry (if it came from there) can be downloaded again.
    void refreshCatalog()
  })
}

// ---------------------------------------------------------------------------------------------
// Import

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

// ---------------------------------------------------------------------------------------------
// Catalog

function onProgress(progress: DownloadProgress): void {
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

// ---------------------------------------------------------------------------------------------
// Benchmark

const runs = new Map<string, BenchmarkRun>()

/** Times the model on every provider this machine has, in the inference worker. */
export async function benchmarkModel(model: ModelSummary): Promise<void> {
  if (runs.has(model.id)) return
  const [width, height] = model.inputSize
  store().setBenchmark(model.id, { status: 'running', cancelling: false })
  const run = engine().benchmark(artifactUrlPath(model.id), { height, width }, BENCHMARK_BUDGET, (reply) => {
    const current = store().benchmarks[model.id]
    if (current?.status !== 'running') return
    const { provider, label, index, count, phase, fraction } = reply
    store().setBenchmark(model.id, { ...current, progress: { provider, label, index, count, phase, fraction } })
  })
  runs.set(model.id, run)
  try {
    const reply = await run.done
    store().setBenchmark(model.id, { status: reply.cancelled ? 'cancelled' : 'done', results: reply.results })
  } catch (error) {
    store().setBenchmark(model.id, { status: 'error', message: ipcMessage(error) })
  } finally {
    runs.delete(model.id)
  }
}

export function cancelBenchmark(modelId: string): void {
  const run = runs.get(modelId)
  const current = store().benchmarks[modelId]
  if (!run || current?.status !== 'running') return
  store().setBenchmark(modelId, { ...current, cancelling: true })
  run.cancel()
}
