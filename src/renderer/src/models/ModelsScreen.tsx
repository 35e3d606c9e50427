import type { CatalogEntryStatus } from '../../../shared/ipc/contract'
import { formatCount, shortcutLabel } from '../lib/format'
import { useWindowFileDrop } from '../lib/useWindowFileDrop'
import { refreshModels } from '../session/model-list'
import { modelsOf, useSessionStore } from '../session/session-store'
import { primaryButton } from '../ui/buttons'
import { FileImportIcon, LayersIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { RetryAlert } from '../ui/RetryAlert'
import { Spinner } from '../ui/Spinner'
import { CatalogSection } from './CatalogSection'
import { DeleteDialog } from './DeleteDialog'
import { EngineOverrideSelect } from './EngineOverrideSelect'
import { importDropped, startImport } from './import-actions'
import { ImportDialog } from './import/ImportDialog'
import { ModelCard } from './ModelCard'
import { SaveLearnedButton, SaveLearnedDialog } from './SaveLearnedDialog'
import { useModelsStore } from './models-store'

export const IMPORT_SHORTCUT = shortcutLabel('I')

function ImportButton() {
  const picking = useModelsStore((s) => s.picking)
  return (
    <button
      type="button"
      data-testid="import-model"
      onClick={() => void startImport()}
      disabled={picking}
      title={`Import a ResNet ONNX file (${IMPORT_SHORTCUT})`}
      aria-keyshortcuts={IMPORT_SHORTCUT.replace('⌘', 'Meta+')}
      className={`${primaryButton} py-1.5 pr-2 text-[13px]`}
    >
      {picking ? <Spinner className="h-4 w-4" /> : <FileImportIcon className="h-4 w-4" />}
      Import model…
      <Kbd onAccent>{IMPORT_SHORTCUT}</Kbd>
    </button>
  )
}

/** An .onnx file dropped on the window while this screen shows is imported (main grants only .onnx files). */
function importDroppedFiles(files: File[]): void {
  void importDropped(files)
}

function DropOverlay() {
  return (
    <div
      data-testid="model-drop-overlay"
      className="pointer-events-none fixed inset-0 z-40 flex items-center justify-center bg-indigo-500/10 p-4 backdrop-blur-[2px] dark:bg-indigo-400/10"
    >
      <div className="flex h-full w-full flex-col items-center justify-center gap-3 rounded-2xl border-2 border-dashed border-indigo-400 bg-white/70 text-indigo-700 dark:border-indigo-400/70 dark:bg-zinc-950/70 dark:text-indigo-200">
        <FileImportIcon className="h-10 w-10" />
        <p className="text-[15px] font-semibold">Drop to import the model</p>
        <p className="text-[12.5px] text-indigo-600/80 dark:text-indigo-300/80">
          One .onnx file: its graph is read and shown before anything is added
        </p>
      </div>
    </div>
  )
}

function Library() {
  const state = useSessionStore((s) => s.models)
  const catalog = useModelsStore((s) => s.catalog)
  const models = useSessionStore(modelsOf)

  if (state.status === 'loading') {
    return (
      <p className="flex items-center gap-2 py-6 text-[13px] text-zinc-500">
        <Spinner className="h-4 w-4" /> Reading the library…
      </p>
    )
  }
  if (state.status === 'error') {
    return (
      <RetryAlert
        testId="models-error"
        title="The model library could not be read"
        message={state.message}
        onRetry={() => void refreshModels()}
      />
    )
  }

  const byModel = new Map<string, CatalogEntryStatus>()
  if (catalog.status === 'ready') {
    for (const entry of catalog.data) if (entry.installedModelId) byModel.set(entry.installedModelId, entry)
  }
  return (
    <div className="space-y-4">
      <ul
        aria-label="Models"
        className="grid grid-cols-[repeat(auto-fill,minmax(min(100%,440px),1fr))] items-stretch gap-4"
      >
        {models.map((model) => (
          <li key={model.id} className="flex min-w-0">
            <ModelCard model={model} catalogEntry={byModel.get(model.id)} />
          </li>
        ))}
      </ul>
      {models.every((m) => m.builtin) && (
        <div
          data-testid="models-empty-hint"
          className="flex items-center gap-4 rounded-xl border-2 border-dashed border-zinc-300 px-5 py-4 dark:border-zinc-700/80"
        >
          <div className="flex h-10 w-10 shrink-0 items-center justify-center rounded-xl bg-indigo-50 text-indigo-500 ring-1 ring-indigo-100 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/20">
            <LayersIcon className="h-5 w-5" />
          </div>
          <p className="min-w-0 flex-1 text-[12.5px] leading-relaxed text-zinc-600 dark:text-zinc-300">
            Only the bundled model so far. Import a ResNet saved as ONNX with <strong>Import model…</strong> (
            {IMPORT_SHORTCUT}) or by dropping the .onnx file here, or download an ImageNet ResNet from the catalog
            below.
          </p>
        </div>
      )}
    </div>
  )
}

/** The Models screen: the library's cards, import, and the catalog. */
export function ModelsScreen() {
  const count = useSessionStore((s) => (s.models.status === 'ready' ? s.models.data.length : undefined))
  const dragging = useWindowFileDrop(importDroppedFiles)
  return (
    <div data-testid="models-screen" className="flex min-h-0 flex-1 flex-col">
      <header className="flex h-14 shrink-0 items-center gap-4 border-b border-zinc-200 bg-white/80 px-5 backdrop-blur dark:border-zinc-800/80 dark:bg-zinc-950/60">
        <h2 className="text-[15px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Models</h2>
        {count !== undefined && (
          <span className="text-[12px] text-zinc-500 tabular-nums dark:text-zinc-400">
            {formatCount(count, 'model')} in the library
          </span>
        )}
        <div className="ml-auto flex items-center gap-4">
          <EngineOverrideSelect />
          <SaveLearnedButton />
          <ImportButton />
        </div>
      </header>
      <div className="min-h-0 flex-1 overflow-y-auto">
        <div className="mx-auto max-w-6xl space-y-10 p-5 pb-16">
          <section aria-labelledby="library-heading" className="space-y-3">
            <div>
              <h2
                id="library-heading"
                className="text-[14px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50"
              >
                Library
              </h2>
              <p className="mt-0.5 text-[12.5px] text-zinc-500 dark:text-zinc-400">
                The active model classifies new photos. With a card focused: <Kbd>Enter</Kbd> sets it active,{' '}
                <Kbd>F2</Kbd> renames, <Kbd>B</Kbd> benchmarks, <Kbd>Delete</Kbd> deletes, arrows move.
              </p>
            </div>
            <Library />
          </section>
          <CatalogSection />
        </div>
      </div>
      <ImportDialog />
      <DeleteDialog />
      <SaveLearnedDialog />
      {dragging && <DropOverlay />}
    </div>
  )
}
