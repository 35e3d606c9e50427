/**
 * The Library's selection and focus (file-manager rules, see ./selection), the focused photo's details,
 * and the large view that follows the focus.
 */
import { call, ipcMessage } from '../ipc'
import { indexOfId, useLibraryStore } from './library-store'
import { focusOnly, moveIndex, selectAll, selectAt, toggleFocused, type ClickKind, type Selection } from './selection'

const store = () => useLibraryStore.getState()

/** Sets the selection; a new focus loads its photo's details. */
export function applySelection(next: Selection): void {
  const before = store().focusId
  store().setSelection(next)
  if (next.focusId !== before) {
    if (next.focusId === null) store().setDetail(null)
    else void loadDetail(next.focusId)
  }
}

export function currentSelection(): Selection {
  const s = store()
  return { ids: s.selection, focusId: s.focusId, anchorId: s.anchorId }
}

function order(): number[] {
  return store().grid.items.map((p) => p.id)
}

/** A click on a tile, with the modifiers held. */
export function clickPhoto(id: number, kind: ClickKind): void {
  const items = store().grid.items
  applySelection(selectAt(currentSelection(), id, kind, order(), indexOfId(items)))
}

/** The grid says how many photos a row and a screen hold (for the arrow and page keys). */
export function setGridLayout(columns: number, rowsPerPage: number): void {
  store().setGridLayout(columns, rowsPerPage)
}

/** An arrow, page, Home or End key in the grid; false when the key does not move. */
export function moveFocus(key: string, modifiers: { shift: boolean; mod: boolean }): boolean {
  const { columns, rowsPerPage } = store().gridLayout
  const { items } = store().grid
  const index = indexOfId(items)
  const { focusId } = store()
  const from = focusId !== null ? index.get(focusId) : undefined
  const to = moveIndex(key, from, items.length, columns, rowsPerPage)
  if (to === undefined) return false
  const id = items[to]!.id
  const sel = currentSelection()
  let next: Selection
  if (modifiers.mod && !modifiers.shift) next = focusOnly(sel, id)
  else if (modifiers.shift) next = selectAt(sel, id, modifiers.mod ? 'add-range' : 'range', order(), index)
  else next = selectAt(sel, id, 'plain', order(), index)
  applySelection(next)
  store().requestScroll()
  return true
}

export function toggleFocus(): void {
  const sel = currentSelection()
  if (sel.focusId === null) {
    const first = store().grid.items[0]
    if (first) applySelection({ ids: new Set([first.id]), focusId: first.id, anchorId: first.id })
    return
  }
  applySelection(toggleFocused(sel))
}

export function selectAllLoaded(): void {
  applySelection(selectAll(currentSelection(), order()))
}

export function clearSelection(): void {
  applySelection({ ...currentSelection(), ids: new Set() })
}

/** The photos an action applies to: the selection, else the photo in focus. */
export function targetIds(): number[] {
  const { selection, focusId } = store()
  if (selection.size > 0) return [...selection]
  return focusId !== null ? [focusId] : []
}

/** The latest details request: an answer to an earlier one is dropped. */
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
