/**
 * The Library grid's pages: photos read over IPC in keyset pages as the grid scrolls, kept fresh when the
 * library changes (refreshing only around what shows), with the counts and the tag list beside them.
 */
import type { PhotoFilterInput, PhotoItem } from '../../../shared/ipc/contract'
import { call, ipcMessage } from '../ipc'
import { DeferredTask } from '../lib/deferred-task'
import { activeModelIdOf, useSessionStore } from '../session/session-store'
import { indexOfId, useLibraryStore, type LibraryFilter } from './library-store'
import { pruneSelection } from './selection'
import { applySelection, currentSelection, loadDetail } from './selection-actions'

/** How many photos "More like this" shows, best first. */
export const SIMILAR_TOP = 200

/** Photos per page near the viewport; far jumps read bigger pages. */
export const PAGE = 240
const BIG_PAGE = 1000
/** Below this many photos above the viewport a refresh reads from the top; deeper, only around the viewport. */
const WINDOWED_FROM = 3000

const store = () => useLibraryStore.getState()

/** Which pages are current and what the grid wants of them. */
const pages = {
  /** Bumped by every reload and refresh: an answer for an older generation is dropped. */
  generation: 0,
  /** The one loader of the current generation, while it reads. */
  loader: null as { generation: number } | null,
  /** How many photos the grid wants loaded (the end of its visible range, plus a margin). */
  wanted: PAGE,
  /** The grid's visible range of photo indices (for refreshes). */
  visible: { start: 0, end: 0 },
}

/** The filter as the IPC contract takes it. */
export function filterInput(filter: LibraryFilter): PhotoFilterInput {
  const input: PhotoFilterInput = {}
  if (filter.tagId !== null) input.tagIds = [filter.tagId]
  if (filter.needsReview) input.needsReview = true
  const ranged = filter.minProbability !== null || filter.maxProbability !== null
  // A range or "unknown" is about one model: the one picked, else the active one (unknown to any
  // model when none is ready).
  const modelId = filter.modelId ?? (ranged || filter.unknown ? activeModelIdOf(useSessionStore.getState()) : undefined)
  if (modelId !== undefined) {
    input.modelId = modelId
    if (filter.minProbability !== null) input.minProbability = filter.minProbability
    if (filter.maxProbability !== null) input.maxProbability = filter.maxProbability
  }
  if (filter.unknown) input.verdict = 'unknown'
  const query = filter.query.trim()
  if (query !== '') input.tagQuery = query
  return input
}

/** Starts the grid over (a new filter): the first page, the counts. */
export function reload(): void {
  pages.generation++
  pages.loader = null
  // The grid goes back to its top for the new set of photos.
  pages.wanted = PAGE
  pages.visible = { start: 0, end: 0 }
  store().setGrid({ status: 'loading', items: [], nextAfter: null, done: false, total: null })
  applySelection({ ids: new Set(), focusId: null, anchorId: null })
  if (store().similar) void readSimilar(pages.generation)
  else void loadMore()
  void refreshCounts()
  void refreshTags()
}

/** The grid shows photos `start`…`end`: load up to a margin past them. */
export function showRange(start: number, end: number): void {
  pages.visible = { start, end }
  const want = end + PAGE / 2
  if (want > pages.wanted || store().grid.items.length < want) {
    pages.wanted = Math.max(want, pages.wanted)
    void loadMore()
  }
}

/** Loads pages one after the other until the grid has what it wants; one loader per generation. */
async function loadMore(): Promise<void> {
  if (pages.loader && pages.loader.generation === pages.generation) return
  // "More like this" reads its one ranked list at once.
  if (store().similar) return
  const mine = { generation: pages.generation }
  pages.loader = mine
  try {
    for (;;) {
      if (mine.generation !== pages.generation) return
      const { grid, filter } = store()
      if (grid.done || (grid.items.length >= pages.wanted && grid.status === 'ready')) return
      const gap = pages.wanted - grid.items.length
      const limit = gap > PAGE * 2 ? BIG_PAGE : PAGE
      const reply = await call('library:photos', {
        filter: filterInput(filter),
        after: grid.items.length > 0 ? grid.nextAfter : null,
        limit,
      })
      if (mine.generation !== pages.generation) return
      const items = store().grid.items.concat(reply.photos)
      store().setGrid({
        status: 'ready',
        items,
        nextAfter: reply.nextAfter,
        done: reply.nextAfter === null,
        total: reply.total,
      })
    }
  } catch (error) {
    if (mine.generation === pages.generation) store().patchGrid({ status: 'error', error: ipcMessage(error) })
  } finally {
    if (pages.loader === mine) pages.loader = null
  }
}

/** After an error: try the page again. */
export function retryGrid(): void {
  if (store().grid.items.length === 0 || store().similar) reload()
  else {
    store().patchGrid({ status: 'ready', error: undefined })
    void loadMore()
  }
}

const refreshSoon = new DeferredTask(() => void refresh())

/**
 * Refreshes soon; calls in the meantime join the one scheduled (a classification run changes the
 * library every few photos: the grid follows about twice a second, never on every batch).
 */
export function scheduleRefresh(delay = 150): void {
  refreshSoon.schedule(store().job?.status === 'running' ? Math.max(delay, 500) : delay)
}

/**
 * Reads again what the grid shows, keeping it on screen until the fresh pages arrive: from the top
 * when the viewport is near it, else from just above the viewport (the photos far above keep their
 * last state until the filter changes).
 */
export async function refresh(): Promise<void> {
  const mine = ++pages.generation
  // Only what is on screen and a little more is read again (not every page a jump once read).
  pages.wanted = Math.max(PAGE, pages.visible.end + PAGE / 2)
  // The refresh is this generation's loader: no page is appended to the old items meanwhile.
  const token = { generation: mine }
  pages.loader = token
  try {
    if (store().similar) await readSimilar(mine)
    else await refreshPages(mine)
  } finally {
    if (pages.loader === token) pages.loader = null
  }
  if (mine === pages.generation) void loadMore()
}

async function refreshPages(mine: number): Promise<void> {
  const { grid, filter, focusId } = store()
  const { visible } = pages
  const focusIndex = focusId !== null ? indexOfId(grid.items).get(focusId) : undefined
  const keepCount = visible.start > WINDOWED_FROM ? Math.min(grid.items.length, visible.start - PAGE) : 0
  const kept = grid.items.slice(0, keepCount)
  const target = Math.max(PAGE, Math.min(grid.items.length, visible.end + PAGE)) - keepCount
  const fresh: PhotoItem[] = []
  let after: number | null = kept.at(-1)?.id ?? null
  let total = grid.total
  let done = false
  try {
    while (fresh.length < target) {
      const reply = await call('library:photos', {
        filter: filterInput(filter),
        after,
        limit: Math.min(BIG_PAGE, Math.max(PAGE, target - fresh.length)),
      })
      if (mine !== pages.generation) return
      fresh.push(...reply.photos)
      total = reply.total
      after = reply.nextAfter
      if (after === null) {
        done = true
        break
      }
    }
  } catch (error) {
    if (mine === pages.generation) store().patchGrid({ status: 'error', error: ipcMessage(error) })
    return
  }
  const items = kept.concat(fresh)
  store().setGrid({ status: 'ready', items, nextAfter: after, done, total })
  afterRefresh(items, focusIndex)
}

/**
 * "More like this": the photos most like the ones asked about, best first, all in one read. A first read
 * (after `reload`) starts from an empty grid; a refresh keeps what shows until the fresh list arrives.
 */
async function readSimilar(mine: number): Promise<void> {
  const similar = store().similar
  if (!similar) return
  const { grid, focusId } = store()
  const focusIndex = focusId !== null ? indexOfId(grid.items).get(focusId) : undefined
  try {
    const reply = await call('similar:photos', { photoIds: similar.sourceIds, top: SIMILAR_TOP })
    if (mine !== pages.generation || store().similar?.sourceIds !== similar.sourceIds) return
    const items = reply.photos.map((p) => p.photo)
    store().setSimilar({
      ...similar,
      scores: new Map(reply.photos.map((p) => [p.photo.id, p.score])),
      missing: reply.missing,
    })
    store().setGrid({ status: 'ready', items, nextAfter: null, done: true, total: items.length })
    if (grid.items.length > 0) afterRefresh(items, focusIndex)
  } catch (error) {
    if (mine === pages.generation) store().patchGrid({ status: 'error', error: ipcMessage(error) })
  }
}

/** After fresh photos came: the selection keeps what is still there, the focus and the large view follow. */
function afterRefresh(items: PhotoItem[], focusIndex: number | undefined): void {
  const index = indexOfId(items)
  let next = pruneSelection(currentSelection(), index)
  // The photo in focus left the grid (e.g. accepted under "Needs review"): the one now in its place takes the focus.
  if (next.focusId === null && focusIndex !== undefined && items.length > 0) {
    next = { ...next, focusId: items[Math.min(focusIndex, items.length - 1)]!.id }
  }
  applySelection(next)
  // The photo in the large view left the grid: the view follows the focus.
  const { viewing } = store()
  if (viewing !== null && !index.has(viewing)) store().setViewing(store().focusId)
  void refreshCounts()
  void refreshTags()
  const detailId = store().focusId
  if (detailId !== null) void loadDetail(detailId, true)
}

export async function refreshCounts(): Promise<void> {
  const mine = pages.generation
  const raw = store().filter
  const filter = filterInput(raw)
  try {
    const [all, review, unknown] = await Promise.all([
      call('library:photos', { filter: {}, limit: 1 }),
      call('library:photos', { filter: { ...filter, needsReview: true }, limit: 1 }),
      call('library:photos', { filter: filterInput({ ...raw, unknown: true }), limit: 1 }),
    ])
    if (mine === pages.generation) {
      store().setCounts({ all: all.total, needsReview: review.total, unknown: unknown.total })
    }
  } catch {
    // The grid says what failed; the counts stay as they were.
  }
}

export async function refreshTags(): Promise<void> {
  try {
    store().setTags({ status: 'ready', data: await call('library:tags') })
  } catch (error) {
    store().setTags({ status: 'error', message: ipcMessage(error) })
  }
}
