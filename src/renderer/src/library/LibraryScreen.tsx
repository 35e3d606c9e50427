import { useEffect } from 'react'
import { pathForFile } from '../ipc'
import { useWindowFileDrop } from '../lib/useWindowFileDrop'
import { activeModelIdOf, useSessionStore } from '../session/session-store'
import { secondaryButton } from '../ui/buttons'
import { FolderOpenIcon, GridIcon, UploadIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { addPaths, pickFolders } from './add-photos'
import { ADD_TAG_INPUT_ID } from './AddTagField'
import { checkPending } from './classify-library'
import { DuplicatesView } from './DuplicatesView'
import { clearFilter } from './filter-actions'
import { openLibrary } from './library-events'
import { useLibraryShortcuts } from './library-shortcuts'
import { isFiltered, useLibraryStore } from './library-store'
import { LibraryFilters, SEARCH_INPUT_ID } from './LibraryFilters'
import { LibraryGrid } from './LibraryGrid'
import { ADD_SHORTCUT, AddReport, LibraryHeader } from './LibraryHeader'
import { LibraryPanel } from './LibraryPanel'
import { LibraryViewer } from './LibraryViewer'
import { clearSimilar } from './similar-actions'
import { TagManager } from './TagManager'

const KEY_IDS = { search: SEARCH_INPUT_ID, addTag: ADD_TAG_INPUT_ID, grid: 'library-grid' }

/** Files and folders dropped on the window while the Library shows are added to it (main walks folders). */
function addDropped(files: File[]): void {
  if (files.length > 0) addPaths(files.map(pathForFile).filter((path) => path !== ''))
}

function DropOverlay() {
  return (
    <div
      data-testid="library-drop-overlay"
      className="pointer-events-none fixed inset-0 z-40 flex items-center justify-center bg-indigo-500/10 p-4 backdrop-blur-[2px] dark:bg-indigo-400/10"
    >
      <div className="flex h-full w-full flex-col items-center justify-center gap-3 rounded-2xl border-2 border-dashed border-indigo-400 bg-white/70 text-indigo-700 dark:border-indigo-400/70 dark:bg-zinc-950/70 dark:text-indigo-200">
        <UploadIcon className="h-10 w-10" />
        <p className="text-[15px] font-semibold">Drop to add to the library</p>
        <p className="text-[12.5px] text-indigo-600/80 dark:text-indigo-300/80">
          Photos and folders (searched recursively); the active model classifies them
        </p>
      </div>
    </div>
  )
}

/** What the grid says when it has nothing to show: an empty library, or filters that match nothing. */
function EmptyGrid() {
  const ready = useLibraryStore((s) => s.grid.status === 'ready' && s.grid.items.length === 0)
  const filtered = useLibraryStore((s) => isFiltered(s.filter))
  const similar = useLibraryStore((s) => s.similar)
  if (!ready) return null
  if (similar) {
    return (
      <div data-testid="similar-none-found" className="flex flex-col items-center gap-3 px-8 py-16 text-center">
        <p className="text-[14px] font-semibold text-zinc-800 dark:text-zinc-100">No similar photos found</p>
        <p className="max-w-sm text-[12.5px] leading-relaxed text-zinc-500 dark:text-zinc-400">
          {similar.missing > 0
            ? 'Classify these photos with the model first: similar photos are found from what it saw in them.'
            : 'No other photo classified by this model is like these.'}
        </p>
        <button type="button" onClick={clearSimilar} className={secondaryButton}>
          Show every photo again
        </button>
      </div>
    )
  }
  if (filtered) {
    return (
      <div data-testid="library-no-match" className="flex flex-col items-center gap-3 px-8 py-16 text-center">
        <p className="text-[14px] font-semibold text-zinc-800 dark:text-zinc-100">No photo matches these filters</p>
        <button type="button" onClick={clearFilter} className={secondaryButton}>
          Clear filters
        </button>
      </div>
    )
  }
  return (
    <div data-testid="library-empty" className="flex justify-center p-8">
      <div className="flex w-full max-w-xl flex-col items-center rounded-2xl border-2 border-dashed border-zinc-300 px-8 py-14 text-center dark:border-zinc-700/80">
        <div className="mb-4 flex h-14 w-14 items-center justify-center rounded-2xl bg-indigo-50 text-indigo-500 ring-1 ring-indigo-100 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/20">
          <GridIcon className="h-7 w-7" />
        </div>
        <p className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-100">
          Drop photos or folders here, or add a folder
        </p>
        <p className="mt-2 max-w-sm text-[13px] leading-relaxed text-zinc-500 dark:text-zinc-400">
          The active model classifies them; its likely classes become suggested tags to accept or reject. Nothing leaves
          this computer and no photo is changed.
        </p>
        <button type="button" onClick={pickFolders} className={`${secondaryButton} mt-5`}>
          <FolderOpenIcon className="h-4 w-4" />
          Add photos… <Kbd>{ADD_SHORTCUT}</Kbd>
        </button>
      </div>
    </div>
  )
}

/**
 * The Library: every photo added, in a virtualized grid with filters and search; the photo in focus
 * and the actions on the selection on the right.
 */
export function LibraryScreen() {
  const dragging = useWindowFileDrop(addDropped)
  const activeModelId = useSessionStore(activeModelIdOf)
  useLibraryShortcuts(KEY_IDS)
  useEffect(() => {
    const close = openLibrary()
    // The keyboard starts in the grid.
    document.getElementById('library-grid')?.focus({ preventScroll: true })
    return close
  }, [])
  useEffect(() => {
    if (activeModelId !== undefined) void checkPending()
  }, [activeModelId])

  return (
    <div data-testid="library-screen" className="flex min-h-0 flex-1 flex-col">
      <LibraryHeader />
      <AddReport />
      <LibraryFilters />
      <div className="flex min-h-0 flex-1">
        <LibraryGrid>
          <EmptyGrid />
        </LibraryGrid>
        <LibraryPanel />
      </div>
      <TagManager />
      <DuplicatesView />
      <LibraryViewer />
      {dragging && <DropOverlay />}
    </div>
  )
}
