import { useState } from 'react'
import type { PhotoItem, PhotoTagItem } from '../../../shared/ipc/contract'
import { SimilarStrip } from '../detail/SimilarStrip'
import { formatCount, formatPercent } from '../lib/format'
import { modelsOf, useSessionStore } from '../session/session-store'
import { ghostButton, secondaryButton } from '../ui/buttons'
import { CheckIcon, CloseIcon, DownloadIcon, TrashIcon, UndoIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { KeyButton, type KeyButtonProps } from '../ui/KeyButton'
import { PredictionBars } from '../ui/PredictionBars'
import { Spinner } from '../ui/Spinner'
import { AddTagField } from './AddTagField'
import { exportLibrary, writeSidecars } from './file-actions'
import { indexOfId, useLibraryStore, type PhotoDetail } from './library-store'
import { loadDetail, openViewer } from './selection-actions'
import { focusPhoto, moreLikeThis } from './similar-actions'
import { acceptSelection, decideTag, rejectSelection, removeTagFromSelection, undoLast } from './tag-decisions'
import { TagChip } from './TagChip'
import { setThreshold } from './threshold-actions'

const PIXELATED_BELOW = 96

const iconButton =
  'rounded p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-800 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none disabled:pointer-events-none disabled:opacity-35 dark:text-zinc-500 dark:hover:bg-zinc-800 dark:hover:text-zinc-100'

function useModelName(): (id: string) => string {
  const models = useSessionStore(modelsOf)
  return (id) => models.find((m) => m.id === id)?.name ?? id
}

function Heading({ children }: { children: string }) {
  return <h3 className="text-[11px] font-semibold tracking-[0.06em] text-zinc-500 uppercase">{children}</h3>
}

function PhotoTags({ photo }: { photo: PhotoItem }) {
  const modelName = useModelName()
  const busy = useLibraryStore((s) => s.busy !== null)
  if (photo.tags.length === 0) {
    return <p className="text-[12px] text-zinc-500 dark:text-zinc-400">No tags yet.</p>
  }
  const source = (tag: PhotoTagItem): string =>
    tag.source === 'model'
      ? `${tag.modelId ? modelName(tag.modelId) : 'model'}${tag.score !== null ? ` · ${formatPercent(tag.score)}` : ''}`
      : 'person'
  return (
    <ul className="space-y-1" aria-label="Tags of this photo">
      {photo.tags.map((tag) => (
        <li
          key={tag.tagId}
          data-testid="panel-tag"
          data-tag={tag.name}
          data-status={tag.status}
          data-source={tag.source}
          className="flex items-center gap-2"
        >
          <TagChip tag={tag} testId="panel-tag-chip" modelName={modelName} />
          <span
            className="min-w-0 flex-1 truncate text-[11px] text-zinc-500 tabular-nums dark:text-zinc-400"
            title={`${tag.status} · ${source(tag)}`}
          >
            {tag.status} · {source(tag)}
          </span>
          <span className="flex shrink-0">
            <button
              type="button"
              disabled={busy || tag.status === 'accepted'}
              onClick={() => decideTag(photo.id, tag.tagId, tag.name, 'accept')}
              title={`Accept “${tag.name}” on this photo`}
              aria-label={`Accept ${tag.name}`}
              className={iconButton}
            >
              <CheckIcon className="h-3.5 w-3.5" />
            </button>
            <button
              type="button"
              disabled={busy || tag.status === 'rejected'}
              onClick={() => decideTag(photo.id, tag.tagId, tag.name, 'reject')}
              title={`Reject “${tag.name}” on this photo (the model will not suggest it again)`}
              aria-label={`Reject ${tag.name}`}
              className={iconButton}
            >
              <CloseIcon className="h-3.5 w-3.5" />
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => decideTag(photo.id, tag.tagId, tag.name, 'remove')}
              title={`Remove “${tag.name}” from this photo`}
              aria-label={`Remove ${tag.name}`}
              className={iconButton}
            >
              <TrashIcon className="h-3.5 w-3.5" />
            </button>
          </span>
        </li>
      ))}
    </ul>
  )
}

function Predictions({ detail }: { detail: PhotoDetail }) {
  const modelName = useModelName()
  if (detail.predictions.length === 0) {
    return <p className="text-[12px] text-zinc-500 dark:text-zinc-400">Not classified yet.</p>
  }
  return (
    <div className="space-y-3">
      {detail.predictions.map((prediction) => (
        <div key={prediction.modelId} data-testid="panel-predictions" data-model-id={prediction.modelId}>
          <p className="mb-1.5 truncate text-[11.5px] text-zinc-500 dark:text-zinc-400">
            {modelName(prediction.modelId)}
          </p>
          {prediction.verdict.unknown && (
            <p
              data-testid="panel-unknown"
              className="mb-1.5 rounded-md border border-zinc-200 bg-zinc-50 px-2 py-1 text-[12px] text-zinc-700 dark:border-zinc-700 dark:bg-zinc-800/60 dark:text-zinc-200"
            >
              <span className="font-medium">Unknown to this model</span>: not one of its classes, so no tag is
              suggested. The bars below are only the closest classes.
            </p>
          )}
          <div className={prediction.verdict.unknown ? 'opacity-60' : undefined}>
            <PredictionBars top={prediction.top.map(({ index, label, p }) => ({ index, label, p }))} />
          </div>
          {!prediction.verdict.unknown && prediction.levels.length > 0 && (
            <p data-testid="panel-levels" className="mt-1.5 truncate text-[11.5px] text-zinc-500 dark:text-zinc-400">
              Levels:{' '}
              {prediction.levels
                .slice(0, 4)
                .map((l) => `${l.label} ${formatPercent(l.p)}`)
                .join(' · ')}
            </p>
          )}
        </div>
      ))}
    </div>
  )
}

function FocusedPhoto() {
  const focusId = useLibraryStore((s) => s.focusId)
  const detail = useLibraryStore((s) => s.detail)
  const pickedModel = useLibraryStore((s) => s.filter.modelId)
  const item = useLibraryStore((s) => {
    if (s.focusId === null) return undefined
    const at = indexOfId(s.grid.items).get(s.focusId)
    return at !== undefined ? s.grid.items[at] : undefined
  })
  if (focusId === null) {
    return (
      <p data-testid="panel-empty" className="text-[12.5px] leading-relaxed text-zinc-500 dark:text-zinc-400">
        Click a photo, or use the arrows in the grid. <Kbd>Shift</Kbd>/<Kbd>Ctrl</Kbd>-click or <Kbd>Space</Kbd> select
        more; the actions below apply to the selection.
      </p>
    )
  }
  const state = detail?.id === focusId ? detail.state : undefined
  const photo = state?.status === 'ready' ? state.data.photo : item
  if (!photo) {
    return (
      <p className="flex items-center gap-2 text-[12.5px] text-zinc-500">
        <Spinner className="h-3.5 w-3.5" /> Reading the photo…
      </p>
    )
  }
  const pixelated = Math.max(photo.width, photo.height) < PIXELATED_BELOW
  return (
    <section data-testid="panel-photo" data-photo-id={photo.id} className="space-y-3">
      <button
        type="button"
        onClick={openViewer}
        title="Show it large (Enter)"
        className="block w-full overflow-hidden rounded-lg bg-zinc-100 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:bg-zinc-800/60"
      >
        <img
          src={photo.status === 'present' ? photo.photoUrl : photo.thumbUrl}
          alt={photo.name}
          draggable={false}
          className={`mx-auto block aspect-[4/3] w-full object-contain ${pixelated ? '[image-rendering:pixelated]' : ''}`}
        />
      </button>
      <div className="min-w-0">
        <p className="truncate text-[13px] font-medium text-zinc-900 dark:text-zinc-100" title={photo.path}>
          {photo.name}
        </p>
        <p className="truncate text-[11.5px] text-zinc-500 tabular-nums dark:text-zinc-400" title={photo.path}>
          {photo.width} × {photo.height} px{photo.takenAt ? ` · taken ${photo.takenAt.replace('T', ' ')}` : ''}
          {photo.status === 'missing' ? ' · file missing' : ''}
        </p>
      </div>
      <div className="space-y-1.5">
        <Heading>Tags</Heading>
        <PhotoTags photo={photo} />
      </div>
      <div className="space-y-1.5">
        <Heading>Predictions</Heading>
        {state?.status === 'ready' ? (
          <Predictions detail={state.data} />
        ) : state?.status === 'error' ? (
          <p role="alert" className="text-[12px] text-rose-600 dark:text-rose-400">
            {state.message}{' '}
            <button type="button" className="underline" onClick={() => void loadDetail(photo.id)}>
              Try again
            </button>
          </p>
        ) : (
          <p className="flex items-center gap-2 text-[12px] text-zinc-500">
            <Spinner className="h-3.5 w-3.5" /> Reading…
          </p>
        )}
      </div>
      <SimilarStrip photoId={photo.id} modelId={pickedModel ?? undefined} onOpen={focusPhoto} />
    </section>
  )
}

/** The tags on the photos an action applies to, for "Remove tag". */
function useTargetTags(): { tagId: number; name: string; photos: number }[] {
  const selection = useLibraryStore((s) => s.selection)
  const focusId = useLibraryStore((s) => s.focusId)
  const items = useLibraryStore((s) => s.grid.items)
  const ids = selection.size > 0 ? [...selection] : focusId !== null ? [focusId] : []
  const index = indexOfId(items)
  const tags = new Map<number, { tagId: number; name: string; photos: number }>()
  for (const id of ids) {
    const at = index.get(id)
    const photo = at !== undefined ? items[at] : undefined
    for (const tag of photo?.tags ?? []) {
      const known = tags.get(tag.tagId) ?? { tagId: tag.tagId, name: tag.name, photos: 0 }
      known.photos++
      tags.set(tag.tagId, known)
    }
  }
  return [...tags.values()].sort((a, b) => a.name.localeCompare(b.name))
}

const TONES = {
  plain: '',
  accept:
    'border-emerald-600/40 text-emerald-700 hover:bg-emerald-50 dark:border-emerald-500/40 dark:text-emerald-300 dark:hover:bg-emerald-950/40',
  reject:
    'border-rose-500/40 text-rose-700 hover:bg-rose-50 dark:border-rose-500/40 dark:text-rose-300 dark:hover:bg-rose-950/40',
}

function ActionButton({ tone = 'plain', ...props }: KeyButtonProps & { tone?: keyof typeof TONES }) {
  return <KeyButton {...props} className={`${secondaryButton} justify-between ${TONES[tone]}`} />
}

function BulkActions() {
  const selected = useLibraryStore((s) => s.selection.size)
  const focusId = useLibraryStore((s) => s.focusId)
  const busy = useLibraryStore((s) => s.busy)
  const undo = useLibraryStore((s) => s.undo)
  const tagFilter = useLibraryStore((s) => s.filter.tagId)
  const targetTags = useTargetTags()
  const count = selected > 0 ? selected : focusId !== null ? 1 : 0
  const none = count === 0
  const last = undo.at(-1)
  const what = tagFilter !== null ? 'the filtered tag' : 'their suggested tags'
  return (
    <section data-testid="bulk-actions" data-count={count} className="space-y-2.5" aria-labelledby="bulk-heading">
      <div className="flex items-baseline justify-between gap-2">
        <h3 id="bulk-heading" className="text-[11px] font-semibold tracking-[0.06em] text-zinc-500 uppercase">
          {selected > 0 ? `${formatCount(selected, 'photo')} selected` : 'Photo in focus'}
        </h3>
        {busy && <Spinner className="h-3.5 w-3.5 text-zinc-400" />}
      </div>
      <div className="grid grid-cols-2 gap-1.5">
        <ActionButton
          testId="bulk-accept"
          label="Accept"
          keyHint="A"
          tone="accept"
          title={`Accept ${what} on the ${count === 1 ? 'photo' : `${count} photos`}`}
          onClick={acceptSelection}
          disabled={none || busy !== null}
        />
        <ActionButton
          testId="bulk-reject"
          label="Reject"
          keyHint="R"
          tone="reject"
          title={`Reject ${what} on the ${count === 1 ? 'photo' : `${count} photos`}`}
          onClick={rejectSelection}
          disabled={none || busy !== null}
        />
      </div>
      <ActionButton
        testId="more-like-this"
        label="More like this"
        keyHint="M"
        title={`Show the photos most like ${count === 1 ? 'this photo' : `these ${count} photos`}, most similar first`}
        onClick={() => moreLikeThis()}
        disabled={none}
      />
      <AddTagField disabled={none || busy !== null} count={count} />
      <label className="flex items-center gap-2 text-[12px] text-zinc-500 dark:text-zinc-400">
        <span className="shrink-0">Remove</span>
        <select
          data-testid="remove-tag"
          value=""
          disabled={none || busy !== null || targetTags.length === 0}
          onChange={(event) => {
            const id = Number(event.currentTarget.value)
            if (id > 0) removeTagFromSelection(id)
          }}
          title="Take a tag off the photos (whatever its status)"
          className="min-w-0 flex-1 rounded-md border border-zinc-200 bg-white py-1 pr-6 pl-2 text-[12.5px] text-zinc-800 hover:border-zinc-300 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none disabled:opacity-45 dark:border-zinc-700 dark:bg-zinc-800/80 dark:text-zinc-100"
        >
          <option value="">{targetTags.length === 0 ? 'no tags' : 'a tag…'}</option>
          {targetTags.map((tag) => (
            <option key={tag.tagId} value={tag.tagId}>
              {tag.name}
              {count > 1 ? ` (${tag.photos})` : ''}
            </option>
          ))}
        </select>
      </label>
      <div className="flex flex-wrap gap-1.5">
        <button
          type="button"
          data-testid="library-undo"
          data-depth={undo.length}
          onClick={() => void undoLast()}
          disabled={!last || busy !== null}
          title={last ? `Undo: ${last.label} (Z)` : 'Nothing to undo (Z)'}
          aria-keyshortcuts="Z"
          className={ghostButton}
        >
          <UndoIcon className="h-4 w-4" />
          Undo
          <Kbd>Z</Kbd>
        </button>
        <button
          type="button"
          data-testid="write-sidecars"
          onClick={() => void writeSidecars()}
          disabled={none || busy !== null}
          title="Write the accepted tags into XMP sidecars beside the photos (photo.jpg.xmp); the photos are not touched"
          className={ghostButton}
        >
          {busy === 'sidecars' ? <Spinner className="h-3.5 w-3.5" /> : <DownloadIcon className="h-4 w-4" />}
          XMP sidecars
        </button>
      </div>
    </section>
  )
}

function ThresholdField() {
  const threshold = useLibraryStore((s) => s.threshold)
  const [text, setText] = useState<string | null>(null)
  const shown = text ?? (threshold !== null ? String(Math.round(threshold * 100)) : '')
  const commit = (): void => {
    if (text === null) return
    const value = Number(text)
    setText(null)
    if (!Number.isFinite(value) || value < 1 || value > 100 || threshold === null) return
    if (Math.abs(value / 100 - threshold) > 1e-9) void setThreshold(value / 100)
  }
  return (
    <label
      className="flex items-center gap-2 text-[12px] text-zinc-500 dark:text-zinc-400"
      title="Predictions at or above this probability become suggested tags; changing it adds or withdraws suggestions (decisions stay)"
    >
      Suggest from
      <input
        data-testid="threshold-input"
        type="number"
        min={1}
        max={100}
        step={1}
        value={shown}
        disabled={threshold === null}
        onChange={(event) => setText(event.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit()
          if (event.key === 'Escape') setText(null)
        }}
        className="w-14 rounded-md border border-zinc-200 bg-white px-1.5 py-0.5 text-right text-[12.5px] text-zinc-800 tabular-nums focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:border-zinc-700 dark:bg-zinc-800/80 dark:text-zinc-100"
      />
      %
    </label>
  )
}

function LibraryFiles() {
  const busy = useLibraryStore((s) => s.busy)
  return (
    <section className="space-y-2" aria-label="The whole library">
      <Heading>Library</Heading>
      <div className="flex flex-wrap gap-1.5">
        <button
          type="button"
          data-testid="export-csv"
          disabled={busy !== null}
          onClick={() => void exportLibrary('csv')}
          title="Export every photo's predictions and tags as CSV (asks where)"
          className={secondaryButton}
        >
          {busy === 'export-csv' ? <Spinner className="h-3.5 w-3.5" /> : <DownloadIcon className="h-4 w-4" />}
          Export CSV…
        </button>
        <button
          type="button"
          data-testid="export-json"
          disabled={busy !== null}
          onClick={() => void exportLibrary('json')}
          title="Export every photo's predictions and tags as JSON (asks where)"
          className={secondaryButton}
        >
          {busy === 'export-json' ? <Spinner className="h-3.5 w-3.5" /> : <DownloadIcon className="h-4 w-4" />}
          Export JSON…
        </button>
      </div>
      <ThresholdField />
    </section>
  )
}

/** The right side of the Library: the photo in focus, the actions on the selection, the library's exports. */
export function LibraryPanel() {
  return (
    <aside
      data-testid="library-panel"
      aria-label="Selection"
      className="flex w-[320px] shrink-0 flex-col gap-5 overflow-y-auto border-l border-zinc-200 bg-white/60 p-4 dark:border-zinc-800 dark:bg-zinc-900/30"
    >
      <FocusedPhoto />
      <BulkActions />
      <LibraryFiles />
    </aside>
  )
}
