import { useEffect } from 'react'
import type { DuplicateGroupItem, DuplicatePhotoItem } from '../../../shared/ipc/contract/own-tags'
import { ProgressBar } from '../jobs/ProgressBar'
import { formatBytes, formatCount } from '../lib/format'
import { ghostButton, primaryButton, secondaryButton } from '../ui/buttons'
import { CheckIcon, CloseIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { Modal } from '../ui/Modal'
import { RetryAlert } from '../ui/RetryAlert'
import { Spinner } from '../ui/Spinner'
import { closeDuplicates, DUPLICATE_TAG, findDuplicates, tagOthers } from './duplicates-actions'
import { othersOf, useDuplicatesStore } from './duplicates-store'
import { useLibraryStore } from './library-store'

/** Groups drawn at most ("Tag the others" for all still takes every group). */
const SHOWN_GROUPS = 300

function Copy({ photo, keep }: { photo: DuplicatePhotoItem; keep: boolean }) {
  return (
    <li
      data-testid="duplicate-photo"
      data-photo-id={photo.id}
      data-keep={keep}
      className={`w-44 shrink-0 rounded-lg border p-1.5 ${
        keep
          ? 'border-emerald-500 bg-emerald-50/60 dark:border-emerald-500/70 dark:bg-emerald-950/30'
          : 'border-zinc-200 dark:border-zinc-800'
      }`}
    >
      <div className="relative aspect-[4/3] overflow-hidden rounded bg-zinc-100 dark:bg-zinc-800/60">
        <img src={photo.thumbUrl} alt="" loading="lazy" draggable={false} className="h-full w-full object-contain" />
        {keep && (
          <span
            data-testid="duplicate-keep"
            className="absolute top-1 left-1 inline-flex items-center gap-1 rounded bg-emerald-600 px-1.5 py-0.5 text-[10.5px] font-semibold text-white"
            title="The copy to keep: the largest picture, then the original format, then the largest file"
          >
            <CheckIcon className="h-3 w-3" /> Keep
          </span>
        )}
      </div>
      <p className="mt-1 truncate text-[12px] font-medium text-zinc-800 dark:text-zinc-100" title={photo.path}>
        {photo.name}
      </p>
      <p className="text-[11px] leading-snug text-zinc-500 tabular-nums dark:text-zinc-400">
        {photo.width} × {photo.height} px · {formatBytes(photo.size)}
        <br />
        {photo.format} · {photo.takenAt ? photo.takenAt.replace('T', ' ') : 'no date'}
        {photo.status === 'missing' ? ' · file missing' : ''}
      </p>
    </li>
  )
}

function Group({ group, index }: { group: DuplicateGroupItem; index: number }) {
  const tagged = useDuplicatesStore((s) => s.tagged.has(group.keepId))
  const tagging = useDuplicatesStore((s) => s.tagging)
  const others = othersOf(group).length
  return (
    <li
      data-testid="duplicate-group"
      data-keep-id={group.keepId}
      data-tagged={tagged}
      aria-label={`Group ${index + 1}: ${formatCount(group.photos.length, 'copy', 'copies')}`}
      className="space-y-2 py-3"
    >
      <ul className="flex gap-2 overflow-x-auto pb-1">
        {group.photos.map((photo) => (
          <Copy key={photo.id} photo={photo} keep={photo.id === group.keepId} />
        ))}
      </ul>
      <button
        type="button"
        data-testid="duplicate-tag-others"
        disabled={tagged || tagging !== null}
        onClick={() => void tagOthers(group.keepId)}
        title={`Tag the ${others === 1 ? 'other copy' : `${others} other copies`} “${DUPLICATE_TAG}”; no file is deleted`}
        className={secondaryButton}
      >
        {tagging === group.keepId && <Spinner className="h-3.5 w-3.5" />}
        {tagged ? (
          <>
            <CheckIcon className="h-3.5 w-3.5" /> Others tagged “{DUPLICATE_TAG}”
          </>
        ) : (
          `Tag the ${others === 1 ? 'other' : `${others} others`} “${DUPLICATE_TAG}”`
        )}
      </button>
    </li>
  )
}

function Finding() {
  const progress = useDuplicatesStore((s) => s.progress)
  return (
    <div data-testid="duplicates-finding" role="status" className="space-y-2 py-6">
      <p className="flex items-center gap-2 text-[13px] text-zinc-600 tabular-nums dark:text-zinc-300">
        <Spinner className="h-4 w-4" />
        {progress && progress.total > 0
          ? `Comparing the photos… ${progress.done.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')} read`
          : 'Comparing the photos…'}
      </p>
      <ProgressBar
        testId="duplicates-progress"
        label="Finding duplicates"
        value={progress?.done ?? 0}
        max={progress?.total ?? null}
      />
    </div>
  )
}

function Found() {
  const groups = useDuplicatesStore((s) => s.groups)
  const photos = useDuplicatesStore((s) => s.photos)
  const tagged = useDuplicatesStore((s) => s.tagged)
  const tagging = useDuplicatesStore((s) => s.tagging)
  const tagError = useDuplicatesStore((s) => s.tagError)
  if (groups.length === 0) {
    return (
      <div data-testid="duplicates-empty" className="py-10 text-center">
        <p className="text-[14px] font-semibold text-zinc-800 dark:text-zinc-100">No duplicates</p>
        <p className="mt-1 text-[12.5px] text-zinc-500 dark:text-zinc-400">
          None of the {formatCount(photos, 'photo')} compared is a copy of another.
        </p>
      </div>
    )
  }
  const left = groups.filter((g) => !tagged.has(g.keepId)).reduce((n, g) => n + othersOf(g).length, 0)
  return (
    <>
      <div className="sticky top-0 z-10 flex flex-wrap items-center gap-3 border-b border-zinc-200 bg-white py-2.5 dark:border-zinc-800 dark:bg-zinc-900">
        <p
          id="duplicates-detail"
          className="min-w-0 flex-1 text-[12.5px] leading-snug text-zinc-600 dark:text-zinc-300"
        >
          Nothing is deleted: the copies not marked <strong>Keep</strong> get the tag “{DUPLICATE_TAG}” (<Kbd>Z</Kbd> in
          the Library undoes it). Moving them away is an organize run on that tag (Jobs → Organize…), which can be
          undone too.
        </p>
        <button
          type="button"
          data-testid="duplicates-tag-all"
          disabled={left === 0 || tagging !== null}
          onClick={() => void tagOthers('all')}
          className={primaryButton}
        >
          {tagging === 'all' && <Spinner className="h-3.5 w-3.5" />}
          Tag the others in every group ({left.toLocaleString('en-US')})
        </button>
        {tagError && (
          <p
            role="alert"
            data-testid="duplicates-tag-error"
            className="w-full text-[12px] text-rose-600 dark:text-rose-400"
          >
            {tagError}
          </p>
        )}
      </div>
      <ol className="divide-y divide-zinc-100 dark:divide-zinc-800">
        {groups.slice(0, SHOWN_GROUPS).map((group, i) => (
          <Group key={group.keepId} group={group} index={i} />
        ))}
      </ol>
      {groups.length > SHOWN_GROUPS && (
        <p className="py-3 text-[12px] text-zinc-500">
          and {formatCount(groups.length - SHOWN_GROUPS, 'group')} more (tagged too by “Tag the others in every group”)
        </p>
      )}
    </>
  )
}

/** The Library's duplicates: each group of copies side by side, the one to keep marked. Esc closes. */
export function DuplicatesView() {
  const open = useLibraryStore((s) => s.duplicatesOpen)
  if (!open) return null
  return <DuplicatesDialog />
}

function DuplicatesDialog() {
  const status = useDuplicatesStore((s) => s.status)
  const error = useDuplicatesStore((s) => s.error)
  const groups = useDuplicatesStore((s) => s.groups.length)
  const photos = useDuplicatesStore((s) => s.photos)
  useEffect(() => {
    void findDuplicates()
  }, [])
  return (
    <Modal
      onClose={closeDuplicates}
      labelledBy="duplicates-title"
      describedBy={status === 'ready' && groups > 0 ? 'duplicates-detail' : undefined}
      testId="duplicates-view"
      className="max-w-5xl"
    >
      <div className="flex max-h-[calc(100vh-3rem)] flex-col" data-state={status}>
        <header className="flex h-12 shrink-0 items-center gap-3 border-b border-zinc-200 pr-2 pl-4 dark:border-zinc-800">
          <h2 id="duplicates-title" className="text-[14px] font-semibold tracking-tight">
            Duplicates
          </h2>
          {status === 'ready' && (
            <span data-testid="duplicates-count" className="text-[12px] text-zinc-500 tabular-nums">
              {formatCount(groups, 'group')} among {formatCount(photos, 'photo')}
            </span>
          )}
          <button
            type="button"
            data-autofocus
            onClick={closeDuplicates}
            title="Close (Esc)"
            className={`${ghostButton} ml-auto`}
          >
            <CloseIcon className="h-4 w-4" />
            <Kbd>Esc</Kbd>
          </button>
        </header>
        <div className="min-h-0 flex-1 overflow-y-auto px-4 pb-4">
          {(status === 'finding' || status === 'idle') && <Finding />}
          {status === 'error' && (
            <RetryAlert
              testId="duplicates-error"
              title="The duplicates could not be found"
              message={error ?? 'unknown error'}
              onRetry={() => void findDuplicates()}
              className="my-4"
            />
          )}
          {status === 'ready' && <Found />}
        </div>
      </div>
    </Modal>
  )
}
