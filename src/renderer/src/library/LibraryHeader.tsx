import { formatCount, formatDuration, formatImagesPerSecond, formatMs, shortcutLabel } from '../lib/format'
import { primaryButton } from '../ui/buttons'
import { AlertIcon, CloseIcon, FolderOpenIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { Spinner } from '../ui/Spinner'
import { dismissReport, pickFolders } from './add-photos'
import { cancelClassify, classifyPending, dismissJob } from './classify-library'
import { gridCount, isFiltered, useLibraryStore, type ClassifyJob } from './library-store'

export const ADD_SHORTCUT = shortcutLabel('O')

const smallButton =
  'rounded px-1.5 py-0.5 text-[12px] font-medium text-zinc-600 hover:bg-zinc-200/70 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:text-zinc-300 dark:hover:bg-zinc-800'

function Counts() {
  const counts = useLibraryStore((s) => s.counts)
  const grid = useLibraryStore((s) => s.grid)
  const filtered = useLibraryStore((s) => isFiltered(s.filter))
  const similar = useLibraryStore((s) => s.similar !== null)
  if (grid.total === null && !counts) return null
  const shown = gridCount(grid)
  if (similar) {
    return (
      <span
        data-testid="library-counts"
        data-total={shown}
        data-all={counts?.all ?? ''}
        className="truncate text-[12px] text-zinc-500 tabular-nums dark:text-zinc-400"
      >
        {formatCount(shown, 'similar photo')}, most similar first
      </span>
    )
  }
  return (
    <span
      data-testid="library-counts"
      data-total={shown}
      data-needs-review={counts?.needsReview ?? ''}
      data-unknown={counts?.unknown ?? ''}
      data-all={counts?.all ?? ''}
      className="truncate text-[12px] text-zinc-500 tabular-nums dark:text-zinc-400"
    >
      {formatCount(shown, 'photo')}
      {filtered && counts ? ` of ${counts.all.toLocaleString('en-US')}` : ''}
      {counts
        ? ` · ${counts.needsReview.toLocaleString('en-US')} need${counts.needsReview === 1 ? 's' : ''} review`
        : ''}
      {counts && counts.unknown > 0 ? ` · ${counts.unknown.toLocaleString('en-US')} unknown to the model` : ''}
    </span>
  )
}

function Bar({ value, max, label }: { value: number; max: number | null; label: string }) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max ?? undefined}
      aria-valuenow={max !== null ? value : undefined}
      className="h-1.5 w-28 shrink-0 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
    >
      {max !== null && max > 0 ? (
        <div
          className="h-full rounded-full bg-indigo-500 transition-[width] duration-300"
          style={{ width: `${Math.min(100, (value / max) * 100)}%` }}
        />
      ) : (
        <div className="h-full w-1/3 animate-pulse rounded-full bg-indigo-500/70" />
      )}
    </div>
  )
}

function Ingest() {
  const ingest = useLibraryStore((s) => s.ingest)
  if (!ingest) return null
  return (
    <div
      data-testid="library-ingest"
      className="flex min-w-0 items-center gap-2 text-[12px] text-zinc-500 tabular-nums dark:text-zinc-400"
    >
      <Spinner className="h-3.5 w-3.5" />
      <span className="truncate">
        Adding photos… {formatCount(ingest.found, 'file')} found, {ingest.done.toLocaleString('en-US')} read
      </span>
      <Bar value={ingest.done} max={ingest.found || null} label="Adding photos" />
    </div>
  )
}

function rateOf(job: ClassifyJob): number | undefined {
  const seconds = ((job.finishedAt ?? performance.now()) - job.startedAt) / 1000
  return job.done > 0 && seconds > 0 ? job.done / seconds : undefined
}

/** The classification of new photos (and of those without the model's current embedding): progress with rate and time left, Cancel, then what it did. */
function Classification() {
  const job = useLibraryStore((s) => s.job)
  const pending = useLibraryStore((s) => s.pending)
  if (!job) {
    if (!pending) return null
    return (
      <button
        type="button"
        data-testid="classify-pending"
        onClick={() => void classifyPending()}
        title="Classify the photos the active model has not seen yet, and those it has no current embedding of (similar photos and learned tags compare by it); likely classes become suggested tags"
        className="rounded-md bg-indigo-50 px-2 py-1 text-[12px] font-medium text-indigo-700 hover:bg-indigo-100 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:bg-indigo-500/15 dark:text-indigo-200 dark:hover:bg-indigo-500/25"
      >
        Classify {pending >= 1000 ? '1,000+' : pending.toLocaleString('en-US')} photo{pending === 1 ? '' : 's'}
      </button>
    )
  }
  const rate = rateOf(job)
  const total = job.total.toLocaleString('en-US')
  const failed = job.failed > 0 ? ` · ${job.failed} could not be read` : ''
  let body
  if (job.status === 'waiting' || job.status === 'running') {
    const left = rate ? (job.total - job.done) / rate : undefined
    body = (
      <>
        <Spinner className="h-3.5 w-3.5 shrink-0" />
        <span className="truncate">
          {job.status === 'waiting'
            ? `Waiting for ${job.modelName} to load…`
            : `Classifying with ${job.modelName}: ${job.done.toLocaleString('en-US')} / ${total}`}
          {rate ? ` · ${formatImagesPerSecond(rate)}` : ''}
          {left !== undefined && left >= 1 ? ` · ${formatDuration(left)} left` : ''}
          {failed}
        </span>
        <Bar value={job.done} max={job.total || null} label="Classifying" />
        <button
          type="button"
          data-testid="library-classify-cancel"
          onClick={cancelClassify}
          disabled={job.cancelling}
          title="Stop after the photos already handed to the engine; the rest stay pending"
          className={smallButton}
        >
          {job.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </>
    )
  } else {
    const ms = job.finishedAt !== undefined ? job.finishedAt - job.startedAt : 0
    const elapsed = `${ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : formatMs(ms)}${rate ? `, ${formatImagesPerSecond(rate)}` : ''}`
    const text =
      job.status === 'done'
        ? job.done === 0
          ? 'Every photo is classified'
          : `Classified ${formatCount(job.done, 'photo')} with ${job.modelName} in ${elapsed}${failed}`
        : job.status === 'cancelled'
          ? `Cancelled after ${job.done.toLocaleString('en-US')} of ${total} photos`
          : `Classification stopped: ${job.error ?? 'unknown error'}`
    body = (
      <>
        {job.status === 'error' && <AlertIcon className="h-4 w-4 shrink-0 text-rose-500" />}
        <span className={`truncate ${job.status === 'error' ? 'text-rose-600 dark:text-rose-400' : ''}`} title={text}>
          {text}
        </span>
        {(job.status === 'cancelled' || job.status === 'error') && (
          <button
            type="button"
            data-testid="library-classify-resume"
            onClick={() => void classifyPending()}
            className={smallButton}
          >
            {job.status === 'error' ? 'Try again' : 'Resume'}
          </button>
        )}
        <button type="button" onClick={dismissJob} aria-label="Dismiss" className={smallButton}>
          <CloseIcon className="h-3.5 w-3.5" />
        </button>
      </>
    )
  }
  return (
    <div
      data-testid="library-classify"
      data-state={job.status}
      data-done={job.done}
      data-failed={job.failed}
      data-total={job.total}
      className="flex min-w-0 items-center gap-2 text-[12px] text-zinc-500 tabular-nums dark:text-zinc-400"
    >
      {body}
    </div>
  )
}

/** What the last add did, and each file it skipped with the reason. */
export function AddReport() {
  const report = useLibraryStore((s) => s.report)
  if (!report) return null
  if ('error' in report) {
    return (
      <div
        role="alert"
        data-testid="library-report"
        data-state="error"
        className="mx-5 mt-3 flex items-start gap-3 rounded-xl border border-rose-200 bg-rose-50 px-4 py-2.5 text-rose-900 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-100"
      >
        <AlertIcon className="mt-0.5 h-4 w-4 shrink-0 text-rose-500" />
        <p className="min-w-0 flex-1 text-[12.5px] leading-snug break-words">
          <span className="font-semibold">The photos could not be added.</span> {report.error}
        </p>
        <button type="button" onClick={dismissReport} aria-label="Dismiss" className={smallButton}>
          <CloseIcon className="h-3.5 w-3.5" />
        </button>
      </div>
    )
  }
  const r = report.report
  const parts = [`Added ${formatCount(r.added, 'photo')}`]
  if (r.unchanged > 0) parts.push(`${r.unchanged.toLocaleString('en-US')} already in the library`)
  if (r.moved > 0) parts.push(`${r.moved.toLocaleString('en-US')} moved`)
  if (r.updated > 0) parts.push(`${r.updated.toLocaleString('en-US')} changed`)
  if (r.restored > 0) parts.push(`${r.restored.toLocaleString('en-US')} found again`)
  if (r.missing > 0) parts.push(`${r.missing.toLocaleString('en-US')} missing`)
  parts.push(r.skipped.length > 0 ? `skipped ${formatCount(r.skipped.length, 'file')}:` : 'nothing skipped')
  const SHOWN = 20
  return (
    <div
      data-testid="library-report"
      data-state="done"
      data-added={r.added}
      data-skipped={r.skipped.length}
      className="mx-5 mt-3 flex items-start gap-3 rounded-xl border border-zinc-200 bg-white px-4 py-2.5 dark:border-zinc-800 dark:bg-zinc-900/60"
    >
      <div className="min-w-0 flex-1 text-[12.5px] leading-snug text-zinc-700 dark:text-zinc-300">
        <p>
          {parts.join(' · ')}
          {r.cancelled ? ' (stopped before the end)' : ''}
        </p>
        {r.skipped.length > 0 && (
          <ul className="mt-1 max-h-24 space-y-0.5 overflow-y-auto text-[12px] text-zinc-500 dark:text-zinc-400">
            {r.skipped.slice(0, SHOWN).map((s) => (
              <li key={s.path} data-testid="report-skipped" data-path={s.path} className="truncate" title={s.path}>
                <span className="text-zinc-700 dark:text-zinc-200">{s.path}</span> — {s.reason}
              </li>
            ))}
            {r.skipped.length > SHOWN && <li>and {(r.skipped.length - SHOWN).toLocaleString('en-US')} more</li>}
          </ul>
        )}
      </div>
      <button type="button" onClick={dismissReport} aria-label="Dismiss" className={smallButton}>
        <CloseIcon className="h-3.5 w-3.5" />
      </button>
    </div>
  )
}

/** The Library's title bar: counts, adding and classifying progress, Add photos…. */
export function LibraryHeader() {
  const adding = useLibraryStore((s) => s.ingest !== null)
  return (
    <header className="flex h-14 shrink-0 items-center gap-4 border-b border-zinc-200 bg-white/80 px-5 backdrop-blur dark:border-zinc-800/80 dark:bg-zinc-950/60">
      <h2 className="text-[15px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Library</h2>
      <Counts />
      <div className="flex min-w-0 flex-1 items-center justify-end gap-4">
        <Ingest />
        <Classification />
      </div>
      <button
        type="button"
        data-testid="library-add"
        onClick={pickFolders}
        disabled={adding}
        title={`Add a folder of photos (${ADD_SHORTCUT}); or drop files and folders on the window`}
        aria-keyshortcuts={ADD_SHORTCUT.replace('⌘', 'Meta+')}
        className={`${primaryButton} shrink-0 pr-2 text-[13px]`}
      >
        <FolderOpenIcon className="h-4 w-4" />
        Add photos…
        <Kbd onAccent>{ADD_SHORTCUT}</Kbd>
      </button>
    </header>
  )
}
