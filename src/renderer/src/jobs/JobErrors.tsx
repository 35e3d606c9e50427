import { formatCount } from '../lib/format'
import { ChevronIcon } from '../ui/Icons'
import { RetryAlert } from '../ui/RetryAlert'
import { Spinner } from '../ui/Spinner'
import { ERRORS_PAGE, loadErrors, showMoreErrors, toggleErrors } from './jobs-actions'
import { useJobsStore } from './jobs-store'
import { fileName } from './ProgressBar'

/** "3 files with errors" as a toggle; open, the files with their reasons. */
export function JobErrors({ jobId, count }: { jobId: number; count: number }) {
  const panel = useJobsStore((s) => s.errors[jobId])
  const open = panel !== undefined
  const panelId = `job-errors-${jobId}`
  if (count === 0 && !open) return null

  return (
    <div className="space-y-1.5">
      <button
        type="button"
        data-testid="job-errors-toggle"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => toggleErrors(jobId)}
        className="inline-flex items-center gap-1 rounded px-1 py-0.5 text-[12px] font-medium text-rose-600 hover:bg-rose-50 focus-visible:ring-2 focus-visible:ring-rose-500 focus-visible:outline-none dark:text-rose-400 dark:hover:bg-rose-950/40"
      >
        <ChevronIcon className={`h-3.5 w-3.5 transition-transform ${open ? 'rotate-90' : ''}`} />
        {formatCount(count, 'file')} with errors
      </button>
      {open && (
        <div id={panelId} data-testid="job-errors" className="pl-5">
          {panel.state.status === 'loading' && (
            <p className="flex items-center gap-2 text-[12px] text-zinc-500">
              <Spinner className="h-3.5 w-3.5" /> Reading the errors…
            </p>
          )}
          {panel.state.status === 'error' && (
            <RetryAlert
              testId="job-errors-failed"
              title="The errors could not be read"
              message={panel.state.message}
              onRetry={() => void loadErrors(jobId)}
            />
          )}
          {panel.state.status === 'ready' && (
            <>
              <ul className="max-h-48 space-y-0.5 overflow-y-auto rounded-lg border border-zinc-200 bg-zinc-50/70 px-3 py-2 text-[12px] dark:border-zinc-800 dark:bg-zinc-950/40">
                {panel.state.data.errors.map((error) => (
                  <li
                    key={`${error.stage}:${error.path}`}
                    data-testid="job-error"
                    data-path={error.path}
                    data-stage={error.stage}
                    className="flex min-w-0 gap-2"
                    title={error.path}
                  >
                    <span className="shrink-0 font-medium text-zinc-700 dark:text-zinc-200">
                      {fileName(error.path)}
                    </span>
                    <span className="min-w-0 truncate text-zinc-500 dark:text-zinc-400">
                      {error.stage === 'scan' ? 'not added' : 'not classified'}: {error.reason}
                    </span>
                  </li>
                ))}
                {panel.state.data.errors.length === 0 && <li className="text-zinc-500">No errors.</li>}
              </ul>
              {panel.state.data.total > panel.state.data.errors.length && (
                <p className="mt-1 flex items-center gap-2 text-[11.5px] text-zinc-500 dark:text-zinc-400">
                  and {(panel.state.data.total - panel.state.data.errors.length).toLocaleString('en-US')} more
                  <button
                    type="button"
                    data-testid="job-errors-more"
                    disabled={panel.loadingMore}
                    onClick={() => showMoreErrors(jobId)}
                    className="inline-flex items-center gap-1 rounded px-1.5 py-0.5 font-medium text-indigo-600 hover:bg-indigo-50 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none disabled:opacity-60 dark:text-indigo-300 dark:hover:bg-indigo-950/40"
                  >
                    {panel.loadingMore && <Spinner className="h-3 w-3" />}
                    Show{' '}
                    {Math.min(ERRORS_PAGE, panel.state.data.total - panel.state.data.errors.length).toLocaleString(
                      'en-US',
                    )}{' '}
                    more
                  </button>
                </p>
              )}
            </>
          )}
        </div>
      )}
    </div>
  )
}
