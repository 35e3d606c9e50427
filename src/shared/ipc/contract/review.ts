import { z } from 'zod'
import { NoInput, TagId } from './common'

/** The review queue: the suggested tags still to decide, tag by tag. */

export const ReviewCursorSchema = z.object({
  tagId: z.number().int(),
  name: z.string(),
  score: z.number(),
  photoId: z.number().int(),
})
export const ReviewItemSchema = z.object({
  photoId: z.number().int(),
  name: z.string(),
  path: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  tagId: z.number().int(),
  tag: z.string(),
  score: z.number(),
  modelId: z.string().nullable(),
  thumbUrl: z.string(),
  photoUrl: z.string(),
})
export type ReviewItemResult = z.infer<typeof ReviewItemSchema>

export const reviewChannels = {
  'review:groups': {
    input: NoInput,
    output: z.array(
      z.object({ tagId: z.number().int(), name: z.string(), count: z.number().int(), lowestScore: z.number() }),
    ),
  },
  'review:queue': {
    input: z.object({
      tagId: TagId.optional(),
      after: ReviewCursorSchema.nullable().optional(),
      limit: z.number().int().min(1).max(500).optional(),
    }),
    output: z.object({ items: z.array(ReviewItemSchema), next: ReviewCursorSchema.nullable() }),
  },
} as const
