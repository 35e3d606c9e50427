import type { ReactNode } from 'react'
import { AlertIcon } from '../../ui/Icons'

export function ErrorBox({ children, testId = 'import-error' }: { children: ReactNode; testId?: string }) {
  return (
    <div
      role="alert"
      data-testid={testId}
      className="flex items-start gap-2.5 rounded-lg border border-rose-200 bg-rose-50 px-3 py-2.5 text-[12.5px] leading-snug text-rose-800 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-200"
    >
      <AlertIcon className="mt-px h-4 w-4 shrink-0 text-rose-500" />
      <div className="min-w-0 break-words">{children}</div>
    </div>
  )
}

export function Section({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <section className="space-y-2">
      <div className="flex items-baseline justify-between gap-2">
        <h3 className="text-[11px] font-semibold tracking-[0.06em] text-zinc-500 uppercase dark:text-zinc-400">
          {title}
        </h3>
        {aside}
      </div>
      {children}
    </section>
  )
}

export function RadioRow({
  name,
  checked,
  onSelect,
  children,
  testId,
  disabled = false,
}: {
  name: string
  checked: boolean
  onSelect(): void
  children: ReactNode
  testId?: string
  disabled?: boolean
}) {
  return (
    <label
      className={`flex cursor-pointer items-start gap-2 rounded-md px-2 py-1.5 text-[12.5px] ${checked ? 'bg-indigo-50/70 dark:bg-indigo-500/10' : 'hover:bg-zinc-50 dark:hover:bg-zinc-800/50'} ${disabled ? 'pointer-events-none opacity-50' : ''}`}
    >
      <input
        type="radio"
        name={name}
        data-testid={testId}
        checked={checked}
        disabled={disabled}
        onChange={onSelect}
        className="mt-0.5 accent-indigo-600"
      />
      <span className="min-w-0 flex-1">{children}</span>
    </label>
  )
}
