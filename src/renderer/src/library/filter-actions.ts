/** The Library's filter: each change reads the grid again from its top. */
import { DeferredTask } from '../lib/deferred-task'
import { reload } from './library-grid'
import { NO_FILTER, useLibraryStore, type LibraryFilter } from './library-store'

const store = () => useLibraryStore.getState()

/** A filter picked ends "More like this": the grid shows the filtered photos again. */
export function setFilter(change: Partial<LibraryFilter>): void {
  const next = { ...store().filter, ...change }
  store().setSimilar(null)
  store().setFilter(next)
  reload()
}

export function clearFilter(): void {
  store().setSimilar(null)
  store().setFilter(NO_FILTER)
  reload()
}

const searchSoon = new DeferredTask(reload)

/** Search as you type: the grid follows shortly after the last key. */
export function setQuery(query: string): void {
  store().setSimilar(null)
  store().setFilter({ ...store().filter, query })
  searchSoon.restart(120)
}
