import type { CatalogEntryStatus, DownloadProgress, ModelSummary } from '../../../shared/ipc/contract'
import { formatMegabytes } from '../lib/format'
import { modelsOf, useSessionStore } from '../session/session-store'
import { ghostButton, secondaryButton } from '../ui/buttons'
import { DownloadProgressBar } from '../ui/DownloadProgressBar'
import { AlertIcon, CheckIcon, DownloadIcon } from '../ui/Icons'
import { Spinner } from '../ui/Spinner'
import { cancelDownload, downloadEntry, refreshCatalog } from './catalog-actions'
import { showModel } from './models-actions'
import { useModelsStore } from './models-store'

type EntryState = CatalogEntryStatus['state'] | 'verifying' | 'failed'

function effectiveState(entry: CatalogEntryStatus, live: DownloadProgress | undefined): EntryState {
  if (live?.state === 'downloading' || live?.state === 'verifying' || live?.state === 'failed') return live.state
  return entry.state
}

function Progress({ entry, live }: { entry: CatalogEntryStatus; live: DownloadProgress | undefined }) {
  return (
    <DownloadProgressBar
      label={`Downloading ${entry.name}`}
      received={live?.received ?? entry.partialBytes}
      total={live?.total || entry.bytes}
      bytesPerSecond={live?.bytesPerSecond ?? 0}
      verifying={live?.state === 'verifying'}
      testId="catalog-progress"
      textTestId="catalog-progress-text"
      trackClassName="bg-zinc-200 dark:bg-zinc-800"
    />
  )
}

function StateBadge({ state, active }: { state: EntryState; active: boolean }) {
  const styles: Record<EntryState, string> = {
    available: 'text-zinc-500 dark:text-zinc-400',
    downloading: 'text-indigo-600 dark:text-indigo-300',
    verifying: 'text-emerald-600 dark:text-emerald-300',
    partial: 'text-amber-600 dark:text-amber-300',
    installed: 'text-emerald-700 dark:text-emerald-300',
    failed: 'text-rose-600 dark:text-rose-400',
  }
  const text: Record<EntryState, string> = {
    available: 'Not downloaded',
    downloading: 'Downloading',
    verifying: 'Verifying',
    partial: 'Paused',
    installed: active ? 'In the library · active' : 'In the library',
    failed: 'Failed',
  }
  return (
    <span
      data-testid="catalog-state"
      className={`inline-flex items-center gap-1 text-[11.5px] font-medium ${styles[state]}`}
    >
      {state === 'installed' && <CheckIcon className="h-3.5 w-3.5" />}
      {text[state]}
    </span>
  )
}

function CatalogRow({ entry, models }: { entry: CatalogEntryStatus; models: readonly ModelSummary[] }) {
  const live = useModelsStore((s) => s.downloads[entry.id])
  const startError = useModelsStore((s) => s.downloadErrors[entry.id])
  const state = effectiveState(entry, live)
  const installed = entry.installedModelId ? models.find((m) => m.id === entry.installedModelId) : undefined
  const resumable = entry.partialBytes > 0
  const error = state === 'failed' ? live?.error : startError

  let action
  if (state === 'downloading') {
    action = (
      <button
        type="button"
        data-testid="catalog-cancel"
        onClick={() => void cancelDownload(entry.id)}
        title="Stop the download; what arrived is kept and it can be resumed"
        className={secondaryButton}
      >
        Cancel
      </button>
    )
  } else if (state === 'verifying') {
    action = (
      <span className="inline-flex items-center gap-1.5 text-[12px] text-zinc-500">
        <Spinner className="h-3.5 w-3.5" />
        Verifying…
      </span>
    )
  } else if (state === 'installed') {
    action = installed ? (
      <button
        type="button"
        data-testid="catalog-show"
        onClick={() => showModel(installed.id)}
        title={`Show the card of ${installed.name}`}
        className={ghostButton}
      >
        Show in library
      </button>
    ) : null
  } else {
    const label = resumable ? 'Resume' : state === 'failed' ? 'Retry' : 'Download'
    action = (
      <button
        type="button"
        data-testid="catalog-download"
        data-action={resumable ? 'resume' : 'download'}
        onClick={() => void downloadEntry(entry.id)}
        title={
          resumable
            ? `Resume: ${formatMegabytes(entry.partialBytes)} of ${formatMegabytes(entry.bytes)} already downloaded`
            : `Download ${formatMegabytes(entry.bytes)} from the ONNX Model Zoo`
        }
        className={secondaryButton}
      >
        <DownloadIcon className="h-3.5 w-3.5" />
        {label}
      </button>
    )
  }

  return (
    <li data-testid="catalog-entry" data-catalog-id={entry.id} data-state={state} className="space-y-2 px-4 py-3">
      <div className="grid grid-cols-[minmax(0,1.5fr)_4.5rem_minmax(0,1.4fr)_minmax(0,1fr)_8.5rem] items-center gap-4">
        <div className="min-w-0">
          <p className="truncate text-[13px] font-medium text-zinc-900 dark:text-zinc-100" title={entry.name}>
            {entry.name}
          </p>
          <p
            className="truncate font-mono text-[11px] text-zinc-400 dark:text-zinc-500"
            title={`sha256 ${entry.sha256}`}
          >
            {entry.file}
          </p>
        </div>
        <span
          data-testid="catalog-size"
          className="text-right text-[12.5px] text-zinc-700 tabular-nums dark:text-zinc-300"
        >
          {formatMegabytes(entry.bytes)}
        </span>
        <span
          data-testid="catalog-accuracy"
          className="text-[12px] text-zinc-600 tabular-nums dark:text-zinc-400"
          title="ImageNet validation accuracy, as published by the ONNX Model Zoo"
        >
          {entry.top1 !== undefined ? (
            <>
              top-1 <span className="font-medium text-zinc-900 dark:text-zinc-100">{entry.top1.toFixed(1)} %</span>
            </>
          ) : (
            'top-1 –'
          )}
          {' · '}
          {entry.top5 !== undefined ? `top-5 ${entry.top5.toFixed(1)} %` : 'top-5 –'}
        </span>
        <span className="min-w-0">
          <StateBadge state={state} active={installed?.active ?? false} />
          {state === 'partial' && (
            <span className="block text-[11px] text-zinc-500 tabular-nums">
              {formatMegabytes(entry.partialBytes)} of {formatMegabytes(entry.bytes)}
            </span>
          )}
        </span>
        <span className="flex justify-end">{action}</span>
      </div>
      {(state === 'downloading' || state === 'verifying') && <Progress entry={entry} live={live} />}
      {error && (
        <p
          role="alert"
          data-testid="catalog-error"
          className="flex items-start gap-2 text-[12px] leading-snug text-rose-700 dark:text-rose-300"
        >
          <AlertIcon className="mt-px h-4 w-4 shrink-0 text-rose-500" />
          <span className="min-w-0 break-words">
            The download failed: {error}
            {resumable ? ' What arrived is kept; Resume continues from there.' : ''}
          </span>
        </p>
      )}
    </li>
  )
}

/** The ONNX Model Zoo's ImageNet ResNets: download with progress, cancel and resume. */
export function CatalogSection() {
  const catalog = useModelsStore((s) => s.catalog)
  const models = useSessionStore(modelsOf)
  return (
    <section data-testid="catalog" aria-labelledby="catalog-heading" className="space-y-3">
      <div>
        <h2 id="catalog-heading" className="text-[14px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">
          Catalog: ONNX Model Zoo
        </h2>
        <p className="mt-0.5 max-w-3xl text-[12.5px] leading-relaxed text-zinc-500 dark:text-zinc-400">
          ImageNet ResNets with 1,000 classes, labels built in. A download is the only thing the app fetches from the
          network; each file is checked against its published sha256 before it joins the library.
        </p>
      </div>
      {catalog.status === 'loading' && (
        <p className="flex items-center gap-2 text-[12.5px] text-zinc-500">
          <Spinner className="h-3.5 w-3.5" /> Reading the catalog…
        </p>
      )}
      {catalog.status === 'error' && (
        <div
          role="alert"
          data-testid="catalog-load-error"
          className="flex items-center gap-3 rounded-xl border border-rose-200 bg-rose-50 px-4 py-3 text-[12.5px] text-rose-800 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-200"
        >
          <AlertIcon className="h-4 w-4 shrink-0 text-rose-500" />
          <span className="min-w-0 flex-1 break-words">The catalog could not be read: {catalog.message}</span>
          <button type="button" onClick={() => void refreshCatalog()} className={secondaryButton}>
            Try again
          </button>
        </div>
      )}
      {catalog.status === 'ready' &&
        (catalog.data.length === 0 ? (
          <p className="text-[12.5px] text-zinc-500">The catalog lists no models.</p>
        ) : (
          <ul className="divide-y divide-zinc-100 overflow-hidden rounded-xl border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
            {catalog.data.map((entry) => (
              <CatalogRow key={entry.id} entry={entry} models={models} />
            ))}
          </ul>
        ))}
    </section>
  )
}
