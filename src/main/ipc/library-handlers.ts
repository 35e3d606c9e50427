import type { Db } from '../db/database'
import type { EmitEvent, HandlerTable } from '../../shared/ipc/contract'
import type { PhotoLibraryService } from '../tags/library-service'
import { applySuggestionThreshold, getSuggestionThreshold, setSuggestionThreshold } from '../tags/predictions'
import { reviewGroups } from '../tags/queries'
import {
  acceptTags,
  addTag,
  mergeTags,
  rejectTags,
  removeTags,
  renameTag,
  searchTags,
  tagCounts,
  undoTagChange,
  type TagChange,
} from '../tags/tags'

type LibraryChannel = Extract<keyof HandlerTable, `library:${string}` | `tags:${string}` | `review:${string}`>

export interface LibraryHandlerDeps {
  db: Db
  photos: PhotoLibraryService
  emit: EmitEvent
  pickFolders(): Promise<string[] | null>
  pickExportFile(format: 'csv' | 'json'): Promise<string | null>
}

/** The photo library's and the tag store's channels: parse (done by dispatch), call, return. */
export function createLibraryHandlers(deps: LibraryHandlerDeps): Pick<HandlerTable, LibraryChannel> {
  const { db, photos, emit } = deps
  const changed = <T>(value: T): T => {
    emit('library:changed', { reason: 'tags' })
    return value
  }
  return {
    'library:addPaths': ({ paths }) => photos.add(paths),
    'library:pickFolders': async () => {
      const folders = await deps.pickFolders()
      return folders === null || folders.length === 0 ? null : photos.add(folders)
    },
    'library:photos': ({ filter, after, limit }) => photos.page(filter, after, limit),
    'library:photo': ({ id }) => photos.photo(id),
    'library:pending': ({ modelId, limit }) => photos.pending(modelId, limit),
    'library:recordResults': ({ modelId, results }) => photos.record(modelId, results),
    'library:tags': () => tagCounts(db),
    'library:searchTags': ({ query }) => searchTags(db, query),
    'library:threshold': () => ({ threshold: getSuggestionThreshold(db) }),
    'library:setThreshold': ({ threshold }) => {
      setSuggestionThreshold(db, threshold)
      return changed(applySuggestionThreshold(db, threshold))
    },
    'tags:accept': ({ photoIds, tagId }) => changed(acceptTags(db, photoIds, tagId)),
    'tags:reject': ({ photoIds, tagId }) => changed(rejectTags(db, photoIds, tagId)),
    'tags:add': ({ photoIds, name }) => changed(addTag(db, photoIds, name)),
    'tags:remove': ({ photoIds, tagId }) => changed(removeTags(db, photoIds, tagId)),
    'tags:undo': ({ change }) => changed({ undone: undoTagChange(db, change as TagChange) }),
    'tags:rename': ({ tagId, name }) => changed(renameTag(db, tagId, name)),
    'tags:merge': ({ sourceIds, targetId }) => changed(mergeTags(db, sourceIds, targetId)),
    'review:groups': () => reviewGroups(db),
    'review:queue': ({ tagId, after, limit }) =>
      photos.review({
        ...(tagId !== undefined && { tagId }),
        after: after ?? null,
        ...(limit !== undefined && { limit }),
      }),
    'library:writeSidecars': ({ photoIds }) => photos.writeSidecars(photoIds),
    'library:export': async ({ format }) => {
      const path = await deps.pickExportFile(format)
      return path === null ? null : photos.export(path, format)
    },
  }
}
