import type { ReactNode } from 'react'
import { secondaryButton } from './buttons'
import { Kbd } from './Kbd'

export interface KeyButtonProps {
  testId: string
  label: string
  /** The key that does the same, shown beside the label and in the title. */
  keyHint?: string
  title: string
  onClick(): void
  disabled?: boolean
  className?: string
  /** The button's name for assistive technology, where its text (label and key) is not the right one. */
  ariaLabel?: string
  /** An icon before the label. */
  children?: ReactNode
}

/** A button with its keyboard shortcut: shown beside the label, in the title and in aria-keyshortcuts. */
export function KeyButton({
  testId,
  label,
  keyHint,
  title,
  onClick,
  disabled,
  className = secondaryButton,
  ariaLabel,
  children,
}: KeyButtonProps) {
  return (
    <button
      type="button"
      data-testid={testId}
      onClick={onClick}
      disabled={disabled}
      title={keyHint ? `${title} (${keyHint})` : title}
      aria-label={ariaLabel}
      aria-keyshortcuts={keyHint === '←' ? 'ArrowLeft' : keyHint === '→' ? 'ArrowRight' : keyHint}
      className={className}
    >
      {children}
      {label}
      {keyHint && <Kbd>{keyHint}</Kbd>}
    </button>
  )
}
