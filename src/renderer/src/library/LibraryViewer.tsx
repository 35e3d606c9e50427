import type { KeyboardEvent } from 'react'
import { iconButton } from '../ui/buttons'
import { CloseIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { Modal } from '../ui/Modal'
import { StepButtons } from '../ui/StepButtons'
import { indexOfId, useLibraryStore } from './library-store'
import { closeViewer, stepViewer } from './selection-actions'
import { decideViewed } from './tag-decisions'
import { orderTags, TagChip } from './TagChip'

/** The photo in focus, large (Enter): ← → move through the grid, A and R decide, Esc closes. */
export function LibraryViewer() {
  const viewing = useLibraryStore((s) => s.viewing)
  const items = useLibraryStore((s) => s.grid.items)
  const at = viewing !== null ? indexOfId(items).get(viewing) : undefined
  const photo = at !== undefined ? items[at] : undefined
  if (!photo || at === undefined) return null

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.ctrlKey || event.metaKey || event.altKey) return
    const key = event.key.toLowerCase()
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      event.preventDefault()
      stepViewer(event.key === 'ArrowLeft' ? -1 : 1)
    } else if (key === 'a') {
      event.preventDefault()
      decideViewed('accept')
    } else if (key === 'r') {
      event.preventDefault()
      decideViewed('reject')
    }
  }

  const pixelated = Math.max(photo.width, photo.height) < 96
  return (
    <Modal
      onClose={closeViewer}
      labelledBy="library-viewer-title"
      testId="library-viewer"
      className="h-[calc(100vh-3rem)] max-w-[1280px]"
    >
      <div className="flex h-full flex-col" data-photo-id={photo.id} onKeyDown={onKeyDown}>
        <header className="flex h-12 shrink-0 items-center gap-3 border-b border-zinc-200 pr-2 pl-4 dark:border-zinc-800">
          <h2 id="library-viewer-title" className="min-w-0 truncate text-[14px] font-semibold" title={photo.path}>
            {photo.name}
          </h2>
          <span className="shrink-0 text-[12px] text-zinc-500 tabular-nums">
            {photo.width} × {photo.height} px
          </span>
          <span className="ml-auto shrink-0 text-[11.5px] text-zinc-400 tabular-nums">
            {(at + 1).toLocaleString('en-US')} of {items.length.toLocaleString('en-US')} loaded
          </span>
          <StepButtons onStep={stepViewer} atStart={at === 0} atEnd={at >= items.length - 1} />
          <button
            type="button"
            data-autofocus
            onClick={closeViewer}
            title="Close (Esc)"
            className={`${iconButton} flex items-center gap-1.5 pr-2 text-[12px]`}
          >
            <CloseIcon className="h-4 w-4" />
            <Kbd>Esc</Kbd>
          </button>
        </header>
        <div className="flex min-h-0 flex-1 items-center justify-center bg-zinc-100 p-4 dark:bg-zinc-950">
          <img
            src={photo.status === 'present' ? photo.photoUrl : photo.thumbUrl}
            alt={photo.name}
            draggable={false}
            className={`h-full w-full object-contain ${pixelated ? '[image-rendering:pixelated]' : ''}`}
          />
        </div>
        <footer className="flex shrink-0 flex-wrap items-center gap-1.5 border-t border-zinc-200 px-4 py-2.5 dark:border-zinc-800">
          {orderTags(photo.tags, true).map((tag) => (
            <TagChip key={tag.tagId} tag={tag} size="large" />
          ))}
          <span className="ml-auto text-[11.5px] text-zinc-500">
            <Kbd>A</Kbd> accepts · <Kbd>R</Kbd> rejects · <Kbd>←</Kbd> <Kbd>→</Kbd> move
          </span>
        </footer>
      </div>
    </Modal>
  )
}
