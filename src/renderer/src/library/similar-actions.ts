/**
 * "More like this" (M): the grid shows the photos most like the selection (else the photo in focus), best
 * first, like a filter with its own chip; clearing it shows the filtered grid again. And the similar photos of
 * the photo in focus, which open in the panel.
 */
import { formatCount } from '../lib/format'
import { notify } from '../session/notices'
import { reload } from './library-grid'
import { indexOfId, useLibraryStore } from './library-store'
import { applySelection, targetIds } from './selection-actions'

/** The most photos one request compares (the contract's limit). */
export const MAX_SOURCES = 1000

const store = () => useLibraryStore.getState()

/** Shows the photos most like the selection (else the photo in focus); false when there is none. */
export function moreLikeThis(ids: number[] = targetIds()): boolean {
  if (ids.length === 0) return false
  const sourceIds = ids.slice(0, MAX_SOURCES)
  if (ids.length > MAX_SOURCES) {
    notify(`Only the first ${formatCount(MAX_SOURCES, 'photo')} of the selection are compared.`)
  }
  store().setSimilar({ sourceIds, scores: new Map(), missing: 0 })
  reload()
  return true
}

/** Removes the "Like N photos" chip: the grid shows the filtered photos again. */
export function clearSimilar(): void {
  if (!store().similar) return
  store().setSimilar(null)
  reload()
}

/**
 * A similar photo picked in the panel takes the focus (and the selection); one the grid does not show is
 * read on its own, and the panel shows it.
 */
export function focusPhoto(id: number): void {
  applySelection({ ids: new Set([id]), focusId: id, anchorId: id })
  if (indexOfId(store().grid.items).has(id)) store().requestScroll()
}
