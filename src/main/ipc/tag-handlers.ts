import type { Db } from '../db/database'
import type { DomainHandlers, EmitEvent, tagChannels } from '../../shared/ipc/contract'
import {
  acceptTags,
  addTag,
  mergeTags,
  rejectTags,
  removeTags,
  renameTag,
  undoTagChange,
  type TagChange,
} from '../tags/tags'

/** The tag store's decisions on photos; each one tells the page that tags changed (`library:changed`). */
export function createTagHandlers(db: Db, emit: EmitEvent): DomainHandlers<typeof tagChannels> {
  const changed = <T>(value: T): T => {
    emit('library:changed', { reason: 'tags' })
    return value
  }
  return {
    'tags:accept': ({ photoIds, tagId }) => changed(acceptTags(db, photoIds, tagId)),
    'tags:reject': ({ photoIds, tagId }) => changed(rejectTags(db, photoIds, tagId)),
    'tags:add': ({ photoIds, name }) => changed(addTag(db, photoIds, name)),
    'tags:remove': ({ photoIds, tagId }) => changed(removeTags(db, photoIds, tagId)),
    'tags:undo': ({ change }) => changed({ undone: undoTagChange(db, change as TagChange) }),
    'tags:rename': ({ tagId, name }) => changed(renameTag(db, tagId, name)),
    'tags:merge': ({ sourceIds, targetId }) => changed(mergeTags(db, sourceIds, targetId)),
  }
}
