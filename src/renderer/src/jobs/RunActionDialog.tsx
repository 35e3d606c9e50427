import { formatCount } from '../lib/format'
import { ConfirmDialog } from '../ui/ConfirmDialog'
import { UndoIcon } from '../ui/Icons'
import { runsOf, useJobsStore } from './jobs-store'
import { cancelRunAction, confirmRunAction } from './organize-actions'

/** Asks once before a run is undone or rolled back; focus starts on Cancel, so Enter alone does nothing. */
export function RunActionDialog() {
  const request = useJobsStore((s) => s.confirming)
  const run = useJobsStore((s) => runsOf(s).find((r) => r.id === s.confirming?.runId))
  if (!request || !run) return null
  const undo = request.action === 'undo'
  const placed = run.steps.done + run.steps.started + run.steps.undoing
  const files = formatCount(placed, 'file')

  return (
    <ConfirmDialog
      testId="run-action-dialog"
      titleId="run-action-title"
      detailId="run-action-detail"
      icon={<UndoIcon className="h-5 w-5" />}
      title={undo ? `Undo organize run ${run.id}?` : `Roll back organize run ${run.id}?`}
      confirmLabel={undo ? 'Undo' : 'Roll back'}
      onCancel={cancelRunAction}
      onConfirm={() => void confirmRunAction()}
      cancelTestId="run-action-cancel"
      confirmTestId="run-action-confirm"
    >
      <p>
        {run.mode === 'copy'
          ? `The ${files} it copied into ${run.out} are deleted (a copy changed since is left in place). The originals are not touched.`
          : `The ${files} it moved into ${run.out} go back to where they were.`}{' '}
        The folders it made are removed when empty.
      </p>
    </ConfirmDialog>
  )
}
