import { z } from 'zod'

/**
 * How a decoded photo becomes the model's input tensor.
 * - `square-crop`: crop the largest centred square, resize it to the input size (CIFAR models).
 * - `shorter-side`: scale so the shorter side is `shorterSide`, then centre-crop the input size (ImageNet models).
 */
export const PreprocessingSchema = z.object({
  resize: z.enum(['square-crop', 'shorter-side']),
  shorterSide: z.number().int().positive().optional(),
  interpolation: z.literal('bilinear'),
  colorOrder: z.enum(['RGB', 'BGR']),
  /** Multiplies each 8-bit channel value before mean/std (1/255 maps to [0, 1]). */
  scale: z.number().positive(),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  /**
   * Views of each photo the model is run on besides the photo itself, for a richer embedding from a model with a
   * small input (see `src/shared/preprocess/views.ts`): the photo mirrored, and a `tiles` × `tiles` grid of tiles of
   * the photo resampled to `tiles` times the input size. The logits are the photo's own.
   */
  views: z.object({ flip: z.boolean(), tiles: z.number().int().min(0).max(4) }).optional(),
})
export type Preprocessing = z.infer<typeof PreprocessingSchema>

export const ModelInputSchema = z.object({
  name: z.string().min(1),
  layout: z.literal('NCHW'),
  channels: z.literal(3),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
})
export type ModelInput = z.infer<typeof ModelInputSchema>

/** One stage of the network as the graph reader found it (stem, pool, residual stage, head). */
export const StageSummarySchema = z.object({
  name: z.string(),
  /** The paper's name where it has one (conv1, conv2_x, …). */
  paperName: z.string().optional(),
  kind: z.enum(['stem', 'pool', 'residual', 'global-pool', 'classifier']),
  blocks: z.number().int().nonnegative(),
  /** Output shape without the batch axis: [C, H, W], or [C] after pooling. */
  output: z.array(z.number().int().nonnegative()),
  params: z.number().int().nonnegative(),
  macs: z.number().nonnegative(),
})
export type StageSummary = z.infer<typeof StageSummarySchema>

/** What the graph itself says about a model: read by the importer, shown on the model's card. */
export const GraphSummarySchema = z.object({
  opset: z.number().int().nonnegative(),
  /** e.g. "ResNet-50 v1.5", "ResNet-56 (CIFAR)". */
  architecture: z.string().optional(),
  params: z.number().int().nonnegative(),
  macs: z.number().nonnegative(),
  /** Weighted layers as the paper counts them (ResNet-50: 1 + 16 × 3 + 1). */
  depth: z.number().int().nonnegative().optional(),
  depthFormula: z.string().optional(),
  operators: z.array(z.string()),
  stages: z.array(StageSummarySchema),
  /** True when the input size is dynamic and shapes were computed for an assumed size. */
  assumedInput: z.boolean(),
})
export type GraphSummary = z.infer<typeof GraphSummarySchema>

/** How a model saved from learned tags was made (`npm run teach`, `writeLearnedModel`): its labels are the tags. */
export const LearnedRecordSchema = z.object({
  /** The model whose features the tags were learned on (its input, preprocessing and trunk are kept). */
  baseSha256: z.string().regex(/^[0-9a-f]{64}$/),
  baseName: z.string().optional(),
  /** The embedding definition's version (`EmbeddingSpec.version`). */
  embeddingVersion: z.number().int().nonnegative(),
  /** Per tag, in label order: the photos it was learned from (positives) and the other tags' (negatives). */
  examples: z.array(
    z.object({ tag: z.string(), positives: z.number().int().nonnegative(), negatives: z.number().int().nonnegative() }),
  ),
  /** When it was learned (ISO 8601). */
  date: z.string(),
})
export type LearnedRecord = z.infer<typeof LearnedRecordSchema>

export const ModelCardSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  name: z.string().min(1),
  architecture: z.string(),
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.string(),
  params: z.number().int().nonnegative().optional(),
  input: ModelInputSchema,
  output: z.object({ name: z.string().min(1), classes: z.number().int().positive() }),
  labels: z.array(z.string()),
  preprocessing: PreprocessingSchema,
  metrics: z.record(z.string(), z.number()).default({}),
  /** Which built-in label list the labels are, if any (`imagenet-1k`, `cifar10`), else where they came from. */
  labelsSource: z.string().optional(),
  graph: GraphSummarySchema.optional(),
  /** Present on a model saved from learned tags. */
  learned: LearnedRecordSchema.optional(),
})
export type ModelCard = z.infer<typeof ModelCardSchema>

export const CIFAR_PREPROCESSING: Preprocessing = {
  resize: 'square-crop',
  interpolation: 'bilinear',
  colorOrder: 'RGB',
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
}

export const IMAGENET_PREPROCESSING: Preprocessing = {
  resize: 'shorter-side',
  shorterSide: 256,
  interpolation: 'bilinear',
  colorOrder: 'RGB',
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
}

/** Parses a card and checks the facts that must agree with each other. */
export function parseModelCard(value: unknown): ModelCard {
  const card = ModelCardSchema.parse(value)
  if (card.labels.length !== card.output.classes) {
    throw new Error(
      `Model card "${card.id}" lists ${card.labels.length} labels for ${card.output.classes} output classes.`,
    )
  }
  if (card.preprocessing.resize === 'shorter-side') {
    const side = card.preprocessing.shorterSide
    if (side === undefined || side < Math.max(card.input.height, card.input.width)) {
      throw new Error(`Model card "${card.id}": shorterSide must be at least the input size.`)
    }
  }
  return card
}
