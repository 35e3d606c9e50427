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

/**
 * The tag store's decisions on photos; each one tells the page that tags changed (`library:changed`) and
 * `decided` which tags the person decided on (a learned tag learns again from them).
 */
export function createTagHandlers(
  db: Db,
  emit: EmitEvent,
  decided: (tagIds: number[]) => void = () => {},
): DomainHandlers<typeof tagChannels> {
  const changed = <T>(value: T): T => {
    emit('library:changed', { reason: 'tags' })
    return value
  }
  const decision = (change: TagChange): TagChange => {
    decided([change.tagId])
    return changed(change)
  }
  return {
    'tags:accept': ({ photoIds, tagId }) => decision(acceptTags(db, photoIds, tagId)),
    'tags:reject': ({ photoIds, tagId }) => decision(rejectTags(db, photoIds, tagId)),
    'tags:add': ({ photoIds, name }) => decision(addTag(db, photoIds, name)),
    'tags:remove': ({ photoIds, tagId }) => decision(removeTags(db, photoIds, tagId)),
    'tags:undo': ({ change }) => {
      const undone = undoTagChange(db, change as TagChange)
      decided([(change as TagChange).tagId])
      return changed({ undone })
    },
    'tags:rename': ({ tagId, name }) => changed(renameTag(db, tagId, name)),
    'tags:merge': ({ sourceIds, targetId }) => changed(mergeTags(db, sourceIds, targetId)),
  }
}
