import type { ReactNode } from 'react'
import { dangerButton, secondaryButton } from './buttons'
import { Modal } from './Modal'

interface Props {
  testId: string
  /** Ids of the title and the detail (the dialog is labelled and described by them). */
  titleId: string
  detailId: string
  icon: ReactNode
  title: ReactNode
  /** What the action does, in a sentence or two. */
  children: ReactNode
  confirmLabel: string
  onCancel(): void
  onConfirm(): void
  cancelTestId: string
  confirmTestId: string
}

/**
 * Asks once before a destructive action: what it does, then Cancel (focused, so Enter alone does
 * nothing; Esc) and the action.
 */
export function ConfirmDialog({
  testId,
  titleId,
  detailId,
  icon,
  title,
  children,
  confirmLabel,
  onCancel,
  onConfirm,
  cancelTestId,
  confirmTestId,
}: Props) {
  return (
    <Modal testId={testId} labelledBy={titleId} describedBy={detailId} onClose={onCancel} className="max-w-md">
      <div className="flex gap-3 p-5">
        <div className="flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-rose-50 text-rose-600 ring-1 ring-rose-100 dark:bg-rose-500/10 dark:text-rose-300 dark:ring-rose-400/20">
          {icon}
        </div>
        <div className="min-w-0 space-y-2">
          <h2 id={titleId} className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-50">
            {title}
          </h2>
          <div id={detailId} className="space-y-1.5 text-[12.5px] leading-relaxed text-zinc-600 dark:text-zinc-300">
            {children}
          </div>
        </div>
      </div>
      <div className="flex justify-end gap-2 border-t border-zinc-100 bg-zinc-50/70 px-5 py-3 dark:border-zinc-800 dark:bg-zinc-950/30">
        <button data-autofocus type="button" data-testid={cancelTestId} onClick={onCancel} className={secondaryButton}>
          Cancel <span className="font-normal text-zinc-400">Esc</span>
        </button>
        <button type="button" data-testid={confirmTestId} onClick={onConfirm} className={dangerButton}>
          {confirmLabel}
        </button>
      </div>
    </Modal>
  )
}
