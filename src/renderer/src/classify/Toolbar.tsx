import type { RefObject } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { collectInputFiles } from '../lib/files'
import { formatCount, shortcutLabel } from '../lib/format'
import { FolderOpenIcon, TrashIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { addFiles, cancelPending, clearPhotos } from './classify-actions'
import { summarize, useClassifyStore } from './classify-store'

export const OPEN_SHORTCUT = shortcutLabel('O')
export const CLEAR_SHORTCUT = shortcutLabel('Backspace')

function Progress() {
  const counts = useClassifyStore(useShallow((s) => summarize(s.photos)))
  if (counts.total === 0) return null
  const finished = counts.done + counts.failed
  const busy = counts.pending > 0
  return (
    <div className="flex min-w-0 items-center gap-3 text-[12px] text-zinc-500 tabular-nums dark:text-zinc-400">
      <span className="truncate">
        {formatCount(counts.total, 'photo')}
        {counts.failed > 0 && (
          <span className="text-rose-600 dark:text-rose-400"> · {counts.failed} not classified</span>
        )}
      </span>
      {busy && (
        <div className="flex items-center gap-2">
          <div
            role="progressbar"
            aria-label="Classifying"
            aria-valuemin={0}
            aria-valuemax={counts.total}
            aria-valuenow={finished}
            className="h-1.5 w-28 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
          >
            <div
              className="h-full rounded-full bg-indigo-500 transition-[width] duration-300"
              style={{ width: `${(finished / counts.total) * 100}%` }}
            />
          </div>
          <span>
            {finished} / {counts.total}
          </span>
          <button
            type="button"
            onClick={cancelPending}
            title="Cancel the photos that have not run yet (Esc)"
            className="rounded px-1.5 py-0.5 text-[12px] font-medium text-zinc-600 hover:bg-zinc-200/70 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:text-zinc-300 dark:hover:bg-zinc-800"
          >
            Cancel
          </button>
        </div>
      )}
    </div>
  )
}

/** The screen's title bar: progress, Open photos… and Clear. Owns the hidden file input. */
export function Toolbar({ inputRef }: { inputRef: RefObject<HTMLInputElement | null> }) {
  const hasPhotos = useClassifyStore((s) => s.photos.length > 0)
  const openPicker = () => inputRef.current?.click()
  return (
    <header className="flex h-14 shrink-0 items-center gap-4 border-b border-zinc-200 bg-white/80 px-5 backdrop-blur dark:border-zinc-800/80 dark:bg-zinc-950/60">
      <h2 className="text-[15px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Classify</h2>
      <Progress />
      <div className="ml-auto flex items-center gap-2">
        <button
          type="button"
          onClick={clearPhotos}
          disabled={!hasPhotos}
          title={`Clear all photos (${CLEAR_SHORTCUT}); can be undone`}
          aria-keyshortcuts={CLEAR_SHORTCUT.replace('⌘', 'Meta+')}
          className="inline-flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-[13px] font-medium text-zinc-600 hover:bg-zinc-100 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none disabled:pointer-events-none disabled:opacity-40 dark:text-zinc-300 dark:hover:bg-zinc-800"
        >
          <TrashIcon className="h-4 w-4" />
          Clear
        </button>
        <button
          type="button"
          onClick={openPicker}
          title={`Open photos (${OPEN_SHORTCUT})`}
          aria-keyshortcuts={OPEN_SHORTCUT.replace('⌘', 'Meta+')}
          className="inline-flex items-center gap-2 rounded-md bg-indigo-600 py-1.5 pr-2 pl-2.5 text-[13px] font-medium text-white shadow-sm hover:bg-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 focus-visible:outline-none active:bg-indigo-700 dark:ring-offset-zinc-950"
        >
          <FolderOpenIcon className="h-4 w-4" />
          Open photos…
          <Kbd onAccent>{OPEN_SHORTCUT}</Kbd>
        </button>
        <input
          ref={inputRef}
          data-testid="open-input"
          type="file"
          multiple
          accept="image/*"
          className="hidden"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(event) => {
            const input = event.currentTarget
            addFiles(collectInputFiles(input.files))
            input.value = ''
          }}
        />
      </div>
    </header>
  )
}
