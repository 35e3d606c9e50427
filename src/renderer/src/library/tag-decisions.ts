/**
 * Tag decisions on the Library's selection (accept, reject, add, remove) with an undo stack: each key
 * press or button is one undoable entry, and the grid follows the change.
 */
import type { PhotoItem, TagChangeItem } from '../../../shared/ipc/contract'
import { call, ipcMessage } from '../ipc'
import { formatCount } from '../lib/format'
import { SerialQueue } from '../lib/serial-queue'
import { notify } from '../session/notices'
import { scheduleRefresh } from './library-grid'
import { indexOfId, useLibraryStore, type UndoEntry } from './library-store'
import { targetIds } from './selection-actions'

const store = () => useLibraryStore.getState()

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
const tagWork = new SerialQueue()

/** Runs tag changes, keeps them for undo, and says what happened. */
function runChanges(label: string, run: () => Promise<TagChangeItem>[]): Promise<boolean> {
  return tagWork.run(() => runChangesNow(label, run))
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
  // The grid's copy of a photo and the detail's can be a refresh apart (the list offers the grid's tags):
  // a photo holds the tag if either says so; the main process removes only what is there.
  const { items } = store().grid
  const index = indexOfId(items)
  const detail = store().detail
  const copies = (id: number): PhotoItem[] => {
    const at = index.get(id)
    return [
      ...(at !== undefined ? [items[at]!] : []),
      ...(detail?.id === id && detail.state.status === 'ready' ? [detail.state.data.photo] : []),
    ]
  }
  const holders = [...ids].filter((id) => copies(id).some((p) => p.tags.some((t) => t.tagId === tagId)))
  const name =
    [...ids]
      .flatMap(copies)
      .flatMap((p) => p.tags)
      .find((t) => t.tagId === tagId)?.name ?? 'the tag'
  if (holders.length === 0) return
  void runChanges(`Removed “${name}” from ${formatCount(holders.length, 'photo')}`, () => [
    call('tags:remove', { photoIds: holders, tagId }),
  ])
}

/** Z: puts back what the last action changed. */
export function undoLast(): Promise<void> {
  return tagWork.run(undoLastNow)
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
