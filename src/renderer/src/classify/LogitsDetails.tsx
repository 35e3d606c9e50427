import { useMemo } from 'react'

/** Classes listed at most; ImageNet's 1,000 logits are shown as the largest ones. */
const MAX_ROWS = 20

interface Props {
  logits: readonly number[]
  labels: readonly string[]
  /** The predicted class, highlighted. */
  predicted: number
}

/**
 * The raw scores the network produced, before softmax turns them into probabilities: a diverging bar
 * per class around zero, so one sees that the prediction is the largest logit, not a probability.
 */
export function LogitsDetails({ logits, labels, predicted }: Props) {
  const rows = useMemo(() => {
    const all = logits.map((value, index) => ({ value, index, label: labels[index] ?? `class ${index}` }))
    return all.length <= MAX_ROWS ? all : [...all].sort((a, b) => b.value - a.value).slice(0, MAX_ROWS)
  }, [logits, labels])
  const extent = useMemo(() => Math.max(1e-6, ...logits.map((v) => Math.abs(v))), [logits])

  return (
    <details className="group/logits mt-2 rounded-lg border border-zinc-200/80 bg-zinc-50/60 text-[11px] dark:border-zinc-800 dark:bg-zinc-950/40">
      <summary className="flex cursor-pointer list-none items-center justify-between gap-2 rounded-lg px-2 py-1.5 text-zinc-500 outline-none select-none hover:text-zinc-800 focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-zinc-400 dark:hover:text-zinc-200">
        <span className="flex items-center gap-1">
          <span aria-hidden="true" className="inline-block transition-transform group-open/logits:rotate-90">
            ›
          </span>
          Logits
        </span>
        <span className="text-zinc-400 dark:text-zinc-500">
          {logits.length} {logits.length === 1 ? 'score' : 'scores'} before softmax
        </span>
      </summary>
      <div className="px-2 pt-0.5 pb-2">
        <ul className="space-y-0.5 font-mono">
          {rows.map((row) => {
            const share = (Math.abs(row.value) / extent) * 50
            const isPredicted = row.index === predicted
            return (
              <li key={row.index} className="grid grid-cols-[minmax(0,4.5rem)_1fr_2.75rem] items-center gap-2">
                <span
                  className={
                    isPredicted
                      ? 'truncate font-sans font-semibold text-zinc-900 dark:text-zinc-100'
                      : 'truncate font-sans text-zinc-500 dark:text-zinc-400'
                  }
                  title={`class ${row.index}`}
                >
                  {row.label}
                </span>
                <span className="relative h-2 rounded-sm bg-zinc-200/60 dark:bg-zinc-800">
                  <span className="absolute inset-y-0 left-1/2 w-px bg-zinc-400/70 dark:bg-zinc-600" />
                  <span
                    className={
                      row.value >= 0
                        ? isPredicted
                          ? 'absolute inset-y-0 left-1/2 rounded-r-sm bg-indigo-500 dark:bg-indigo-400'
                          : 'absolute inset-y-0 left-1/2 rounded-r-sm bg-emerald-500/70 dark:bg-emerald-400/60'
                        : 'absolute inset-y-0 right-1/2 rounded-l-sm bg-rose-400/70 dark:bg-rose-400/60'
                    }
                    style={{ width: `${share}%` }}
                  />
                </span>
                <span className="text-right tabular-nums text-zinc-600 dark:text-zinc-300">{row.value.toFixed(3)}</span>
              </li>
            )
          })}
        </ul>
        {logits.length > MAX_ROWS && (
          <p className="mt-1 font-sans text-zinc-400">
            The {MAX_ROWS} largest of {logits.length.toLocaleString('en-US')}.
          </p>
        )}
        <p className="mt-1.5 font-sans leading-snug text-zinc-400 dark:text-zinc-500">
          p<sub>i</sub> = e
          <sup>
            z<sub>i</sub>
          </sup>{' '}
          / Σ<sub>j</sub> e
          <sup>
            z<sub>j</sub>
          </sup>
          : the largest logit wins; the gaps set the confidence.
        </p>
      </div>
    </details>
  )
}
