/** A thin progress bar; indeterminate (pulsing) while the total is unknown. */
export function ProgressBar({
  value,
  max,
  label,
  testId,
  tone = 'indigo',
  className = 'h-1.5 w-full',
}: {
  value: number
  max: number | null
  label: string
  testId?: string
  tone?: 'indigo' | 'amber' | 'emerald'
  className?: string
}) {
  const fill = { indigo: 'bg-indigo-500', amber: 'bg-amber-500', emerald: 'bg-emerald-500' }[tone]
  const known = max !== null && max > 0
  return (
    <div
      role="progressbar"
      data-testid={testId}
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={known ? max : undefined}
      aria-valuenow={known ? Math.min(value, max) : undefined}
      className={`${className} shrink-0 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800`}
    >
      {known ? (
        <div
          className={`h-full rounded-full ${fill} transition-[width] duration-300`}
          style={{ width: `${Math.min(100, (value / max) * 100)}%` }}
        />
      ) : (
        <div className={`h-full w-1/3 animate-pulse rounded-full ${fill} opacity-70`} />
      )}
    </div>
  )
}

/** The last part of a path (either separator). */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path
}

/** "12.3 files/s". */
export function formatFilesPerSecond(rate: number): string {
  return `${rate >= 100 ? Math.round(rate).toLocaleString('en-US') : rate.toFixed(1)} files/s`
}
