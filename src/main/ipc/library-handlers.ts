import type { Db } from '../db/database'
import type { DomainHandlers, EmitEvent, libraryChannels } from '../../shared/ipc/contract'
import type { JobsService } from '../jobs/jobs-service'
import type { PhotoLibraryService } from '../photo-library/library-service'
import { applySuggestionThreshold, getSuggestionThreshold, setSuggestionThreshold } from '../tags/predictions'
import { searchTags, tagCounts } from '../tags/tags'

export interface LibraryHandlerDeps {
  db: Db
  photos: PhotoLibraryService
  /** Classifying the library is a job on the one runner. */
  jobs: JobsService
  emit: EmitEvent
  pickFolders(): Promise<string[] | null>
  pickExportFile(format: 'csv' | 'json'): Promise<string | null>
}

/** The photo library's channels: parse (done by dispatch), call, return. */
export function createLibraryHandlers(deps: LibraryHandlerDeps): DomainHandlers<typeof libraryChannels> {
  const { db, photos } = deps
  return {
    'library:addPaths': ({ paths }) => photos.add(paths),
    'library:pickFolders': async () => {
      const folders = await deps.pickFolders()
      return folders === null || folders.length === 0 ? null : photos.add(folders)
    },
    'library:photos': ({ filter, after, limit }) => photos.page(filter, after, limit),
    'library:photo': ({ id }) => photos.photo(id),
    'library:classify': ({ modelId }) => deps.jobs.classifyLibrary(modelId),
    'library:pendingCount': async ({ modelId }) => ({ count: await deps.jobs.pendingCount(modelId) }),
    'library:tags': () => tagCounts(db),
    'library:searchTags': ({ query }) => searchTags(db, query),
    'library:threshold': () => ({ threshold: getSuggestionThreshold(db) }),
    'library:setThreshold': ({ threshold }) => {
      setSuggestionThreshold(db, threshold)
      const applied = applySuggestionThreshold(db, threshold)
      deps.emit('library:changed', { reason: 'tags' })
      return applied
    },
    'library:writeSidecars': ({ photoIds }) => photos.writeSidecars(photoIds),
    'library:export': async ({ format }) => {
      const path = await deps.pickExportFile(format)
      return path === null ? null : photos.export(path, format)
    },
  }
}
