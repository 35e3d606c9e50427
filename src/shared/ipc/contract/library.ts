import { z } from 'zod'
import { LevelScoreSchema } from './classification'
import { NoInput, PhotoId, PhotoIds, TagId } from './common'
import { JobItemSchema } from './jobs'
import { PhotoTagSchema, TagCountSchema } from './tags'

/**
 * The photo library: adding files and folders, the grid's pages, a photo's predictions, the suggestion
 * threshold, sidecars and export.
 */

/** A verdict as the library stored it: results recorded before verdicts are known, with no score. */
export const StoredVerdictSchema = z.object({
  unknown: z.boolean(),
  ood: z.number().nullable(),
  source: z.enum(['profile', 'energy']).nullable(),
})
export type StoredVerdictItem = z.infer<typeof StoredVerdictSchema>

/** One model's verdict on a photo of the grid, with its closest class (a hint, never a tag). */
export const PhotoVerdictSchema = StoredVerdictSchema.extend({
  modelId: z.string(),
  /** The model's top-1: for an unknown photo, the class it is closest to. */
  closest: z.object({ label: z.string(), p: z.number() }).nullable(),
})
export type PhotoVerdictItem = z.infer<typeof PhotoVerdictSchema>

export const PhotoItemSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  path: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  status: z.enum(['present', 'missing']),
  takenAt: z.string().nullable(),
  thumbUrl: z.string().startsWith('/'),
  photoUrl: z.string().startsWith('/'),
  tags: z.array(PhotoTagSchema),
  /** One per model that classified the photo (not those that failed on it), by model id. */
  verdicts: z.array(PhotoVerdictSchema),
})
export type PhotoItem = z.infer<typeof PhotoItemSchema>

export const PhotoFilterSchema = z.object({
  tagIds: z.array(TagId).max(20).optional(),
  needsReview: z.boolean().optional(),
  status: z.enum(['present', 'missing']).optional(),
  modelId: z.string().max(100).optional(),
  minProbability: z.number().min(0).max(1).optional(),
  maxProbability: z.number().min(0).max(1).optional(),
  tagQuery: z.string().max(200).optional(),
  /** 'unknown': photos the model (`modelId`; without it, any model) found to be none of its classes. */
  verdict: z.enum(['unknown', 'known']).optional(),
})
export type PhotoFilterInput = z.infer<typeof PhotoFilterSchema>

export const IngestReportSchema = z.object({
  added: z.number().int(),
  moved: z.number().int(),
  updated: z.number().int(),
  restored: z.number().int(),
  unchanged: z.number().int(),
  missing: z.number().int(),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  photoIds: z.array(z.number().int()),
  cancelled: z.boolean(),
})
export type IngestReportResult = z.infer<typeof IngestReportSchema>

export const LibraryProgressSchema = z.object({
  phase: z.enum(['scanning', 'done']),
  found: z.number().int(),
  done: z.number().int(),
})

export const libraryChannels = {
  /** Adds dropped files and folders (paths from the preload's pathForFile) to the photo library. */
  'library:addPaths': {
    input: z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000) }),
    output: IngestReportSchema,
  },
  /** Opens the folder dialog and adds what the person picks; null when cancelled. */
  'library:pickFolders': { input: NoInput, output: IngestReportSchema.nullable() },
  'library:photos': {
    input: z.object({
      filter: PhotoFilterSchema.default({}),
      after: z.number().int().nullable().optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    output: z.object({
      photos: z.array(PhotoItemSchema),
      nextAfter: z.number().int().nullable(),
      total: z.number().int(),
    }),
  },
  'library:photo': {
    input: z.object({ id: PhotoId }),
    output: z.object({
      photo: PhotoItemSchema,
      predictions: z.array(
        z.object({
          modelId: z.string(),
          top: z.array(z.object({ rank: z.number().int(), index: z.number().int(), label: z.string(), p: z.number() })),
          /** Whether the photo is one of the model's classes: an unknown photo's top is only the closest. */
          verdict: StoredVerdictSchema,
          /** The hierarchy levels the model gave, most specific first. */
          levels: z.array(LevelScoreSchema),
        }),
      ),
    }),
  },
  /**
   * Classifies the library's photos the model (default: the active one) has no result for, as a job on
   * the main process's runner; an unfinished library job of the model is resumed rather than doubled.
   * Progress comes as jobs:progress and jobs:changed.
   */
  'library:classify': { input: z.object({ modelId: z.string().max(100).optional() }), output: JobItemSchema },
  /**
   * How many of the library's photos `library:classify` would take for the model (default: the active one):
   * those it has no result for, and those it classified without the embedding it makes now.
   */
  'library:pendingCount': {
    input: z.object({ modelId: z.string().max(100).optional() }),
    output: z.object({ count: z.number().int().nonnegative() }),
  },
  'library:tags': { input: NoInput, output: z.array(TagCountSchema) },
  'library:searchTags': { input: z.object({ query: z.string().max(200) }), output: z.array(TagCountSchema) },
  'library:threshold': { input: NoInput, output: z.object({ threshold: z.number() }) },
  'library:setThreshold': {
    input: z.object({ threshold: z.number().min(0.01).max(1) }),
    output: z.object({ suggested: z.number().int(), withdrawn: z.number().int() }),
  },
  /** Writes the accepted tags of these photos to XMP sidecars (`photo.jpg.xmp`), merging into existing ones. */
  'library:writeSidecars': {
    input: z.object({ photoIds: PhotoIds }),
    output: z.object({
      written: z.number().int(),
      unchanged: z.number().int(),
      failed: z.array(z.object({ path: z.string(), reason: z.string() })),
    }),
  },
  /** Asks where to save, then exports every photo's predictions and tags; null when cancelled. */
  'library:export': {
    input: z.object({ format: z.enum(['csv', 'json']) }),
    output: z.object({ path: z.string(), rows: z.number().int() }).nullable(),
  },
} as const

export const libraryEvents = {
  'library:progress': LibraryProgressSchema,
  /** Photos were added or changed: grids and counts should refresh. */
  'library:changed': z.object({ reason: z.enum(['added', 'classified', 'tags']) }),
} as const
