/**
 * Selection in the library grid, as pure functions over ids in grid order (file-manager rules):
 * a click selects one photo, Ctrl/⌘-click toggles one, Shift-click selects the range from the anchor;
 * arrows move the focus and select the photo they land on, Shift+arrows extend the range, Ctrl/⌘+arrows
 * move the focus only, Space toggles the photo in focus.
 */

export interface Selection {
  ids: ReadonlySet<number>
  focusId: number | null
  anchorId: number | null
}

export type ClickKind = 'plain' | 'toggle' | 'range' | 'add-range'

function rangeIds(order: readonly number[], index: Map<number, number>, from: number, to: number): number[] {
  const a = index.get(from)
  const b = index.get(to)
  if (a === undefined || b === undefined) return [to]
  const [lo, hi] = a <= b ? [a, b] : [b, a]
  return order.slice(lo, hi + 1)
}

/** A click (or a key that lands on a photo) with the modifiers it came with. */
export function selectAt(
  current: Selection,
  id: number,
  kind: ClickKind,
  order: readonly number[],
  index: Map<number, number>,
): Selection {
  switch (kind) {
    case 'plain':
      return { ids: new Set([id]), focusId: id, anchorId: id }
    case 'toggle': {
      const ids = new Set(current.ids)
      if (ids.has(id)) ids.delete(id)
      else ids.add(id)
      return { ids, focusId: id, anchorId: id }
    }
    case 'range':
    case 'add-range': {
      const anchor = current.anchorId ?? current.focusId ?? id
      const ids = kind === 'add-range' ? new Set(current.ids) : new Set<number>()
      for (const inRange of rangeIds(order, index, anchor, id)) ids.add(inRange)
      return { ids, focusId: id, anchorId: anchor }
    }
  }
}

/** Moves the focus only (Ctrl/⌘ + arrow). */
export function focusOnly(current: Selection, id: number): Selection {
  return { ...current, focusId: id }
}

/** Space: the photo in focus joins or leaves the selection. */
export function toggleFocused(current: Selection): Selection {
  if (current.focusId === null) return current
  const ids = new Set(current.ids)
  if (ids.has(current.focusId)) ids.delete(current.focusId)
  else ids.add(current.focusId)
  return { ...current, ids, anchorId: current.focusId }
}

export function selectAll(current: Selection, order: readonly number[]): Selection {
  return { ...current, ids: new Set(order), focusId: current.focusId ?? order[0] ?? null }
}

/**
 * Where a key moves the focus, as an index: ±1 across, ±columns down and up, a screen with the page
 * keys, the ends with Home/End; clamped to the loaded photos. Undefined for other keys.
 */
export function moveIndex(
  key: string,
  from: number | undefined,
  count: number,
  columns: number,
  rowsPerPage: number,
): number | undefined {
  if (count === 0) return undefined
  if (from === undefined)
    return ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'PageUp', 'PageDown'].includes(key)
      ? 0
      : key === 'End'
        ? count - 1
        : undefined
  const step: Record<string, number> = {
    ArrowLeft: -1,
    ArrowRight: 1,
    ArrowUp: -columns,
    ArrowDown: columns,
    PageUp: -columns * rowsPerPage,
    PageDown: columns * rowsPerPage,
  }
  if (key === 'Home') return 0
  if (key === 'End') return count - 1
  const delta = step[key]
  if (delta === undefined) return undefined
  const to = from + delta
  // Up from the first row and down from the last stay put (rather than wrapping to the ends).
  if ((key === 'ArrowUp' || key === 'ArrowDown') && (to < 0 || to >= count)) return from
  return Math.max(0, Math.min(count - 1, to))
}

/** Keeps only the ids still loaded (after a refresh or a filter change). */
export function pruneSelection(current: Selection, loaded: Map<number, number>): Selection {
  const ids = [...current.ids].filter((id) => loaded.has(id))
  const keep = (id: number | null): number | null => (id !== null && loaded.has(id) ? id : null)
  if (ids.length === current.ids.size && keep(current.focusId) === current.focusId) return current
  return { ids: new Set(ids), focusId: keep(current.focusId), anchorId: keep(current.anchorId) }
}
