import { formatMegabytes } from '../../lib/format'
import { cancelDelete, confirmDelete } from '../../models/actions'
import { modelsOf, useModelsStore } from '../../models/store'
import { AlertIcon } from '../Icons'
import { ConfirmFooter } from '../ConfirmFooter'
import { Modal } from '../Modal'

/** Asks once before a model is deleted; focus starts on Cancel, so Enter alone never deletes. */
export function DeleteDialog() {
  const id = useModelsStore((s) => s.confirmingDelete)
  const models = useModelsStore(modelsOf)
  const model = models.find((m) => m.id === id)
  if (!id || !model) return null
  const fallback = models.find((m) => m.builtin)

  return (
    <Modal
      testId="confirm-dialog"
      labelledBy="delete-title"
      describedBy="delete-detail"
      onClose={cancelDelete}
      className="max-w-md"
    >
      <div className="flex gap-3 p-5">
        <div className="flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-rose-50 text-rose-600 ring-1 ring-rose-100 dark:bg-rose-500/10 dark:text-rose-300 dark:ring-rose-400/20">
          <AlertIcon className="h-5 w-5" />
        </div>
        <div className="min-w-0 space-y-2">
          <h2 id="delete-title" className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-50">
            Delete “{model.name}”?
          </h2>
          <div
            id="delete-detail"
            className="space-y-1.5 text-[12.5px] leading-relaxed text-zinc-600 dark:text-zinc-300"
          >
            <p>
              Its file ({formatMegabytes(model.fileBytes)}) is removed from this computer. Photos already classified
              with it keep their results. This cannot be undone, but the file can be imported again.
            </p>
            {model.active && fallback && (
              <p data-testid="delete-active-note" className="font-medium text-zinc-800 dark:text-zinc-100">
                It is the active model: {fallback.name} becomes active instead.
              </p>
            )}
          </div>
        </div>
      </div>
      <ConfirmFooter
        confirmLabel={'Delete'}
        onCancel={cancelDelete}
        onConfirm={confirmDelete}
        cancelTestId="confirm-cancel"
        confirmTestId="confirm-delete"
      />
    </Modal>
  )
}
