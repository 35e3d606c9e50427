import { z } from 'zod'
import { PhotoId } from './common'

/** A photo's classification as an engine gives it: its top classes, its verdict and its hierarchy levels. */

/** Whether a photo is one of the things a model knows (see `src/shared/knowledge/verdict.ts`), as engines send it. */
export const VerdictSchema = z.object({
  unknown: z.boolean(),
  /** Out-of-distribution score: higher means less like what the model knows. */
  ood: z.number(),
  source: z.enum(['profile', 'energy']),
})

/** A level of the label hierarchy with the summed probability of its classes (`src/shared/knowledge/levels.ts`). */
export const LevelScoreSchema = z.object({
  label: z.string().min(1).max(300),
  path: z.array(z.string().max(300)).min(1).max(64),
  p: z.number().min(0).max(1),
})

export const EmbeddingVectorSchema = z.object({
  version: z.number().int().positive(),
  vector: z
    .instanceof(Float32Array)
    .refine((v) => v.length > 0 && v.length <= 65_536, 'an embedding of 1 to 65,536 values'),
})

const ScoredClassSchema = z.object({
  index: z.number().int().nonnegative(),
  label: z.string(),
  p: z.number().min(0).max(1),
})
export const ClassificationResultSchema = z.union([
  z.object({
    photoId: PhotoId,
    top: z.array(ScoredClassSchema).min(1).max(1000),
    /** Absent: known (an engine from before verdicts). */
    verdict: VerdictSchema.optional(),
    levels: z.array(LevelScoreSchema).max(1000).optional(),
    /** The photo's embedding (see `src/shared/embedding/`), where the engine has the model's features. */
    embedding: EmbeddingVectorSchema.optional(),
  }),
  z.object({ photoId: PhotoId, error: z.string().max(1000) }),
])
