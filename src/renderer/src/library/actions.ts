/**
 * What the Library screen does: reads pages of photos over IPC (keyset pages, as the grid scrolls),
 * keeps them fresh when the library changes, adds folders, and makes tag decisions on the selection
 * with an undo stack. Components call these; they never call IPC themselves.
 */
import type { IngestReportResult, PhotoFilterInput, PhotoItem, TagChangeItem } from '../../../shared/ipc/contract'
import { call, ipcMessage, subscribe } from '../ipc'
import { formatCount } from '../lib/format'
import { useClassifyStore } from '../store'
import { checkPending, classifyPending } from './classify'
import {
  focusOnly,
  moveIndex,
  pruneSelection,
  selectAll,
  selectAt,
  toggleFocused,
  type ClickKind,
  type Selection,
} from './selection'
import { indexOfId, NO_FILTER, useLibraryStore, type LibraryFilter, type UndoEntry } from './store'

/** Photos per page near the viewport; far jumps read bigger pages. */
export const PAGE = 240
const BIG_PAGE = 1000
/** Below this many photos above the viewport a refresh reads from the top; deeper, only around the viewport. */
const WINDOWED_FROM = 3000

const store = () => useLibraryStore.getState()
export const notify = (text: string): void => useClassifyStore.getState().showNotice(text)

// ---------------------------------------------------------------------------------------------
// Start and events

let started = false
/** The screen was opened at least once (its first page read). */
let opened = false
/** The screen shows now: changes refresh the grid; while it does not, they only mark it stale. */
let shown = false
let stale = false

/** Listens to the library's events (once; StrictMode-safe). */
export function startLibrary(): void {
  if (started) return
  started = true
  try {
    // Only while an add runs: a late event must not bring back a finished progress bar.
    subscribe('library:progress', (progress) => {
      if (adding && progress.phase === 'scanning') store().setIngest(progress)
    })
    subscribe('library:changed', () => {
      if (shown) scheduleRefresh()
      else stale = true
    })
  } catch (error) {
    console.error(ipcMessage(error))
  }
}

/**
 * Called when the Library screen shows: the first time it loads, later it refreshes what changed
 * meanwhile. Returns what to call when it goes.
 */
export function openLibrary(): () => void {
  shown = true
  if (!opened) {
    opened = true
    stale = false
    reload()
    void loadThreshold()
  } else if (stale) {
    stale = false
    scheduleRefresh(0)
  }
  void checkPending()
  return () => {
    shown = false
  }
}

// ---------------------------------------------------------------------------------------------
// Pages

let generation = 0
let loader: { generation: number } | null = null
/** How many photos the grid wants loaded (the end of its visible range, plus a margin). */
let wanted = PAGE
/** The grid's visible range of photo indices (for refreshes and page keys). */
let visible = { start: 0, end: 0 }

function activeModelId(): string | undefined {
  const { model } = useClassifyStore.getState()
  return model.status === 'ready' ? model.card.id : undefined
}

/** The filter as the IPC contract takes it. */
export function filterInput(filter: LibraryFilter): PhotoFilterInput {
  const input: PhotoFilterInput = {}
  if (filter.tagId !== null) input.tagIds = [filter.tagId]
  if (filter.needsReview) input.needsReview = true
  const ranged = filter.minProbability !== null || filter.maxProbability !== null
  // A range or "unknown" is about one model: the one picked, else the active one (unknown to any
  // model when none is ready).
  const modelId = filter.modelId ?? (ranged || filter.unknown ? activeModelId() : undefined)
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
  generation++
  loader = null
  // The grid goes back to its top for the new set of photos.
  wanted = PAGE
  visible = { start: 0, end: 0 }
  store().setGrid({ status: 'loading', items: [], nextAfter: null, done: false, total: null })
  applySelection({ ids: new Set(), focusId: null, anchorId: null })
  void loadMore()
  void refreshCounts()
  void refreshTags()
}

/** The grid shows photos `start`…`end`: load up to a margin past them. */
export function showRange(start: number, end: number): void {
  visible = { start, end }
  const want = end + PAGE / 2
  if (want > wanted || store().grid.items.length < want) {
    wanted = Math.max(want, wanted)
    void loadMore()
  }
}

/** Loads pages one after the other until the grid has what it wants; one loader per generation. */
async function loadMore(): Promise<void> {
  if (loader && loader.generation === generation) return
  const mine = { generation }
  loader = mine
  try {
    for (;;) {
      if (mine.generation !== generation) return
      const { grid, filter } = store()
      if (grid.done || (grid.items.length >= wanted && grid.status === 'ready')) return
      const gap = wanted - grid.items.length
      const limit = gap > PAGE * 2 ? BIG_PAGE : PAGE
      const reply = await call('library:photos', {
        filter: filterInput(filter),
        after: grid.items.length > 0 ? grid.nextAfter : null,
        limit,
      })
      if (mine.generation !== generation) return
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
    if (mine.generation === generation) store().patchGrid({ status: 'error', error: ipcMessage(error) })
  } finally {
    if (loader === mine) loader = null
  }
}

/** After an error: try the page again. */
export function retryGrid(): void {
  if (store().grid.items.length === 0) reload()
  else {
    store().patchGrid({ status: 'ready', error: undefined })
    void loadMore()
  }
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined

/**
 * Refreshes soon; calls in the meantime join the one scheduled (a classification run changes the
 * library every few photos: the grid follows about twice a second, never on every batch).
 */
export function scheduleRefresh(delay = 150): void {
  if (refreshTimer !== undefined) return
  const wait = store().job?.status === 'running' ? Math.max(delay, 500) : delay
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined
    void refresh()
  }, wait)
}

/**
 * Reads again what the grid shows, keeping it on screen until the fresh pages arrive: from the top
 * when the viewport is near it, else from just above the viewport (the photos far above keep their
 * last state until the filter changes).
 */
export async function refresh(): Promise<void> {
  const mine = ++generation
  // Only what is on screen and a little more is read again (not every page a jump once read).
  wanted = Math.max(PAGE, visible.end + PAGE / 2)
  // The refresh is this generation's loader: no page is appended to the old items meanwhile.
  const token = { generation: mine }
  loader = token
  try {
    await refreshPages(mine)
  } finally {
    if (loader === token) loader = null
  }
  if (mine === generation) void loadMore()
}

async function refreshPages(mine: number): Promise<void> {
  const { grid, filter, focusId } = store()
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
      if (mine !== generation) return
      fresh.push(...reply.photos)
      total = reply.total
      after = reply.nextAfter
      if (after === null) {
        done = true
        break
      }
    }
  } catch (error) {
    if (mine === generation) store().patchGrid({ status: 'error', error: ipcMessage(error) })
    return
  }
  const items = kept.concat(fresh)
  store().setGrid({ status: 'ready', items, nextAfter: after, done, total })
  const index = indexOfId(items)
  const current: Selection = { ids: store().selection, focusId: store().focusId, anchorId: store().anchorId }
  let next = pruneSelection(current, index)
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
  const mine = generation
  const raw = store().filter
  const filter = filterInput(raw)
  try {
    const [all, review, unknown] = await Promise.all([
      call('library:photos', { filter: {}, limit: 1 }),
      call('library:photos', { filter: { ...filter, needsReview: true }, limit: 1 }),
      call('library:photos', { filter: filterInput({ ...raw, unknown: true }), limit: 1 }),
    ])
    if (mine === generation) {
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

// ---------------------------------------------------------------------------------------------
// Filters

export function setFilter(change: Partial<LibraryFilter>): void {
  const next = { ...store().filter, ...change }
  store().setFilter(next)
  reload()
}

export function clearFilter(): void {
  store().setFilter(NO_FILTER)
  reload()
}

let searchTimer: ReturnType<typeof setTimeout> | undefined

/** Search as you type: the grid follows shortly after the last key. */
export function setQuery(query: string): void {
  store().setFilter({ ...store().filter, query })
  if (searchTimer !== undefined) clearTimeout(searchTimer)
  searchTimer = setTimeout(() => {
    searchTimer = undefined
    reload()
  }, 120)
}

// ---------------------------------------------------------------------------------------------
// Selection and focus

function applySelection(next: Selection): void {
  const before = store().focusId
  store().setSelection(next)
  if (next.focusId !== before) {
    if (next.focusId === null) store().setDetail(null)
    else void loadDetail(next.focusId)
  }
}

function current(): Selection {
  const s = store()
  return { ids: s.selection, focusId: s.focusId, anchorId: s.anchorId }
}

function order(): number[] {
  return store().grid.items.map((p) => p.id)
}

/** A click on a tile, with the modifiers held. */
export function clickPhoto(id: number, kind: ClickKind): void {
  const items = store().grid.items
  applySelection(selectAt(current(), id, kind, order(), indexOfId(items)))
}

let layout = { columns: 1, rowsPerPage: 1 }

/** The grid says how many photos a row and a screen hold (for the arrow and page keys). */
export function setGridLayout(columns: number, rowsPerPage: number): void {
  layout = { columns, rowsPerPage }
}

/** An arrow, page, Home or End key in the grid; false when the key does not move. */
export function moveFocus(key: string, modifiers: { shift: boolean; mod: boolean }): boolean {
  const { columns, rowsPerPage } = layout
  const { items } = store().grid
  const index = indexOfId(items)
  const { focusId } = store()
  const from = focusId !== null ? index.get(focusId) : undefined
  const to = moveIndex(key, from, items.length, columns, rowsPerPage)
  if (to === undefined) return false
  const id = items[to]!.id
  const sel = current()
  let next: Selection
  if (modifiers.mod && !modifiers.shift) next = focusOnly(sel, id)
  else if (modifiers.shift) next = selectAt(sel, id, modifiers.mod ? 'add-range' : 'range', order(), index)
  else next = selectAt(sel, id, 'plain', order(), index)
  applySelection(next)
  store().requestScroll()
  return true
}

export function toggleFocus(): void {
  const sel = current()
  if (sel.focusId === null) {
    const first = store().grid.items[0]
    if (first) applySelection({ ids: new Set([first.id]), focusId: first.id, anchorId: first.id })
    return
  }
  applySelection(toggleFocused(sel))
}

export function selectAllLoaded(): void {
  applySelection(selectAll(current(), order()))
}

export function clearSelection(): void {
  applySelection({ ...current(), ids: new Set() })
}

/** The photos an action applies to: the selection, else the photo in focus. */
export function targetIds(): number[] {
  const { selection, focusId } = store()
  if (selection.size > 0) return [...selection]
  return focusId !== null ? [focusId] : []
}

let detailRequest = 0

/** The focused photo's predictions and tags (fresh after a change with `again`). */
export async function loadDetail(id: number, again = false): Promise<void> {
  const request = ++detailRequest
  const known = store().detail
  if (!again || known?.id !== id) store().setDetail({ id, state: { status: 'loading' } })
  try {
    const data = await call('library:photo', { id })
    if (request === detailRequest) store().setDetail({ id, state: { status: 'ready', data } })
  } catch (error) {
    if (request === detailRequest) store().setDetail({ id, state: { status: 'error', message: ipcMessage(error) } })
  }
}

// ---------------------------------------------------------------------------------------------
// Adding photos

let adding = false

async function runAdd(add: () => Promise<IngestReportResult | null>): Promise<void> {
  if (adding) {
    notify('Photos are being added already: wait for that to finish.')
    return
  }
  adding = true
  store().setIngest({ phase: 'scanning', found: 0, done: 0 })
  store().setReport(null)
  try {
    const report = await add()
    if (report === null) return
    store().setReport({ report })
    void classifyPending()
  } catch (error) {
    store().setReport({ error: ipcMessage(error) })
  } finally {
    adding = false
    store().setIngest(null)
  }
}

/** Files and folders dropped on the window (their paths, from the bridge). */
export function addPaths(paths: string[]): void {
  if (paths.length === 0) {
    store().setReport({
      error:
        'The dropped items have no place on disk (dragged from a web page?): drop files or folders from the file manager.',
    })
    return
  }
  void runAdd(() => call('library:addPaths', { paths }))
}

/** "Add photos…": the system's folder dialog. */
export function pickFolders(): void {
  void runAdd(() => call('library:pickFolders'))
}

export function dismissReport(): void {
  store().setReport(null)
}

// ---------------------------------------------------------------------------------------------
// Tag decisions, with undo

function itemsById(): Map<number, PhotoItem> {
  const { items } = store().grid
  const index = indexOfId(items)
  const out = new Map<number, PhotoItem>()
  for (const [id, i] of index) out.set(id, items[i]!)
  const detail = store().detail
  if (detail?.state.status === 'ready') out.set(detail.id, detail.state.data.photo)
  return out
}

/**
 * The tags a decision on these photos is about, and on which photos: with a tag filter, that tag;
 * else each photo's suggested tags.
 */
function decisionGroups(ids: readonly number[]): Map<number, { name: string; photoIds: number[] }> {
  const { filter } = store()
  const byId = itemsById()
  const groups = new Map<number, { name: string; photoIds: number[] }>()
  const add = (tagId: number, name: string, photoId: number): void => {
    const group = groups.get(tagId) ?? { name, photoIds: [] }
    group.photoIds.push(photoId)
    groups.set(tagId, group)
  }
  for (const id of ids) {
    const photo = byId.get(id)
    if (!photo) continue
    for (const tag of photo.tags) {
      if (filter.tagId !== null ? tag.tagId === filter.tagId : tag.status === 'suggested') add(tag.tagId, tag.name, id)
    }
  }
  return groups
}

function describeChanges(verb: string, groups: Map<number, { name: string; photoIds: number[] }>): string {
  const photos = new Set([...groups.values()].flatMap((g) => g.photoIds)).size
  const names = [...groups.values()].map((g) => g.name)
  const what = names.length === 1 ? `“${names[0]}”` : formatCount(names.length, 'tag')
  return `${verb} ${what} on ${formatCount(photos, 'photo')}`
}

async function decide(action: 'accept' | 'reject', ids = targetIds()): Promise<void> {
  if (ids.length === 0) {
    notify('Select photos first (click, or arrows and Space).')
    return
  }
  const groups = decisionGroups(ids)
  if (groups.size === 0) {
    notify(
      action === 'accept'
        ? 'Nothing to accept: the selected photos have no suggested tags.'
        : 'Nothing to reject: the selected photos have no suggested tags.',
    )
    return
  }
  await runChanges(describeChanges(action === 'accept' ? 'Accepted' : 'Rejected', groups), () =>
    [...groups].map(([tagId, g]) =>
      call(action === 'accept' ? 'tags:accept' : 'tags:reject', { photoIds: g.photoIds, tagId }),
    ),
  )
}

/**
 * Tag changes and undos run one after the other, in the order they were asked for: a quick A then Z
 * undoes that A, even while the A is still on its way to the main process.
 */
let tagWork: Promise<unknown> = Promise.resolve()
function inOrder<T>(task: () => Promise<T>): Promise<T> {
  const next = tagWork.then(task, task)
  tagWork = next.catch(() => undefined)
  return next
}

/** Runs tag changes, keeps them for undo, and says what happened. */
function runChanges(label: string, run: () => Promise<TagChangeItem>[]): Promise<boolean> {
  return inOrder(() => runChangesNow(label, run))
}

async function runChangesNow(label: string, run: () => Promise<TagChangeItem>[]): Promise<boolean> {
  store().setBusy('tags')
  const changes: TagChangeItem[] = []
  try {
    const settled = await Promise.allSettled(run())
    for (const outcome of settled) if (outcome.status === 'fulfilled') changes.push(outcome.value)
    const failed = settled.find((o): o is PromiseRejectedResult => o.status === 'rejected')
    const changed = changes.filter((c) => c.entries.length > 0)
    if (changed.length > 0) store().pushUndo({ label, changes: changed })
    if (failed) notify(`Not everything was changed: ${ipcMessage(failed.reason)}`)
    else notify(changed.length > 0 ? `${label}. Z undoes.` : `${label}: nothing changed.`)
    scheduleRefresh(0)
    return !failed
  } finally {
    store().setBusy(null)
  }
}

export function acceptSelection(): void {
  void decide('accept')
}

export function rejectSelection(): void {
  void decide('reject')
}

/** A or R in the large view: the photo shown, whatever else is selected. */
export function decideViewed(action: 'accept' | 'reject'): void {
  const { viewing } = store()
  if (viewing !== null) void decide(action, [viewing])
}

/** A decision on one tag of one photo (the panel's buttons). */
export function decideTag(photoId: number, tagId: number, name: string, action: 'accept' | 'reject' | 'remove'): void {
  const verb = { accept: 'Accepted', reject: 'Rejected', remove: 'Removed' }[action]
  void runChanges(`${verb} “${name}” on 1 photo`, () => [call(`tags:${action}`, { photoIds: [photoId], tagId })])
}

/** Adds a tag by name (new or existing) to the selection; resolves true when done. */
export async function addTagToSelection(name: string): Promise<boolean> {
  const ids = targetIds()
  const trimmed = name.trim()
  if (ids.length === 0 || trimmed === '') return false
  return runChanges(`Added “${trimmed}” to ${formatCount(ids.length, 'photo')}`, () => [
    call('tags:add', { photoIds: ids, name: trimmed }),
  ])
}

/** Takes a tag off the selected photos that have it. */
export function removeTagFromSelection(tagId: number): void {
  const ids = new Set(targetIds())
  const byId = itemsById()
  const holders = [...ids].filter((id) => byId.get(id)?.tags.some((t) => t.tagId === tagId))
  const name = [...byId.values()].flatMap((p) => p.tags).find((t) => t.tagId === tagId)?.name ?? 'the tag'
  if (holders.length === 0) return
  void runChanges(`Removed “${name}” from ${formatCount(holders.length, 'photo')}`, () => [
    call('tags:remove', { photoIds: holders, tagId }),
  ])
}

/** Z: puts back what the last action changed. */
export function undoLast(): Promise<void> {
  return inOrder(undoLastNow)
}

async function undoLastNow(): Promise<void> {
  const entry: UndoEntry | undefined = store().popUndo()
  if (!entry) {
    notify('Nothing to undo.')
    return
  }
  store().setBusy('undo')
  try {
    let lost = 0
    for (const change of [...entry.changes].reverse()) {
      const { undone } = await call('tags:undo', { change })
      if (!undone) lost++
    }
    notify(
      lost > 0
        ? `Undid “${entry.label}” in part: ${formatCount(lost, 'tag')} was renamed or merged since.`
        : `Undone: ${entry.label}.`,
    )
  } catch (error) {
    notify(`Could not undo: ${ipcMessage(error)}`)
  } finally {
    store().setBusy(null)
    scheduleRefresh(0)
  }
}

// ---------------------------------------------------------------------------------------------
// Tags themselves

export async function renameTag(tagId: number, name: string): Promise<string | undefined> {
  try {
    const renamed = await call('tags:rename', { tagId, name })
    notify(`Renamed the tag to “${renamed.name}”.`)
    scheduleRefresh(0)
    return undefined
  } catch (error) {
    return ipcMessage(error)
  }
}

export async function mergeTags(sourceIds: number[], targetId: number): Promise<string | undefined> {
  try {
    const report = await call('tags:merge', { sourceIds, targetId })
    notify(
      `Merged ${formatCount(sourceIds.length, 'tag')}: ${formatCount(report.moved, 'photo')} moved, ${report.combined} had both.`,
    )
    const { filter } = store()
    if (filter.tagId !== null && sourceIds.includes(filter.tagId)) setFilter({ tagId: targetId })
    else scheduleRefresh(0)
    return undefined
  } catch (error) {
    return ipcMessage(error)
  }
}

export async function searchTags(query: string) {
  return call('library:searchTags', { query })
}

// ---------------------------------------------------------------------------------------------
// Files

export async function writeSidecars(): Promise<void> {
  const ids = targetIds()
  if (ids.length === 0 || store().busy) return
  store().setBusy('sidecars')
  try {
    const result = await call('library:writeSidecars', { photoIds: ids })
    const parts = [`Wrote ${formatCount(result.written, 'XMP sidecar')}`]
    if (result.unchanged > 0) parts.push(`${result.unchanged} already up to date`)
    if (result.failed.length > 0) {
      const first = result.failed[0]!
      parts.push(`${result.failed.length} failed (${first.path}: ${first.reason})`)
    }
    notify(`${parts.join(' · ')}.`)
  } catch (error) {
    notify(`The sidecars could not be written: ${ipcMessage(error)}`)
  } finally {
    store().setBusy(null)
  }
}

export async function exportLibrary(format: 'csv' | 'json'): Promise<void> {
  if (store().busy) return
  store().setBusy(`export-${format}`)
  try {
    const result = await call('library:export', { format })
    if (result) notify(`Exported ${formatCount(result.rows, 'photo')} to ${result.path}.`)
  } catch (error) {
    notify(`The export failed: ${ipcMessage(error)}`)
  } finally {
    store().setBusy(null)
  }
}

// ---------------------------------------------------------------------------------------------
// Suggestion threshold

async function loadThreshold(): Promise<void> {
  try {
    store().setThreshold((await call('library:threshold')).threshold)
  } catch {
    store().setThreshold(null)
  }
}

export async function setThreshold(threshold: number): Promise<void> {
  const before = store().threshold
  store().setThreshold(threshold)
  try {
    const result = await call('library:setThreshold', { threshold })
    notify(
      `Suggestions from ${Math.round(threshold * 100)} %: ${formatCount(result.suggested, 'new suggestion')}, ${result.withdrawn} withdrawn.`,
    )
  } catch (error) {
    store().setThreshold(before)
    notify(`The threshold was not changed: ${ipcMessage(error)}`)
  }
}

// ---------------------------------------------------------------------------------------------
// The large view

export function openViewer(): void {
  const { focusId } = store()
  if (focusId !== null) store().setViewing(focusId)
}

export function closeViewer(): void {
  store().setViewing(null)
}

/** ←/→ in the large view: the focus (and the view) move to the neighbouring photo. */
export function stepViewer(step: 1 | -1): void {
  const { viewing, grid } = store()
  if (viewing === null) return
  const at = indexOfId(grid.items).get(viewing)
  const next = at !== undefined ? grid.items[at + step] : undefined
  if (!next) return
  applySelection({ ids: new Set([next.id]), focusId: next.id, anchorId: next.id })
  store().setViewing(next.id)
  store().requestScroll()
}
