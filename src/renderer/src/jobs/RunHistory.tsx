import type { OrganizeRunItem } from '../../../shared/ipc/contract'
import { formatDuration, formatPercent } from '../lib/format'
import { dangerGhostButton, ghostButton } from '../ui/buttons'
import { AlertIcon, UndoIcon } from '../ui/Icons'
import { Spinner } from '../ui/Spinner'
import { useJobsStore } from './jobs-store'
import { cancelRun, requestRunAction, runAction, runSummary } from './organize-actions'
import { fileName, formatFilesPerSecond, ProgressBar } from './ProgressBar'

const ACTION_LABEL = { organize: 'Organizing', undo: 'Undoing', rollback: 'Rolling back' } as const

/** A run's operation in progress: bar, count, rate, time left, current file, Cancel. */
export function RunProgress({ run }: { run: Pick<OrganizeRunItem, 'id' | 'busy' | 'mode' | 'total'> }) {
  const progress = useJobsStore((s) => s.runProgress[run.id])
  const action = run.busy ?? progress?.action ?? 'organize'
  const done = progress?.done ?? 0
  const total = progress?.total ?? run.total
  const label =
    action === 'organize' ? (run.mode === 'copy' ? 'Copying' : 'Moving') : ACTION_LABEL[action as 'undo' | 'rollback']
  return (
    <div
      data-testid="run-progress"
      data-action={action}
      data-done={done}
      data-total={total}
      className="space-y-1 text-[12px] text-zinc-600 tabular-nums dark:text-zinc-300"
    >
      <div className="flex min-w-0 items-center gap-2">
        <Spinner className="h-3.5 w-3.5 shrink-0 text-indigo-500" />
        <span className="min-w-0 flex-1 truncate">
          {label}: {done.toLocaleString('en-US')} / {total.toLocaleString('en-US')}
          {progress && progress.rate > 0 ? ` · ${formatFilesPerSecond(progress.rate)}` : ''}
          {progress?.eta !== null && progress?.eta !== undefined && progress.eta >= 1
            ? ` · ${formatDuration(progress.eta)} left`
            : ''}
          {progress && progress.failed > 0 ? ` · ${progress.failed.toLocaleString('en-US')} failed` : ''}
        </span>
        <button
          type="button"
          data-testid="run-cancel"
          onClick={() => void cancelRun(run.id)}
          title="Stop after the file in flight; the run can be finished or rolled back later"
          className={`${ghostButton} py-0.5 text-[12px]`}
        >
          Cancel
        </button>
      </div>
      <ProgressBar value={done} max={total || null} label={`${label} files`} />
      {progress?.current && (
        <p className="truncate text-[11.5px] text-zinc-500 dark:text-zinc-400" title={progress.current}>
          {fileName(progress.current)}
        </p>
      )}
    </div>
  )
}

function RunRow({ run }: { run: OrganizeRunItem }) {
  const error = useJobsStore((s) => s.runErrors[run.id])
  const when = new Date(run.createdAt).toLocaleString()
  return (
    <li
      data-testid="organize-run"
      data-run-id={run.id}
      data-state={run.state}
      data-mode={run.mode}
      data-busy={run.busy ?? ''}
      className="space-y-1.5 px-3 py-2.5"
    >
      <div className="flex min-w-0 items-start gap-3">
        <div className="min-w-0 flex-1">
          <p
            data-testid="run-summary"
            className="truncate text-[12.5px] text-zinc-800 dark:text-zinc-100"
            title={run.out}
          >
            {runSummary(run)}
          </p>
          <p className="text-[11.5px] text-zinc-500 tabular-nums dark:text-zinc-400">
            Run {run.id} · {run.mode === 'copy' ? 'copy' : 'move'} · under {formatPercent(run.threshold)} to _uncertain
            · {when}
          </p>
        </div>
        {run.busy === null && run.state === 'done' && (
          <button
            type="button"
            data-testid="run-undo"
            onClick={() => requestRunAction({ runId: run.id, action: 'undo' })}
            title={run.mode === 'copy' ? 'Delete the copies this run made' : 'Move the files back to where they were'}
            className={`${dangerGhostButton} shrink-0 py-1 text-[12px]`}
          >
            <UndoIcon className="h-3.5 w-3.5" />
            Undo…
          </button>
        )}
        {run.interrupted && run.state === 'running' && (
          <div className="flex shrink-0 gap-1">
            <button
              type="button"
              data-testid="run-finish"
              onClick={() => void runAction({ runId: run.id, action: 'finish' })}
              className={`${ghostButton} py-1 text-[12px]`}
            >
              Finish
            </button>
            <button
              type="button"
              data-testid="run-rollback"
              onClick={() => requestRunAction({ runId: run.id, action: 'rollback' })}
              className={`${dangerGhostButton} py-1 text-[12px]`}
            >
              Roll back…
            </button>
          </div>
        )}
      </div>
      {run.busy !== null && <RunProgress run={run} />}
      {error && (
        <p
          role="alert"
          data-testid="run-error"
          className="flex items-start gap-1.5 text-[12px] text-rose-600 dark:text-rose-400"
        >
          <AlertIcon className="mt-0.5 h-3.5 w-3.5 shrink-0" />
          {error}
        </p>
      )}
      {run.problems.length > 0 && (
        <ul className="max-h-28 space-y-0.5 overflow-y-auto text-[11.5px] text-zinc-500 dark:text-zinc-400">
          {run.problems.map((problem) => (
            <li
              key={problem.dest}
              data-testid="run-problem"
              className="truncate"
              title={`${problem.source} → ${problem.dest}`}
            >
              <span className="text-zinc-700 dark:text-zinc-200">{fileName(problem.source)}</span> — {problem.reason}
            </li>
          ))}
        </ul>
      )}
    </li>
  )
}

/** A job's organize runs, most recent first, each with what it did and Undo. */
export function RunHistory({ runs }: { runs: OrganizeRunItem[] }) {
  if (runs.length === 0) return null
  return (
    <section aria-label="Organize runs" className="space-y-1.5">
      <h4 className="text-[10.5px] font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
        Organize runs
      </h4>
      <ul
        data-testid="organize-runs"
        className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
      >
        {runs.map((run) => (
          <RunRow key={run.id} run={run} />
        ))}
      </ul>
    </section>
  )
}
