/**
 * What the Review screen does: reads the classes with suggestions waiting and their queue (lowest
 * probability first), accepts or rejects one photo's suggestion at a time, moves through the queue,
 * and undoes the last decisions.
 */
import { call, ipcMessage, subscribe } from '../ipc'
import { DeferredTask } from '../lib/deferred-task'
import { SerialQueue } from '../lib/serial-queue'
import { useReviewStore, type ReviewEntry } from './review-store'

/** Suggestions read per page; the next page is read a few photos before the end. */
const PAGE = 50
const READ_AHEAD = 5

const store = () => useReviewStore.getState()

let started = false
let shown = false
let generation = 0

/** Keeps the class counts fresh while the screen shows (once; StrictMode-safe). */
export function startReview(): void {
  if (started) return
  started = true
  try {
    subscribe('library:changed', () => {
      if (shown) scheduleGroups()
    })
  } catch (error) {
    console.error(ipcMessage(error))
  }
}

/** The screen shows: read the classes and the queue afresh (decisions may have been taken in the Library). */
export function openReview(): () => void {
  shown = true
  void loadGroups()
  void loadQueue(store().tagId)
  return () => {
    shown = false
  }
}

const groupsRefresh = new DeferredTask(() => void loadGroups())
function scheduleGroups(): void {
  groupsRefresh.schedule(200)
}

export async function loadGroups(): Promise<void> {
  try {
    store().setGroups({ status: 'ready', data: await call('review:groups') })
  } catch (error) {
    store().setGroups({ status: 'error', message: ipcMessage(error) })
  }
}

function groupTotal(tagId: number | null): number | undefined {
  const groups = store().groups
  if (groups.status !== 'ready') return undefined
  if (tagId === null) return groups.data.reduce((n, g) => n + g.count, 0)
  return groups.data.find((g) => g.tagId === tagId)?.count
}

/** Starts the queue of one class (or of all) from its lowest probability. */
export async function loadQueue(tagId: number | null): Promise<void> {
  const mine = ++generation
  store().setTagId(tagId)
  store().setQueue({ status: 'loading' })
  store().setIndex(0)
  store().setUndo([])
  store().setError(null)
  try {
    const page = await call('review:queue', { ...(tagId !== null && { tagId }), limit: PAGE })
    if (mine !== generation) return
    const entries: ReviewEntry[] = page.items.map((item) => ({ item, decision: null }))
    const total = page.next === null ? entries.length : Math.max(entries.length, groupTotal(tagId) ?? 0)
    store().setQueue({ status: 'ready', data: { entries, next: page.next, total } })
  } catch (error) {
    if (mine === generation) store().setQueue({ status: 'error', message: ipcMessage(error) })
  }
}

let readingMore = false

async function readAhead(): Promise<void> {
  const { queue, index, tagId } = store()
  if (queue.status !== 'ready' || readingMore || queue.data.next === null) return
  if (index < queue.data.entries.length - READ_AHEAD) return
  const mine = generation
  readingMore = true
  try {
    const page = await call('review:queue', {
      ...(tagId !== null && { tagId }),
      after: queue.data.next,
      limit: PAGE,
    })
    if (mine !== generation) return
    // A suggestion decided elsewhere in the meantime may come again: keep the first.
    const known = new Set(queue.data.entries.map((e) => `${e.item.photoId}|${e.item.tagId}`))
    const fresh = page.items.filter((item) => !known.has(`${item.photoId}|${item.tagId}`))
    store().appendEntries(
      fresh.map((item) => ({ item, decision: null })),
      page.next,
    )
  } catch (error) {
    store().setError(`The next suggestions could not be read: ${ipcMessage(error)}`)
  } finally {
    readingMore = false
  }
}

function entriesNow(): ReviewEntry[] {
  const { queue } = store()
  return queue.status === 'ready' ? queue.data.entries : []
}

/** The next undecided entry after `from`, else the end of the queue. */
function nextUndecided(from: number): number {
  const entries = entriesNow()
  for (let i = from + 1; i < entries.length; i++) if (entries[i]!.decision === null) return i
  return entries.length
}

/**
 * Decisions and undos run one after the other, in the order the keys were pressed: a quick R then Z
 * undoes that R, even while the R is still on its way to the main process.
 */
const decisions = new SerialQueue()

/** A (accept) or R (reject) on the suggestion shown; then the next one. */
export function decide(action: 'accept' | 'reject'): Promise<void> {
  return decisions.run(() => decideNow(action))
}

async function decideNow(action: 'accept' | 'reject'): Promise<void> {
  const { index } = store()
  const entry = entriesNow()[index]
  if (!entry) return
  const wanted = action === 'accept' ? 'accepted' : 'rejected'
  if (entry.decision === wanted) {
    move(1)
    return
  }
  store().setBusy(true)
  store().setError(null)
  try {
    const change = await call(action === 'accept' ? 'tags:accept' : 'tags:reject', {
      photoIds: [entry.item.photoId],
      tagId: entry.item.tagId,
    })
    // Deciding again (accept after reject): undoing the new decision brings back the first one.
    store().updateEntry(index, { decision: wanted })
    store().setUndo([...store().undo, { index, change, before: entry.decision }])
    store().setIndex(nextUndecided(index))
    void readAhead()
  } catch (error) {
    store().setError(`The suggestion could not be ${wanted}: ${ipcMessage(error)}`)
  } finally {
    store().setBusy(false)
  }
}

/** ← / →: the previous or next suggestion (decided ones included). */
export function move(step: 1 | -1): void {
  const { index } = store()
  const length = entriesNow().length
  const next = Math.max(0, Math.min(length, index + step))
  if (next === index) return
  store().setIndex(next)
  void readAhead()
}

/** Z: the last decision taken here is undone; the queue goes back to that photo. */
export function undoDecision(): Promise<void> {
  return decisions.run(undoNow)
}

async function undoNow(): Promise<void> {
  const { undo } = store()
  const last = undo.at(-1)
  if (last === undefined) return
  store().setBusy(true)
  try {
    const { undone } = await call('tags:undo', { change: last.change })
    store().setUndo(undo.slice(0, -1))
    store().updateEntry(last.index, { decision: last.before })
    store().setIndex(last.index)
    if (!undone) store().setError('That decision could not be undone: the tag was renamed or merged since.')
  } catch (error) {
    store().setError(`Could not undo: ${ipcMessage(error)}`)
  } finally {
    store().setBusy(false)
  }
}
