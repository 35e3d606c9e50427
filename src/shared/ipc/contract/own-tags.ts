import { z } from 'zod'
import { Count, NoInput, PhotoIds, TagId } from './common'
import { PhotoItemSchema } from './library'
import { ModelSummarySchema } from './models'

/**
 * The person's own tags, from the embeddings each classification stores: similar photos, near-duplicates, tags
 * learned from examples, and learned tags saved as a model.
 */

export const SimilarPhotoSchema = z.object({
  photo: PhotoItemSchema,
  /** Cosine similarity of the embeddings, 1 for the same picture. */
  score: z.number(),
})
export type SimilarPhotoItem = z.infer<typeof SimilarPhotoSchema>

export const DuplicatePhotoSchema = PhotoItemSchema.extend({
  /** File size in bytes. */
  size: Count,
  /** The file's format, from its extension (JPEG, PNG…). */
  format: z.string(),
})
export type DuplicatePhotoItem = z.infer<typeof DuplicatePhotoSchema>

export const DuplicateGroupSchema = z.object({
  photos: z.array(DuplicatePhotoSchema).min(2),
  /** The copy to keep: the largest picture, then the original format, then the largest file. */
  keepId: z.number().int().positive(),
})
export type DuplicateGroupItem = z.infer<typeof DuplicateGroupSchema>

export const LearnedTagSchema = z.object({
  tagId: TagId,
  name: z.string(),
  modelId: z.string(),
  /** The examples behind it: photos with the tag accepted, and photos that are not it. */
  positives: Count,
  negatives: Count,
  /** The probability at or above which it is suggested. */
  threshold: z.number().min(0).max(1),
  /** Photos it suggests now (still to review). */
  suggested: Count,
  trainedAt: z.string(),
})
export type LearnedTagItem = z.infer<typeof LearnedTagSchema>

/** A tag of the person's that can be learned: enough accepted photos with an embedding of the model. */
export const LearnableTagSchema = z.object({ tagId: TagId, name: z.string(), examples: Count })
export type LearnableTagItem = z.infer<typeof LearnableTagSchema>

export const ownTagChannels = {
  /** The photos most like these (one photo, or a selection: their mean), best first; the model defaults to the active one. */
  'similar:photos': {
    input: z.object({
      photoIds: PhotoIds.max(1000),
      modelId: z.string().max(100).optional(),
      top: z.number().int().min(1).max(500).optional(),
    }),
    output: z.object({
      modelId: z.string(),
      photos: z.array(SimilarPhotoSchema),
      /** Photos of the request without an embedding of the model (not classified by it yet). */
      missing: Count,
    }),
  },
  /** Hashes the photos not hashed yet (progress as duplicates:progress), then groups the near-duplicates. */
  'duplicates:find': {
    input: z.object({ modelId: z.string().max(100).optional() }).default({}),
    output: z.object({ groups: z.array(DuplicateGroupSchema), photos: Count }),
  },
  /** Learned tags, and the person's tags that can be learned (at least 5 accepted photos). */
  'learned:tags': {
    input: NoInput,
    output: z.object({ learned: z.array(LearnedTagSchema), learnable: z.array(LearnableTagSchema) }),
  },
  /** Learns (or learns again) a tag from its accepted photos and suggests it where it fits. */
  'learned:learn': {
    input: z.object({ tagId: TagId, modelId: z.string().max(100).optional() }),
    output: LearnedTagSchema,
  },
  /** Stops learning a tag: its head and its open suggestions go; accepted photos keep the tag. */
  'learned:forget': { input: z.object({ tagId: TagId }), output: z.object({ withdrawn: Count }) },
  /** Saves the learned tags of a model as a new model in the library: the backbone with a head for these tags. */
  'learned:saveModel': {
    input: z.object({
      name: z.string().trim().min(1).max(200),
      tagIds: z.array(TagId).min(2).max(1000),
    }),
    output: ModelSummarySchema,
  },
} as const

export const ownTagEvents = {
  'duplicates:progress': z.object({ done: Count, total: Count }),
} as const
