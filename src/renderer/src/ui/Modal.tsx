import { useEffect, useRef, type ReactNode } from 'react'

interface Props {
  /** Called for Esc and for the dialog being closed by the browser; the parent unmounts the modal. */
  onClose(): void
  /** The id of the element that names the dialog. */
  labelledBy: string
  describedBy?: string
  testId: string
  className?: string
  children: ReactNode
}

/**
 * An in-app modal dialog: the native <dialog> in the top layer, so focus stays inside it, the rest
 * of the window is inert, and Esc closes it. Render it only while it is open. What should take focus
 * when it opens carries `data-autofocus`; content that appears later focuses itself.
 */
export function Modal({ onClose, labelledBy, describedBy, testId, className = '', children }: Props) {
  const ref = useRef<HTMLDialogElement>(null)
  const onCloseRef = useRef(onClose)
  useEffect(() => {
    onCloseRef.current = onClose
  })

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    // Where focus goes back to: the dialog is removed from the page before it could restore it itself.
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null
    if (!dialog.open) dialog.showModal()
    // The element marked data-autofocus takes focus (else the browser picks the first focusable one).
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus()
    // Esc: the parent decides (it unmounts the dialog); the browser may also close it on its own.
    const onCancel = (event: Event): void => {
      event.preventDefault()
      onCloseRef.current()
    }
    // A 'close' the dialog no longer stands for: React's development mode runs this effect twice, and
    // the first cleanup's close() queues an event that arrives once the dialog is open again.
    const onClosed = (): void => {
      if (!dialog.open) onCloseRef.current()
    }
    dialog.addEventListener('cancel', onCancel)
    dialog.addEventListener('close', onClosed)
    return () => {
      dialog.removeEventListener('cancel', onCancel)
      dialog.removeEventListener('close', onClosed)
      if (dialog.open) dialog.close()
      if (previous?.isConnected) previous.focus({ preventScroll: true })
    }
  }, [])

  return (
    <dialog
      ref={ref}
      data-testid={testId}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      className={`m-auto max-h-[calc(100vh-3rem)] w-[calc(100vw-3rem)] overflow-hidden rounded-2xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-zinc-950/45 backdrop:backdrop-blur-[2px] dark:border-zinc-700/80 dark:bg-zinc-900 dark:text-zinc-100 ${className}`}
    >
      {children}
    </dialog>
  )
}
