import { z } from 'zod'
import { PhotoIds, TagId } from './common'

/** Tags on photos: the person's decisions on the models' suggestions, their own tags, renames and merges. */

export const PhotoTagSchema = z.object({
  tagId: z.number().int(),
  name: z.string(),
  source: z.enum(['model', 'person', 'learned']),
  status: z.enum(['suggested', 'accepted', 'rejected']),
  score: z.number().nullable(),
  modelId: z.string().nullable(),
})
export type PhotoTagItem = z.infer<typeof PhotoTagSchema>

export const TagCountSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  accepted: z.number().int(),
  suggested: z.number().int(),
  rejected: z.number().int(),
  photos: z.number().int(),
})
export type TagCountItem = z.infer<typeof TagCountSchema>

const PhotoTagStateSchema = z.object({
  source: z.enum(['model', 'person', 'learned']),
  status: z.enum(['suggested', 'accepted', 'rejected']),
  score: z.number().nullable(),
  modelId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
/** What a tag decision changed: the renderer keeps it to undo the decision. */
export const TagChangeSchema = z.object({
  action: z.enum(['accept', 'reject', 'add', 'remove']),
  tagId: z.number().int(),
  createdTag: z.boolean(),
  entries: z.array(z.object({ photoId: z.number().int(), before: PhotoTagStateSchema.nullable() })).max(50_000),
})
export type TagChangeItem = z.infer<typeof TagChangeSchema>

export const tagChannels = {
  'tags:accept': { input: z.object({ photoIds: PhotoIds, tagId: TagId }), output: TagChangeSchema },
  'tags:reject': { input: z.object({ photoIds: PhotoIds, tagId: TagId }), output: TagChangeSchema },
  'tags:add': {
    input: z.object({ photoIds: PhotoIds, name: z.string().trim().min(1).max(120) }),
    output: TagChangeSchema,
  },
  'tags:remove': { input: z.object({ photoIds: PhotoIds, tagId: TagId }), output: TagChangeSchema },
  'tags:undo': { input: z.object({ change: TagChangeSchema }), output: z.object({ undone: z.boolean() }) },
  'tags:rename': {
    input: z.object({ tagId: TagId, name: z.string().trim().min(1).max(120) }),
    output: z.object({ id: z.number().int(), name: z.string() }),
  },
  'tags:merge': {
    input: z.object({ sourceIds: z.array(TagId).min(1).max(100), targetId: TagId }),
    output: z.object({ moved: z.number().int(), combined: z.number().int() }),
  },
} as const
