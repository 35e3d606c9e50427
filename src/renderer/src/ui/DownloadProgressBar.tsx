import { formatDuration, formatMegabytes, formatRate } from '../lib/format'

interface Props {
  /** For people using a screen reader: "Downloading ResNet-50". */
  label: string
  received: number
  total: number
  bytesPerSecond: number
  /** The download is complete and its sha256 is being checked. */
  verifying: boolean
  testId: string
  textTestId?: string
  /** The bar's empty track (it sits on different backgrounds). */
  trackClassName: string
}

/** A catalog download's bar and its line: megabytes, speed and time left, or the sha256 check. */
export function DownloadProgressBar({
  label,
  received,
  total,
  bytesPerSecond,
  verifying,
  testId,
  textTestId,
  trackClassName,
}: Props) {
  const shown = verifying ? total : received
  const left = bytesPerSecond > 0 ? (total - shown) / bytesPerSecond : undefined
  return (
    <div className="space-y-1">
      <div
        role="progressbar"
        data-testid={testId}
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={shown}
        className={`h-1.5 overflow-hidden rounded-full ${trackClassName}`}
      >
        <div
          className={`h-full rounded-full transition-[width] duration-300 ${verifying ? 'animate-pulse bg-emerald-500' : 'bg-indigo-500'}`}
          style={{ width: `${total > 0 ? Math.min(1, shown / total) * 100 : 0}%` }}
        />
      </div>
      <p data-testid={textTestId} className="text-[11.5px] text-zinc-500 tabular-nums dark:text-zinc-400">
        {verifying ? (
          'Checking the sha256 and adding it to the library…'
        ) : (
          <>
            {formatMegabytes(shown)} of {formatMegabytes(total)}
            {bytesPerSecond > 0 ? ` · ${formatRate(bytesPerSecond)}` : ' · starting…'}
            {left !== undefined ? ` · ${formatDuration(left)} left` : ''}
          </>
        )}
      </p>
    </div>
  )
}
