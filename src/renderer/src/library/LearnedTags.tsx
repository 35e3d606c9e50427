import { useEffect, useState } from 'react'
import type { LearnableTagItem, LearnedTagItem } from '../../../shared/ipc/contract/own-tags'
import { formatCount, formatPercent } from '../lib/format'
import { modelName } from '../session/model-list'
import { dangerGhostButton, ghostButton, secondaryButton } from '../ui/buttons'
import { RetryAlert } from '../ui/RetryAlert'
import { Spinner } from '../ui/Spinner'
import { forgetTag, learnTag, loadLearned } from './learned-actions'
import { useLearnedStore } from './learned-store'

const rowClass = 'flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5'
const nameClass = 'min-w-0 flex-1 truncate text-[13px] text-zinc-900 dark:text-zinc-100'
const detailClass = 'text-[11.5px] text-zinc-500 tabular-nums dark:text-zinc-400'

function LearnedRow({ tag }: { tag: LearnedTagItem }) {
  const busy = useLearnedStore((s) => s.busy)
  const [confirming, setConfirming] = useState(false)
  const mine = busy?.tagId === tag.tagId
  return (
    <li
      data-testid="learned-tag"
      data-tag={tag.name}
      data-positives={tag.positives}
      data-negatives={tag.negatives}
      data-suggested={tag.suggested}
      className={rowClass}
    >
      <span className={nameClass} title={`Learned with ${modelName(tag.modelId)} on ${tag.trainedAt.slice(0, 10)}`}>
        {tag.name}
      </span>
      <span className={detailClass} title={`Suggested from ${formatPercent(tag.threshold)}`}>
        {formatCount(tag.positives, 'example')} · {formatCount(tag.negatives, 'counter-example')} ·{' '}
        {tag.suggested.toLocaleString('en-US')} to review
      </span>
      <span className="flex shrink-0 gap-1">
        <button
          type="button"
          data-testid={`relearn-tag-${tag.name}`}
          disabled={busy !== null}
          onClick={() => void learnTag(tag.tagId, tag.name)}
          title="Learn it again from the photos accepted and rejected since"
          className={ghostButton}
        >
          {mine && busy.action === 'learn' && <Spinner className="h-3.5 w-3.5" />}
          {mine && busy.action === 'learn' ? 'Learning…' : 'Learn again'}
        </button>
        <button
          type="button"
          data-testid={`forget-tag-${tag.name}`}
          disabled={busy !== null}
          onClick={() => {
            if (!confirming) setConfirming(true)
            else void forgetTag(tag.tagId, tag.name).then(() => setConfirming(false))
          }}
          onBlur={() => setConfirming(false)}
          title="Stop suggesting it: its open suggestions are withdrawn; photos where it is accepted keep it"
          className={dangerGhostButton}
        >
          {mine && busy.action === 'forget' && <Spinner className="h-3.5 w-3.5" />}
          {confirming ? 'Forget: sure?' : 'Forget'}
        </button>
      </span>
    </li>
  )
}

function LearnableRow({ tag }: { tag: LearnableTagItem }) {
  const busy = useLearnedStore((s) => s.busy)
  const learning = busy?.tagId === tag.tagId
  return (
    <li data-testid="learnable-tag" data-tag={tag.name} data-examples={tag.examples} className={rowClass}>
      <span className={nameClass}>{tag.name}</span>
      <span className={detailClass}>{formatCount(tag.examples, 'accepted photo')}</span>
      <button
        type="button"
        data-testid={`learn-tag-${tag.name}`}
        disabled={busy !== null}
        onClick={() => void learnTag(tag.tagId, tag.name)}
        title={`Learn “${tag.name}” from its accepted photos: the model then suggests it on photos like them`}
        className={secondaryButton}
      >
        {learning && <Spinner className="h-3.5 w-3.5" />}
        {learning ? 'Learning…' : 'Learn'}
      </button>
    </li>
  )
}

/**
 * The tag manager's learned tags, apart from the models' classes: each with the examples behind it and its
 * suggestions waiting for review; the person's tags that can be learned (enough accepted photos) with Learn.
 */
export function LearnedTags() {
  const tags = useLearnedStore((s) => s.tags)
  const error = useLearnedStore((s) => s.error)
  useEffect(() => {
    useLearnedStore.getState().setError(null)
    void loadLearned()
  }, [])

  let body
  if (tags.status === 'loading') {
    body = (
      <p className="flex items-center gap-2 py-2 text-[12.5px] text-zinc-500">
        <Spinner className="h-3.5 w-3.5" /> Reading the learned tags…
      </p>
    )
  } else if (tags.status === 'error') {
    body = (
      <RetryAlert
        testId="learned-tags-error"
        title="The learned tags could not be read"
        message={tags.message}
        onRetry={() => void loadLearned()}
      />
    )
  } else {
    const { learned, learnable } = tags.data
    body = (
      <>
        {learned.length === 0 && learnable.length === 0 && (
          <p data-testid="learned-tags-empty" className="py-1.5 text-[12.5px] leading-snug text-zinc-500">
            Add a tag of your own to at least 5 photos the model has classified to learn it: it is then suggested on
            photos like them.
          </p>
        )}
        <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {learned.map((tag) => (
            <LearnedRow key={tag.tagId} tag={tag} />
          ))}
          {learnable.map((tag) => (
            <LearnableRow key={tag.tagId} tag={tag} />
          ))}
        </ul>
        {learned.length > 0 && (
          <p className="pt-1 text-[11.5px] text-zinc-500 dark:text-zinc-400">
            Their suggestions wait in Review. Two or more can be saved as a model on the Models screen.
          </p>
        )}
      </>
    )
  }
  return (
    <section
      data-testid="learned-tags"
      aria-labelledby="learned-tags-heading"
      className="mb-3 rounded-lg border border-zinc-200 px-3 py-2 dark:border-zinc-800"
    >
      <h3 id="learned-tags-heading" className="text-[11px] font-semibold tracking-[0.06em] text-zinc-500 uppercase">
        Learned from your examples
      </h3>
      {error && (
        <p
          role="alert"
          data-testid="learned-tags-action-error"
          className="py-1 text-[12px] text-rose-600 dark:text-rose-400"
        >
          {error}
        </p>
      )}
      {body}
    </section>
  )
}
