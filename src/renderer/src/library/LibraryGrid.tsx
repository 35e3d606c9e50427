import { useVirtualizer } from '@tanstack/react-virtual'
import { memo, useEffect, useRef, type MouseEvent, type ReactNode } from 'react'
import type { PhotoItem } from '../../../shared/ipc/contract'
import { useElementSize } from '../lib/useElementSize'
import { closestHint } from '../lib/verdict'
import { activeModelIdOf, useSessionStore } from '../session/session-store'
import { CheckIcon } from '../ui/Icons'
import { RetryAlert } from '../ui/RetryAlert'
import { retryGrid, showRange } from './library-grid'
import { gridCount, indexOfId, useLibraryStore, verdictFor } from './library-store'
import { clickPhoto, openViewer, setGridLayout } from './selection-actions'
import { orderTags, TagChip } from './TagChip'

/** Tiles are at least this wide; the columns share what is left. */
const MIN_TILE = 176
const GAP = 12
const PAD = 16
/** Name and tag line under the 4:3 thumbnail. */
const INFO = 50
/** Below this size a photo is drawn with hard pixels (CIFAR's 32 × 32 photos), not blurred. */
const PIXELATED_BELOW = 96

interface TileProps {
  item: PhotoItem | undefined
  index: number
  selected: boolean
  focused: boolean
  showRejected: boolean
  /** The model does not know the photo: its closest class (a hint, never a tag); undefined when it does. */
  unknownClosest: string | null | undefined
}

/** One photo of the grid: its thumbnail, name and tags; a grey box until its page arrives. */
const LibraryTile = memo(function LibraryTile({
  item,
  index,
  selected,
  focused,
  showRejected,
  unknownClosest,
}: TileProps) {
  if (!item) {
    return (
      <div data-testid="library-tile-placeholder" data-index={index} aria-hidden="true" className="min-w-0">
        <div className="aspect-[4/3] rounded-lg bg-zinc-100 dark:bg-zinc-800/60" />
        <div className="mt-2 h-2.5 w-2/3 rounded bg-zinc-100 dark:bg-zinc-800/60" />
      </div>
    )
  }
  const pixelated = Math.max(item.width, item.height) < PIXELATED_BELOW
  const tags = orderTags(item.tags, showRejected)
  const unknown = unknownClosest !== undefined
  const hint = unknownClosest ? closestHint(unknownClosest) : null
  return (
    <div
      role="option"
      id={`library-tile-${item.id}`}
      aria-selected={selected}
      aria-label={unknown ? `${item.name}, unknown to the model${hint ? ` (${hint})` : ''}` : item.name}
      data-unknown={unknown}
      data-testid="library-tile"
      data-photo-id={item.id}
      data-index={index}
      data-file-name={item.name}
      data-selected={selected}
      data-focused={focused}
      className={`group min-w-0 cursor-pointer rounded-lg p-1 outline-none ${
        selected ? 'bg-indigo-50 ring-2 ring-indigo-500 dark:bg-indigo-500/10 dark:ring-indigo-400' : ''
      } ${focused && !selected ? 'ring-2 ring-zinc-400 dark:ring-zinc-500' : ''} ${
        focused && selected ? 'ring-offset-1 ring-offset-white dark:ring-offset-zinc-950' : ''
      }`}
    >
      <div className="relative aspect-[4/3] overflow-hidden rounded-md bg-zinc-100 dark:bg-zinc-800/60">
        <img
          src={item.thumbUrl}
          alt=""
          loading="lazy"
          decoding="async"
          draggable={false}
          onError={(event) => {
            event.currentTarget.style.visibility = 'hidden'
          }}
          className={`h-full w-full object-contain ${pixelated ? '[image-rendering:pixelated]' : ''}`}
        />
        {selected && (
          <span className="absolute top-1.5 left-1.5 flex h-5 w-5 items-center justify-center rounded-full bg-indigo-600 text-white shadow">
            <CheckIcon className="h-3.5 w-3.5" />
          </span>
        )}
        {unknown && (
          <span
            data-testid="tile-unknown"
            className="absolute top-1.5 right-1.5 rounded bg-zinc-800/80 px-1.5 py-0.5 text-[10px] font-medium text-white dark:bg-zinc-950/80"
            title={`Not one of the model’s classes: no tags are suggested${hint ? ` (${hint})` : ''}`}
          >
            Unknown
          </span>
        )}
        {item.status === 'missing' && (
          <span
            className="absolute right-1.5 bottom-1.5 rounded bg-amber-500/90 px-1.5 py-0.5 text-[10px] font-medium text-white"
            title={`The file is not where it was: ${item.path}`}
          >
            Missing
          </span>
        )}
      </div>
      <p className="mt-1.5 truncate px-0.5 text-[12px] leading-4 text-zinc-800 dark:text-zinc-200" title={item.path}>
        {item.name}
      </p>
      <div className="mt-1 flex h-4 gap-1 overflow-hidden px-0.5">
        {tags.map((tag) => (
          <TagChip key={tag.tagId} tag={tag} testId="tile-tag" />
        ))}
        {hint && (
          <span
            data-testid="tile-closest"
            className="min-w-0 shrink truncate text-[10.5px] leading-4 text-zinc-400 italic dark:text-zinc-500"
          >
            {hint}
          </span>
        )}
      </div>
    </div>
  )
})

function GridError({ message }: { message: string }) {
  return (
    <RetryAlert
      testId="library-grid-error"
      title="The photos could not be read"
      message={message}
      onRetry={retryGrid}
      className="m-5"
    />
  )
}

function clickKind(event: MouseEvent): 'plain' | 'toggle' | 'range' | 'add-range' {
  const mod = event.ctrlKey || event.metaKey
  if (event.shiftKey) return mod ? 'add-range' : 'range'
  return mod ? 'toggle' : 'plain'
}

/**
 * The virtualized thumbnail grid: only the rows on screen (and a few around them) exist in the page,
 * pages of photos are read as it scrolls, and the rows not read yet show grey boxes. The grid takes
 * the keyboard focus; the photo in focus is its active descendant.
 */
export function LibraryGrid({ children }: { children?: ReactNode }) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const { width, height } = useElementSize(scrollRef)
  const grid = useLibraryStore((s) => s.grid)
  const selection = useLibraryStore((s) => s.selection)
  const focusId = useLibraryStore((s) => s.focusId)
  const showRejected = useLibraryStore((s) => s.showRejected)
  const scrollRequest = useLibraryStore((s) => s.scrollRequest)
  // The verdict shown is the picked model's, else the active one's.
  const pickedModel = useLibraryStore((s) => s.filter.modelId)
  const activeModel = useSessionStore(activeModelIdOf) ?? null
  const verdictModel = pickedModel ?? activeModel

  const inner = Math.max(MIN_TILE, width - PAD * 2)
  const columns = Math.max(1, Math.floor((inner + GAP) / (MIN_TILE + GAP)))
  const tileWidth = (inner - GAP * (columns - 1)) / columns
  const rowHeight = Math.round(tileWidth * 0.75) + INFO + GAP
  const count = gridCount(grid)
  const rows = Math.ceil(count / columns)
  const rowsPerPage = Math.max(1, Math.floor(height / rowHeight))

  // The virtualizer hands back functions that read its live state; this component is not memoized by the compiler.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 3,
    paddingStart: PAD,
    paddingEnd: PAD,
  })
  useEffect(() => {
    virtualizer.measure()
  }, [virtualizer, rowHeight])

  const virtualRows = virtualizer.getVirtualItems()
  const firstRow = virtualRows[0]?.index ?? 0
  const lastRow = virtualRows.at(-1)?.index ?? 0
  useEffect(() => {
    showRange(firstRow * columns, (lastRow + 1) * columns)
  }, [firstRow, lastRow, columns])
  useEffect(() => {
    setGridLayout(columns, rowsPerPage)
  }, [columns, rowsPerPage])

  // Another filter: its photos start at the top.
  const filter = useLibraryStore((s) => s.filter)
  useEffect(() => {
    virtualizer.scrollToOffset(0)
  }, [filter, virtualizer])

  // A key moved the focus: bring its row into view.
  useEffect(() => {
    if (scrollRequest === 0) return
    const { focusId: id, grid: current } = useLibraryStore.getState()
    const index = id !== null ? indexOfId(current.items).get(id) : undefined
    if (index !== undefined) virtualizer.scrollToIndex(Math.floor(index / columns), { align: 'auto' })
  }, [scrollRequest, virtualizer, columns])

  const onClick = (event: MouseEvent<HTMLDivElement>): void => {
    const tile = (event.target as Element).closest<HTMLElement>('[data-photo-id]')
    event.currentTarget.focus({ preventScroll: true })
    if (!tile) return
    clickPhoto(Number(tile.dataset.photoId), clickKind(event))
  }
  const onDoubleClick = (event: MouseEvent<HTMLDivElement>): void => {
    const tile = (event.target as Element).closest<HTMLElement>('[data-photo-id]')
    if (!tile) return
    clickPhoto(Number(tile.dataset.photoId), 'plain')
    openViewer()
  }

  const focusedIndex = focusId !== null ? indexOfId(grid.items).get(focusId) : undefined
  return (
    <div
      ref={scrollRef}
      id="library-grid"
      data-testid="library-grid"
      data-status={grid.status}
      data-total={count}
      data-loaded={grid.items.length}
      data-columns={columns}
      role="listbox"
      aria-multiselectable="true"
      aria-label="Photos (arrows move, Space selects, Shift+arrows extend, Enter opens)"
      aria-activedescendant={focusedIndex !== undefined && focusId !== null ? `library-tile-${focusId}` : undefined}
      tabIndex={0}
      onClick={onClick}
      onDoubleClick={onDoubleClick}
      className="relative min-h-0 flex-1 overflow-y-auto outline-none focus-visible:ring-1 focus-visible:ring-indigo-500/40 focus-visible:ring-inset"
    >
      {grid.status === 'error' && grid.items.length === 0 && <GridError message={grid.error ?? 'unknown error'} />}
      {children}
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualRows.map((row) => (
          <div
            key={row.key}
            role="presentation"
            data-row={row.index}
            className="absolute grid"
            style={{
              top: 0,
              left: PAD,
              right: PAD,
              height: rowHeight - GAP,
              transform: `translateY(${row.start}px)`,
              gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
              columnGap: GAP,
            }}
          >
            {Array.from({ length: columns }, (_, column) => {
              const index = row.index * columns + column
              if (index >= count) return null
              const item = grid.items[index]
              const verdict = item && verdictFor(item, verdictModel)
              return (
                <LibraryTile
                  key={item?.id ?? `placeholder-${index}`}
                  item={item}
                  index={index}
                  selected={item !== undefined && selection.has(item.id)}
                  focused={item !== undefined && item.id === focusId}
                  showRejected={showRejected}
                  unknownClosest={verdict?.unknown ? (verdict.closest?.label ?? null) : undefined}
                />
              )
            })}
          </div>
        ))}
      </div>
      {grid.status === 'error' && grid.items.length > 0 && <GridError message={grid.error ?? 'unknown error'} />}
    </div>
  )
}
