import { dangerButton, secondaryButton } from './buttons'

interface Props {
  confirmLabel: string
  onCancel(): void
  onConfirm(): void
  cancelTestId: string
  confirmTestId: string
}

/** A confirmation dialog's buttons: Cancel (focused, Esc) and the destructive action. */
export function ConfirmFooter({ confirmLabel, onCancel, onConfirm, cancelTestId, confirmTestId }: Props) {
  return (
    <div className="flex justify-end gap-2 border-t border-zinc-100 bg-zinc-50/70 px-5 py-3 dark:border-zinc-800 dark:bg-zinc-950/30">
      <button data-autofocus type="button" data-testid={cancelTestId} onClick={onCancel} className={secondaryButton}>
        Cancel <span className="font-normal text-zinc-400">Esc</span>
      </button>
      <button type="button" data-testid={confirmTestId} onClick={onConfirm} className={dangerButton}>
        {confirmLabel}
      </button>
    </div>
  )
}
