import { memo, useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react'
import type { CatalogEntryStatus, ModelSummary } from '../../../shared/ipc/contract'
import { formatMacs, formatMegabytes, formatParamCount } from '../lib/format'
import { dangerGhostButton, ghostButton, primaryButton, secondaryButton } from '../ui/buttons'
import { AlertIcon, CheckIcon, GaugeIcon, PencilIcon, TrashIcon } from '../ui/Icons'
import { isTyping } from '../ui/keyboard'
import { Spinner } from '../ui/Spinner'
import { BatchEngineRow } from './BatchEngineRow'
import { benchmarkModel } from './benchmark-actions'
import { BenchmarkPanel } from './BenchmarkPanel'
import { inputSizeText, labelsName, ORIGIN_NAMES } from './card-text'
import { KnowledgeRow } from './KnowledgeRow'
import { requestDelete, setActiveModel, startRename } from './models-actions'
import { useModelsStore } from './models-store'
import { RenameField } from './RenameField'
import { StageTable } from './StageTable'

function Fact({ id, label, children, title }: { id: string; label: string; children: ReactNode; title?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-[10.5px] font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-500">{label}</dt>
      <dd
        data-testid={`fact-${id}`}
        title={title}
        className="truncate text-[13px] font-medium text-zinc-900 tabular-nums dark:text-zinc-100"
      >
        {children}
      </dd>
    </div>
  )
}

const UNKNOWN = <span className="font-normal text-zinc-400 dark:text-zinc-500">–</span>

function formatAdded(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' })
}

/** Focuses the next or previous model card (arrow keys move between cards). */
function moveFocus(from: HTMLElement, step: 1 | -1): void {
  const cards = [...document.querySelectorAll<HTMLElement>('[data-testid="model-card"]')]
  const next = cards[cards.indexOf(from) + step]
  next?.focus()
}

interface Props {
  model: ModelSummary
  /** The catalog entry it was downloaded from, for its published accuracy. */
  catalogEntry?: CatalogEntryStatus
}

/**
 * One model of the library: what it is, what its graph says (stages, parameters, compute), how fast
 * it runs here, and its actions. With the card focused: Enter sets it active, F2 renames, B
 * benchmarks, Delete deletes, arrows move to the next card.
 */
export const ModelCard = memo(function ModelCard({ model, catalogEntry }: Props) {
  const ref = useRef<HTMLElement>(null)
  const busy = useModelsStore((s) => s.busy[model.id])
  const renaming = useModelsStore((s) => s.renaming === model.id)
  const error = useModelsStore((s) => (s.cardError?.modelId === model.id ? s.cardError.message : undefined))
  const benchmarking = useModelsStore((s) => s.benchmarks[model.id]?.status === 'running')
  const focusRequest = useModelsStore((s) => (s.focusRequest?.modelId === model.id ? s.focusRequest.n : 0))
  const graph = model.graph
  const headingId = `model-${model.id}-name`

  useEffect(() => {
    if (!focusRequest) return
    const card = ref.current
    if (!card) return
    card.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
    card.focus({ preventScroll: true })
    // A short glow says which card this is (after an import, a download or "Show").
    const glow = card.animate(
      [{ boxShadow: '0 0 0 4px rgb(129 140 248 / 0.7)' }, { boxShadow: '0 0 0 0 rgb(129 140 248 / 0)' }],
      { duration: 1600, easing: 'ease-out' },
    )
    return () => glow.cancel()
  }, [focusRequest])

  const onKeyDown = (event: KeyboardEvent<HTMLElement>): void => {
    if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey || busy) return
    const onCard = event.target === event.currentTarget
    switch (event.key) {
      case 'Enter':
        if (!onCard) return
        if (!model.active) setActiveModel(model.id)
        break
      case 'F2':
        startRename(model.id)
        break
      case 'b':
      case 'B':
        if (!benchmarking) void benchmarkModel(model)
        break
      case 'Delete':
        requestDelete(model.id)
        break
      case 'ArrowDown':
      case 'ArrowRight':
        if (!onCard) return
        moveFocus(event.currentTarget, 1)
        break
      case 'ArrowUp':
      case 'ArrowLeft':
        if (!onCard) return
        moveFocus(event.currentTarget, -1)
        break
      default:
        return
    }
    event.preventDefault()
  }

  const top1 = catalogEntry?.top1
  const top5 = catalogEntry?.top5

  return (
    <article
      ref={ref}
      tabIndex={0}
      data-testid="model-card"
      data-model-id={model.id}
      data-active={model.active ? 'true' : 'false'}
      data-busy={busy ?? ''}
      aria-labelledby={headingId}
      aria-busy={busy !== undefined}
      onKeyDown={onKeyDown}
      className={`flex min-w-0 flex-col gap-3 rounded-xl border bg-white p-4 shadow-[0_1px_2px_rgba(0,0,0,0.04)] transition-[box-shadow,opacity] outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:bg-zinc-900 ${
        model.active
          ? 'border-indigo-300 ring-1 ring-indigo-300/70 dark:border-indigo-500/50 dark:ring-indigo-500/30'
          : 'border-zinc-200 dark:border-zinc-800'
      } ${busy === 'deleting' ? 'opacity-50' : ''}`}
    >
      <header className="flex items-start gap-3">
        <div className="min-w-0 flex-1">
          {renaming ? (
            <RenameField modelId={model.id} name={model.name} onDone={() => ref.current?.focus()} />
          ) : (
            <h3
              id={headingId}
              data-testid="model-card-name"
              className="truncate text-[15px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50"
              title={model.name}
              onDoubleClick={() => startRename(model.id)}
            >
              {model.name}
            </h3>
          )}
          <p className="mt-0.5 truncate text-[11.5px] text-zinc-500 dark:text-zinc-400" title={model.source}>
            {graph?.architecture && (
              <span data-testid="model-architecture" className="text-zinc-700 dark:text-zinc-200">
                {graph.architecture} ·{' '}
              </span>
            )}
            <span data-testid="model-origin" className="font-medium text-zinc-600 dark:text-zinc-300">
              {ORIGIN_NAMES[model.origin]}
            </span>
            {model.source ? ` · ${model.source}` : ''}
          </p>
        </div>
        {model.active && (
          <span
            data-testid="active-badge"
            className="inline-flex shrink-0 items-center gap-1 rounded-full bg-indigo-50 px-2 py-0.5 text-[11px] font-semibold text-indigo-700 ring-1 ring-indigo-200 dark:bg-indigo-500/15 dark:text-indigo-200 dark:ring-indigo-400/30"
          >
            <CheckIcon className="h-3 w-3" />
            Active
          </span>
        )}
      </header>

      <dl className="grid grid-cols-3 gap-x-4 gap-y-2">
        <Fact id="classes" label="Classes">
          {model.classes.toLocaleString('en-US')}
        </Fact>
        <Fact id="input" label="Input" title="Width × height in pixels, 3 channels (RGB)">
          {inputSizeText(model.inputSize)}
        </Fact>
        <Fact id="labels" label="Labels" title={model.labelsSource}>
          {labelsName(model.labelsSource)}
        </Fact>
        <Fact
          id="params"
          label="Parameters"
          title={graph ? `${graph.params.toLocaleString('en-US')} weights` : 'The graph was not read'}
        >
          {graph ? formatParamCount(graph.params) : UNKNOWN}
        </Fact>
        <Fact
          id="macs"
          label="Compute"
          title={
            graph
              ? `${Math.round(graph.macs).toLocaleString('en-US')} multiply-adds per image`
              : 'The graph was not read'
          }
        >
          {graph ? formatMacs(graph.macs) : UNKNOWN}
        </Fact>
        <Fact id="file" label="File" title={`${model.fileBytes.toLocaleString('en-US')} bytes`}>
          {formatMegabytes(model.fileBytes)}
        </Fact>
        {top1 !== undefined && (
          <Fact id="accuracy" label="ImageNet accuracy" title="As published by the ONNX Model Zoo">
            top-1 {top1.toFixed(1)} %{top5 !== undefined ? ` · top-5 ${top5.toFixed(1)} %` : ''}
          </Fact>
        )}
      </dl>

      {graph ? (
        <div className="space-y-1.5">
          <StageTable graph={graph} caption={`Stages of ${model.name}`} />
          <p className="text-[11px] leading-snug text-zinc-500 dark:text-zinc-400">
            {graph.depth !== undefined && (
              <span data-testid="depth-formula">
                <span className="font-medium text-zinc-700 dark:text-zinc-300">Depth {graph.depth}</span>
                {graph.depthFormula ? ` = ${graph.depthFormula}` : ''} weighted layers
              </span>
            )}
            {graph.depth !== undefined && ' · '}
            opset {graph.opset}
            {graph.assumedInput && ` · shapes for an assumed ${inputSizeText(model.inputSize)} input`}
          </p>
        </div>
      ) : (
        <p
          data-testid="no-graph"
          className="rounded-lg border border-dashed border-zinc-200 px-3 py-2 text-[11.5px] text-zinc-500 dark:border-zinc-800 dark:text-zinc-400"
        >
          The graph of this model has not been read, so its stages, parameters and compute are not known yet.
        </p>
      )}

      <BenchmarkPanel modelId={model.id} />
      <BatchEngineRow modelId={model.id} />
      <KnowledgeRow modelId={model.id} />

      {error && (
        <p
          role="alert"
          data-testid="card-action-error"
          className="flex items-start gap-2 rounded-lg border border-rose-200 bg-rose-50 px-2.5 py-2 text-[12px] leading-snug text-rose-800 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-200"
        >
          <AlertIcon className="mt-px h-4 w-4 shrink-0 text-rose-500" />
          <span className="min-w-0 break-words">{error}</span>
        </p>
      )}

      <footer className="mt-auto space-y-1.5 border-t border-zinc-100 pt-3 dark:border-zinc-800">
        <div className="flex flex-wrap items-center gap-1.5">
          <button
            type="button"
            data-testid="set-active"
            disabled={model.active || busy !== undefined}
            onClick={() => setActiveModel(model.id)}
            title={model.active ? 'This is the active model' : 'Classify with this model (Enter on the card)'}
            className={model.active ? secondaryButton : primaryButton}
          >
            {busy === 'activating' ? (
              <Spinner className="h-3.5 w-3.5" />
            ) : (
              model.active && <CheckIcon className="h-3.5 w-3.5" />
            )}
            {model.active ? 'Active' : busy === 'activating' ? 'Activating…' : 'Set active'}
          </button>
          <button
            type="button"
            data-testid="rename"
            disabled={busy !== undefined || renaming}
            onClick={() => startRename(model.id)}
            title="Rename (F2); Enter saves, Esc cancels"
            className={ghostButton}
          >
            <PencilIcon className="h-3.5 w-3.5" />
            Rename
          </button>
          <button
            type="button"
            data-testid="benchmark"
            disabled={benchmarking || busy === 'deleting'}
            onClick={() => void benchmarkModel(model)}
            title="Benchmark on this machine: images per second on each provider (B)"
            className={ghostButton}
          >
            <GaugeIcon className="h-3.5 w-3.5" />
            Benchmark
          </button>
          <span className="ml-auto" title={model.builtin ? 'Comes with the app: it cannot be deleted' : undefined}>
            <button
              type="button"
              data-testid="delete"
              disabled={model.builtin || busy !== undefined}
              aria-describedby={model.builtin ? `${headingId}-no-delete` : undefined}
              onClick={() => requestDelete(model.id)}
              title={model.builtin ? undefined : 'Delete from the library… (Delete)'}
              className={dangerGhostButton}
            >
              {busy === 'deleting' ? <Spinner className="h-3.5 w-3.5" /> : <TrashIcon className="h-3.5 w-3.5" />}
              {busy === 'deleting' ? 'Deleting…' : 'Delete'}
            </button>
          </span>
        </div>
        <p className="flex flex-wrap gap-x-2 text-[10.5px] text-zinc-400 dark:text-zinc-500">
          {model.builtin ? (
            <span id={`${headingId}-no-delete`} data-testid="delete-explanation">
              Comes with the app, so it cannot be deleted.
            </span>
          ) : (
            <span>Added {formatAdded(model.addedAt)}</span>
          )}
          <span className="font-mono" title={`sha256 ${model.sha256}`}>
            sha256 {model.sha256.slice(0, 12)}…
          </span>
        </p>
      </footer>
    </article>
  )
})
