import { formatMegabytes } from '../lib/format'
import { modelsOf, useSessionStore } from '../session/session-store'
import { ConfirmDialog } from '../ui/ConfirmDialog'
import { AlertIcon } from '../ui/Icons'
import { cancelDelete, confirmDelete } from './models-actions'
import { useModelsStore } from './models-store'

/** Asks once before a model is deleted; focus starts on Cancel, so Enter alone never deletes. */
export function DeleteDialog() {
  const id = useModelsStore((s) => s.confirmingDelete)
  const models = useSessionStore(modelsOf)
  const model = models.find((m) => m.id === id)
  if (!id || !model) return null
  const fallback = models.find((m) => m.builtin)

  return (
    <ConfirmDialog
      testId="confirm-dialog"
      titleId="delete-title"
      detailId="delete-detail"
      icon={<AlertIcon className="h-5 w-5" />}
      title={<>Delete “{model.name}”?</>}
      confirmLabel="Delete"
      onCancel={cancelDelete}
      onConfirm={confirmDelete}
      cancelTestId="confirm-cancel"
      confirmTestId="confirm-delete"
    >
      <p>
        Its file ({formatMegabytes(model.fileBytes)}) is removed from this computer. Photos already classified with it
        keep their results. This cannot be undone, but the file can be imported again.
      </p>
      {model.active && fallback && (
        <p data-testid="delete-active-note" className="font-medium text-zinc-800 dark:text-zinc-100">
          It is the active model: {fallback.name} becomes active instead.
        </p>
      )}
    </ConfirmDialog>
  )
}
