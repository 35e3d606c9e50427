import { create } from 'zustand'
import type {
  IngestReportResult,
  PhotoItem,
  PhotoVerdictItem,
  TagChangeItem,
  TagCountItem,
  ChannelOutput,
} from '../../../shared/ipc/contract'
import type { Loadable } from '../lib/loadable'

/** What the grid shows: every field narrows it (AND). */
export interface LibraryFilter {
  /** Photos showing this tag (suggested or accepted); null: any. */
  tagId: number | null
  /** Only photos with a suggestion waiting for a decision. */
  needsReview: boolean
  /** Only photos the model (`modelId`, else the active one) found to be none of its classes. */
  unknown: boolean
  /** Photos this model classified; null: any model (a probability range then uses the active model). */
  modelId: string | null
  /** Range of the model's top-1 probability, 0…1; null: open. */
  minProbability: number | null
  maxProbability: number | null
  /** Search-as-you-type over tag names. */
  query: string
}

export const NO_FILTER: LibraryFilter = {
  tagId: null,
  needsReview: false,
  unknown: false,
  modelId: null,
  minProbability: null,
  maxProbability: null,
  query: '',
}

/** The loaded part of the grid: photos from the first one on, loaded page by page (keyset) as it scrolls. */
export interface GridState {
  status: 'loading' | 'ready' | 'error'
  error?: string
  /** Photos loaded so far, in the grid's order. */
  items: PhotoItem[]
  /** Pass as `after` for the next page. */
  nextAfter: number | null
  /** Every page is loaded. */
  done: boolean
  /** Photos matching the filter (the grid's scroll height); null before the first page. */
  total: number | null
}

export interface Counts {
  /** Photos in the library (present or missing). */
  all: number
  /** Photos matching the filter that have a suggestion waiting. */
  needsReview: number
  /** Photos matching the filter that the model does not know. */
  unknown: number
}

export interface IngestState {
  phase: 'scanning' | 'done'
  found: number
  done: number
}

/** The last add: what it did and what it skipped, or why it failed. */
export type AddReport = { report: IngestReportResult } | { error: string }

/** Classifying the photos the active model has not seen yet, in the engine worker. */
export interface ClassifyJob {
  status: 'waiting' | 'running' | 'done' | 'cancelled' | 'error'
  modelName: string
  done: number
  failed: number
  /** Photos to classify (the library job's total). */
  total: number
  startedAt: number
  finishedAt?: number
  error?: string
  cancelling: boolean
}

export type PhotoDetail = ChannelOutput<'library:photo'>

/**
 * "More like this": the grid shows the photos most like these, best first, in place of the filtered photos
 * (the filters stay set and come back when it is cleared).
 */
export interface SimilarFilter {
  /** The photos asked about (the selection when it was asked). */
  sourceIds: number[]
  /** Similarity by photo id, of the photos shown. */
  scores: ReadonlyMap<number, number>
  /** Photos asked about that the model has not classified (no embedding to compare). */
  missing: number
}

/** One undoable action: the changes of one key press or button (one per tag it touched). */
export interface UndoEntry {
  label: string
  changes: TagChangeItem[]
}

interface LibraryState {
  filter: LibraryFilter
  grid: GridState
  counts: Counts | null
  tags: Loadable<TagCountItem[]>
  showRejected: boolean
  /** The selected photos, by id. */
  selection: ReadonlySet<number>
  /** The photo with the keyboard focus (the panel shows it). */
  focusId: number | null
  /** Where Shift ranges start. */
  anchorId: number | null
  /** Bumped when a key moved the focus: the grid scrolls it into view. */
  scrollRequest: number
  /** How many photos a grid row and a screen hold (for the arrow and page keys). */
  gridLayout: { columns: number; rowsPerPage: number }
  /** The focused photo's predictions and tags. */
  detail: { id: number; state: Loadable<PhotoDetail> } | null
  ingest: IngestState | null
  report: AddReport | null
  job: ClassifyJob | null
  /** Photos the active model has not classified yet (null: not known). */
  pending: number | null
  undo: UndoEntry[]
  /** An action in progress (sidecars, export, a tag decision), for the buttons' state. */
  busy: string | null
  threshold: number | null
  /** The photo shown large (Enter); null: none. */
  viewing: number | null
  tagManagerOpen: boolean
  /** "More like this" in place of the filter; null: the filtered grid. */
  similar: SimilarFilter | null
  duplicatesOpen: boolean

  setFilter(filter: LibraryFilter): void
  setGrid(grid: GridState): void
  patchGrid(change: Partial<GridState>): void
  setCounts(counts: Counts | null): void
  setTags(tags: Loadable<TagCountItem[]>): void
  setShowRejected(show: boolean): void
  setSelection(selection: { ids: ReadonlySet<number>; focusId: number | null; anchorId: number | null }): void
  requestScroll(): void
  setGridLayout(columns: number, rowsPerPage: number): void
  setDetail(detail: LibraryState['detail']): void
  setIngest(ingest: IngestState | null): void
  setReport(report: AddReport | null): void
  setJob(job: ClassifyJob | null): void
  patchJob(change: Partial<ClassifyJob>): void
  setPending(pending: number | null): void
  pushUndo(entry: UndoEntry): void
  popUndo(): UndoEntry | undefined
  setBusy(busy: string | null): void
  setThreshold(threshold: number | null): void
  setViewing(id: number | null): void
  setTagManagerOpen(open: boolean): void
  setSimilar(similar: SimilarFilter | null): void
  setDuplicatesOpen(open: boolean): void
}

/** How many actions Z can undo. */
const UNDO_DEPTH = 50

export const useLibraryStore = create<LibraryState>()((set, get) => ({
  filter: NO_FILTER,
  grid: { status: 'loading', items: [], nextAfter: null, done: false, total: null },
  counts: null,
  tags: { status: 'loading' },
  showRejected: false,
  selection: new Set(),
  focusId: null,
  anchorId: null,
  scrollRequest: 0,
  gridLayout: { columns: 1, rowsPerPage: 1 },
  detail: null,
  ingest: null,
  report: null,
  job: null,
  pending: null,
  undo: [],
  busy: null,
  threshold: null,
  viewing: null,
  tagManagerOpen: false,
  similar: null,
  duplicatesOpen: false,

  setFilter: (filter) => set({ filter }),
  setGrid: (grid) => set({ grid }),
  patchGrid: (change) => set((s) => ({ grid: { ...s.grid, ...change } })),
  setCounts: (counts) => set({ counts }),
  setTags: (tags) => set({ tags }),
  setShowRejected: (showRejected) => set({ showRejected }),
  setSelection: ({ ids, focusId, anchorId }) => set({ selection: ids, focusId, anchorId }),
  requestScroll: () => set((s) => ({ scrollRequest: s.scrollRequest + 1 })),
  setGridLayout: (columns, rowsPerPage) => set({ gridLayout: { columns, rowsPerPage } }),
  setDetail: (detail) => set({ detail }),
  setIngest: (ingest) => set({ ingest }),
  setReport: (report) => set({ report }),
  setJob: (job) => set({ job }),
  patchJob: (change) => set((s) => (s.job ? { job: { ...s.job, ...change } } : {})),
  setPending: (pending) => set({ pending }),
  pushUndo: (entry) => set((s) => ({ undo: [...s.undo, entry].slice(-UNDO_DEPTH) })),
  popUndo: () => {
    const entry = get().undo.at(-1)
    if (entry) set((s) => ({ undo: s.undo.slice(0, -1) }))
    return entry
  },
  setBusy: (busy) => set({ busy }),
  setThreshold: (threshold) => set({ threshold }),
  setViewing: (viewing) => set({ viewing }),
  setTagManagerOpen: (tagManagerOpen) => set({ tagManagerOpen }),
  setSimilar: (similar) => set({ similar }),
  setDuplicatesOpen: (duplicatesOpen) => set({ duplicatesOpen }),
}))

/** Index of each loaded photo by id, computed once per items array. */
const indexCache = new WeakMap<readonly PhotoItem[], Map<number, number>>()
export function indexOfId(items: readonly PhotoItem[]): Map<number, number> {
  let index = indexCache.get(items)
  if (!index) {
    index = new Map(items.map((item, i) => [item.id, i]))
    indexCache.set(items, index)
  }
  return index
}

/** How many cells the grid has: every matching photo, or what was loaded when that is more (a refresh in flight). */
export function gridCount(grid: GridState): number {
  if (grid.done) return grid.items.length
  return Math.max(grid.total ?? 0, grid.items.length)
}

/** True when the filter narrows the grid. */
export function isFiltered(filter: LibraryFilter): boolean {
  return (
    filter.tagId !== null ||
    filter.needsReview ||
    filter.unknown ||
    filter.modelId !== null ||
    filter.minProbability !== null ||
    filter.maxProbability !== null ||
    filter.query.trim() !== ''
  )
}

/**
 * The verdict a tile shows: the given model's (the filter's, else the active one); with no model at
 * hand, the only model that classified the photo. Undefined when there is none to show.
 */
export function verdictFor(item: PhotoItem, modelId: string | null): PhotoVerdictItem | undefined {
  if (modelId !== null) return item.verdicts.find((v) => v.modelId === modelId)
  return item.verdicts.length === 1 ? item.verdicts[0] : undefined
}
