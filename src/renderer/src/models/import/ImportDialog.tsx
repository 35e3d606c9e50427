import { useEffect, useRef } from 'react'
import { formatMegabytes } from '../../lib/format'
import { ghostButton, primaryButton, secondaryButton } from '../../ui/buttons'
import { CloseIcon, FileImportIcon } from '../../ui/Icons'
import { Modal } from '../../ui/Modal'
import { Spinner } from '../../ui/Spinner'
import { closeImport, startImport } from '../import-actions'
import { useModelsStore, type ImportState } from '../models-store'
import { ErrorBox } from './form-parts'
import { PreviewForm } from './PreviewForm'

function Reading({ state }: { state: Extract<ImportState, { step: 'reading' }> }) {
  return (
    <div
      data-testid="import-reading"
      className="flex items-center gap-3 px-6 py-10 text-[13px] text-zinc-600 dark:text-zinc-300"
    >
      <Spinner className="h-5 w-5 text-indigo-500" />
      Reading the graph of {state.file.name} ({formatMegabytes(state.file.bytes)})…
    </div>
  )
}

function Failed({ state }: { state: Extract<ImportState, { step: 'failed' }> }) {
  const retryRef = useRef<HTMLButtonElement>(null)
  useEffect(() => retryRef.current?.focus(), [])
  return (
    <div className="space-y-4 px-6 py-5">
      <ErrorBox>
        <strong className="block font-semibold">
          {state.file ? 'This file cannot be imported' : 'Nothing to import'}
        </strong>
        {state.message}
      </ErrorBox>
      <p className="text-[12px] leading-relaxed text-zinc-500 dark:text-zinc-400">
        The app imports ResNet-family image classifiers saved as ONNX: one image input (N×3×H×W) and one output of class
        scores, up to 1 GiB.
      </p>
      <div className="flex justify-end gap-2">
        <button type="button" onClick={closeImport} className={secondaryButton}>
          Close
        </button>
        <button
          ref={retryRef}
          data-autofocus
          type="button"
          data-testid="import-retry"
          onClick={() => void startImport()}
          className={primaryButton}
        >
          Choose another file…
        </button>
      </div>
    </div>
  )
}

/** Import model: reading the picked file, then what it holds and the choices to confirm, or why it cannot. */
export function ImportDialog() {
  const state = useModelsStore((s) => s.importing)
  if (!state) return null
  const file = state.file
  return (
    <Modal
      testId="import-dialog"
      labelledBy="import-title"
      onClose={closeImport}
      className={state.step === 'preview' ? 'max-w-5xl' : 'max-w-lg'}
    >
      <div data-step={state.step} className="flex max-h-[calc(100vh-3rem)] flex-col">
        <header className="flex items-center gap-3 border-b border-zinc-100 px-6 py-4 dark:border-zinc-800">
          <div className="flex h-9 w-9 shrink-0 items-center justify-center rounded-lg bg-indigo-50 text-indigo-600 ring-1 ring-indigo-100 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/20">
            <FileImportIcon className="h-5 w-5" />
          </div>
          <div className="min-w-0 flex-1">
            <h2 id="import-title" className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-50">
              Import model
            </h2>
            {file && (
              <p className="truncate text-[12px] text-zinc-500 dark:text-zinc-400" title={file.name}>
                {file.name} · {formatMegabytes(file.bytes)}
              </p>
            )}
          </div>
          <button
            type="button"
            onClick={closeImport}
            aria-label="Close (Esc)"
            title="Close (Esc)"
            className={ghostButton}
          >
            <CloseIcon className="h-4 w-4" />
          </button>
        </header>
        {state.step === 'reading' && <Reading state={state} />}
        {state.step === 'failed' && <Failed state={state} />}
        {state.step === 'preview' && <PreviewForm key={state.preview.token} state={state} />}
      </div>
    </Modal>
  )
}
