import type { ClassScore } from '../../../shared/engine/postprocess'
import { formatPercent } from '../lib/format'

/**
 * The top-k classes with probability bars; the first is the prediction. `muted`: none is (an unknown photo's
 * closest classes), so the first is drawn like the rest.
 */
export function PredictionBars({ top, muted = false }: { top: readonly ClassScore[]; muted?: boolean }) {
  return (
    <ol className="space-y-1.5" aria-label={muted ? 'Closest classes' : 'Top predictions'}>
      {top.map((score, index) => {
        const strong = !muted && index === 0
        return (
          <li
            key={score.index}
            data-testid="prediction"
            data-label={score.label}
            data-index={score.index}
            data-p={String(score.p)}
            title={`${score.label}: p = ${score.p.toPrecision(6)} (class ${score.index})`}
          >
            <div className="flex items-baseline justify-between gap-2 text-[12px] leading-4">
              <span
                className={
                  strong
                    ? 'truncate font-semibold text-zinc-900 dark:text-zinc-50'
                    : 'truncate text-zinc-600 dark:text-zinc-400'
                }
              >
                {score.label}
              </span>{' '}
              <span
                className={
                  strong
                    ? 'shrink-0 font-semibold tabular-nums text-indigo-600 dark:text-indigo-300'
                    : 'shrink-0 tabular-nums text-zinc-500 dark:text-zinc-500'
                }
              >
                {formatPercent(score.p)}
              </span>
            </div>
            <div className="mt-0.5 h-1 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800">
              <div
                className={
                  strong
                    ? 'h-full rounded-full bg-indigo-500 dark:bg-indigo-400'
                    : 'h-full rounded-full bg-zinc-300 dark:bg-zinc-600'
                }
                style={{ width: `${Math.max(0.5, score.p * 100)}%` }}
              />
            </div>
          </li>
        )
      })}
    </ol>
  )
}
