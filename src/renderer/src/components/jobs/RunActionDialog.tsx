import { cancelRunAction, confirmRunAction } from '../../jobs/actions'
import { runsOf, useJobsStore } from '../../jobs/store'
import { formatCount } from '../../lib/format'
import { UndoIcon } from '../Icons'
import { ConfirmFooter } from '../ConfirmFooter'
import { Modal } from '../Modal'

/** Asks once before a run is undone or rolled back; focus starts on Cancel, so Enter alone does nothing. */
export function RunActionDialog() {
  const request = useJobsStore((s) => s.confirming)
  const run = useJobsStore((s) => runsOf(s).find((r) => r.id === s.confirming?.runId))
  if (!request || !run) return null
  const undo = request.action === 'undo'
  const placed = run.steps.done + run.steps.started + run.steps.undoing
  const files = formatCount(placed, 'file')

  return (
    <Modal
      testId="run-action-dialog"
      labelledBy="run-action-title"
      describedBy="run-action-detail"
      onClose={cancelRunAction}
      className="max-w-md"
    >
      <div className="flex gap-3 p-5">
        <div className="flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-rose-50 text-rose-600 ring-1 ring-rose-100 dark:bg-rose-500/10 dark:text-rose-300 dark:ring-rose-400/20">
          <UndoIcon className="h-5 w-5" />
        </div>
        <div className="min-w-0 space-y-2">
          <h2 id="run-action-title" className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-50">
            {undo ? `Undo organize run ${run.id}?` : `Roll back organize run ${run.id}?`}
          </h2>
          <p id="run-action-detail" className="text-[12.5px] leading-relaxed text-zinc-600 dark:text-zinc-300">
            {run.mode === 'copy'
              ? `The ${files} it copied into ${run.out} are deleted (a copy changed since is left in place). The originals are not touched.`
              : `The ${files} it moved into ${run.out} go back to where they were.`}{' '}
            The folders it made are removed when empty.
          </p>
        </div>
      </div>
      <ConfirmFooter
        confirmLabel={undo ? 'Undo' : 'Roll back'}
        onCancel={cancelRunAction}
        onConfirm={() => void confirmRunAction()}
        cancelTestId="run-action-cancel"
        confirmTestId="run-action-confirm"
      />
    </Modal>
  )
}
