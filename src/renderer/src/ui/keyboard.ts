/** Whether a key press belongs to a text field (typing), not to the screen's shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
}

/** True while an in-app modal dialog is open: the window's shortcuts wait until it closes. */
export function modalOpen(): boolean {
  return document.querySelector('dialog[open]') !== null
}

/**
 * The keys of a field edited in place: Enter saves, Esc cancels (and stops there, so an Esc that closes
 * the field does not close the dialog around it too).
 */
export function handleEditKeys(
  event: { key: string; preventDefault(): void; stopPropagation(): void },
  actions: { save(): void; cancel(): void },
): void {
  if (event.key === 'Enter') {
    event.preventDefault()
    actions.save()
  } else if (event.key === 'Escape') {
    event.preventDefault()
    event.stopPropagation()
    actions.cancel()
  }
}
