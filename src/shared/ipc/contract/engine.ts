import { z } from 'zod'
import { ENGINE_KINDS } from '../../engine/engine-kind'
import { ClassificationResultSchema } from './classification'
import { ModelIdInput, PhotoId } from './common'

/**
 * The batch engine: which engine batch jobs use for a model, measured on this machine, and the window's
 * part in it (WebGPU runs only in the window: it measures WebGPU and classifies batches when asked).
 */

export const EngineKindSchema = z.enum(ENGINE_KINDS)

/** One engine's figure for a model on this machine: img/s through the model, or why it is not available. */
export const EngineMeasurementSchema = z.object({
  engine: EngineKindSchema,
  imagesPerSecond: z.number().positive().nullable(),
  note: z.string().nullable(),
  measuredAt: z.string(),
})

/** The engine batch jobs use for a model, why, and the figures behind it (none before the first measurement). */
export const EngineChoiceSchema = z.object({
  modelId: z.string(),
  /** The engine asked for in settings; null: the fastest measured. */
  override: EngineKindSchema.nullable(),
  choice: z
    .object({ engine: EngineKindSchema, reason: z.string(), measurements: z.array(EngineMeasurementSchema) })
    .nullable(),
})
export type EngineChoiceView = z.infer<typeof EngineChoiceSchema>

/** The main process asks the window to measure WebGPU for a model (only the renderer has WebGPU). */
export const WebgpuMeasureRequestSchema = z.object({
  requestId: z.number().int().positive(),
  modelId: z.string(),
  modelUrl: z.string().startsWith('/'),
  input: z.object({ height: z.number().int().positive(), width: z.number().int().positive() }),
})

export const engineChannels = {
  /** The engine batch jobs use for a model, from the figures measured so far (nothing is measured). */
  'engine:choice': { input: ModelIdInput, output: EngineChoiceSchema },
  /** Measures every engine for a model on this machine (a few seconds), then chooses. */
  'engine:measure': { input: ModelIdInput, output: EngineChoiceSchema },
  /** The engine for batch jobs from now on; null: the fastest measured. */
  'engine:setOverride': {
    input: z.object({ engine: EngineKindSchema.nullable() }),
    output: z.object({ override: EngineKindSchema.nullable() }),
  },
  /** The window's answer to `engine:classifyBatch`: each photo's result, or why it could not run the batch. */
  'engine:batchResults': {
    input: z.union([
      z.object({ requestId: z.number().int().positive(), results: z.array(ClassificationResultSchema).max(1000) }),
      z.object({ requestId: z.number().int().positive(), error: z.string().max(1000) }),
    ]),
    output: z.object({ accepted: z.boolean() }),
  },
  /** The window's answer to `engine:measureWebgpu`. */
  'engine:webgpuMeasured': {
    input: z.object({
      requestId: z.number().int().positive(),
      imagesPerSecond: z.number().positive().nullable(),
      note: z.string().max(500).nullable(),
    }),
    output: z.object({ accepted: z.boolean() }),
  },
} as const

export const engineEvents = {
  /** Measure WebGPU for this model and answer with `engine:webgpuMeasured`. */
  'engine:measureWebgpu': WebgpuMeasureRequestSchema,
  /** A batch job's photos for the window's engine (WebGPU on a hardware adapter); answer with `engine:batchResults`. */
  'engine:classifyBatch': z.object({
    requestId: z.number().int().positive(),
    modelId: z.string(),
    photos: z.array(z.object({ id: PhotoId, name: z.string(), photoUrl: z.string().startsWith('/') })).max(1000),
  }),
} as const
