/** The tags themselves (the tag manager and the add-tag field): rename, merge, search. */
import { call, ipcMessage } from '../ipc'
import { formatCount } from '../lib/format'
import { notify } from '../session/notices'
import { setFilter } from './filter-actions'
import { scheduleRefresh } from './library-grid'
import { useLibraryStore } from './library-store'

const store = () => useLibraryStore.getState()

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
