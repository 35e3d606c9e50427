import type { PhotoTagItem } from '../../../shared/ipc/contract'
import { formatPercent } from '../lib/format'

const STATUS_CLASS: Record<PhotoTagItem['status'], string> = {
  suggested:
    'border-dashed border-indigo-400 bg-indigo-50/60 text-indigo-700 dark:border-indigo-400/70 dark:bg-indigo-500/10 dark:text-indigo-200',
  accepted:
    'border-emerald-600 bg-emerald-600 text-white dark:border-emerald-500 dark:bg-emerald-600/90 dark:text-white',
  rejected: 'border-zinc-300 bg-transparent text-zinc-400 line-through dark:border-zinc-700 dark:text-zinc-500',
}

/** What a tag's state means, for its tooltip. */
export function describeTag(tag: PhotoTagItem, modelName?: (id: string) => string): string {
  const by =
    tag.source === 'model'
      ? `from ${tag.modelId ? (modelName?.(tag.modelId) ?? tag.modelId) : 'a model'}${tag.score !== null ? ` at ${formatPercent(tag.score)}` : ''}`
      : 'added by a person'
  const status = { suggested: 'suggested', accepted: 'accepted', rejected: 'rejected' }[tag.status]
  return `${tag.name}: ${status}, ${by}`
}

/** Suggested tags show their probability ("ship 62 %"); the others only their name. */
export function tagText(tag: PhotoTagItem): string {
  return tag.status === 'suggested' && tag.score !== null ? `${tag.name} ${Math.round(tag.score * 100)} %` : tag.name
}

/** Accepted first, then suggestions by probability, rejected last; rejected ones only when asked. */
export function orderTags(tags: readonly PhotoTagItem[], showRejected: boolean): PhotoTagItem[] {
  const rank = { accepted: 0, suggested: 1, rejected: 2 }
  return tags
    .filter((t) => showRejected || t.status !== 'rejected')
    .sort((a, b) => rank[a.status] - rank[b.status] || (b.score ?? 0) - (a.score ?? 0) || a.name.localeCompare(b.name))
}

/**
 * A tag on a photo: suggested (dashed, with its probability), accepted (solid) or rejected (struck
 * through).
 */
export function TagChip({
  tag,
  testId = 'tag-chip',
  size = 'small',
  modelName,
}: {
  tag: PhotoTagItem
  testId?: string
  size?: 'small' | 'large'
  modelName?: (id: string) => string
}) {
  return (
    <span
      data-testid={testId}
      data-tag={tag.name}
      data-tag-id={tag.tagId}
      data-status={tag.status}
      data-source={tag.source}
      {...(tag.score !== null && { 'data-score': String(tag.score) })}
      title={describeTag(tag, modelName)}
      className={`inline-flex max-w-full shrink-0 items-center truncate rounded-full border tabular-nums ${
        size === 'small' ? 'px-1.5 text-[10.5px] leading-4' : 'px-2.5 py-0.5 text-[12.5px] leading-5 font-medium'
      } ${STATUS_CLASS[tag.status]}`}
    >
      {tagText(tag)}
    </span>
  )
}
