import { AlertIcon } from '../ui/Icons'
import { runsOf, useJobsStore } from './jobs-store'
import { requestRunAction, runAction, runSummary } from './organize-actions'

const bannerButton =
  'rounded-md px-2.5 py-1 text-[12.5px] font-medium focus-visible:ring-2 focus-visible:ring-amber-500 focus-visible:outline-none'

/**
 * Organize runs a crash or a quit left half done: each is offered to be finished or rolled back (an
 * undo or a rollback that stopped, to be finished).
 */
export function InterruptedBanner() {
  const all = useJobsStore(runsOf)
  const runs = all.filter((r) => r.interrupted)
  if (runs.length === 0) return null
  return (
    <div
      role="alert"
      data-testid="organize-interrupted"
      className="flex items-start gap-3 rounded-xl border border-amber-200 bg-amber-50 px-4 py-3 text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/30 dark:text-amber-100"
    >
      <AlertIcon className="mt-0.5 h-5 w-5 shrink-0 text-amber-500" />
      <div className="min-w-0 flex-1 space-y-2">
        <p className="text-[13.5px] font-semibold">
          {runs.length === 1 ? 'An organize run was interrupted' : `${runs.length} organize runs were interrupted`}
        </p>
        <ul className="space-y-1.5">
          {runs.map((run) => (
            <li
              key={run.id}
              data-testid="interrupted-run"
              data-run-id={run.id}
              data-state={run.state}
              className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1"
            >
              <span
                className="min-w-0 flex-1 truncate text-[12.5px] text-amber-800 dark:text-amber-200/90"
                title={run.out}
              >
                {runSummary(run)}
              </span>
              <span className="flex shrink-0 gap-1.5">
                <button
                  type="button"
                  data-testid="interrupted-finish"
                  onClick={() =>
                    void runAction({
                      runId: run.id,
                      action: run.state === 'undoing' ? 'undo' : run.state === 'rolling-back' ? 'rollback' : 'finish',
                    })
                  }
                  className={`${bannerButton} bg-amber-600 text-white hover:bg-amber-500`}
                >
                  {run.state === 'undoing'
                    ? 'Finish undo'
                    : run.state === 'rolling-back'
                      ? 'Finish rolling back'
                      : 'Finish'}
                </button>
                {run.state === 'running' && (
                  <button
                    type="button"
                    data-testid="interrupted-rollback"
                    onClick={() => requestRunAction({ runId: run.id, action: 'rollback' })}
                    className={`${bannerButton} text-amber-800 hover:bg-amber-100 dark:text-amber-100 dark:hover:bg-amber-900/50`}
                  >
                    Roll back
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  )
}
