import type { ReactNode } from 'react'
import { AlertIcon } from './Icons'

/** A failure with its title and reason, and what can be done about it (`children`: the buttons). */
export function Alert({
  testId,
  title,
  message,
  className = '',
  children,
}: {
  testId: string
  title: string
  message: string
  className?: string
  children?: ReactNode
}) {
  return (
    <div
      role="alert"
      data-testid={testId}
      className={`flex items-start gap-3 rounded-xl border border-rose-200 bg-rose-50 px-4 py-3 text-rose-900 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-100 ${className}`}
    >
      <AlertIcon className="mt-0.5 h-5 w-5 shrink-0 text-rose-500" />
      <div className="min-w-0 flex-1">
        <p className="text-[13.5px] font-semibold">{title}</p>
        <p className="mt-0.5 text-[12.5px] leading-snug break-words text-rose-800 dark:text-rose-200/90">{message}</p>
      </div>
      {children}
    </div>
  )
}
