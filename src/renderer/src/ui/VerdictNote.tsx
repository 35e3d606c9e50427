import type { ClassScore } from '../../../shared/engine/postprocess'
import type { Verdict } from '../../../shared/knowledge/verdict'
import { formatPercent } from '../lib/format'
import { closestHint, unknownSentence } from '../lib/verdict'
import { UnknownIcon } from './Icons'

interface Props {
  verdict: Verdict
  /** The model that judged it, and how many classes it knows. */
  modelName: string
  classes: number
  /** The closest class (the calibrated top-1): a muted hint, never a tag. */
  closest: ClassScore | undefined
  /** Larger text, for the photo's detail. */
  size?: 'card' | 'detail'
}

/**
 * An unknown photo's verdict in words: it is none of the model's classes, with the class it is closest to
 * as a muted hint. Says so in text (and an icon), never by colour alone.
 */
export function UnknownVerdict({ verdict, modelName, classes, closest, size = 'card' }: Props) {
  const source = verdict.source === 'profile' ? "the model's profile" : 'the logits alone (no profile)'
  return (
    <div
      data-testid="verdict"
      data-unknown="true"
      data-ood={String(verdict.ood)}
      data-source={verdict.source}
      role="note"
      title={`Out-of-distribution score ${verdict.ood.toFixed(3)}, judged from ${source}`}
      className={`flex items-start gap-2 rounded-lg border border-amber-200/80 bg-amber-50/70 px-2.5 py-2 leading-snug dark:border-amber-900/50 dark:bg-amber-950/30 ${size === 'detail' ? 'text-[13px]' : 'text-[12px]'}`}
    >
      <UnknownIcon className="mt-px h-4 w-4 shrink-0 text-amber-600 dark:text-amber-400" />
      <div className="min-w-0">
        <p data-testid="verdict-text" className="font-medium break-words text-zinc-800 dark:text-zinc-100">
          {unknownSentence(modelName, classes)}
        </p>
        {closest && (
          <p
            data-testid="closest"
            data-label={closest.label}
            className="mt-0.5 truncate text-[11.5px] text-zinc-500 dark:text-zinc-400"
            title={`The class it is closest to: ${closest.label}, p = ${formatPercent(closest.p)} (not a tag)`}
          >
            {closestHint(closest.label)}
          </p>
        )}
      </div>
    </div>
  )
}
