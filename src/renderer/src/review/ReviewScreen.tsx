import { useEffect } from 'react'
import { formatPercent, shortcutLabel } from '../lib/format'
import { useNavStore } from '../session/navigation'
import { modelsOf, useSessionStore } from '../session/session-store'
import { secondaryButton } from '../ui/buttons'
import { AlertIcon, CheckIcon, ChevronIcon, CloseIcon, ReviewIcon, UndoIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { KeyButton, type KeyButtonProps } from '../ui/KeyButton'
import { isTyping, modalOpen } from '../ui/keyboard'
import { Spinner } from '../ui/Spinner'
import { decide, loadGroups, loadQueue, move, openReview, undoDecision } from './review-actions'
import { useReviewStore, type ReviewEntry } from './review-store'

const PIXELATED_BELOW = 96

/** A, R, ←/→, Z (or Ctrl/⌘+Z), and ↑/↓ for the previous or next class. */
function useReviewShortcuts(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (modalOpen() || isTyping(event.target) || event.altKey || event.shiftKey) return
      const mod = event.ctrlKey || event.metaKey
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key
      if (key === 'z' && !event.repeat) {
        event.preventDefault()
        void undoDecision()
        return
      }
      if (mod) return
      if (key === 'a') {
        event.preventDefault()
        void decide('accept')
      } else if (key === 'r') {
        event.preventDefault()
        void decide('reject')
      } else if (key === 'ArrowLeft' || key === 'ArrowRight') {
        event.preventDefault()
        move(key === 'ArrowLeft' ? -1 : 1)
      } else if (key === 'ArrowUp' || key === 'ArrowDown') {
        event.preventDefault()
        stepGroup(key === 'ArrowUp' ? -1 : 1)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}

function stepGroup(step: 1 | -1): void {
  const { groups, tagId } = useReviewStore.getState()
  if (groups.status !== 'ready') return
  const order = [null, ...groups.data.map((g) => g.tagId)]
  const at = order.indexOf(tagId)
  const next = order[Math.max(0, Math.min(order.length - 1, at + step))]
  if (next !== undefined && next !== tagId) void loadQueue(next)
}

function Groups() {
  const groups = useReviewStore((s) => s.groups)
  const tagId = useReviewStore((s) => s.tagId)
  const total = groups.status === 'ready' ? groups.data.reduce((n, g) => n + g.count, 0) : 0
  const item = (id: number | null, name: string, count: number, lowest?: number) => (
    <li key={id ?? 'all'}>
      <button
        type="button"
        data-testid="review-group"
        data-tag-id={id ?? ''}
        data-name={name}
        data-count={count}
        aria-pressed={tagId === id}
        onClick={() => void loadQueue(id)}
        title={
          lowest !== undefined
            ? `Review “${name}”: ${count} suggestion${count === 1 ? '' : 's'}, the least sure at ${formatPercent(lowest)} (↑/↓ change class)`
            : 'Every class, one after the other (↑/↓ change class)'
        }
        className={`flex w-full items-center gap-2 rounded-md px-2.5 py-1.5 text-left text-[13px] focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none ${
          tagId === id
            ? 'bg-white font-medium text-zinc-900 shadow-[0_1px_2px_rgba(0,0,0,0.06)] ring-1 ring-zinc-200/70 dark:bg-zinc-800 dark:text-zinc-50 dark:ring-zinc-700/60'
            : 'text-zinc-600 hover:bg-zinc-200/50 dark:text-zinc-400 dark:hover:bg-zinc-800/60'
        }`}
      >
        <span className="min-w-0 flex-1 truncate">{name}</span>
        <span className="shrink-0 text-[11.5px] text-zinc-400 tabular-nums">{count.toLocaleString('en-US')}</span>
      </button>
    </li>
  )
  return (
    <nav
      aria-label="Classes with suggestions"
      data-testid="review-groups"
      className="w-56 shrink-0 overflow-y-auto border-r border-zinc-200 p-2 dark:border-zinc-800"
    >
      {groups.status === 'loading' && (
        <p className="flex items-center gap-2 p-2 text-[12.5px] text-zinc-500">
          <Spinner className="h-3.5 w-3.5" /> Reading…
        </p>
      )}
      {groups.status === 'error' && (
        <p role="alert" className="p-2 text-[12.5px] text-rose-600 dark:text-rose-400">
          {groups.message}{' '}
          <button type="button" className="underline" onClick={() => void loadGroups()}>
            Try again
          </button>
        </p>
      )}
      {groups.status === 'ready' && (
        <ul className="space-y-0.5">
          {item(null, 'All classes', total)}
          {groups.data.map((g) => item(g.tagId, g.name, g.count, g.lowestScore))}
        </ul>
      )}
    </nav>
  )
}

/** The review's keyed buttons are named by their label, or by their title where they show only an icon. */
function ReviewButton(props: KeyButtonProps) {
  return <KeyButton {...props} ariaLabel={props.label || props.title} />
}

/** Z: undoes the last decision taken here. */
function UndoButton({ disabled }: { disabled?: boolean }) {
  return (
    <ReviewButton
      testId="review-undo"
      label="Undo"
      keyHint="Z"
      title="Undo the last decision"
      onClick={() => void undoDecision()}
      disabled={disabled}
    >
      <UndoIcon className="h-4 w-4" />
    </ReviewButton>
  )
}

function CaughtUp({ decided }: { decided: number }) {
  const canUndo = useReviewStore((s) => s.undo.length > 0)
  const tagId = useReviewStore((s) => s.tagId)
  const groups = useReviewStore((s) => s.groups)
  const go = useNavStore((s) => s.go)
  // Other classes may still have suggestions when this one is done.
  const elsewhere =
    tagId !== null && groups.status === 'ready'
      ? groups.data.filter((g) => g.tagId !== tagId).reduce((n, g) => n + g.count, 0)
      : 0
  return (
    <div data-testid="review-empty" className="flex h-full items-center justify-center p-8">
      <div className="flex max-w-md flex-col items-center text-center">
        <div className="mb-4 flex h-14 w-14 items-center justify-center rounded-2xl bg-emerald-50 text-emerald-600 ring-1 ring-emerald-100 dark:bg-emerald-500/10 dark:text-emerald-300 dark:ring-emerald-400/20">
          <CheckIcon className="h-7 w-7" />
        </div>
        <p className="text-[16px] font-semibold text-zinc-900 dark:text-zinc-50">All caught up</p>
        <p className="mt-2 text-[13px] leading-relaxed text-zinc-500 dark:text-zinc-400">
          {decided > 0
            ? `${decided} decision${decided === 1 ? '' : 's'} taken; no suggestion waits here any more.`
            : 'No suggestion waits for review here.'}{' '}
          {elsewhere > 0
            ? `${elsewhere.toLocaleString('en-US')} suggestion${elsewhere === 1 ? '' : 's'} wait in other classes.`
            : 'New photos added on the Library get suggestions from the active model.'}
        </p>
        <div className="mt-5 flex gap-2">
          {elsewhere > 0 && (
            <button
              type="button"
              data-testid="review-all"
              className={secondaryButton}
              onClick={() => void loadQueue(null)}
              title="Review every class, the least sure first"
            >
              Review all classes
            </button>
          )}
          {canUndo && <UndoButton />}
          <button type="button" className={secondaryButton} onClick={() => go('library')}>
            Open the Library <Kbd>{shortcutLabel('4')}</Kbd>
          </button>
        </div>
      </div>
    </div>
  )
}

function Current({ entry, position, total }: { entry: ReviewEntry; position: number; total: number }) {
  const busy = useReviewStore((s) => s.busy)
  const canUndo = useReviewStore((s) => s.undo.length > 0)
  const models = useSessionStore(modelsOf)
  const { item, decision } = entry
  const modelName = item.modelId ? (models.find((m) => m.id === item.modelId)?.name ?? item.modelId) : undefined
  const pixelated = Math.max(item.width, item.height) < PIXELATED_BELOW
  return (
    <div
      data-testid="review-item"
      data-photo-id={item.photoId}
      data-tag-id={item.tagId}
      data-tag={item.tag}
      data-score={String(item.score)}
      data-decision={decision ?? ''}
      className="flex min-h-0 flex-1 flex-col"
    >
      <div className="relative flex min-h-0 flex-1 items-center justify-center bg-zinc-100 p-4 dark:bg-zinc-900/60">
        <img
          key={item.photoId}
          src={item.photoUrl}
          alt={item.name}
          draggable={false}
          className={`h-full w-full object-contain ${pixelated ? '[image-rendering:pixelated]' : ''}`}
        />
        {decision && (
          <span
            data-testid="review-decision"
            className={`absolute top-4 left-4 rounded-full px-3 py-1 text-[12.5px] font-semibold text-white shadow ${
              decision === 'accepted' ? 'bg-emerald-600' : 'bg-rose-600'
            }`}
          >
            {decision === 'accepted' ? 'Accepted' : 'Rejected'}
          </span>
        )}
      </div>
      <div className="flex shrink-0 flex-wrap items-center gap-x-6 gap-y-3 border-t border-zinc-200 px-5 py-3 dark:border-zinc-800">
        <div className="min-w-0">
          <p className="flex items-baseline gap-2">
            <span data-testid="review-tag" className="text-[18px] font-semibold text-zinc-900 dark:text-zinc-50">
              {item.tag}
            </span>
            <span
              data-testid="review-score"
              className="text-[15px] font-medium text-indigo-600 tabular-nums dark:text-indigo-300"
            >
              {formatPercent(item.score)}
            </span>
          </p>
          <p className="truncate text-[12px] text-zinc-500 tabular-nums dark:text-zinc-400" title={item.path}>
            {item.name} · {item.width} × {item.height} px{modelName ? ` · suggested by ${modelName}` : ''} ·{' '}
            <span data-testid="review-position">
              {position.toLocaleString('en-US')} of {total.toLocaleString('en-US')}
            </span>
          </p>
        </div>
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <ReviewButton
            testId="review-prev"
            label=""
            keyHint="←"
            title="Previous"
            onClick={() => move(-1)}
            disabled={position <= 1}
          >
            <ChevronIcon className="h-4 w-4 rotate-180" />
          </ReviewButton>
          <ReviewButton testId="review-next" label="" keyHint="→" title="Next" onClick={() => move(1)}>
            <ChevronIcon className="h-4 w-4" />
          </ReviewButton>
          <UndoButton disabled={!canUndo || busy} />
          <ReviewButton
            testId="review-reject"
            label="Reject"
            keyHint="R"
            title={`Not “${item.tag}”: the model will not suggest it for this photo again`}
            onClick={() => void decide('reject')}
            disabled={busy}
            className={`${secondaryButton} border-rose-500/40 text-rose-700 hover:bg-rose-50 dark:text-rose-300 dark:hover:bg-rose-950/40`}
          >
            <CloseIcon className="h-4 w-4" />
          </ReviewButton>
          <ReviewButton
            testId="review-accept"
            label="Accept"
            keyHint="A"
            title={`Yes, “${item.tag}”`}
            onClick={() => void decide('accept')}
            disabled={busy}
            className={`${secondaryButton} border-emerald-600/40 bg-emerald-600 text-white hover:bg-emerald-500 dark:bg-emerald-600 dark:text-white dark:hover:bg-emerald-500`}
          >
            <CheckIcon className="h-4 w-4" />
          </ReviewButton>
        </div>
      </div>
    </div>
  )
}

/** The next photos are fetched ahead, so A and R show the next one at once. */
function usePreload(urls: readonly string[]): void {
  const key = urls.join('|')
  useEffect(() => {
    if (key === '') return
    for (const url of key.split('|')) Object.assign(new Image(), { decoding: 'async', src: url })
  }, [key])
}

function Queue() {
  const queue = useReviewStore((s) => s.queue)
  const index = useReviewStore((s) => s.index)
  const error = useReviewStore((s) => s.error)
  const upcoming =
    queue.status === 'ready' ? queue.data.entries.slice(index + 1, index + 3).map((e) => e.item.photoUrl) : []
  usePreload(upcoming)
  if (queue.status === 'loading') {
    return (
      <p className="flex items-center gap-2 p-6 text-[13px] text-zinc-500" role="status">
        <Spinner className="h-4 w-4" /> Reading the suggestions…
      </p>
    )
  }
  if (queue.status === 'error') {
    return (
      <div
        role="alert"
        data-testid="review-error"
        className="m-5 flex items-start gap-3 rounded-xl border border-rose-200 bg-rose-50 px-4 py-3 text-rose-900 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-100"
      >
        <AlertIcon className="mt-0.5 h-5 w-5 shrink-0 text-rose-500" />
        <p className="min-w-0 flex-1 text-[12.5px]">The suggestions could not be read: {queue.message}</p>
        <button
          type="button"
          className={secondaryButton}
          onClick={() => void loadQueue(useReviewStore.getState().tagId)}
        >
          Try again
        </button>
      </div>
    )
  }
  const { entries, total } = queue.data
  const entry = entries[index]
  const decided = entries.filter((e) => e.decision !== null).length
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      {error && (
        <p
          role="alert"
          data-testid="review-error"
          className="border-b border-rose-200 bg-rose-50 px-5 py-2 text-[12.5px] text-rose-800 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-200"
        >
          {error}
        </p>
      )}
      {entry ? (
        <Current entry={entry} position={index + 1} total={Math.max(total, entries.length)} />
      ) : (
        <CaughtUp decided={decided} />
      )}
    </div>
  )
}

/**
 * The Review place: the model's suggestions, class by class, the least sure first, one photo at a time.
 * A accepts, R rejects, ←/→ move, Z undoes the last decision.
 */
export function ReviewScreen() {
  useReviewShortcuts()
  useEffect(() => openReview(), [])
  const groups = useReviewStore((s) => s.groups)
  const waiting = groups.status === 'ready' ? groups.data.reduce((n, g) => n + g.count, 0) : undefined
  return (
    <div data-testid="review-screen" className="flex min-h-0 flex-1 flex-col">
      <header className="flex h-14 shrink-0 items-center gap-4 border-b border-zinc-200 bg-white/80 px-5 backdrop-blur dark:border-zinc-800/80 dark:bg-zinc-950/60">
        <h2 className="text-[15px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Review</h2>
        {waiting !== undefined && groups.status === 'ready' && (
          <span data-testid="review-counts" className="text-[12px] text-zinc-500 tabular-nums dark:text-zinc-400">
            {waiting.toLocaleString('en-US')} suggestion{waiting === 1 ? '' : 's'} in {groups.data.length} class
            {groups.data.length === 1 ? '' : 'es'}
          </span>
        )}
        <p className="ml-auto hidden items-center gap-1.5 text-[11.5px] text-zinc-500 lg:flex dark:text-zinc-400">
          <ReviewIcon className="h-3.5 w-3.5" />
          <Kbd>A</Kbd> accept · <Kbd>R</Kbd> reject · <Kbd>←</Kbd>
          <Kbd>→</Kbd> move · <Kbd>Z</Kbd> undo · <Kbd>↑</Kbd>
          <Kbd>↓</Kbd> class
        </p>
      </header>
      <div className="flex min-h-0 flex-1">
        <Groups />
        <Queue />
      </div>
    </div>
  )
}
