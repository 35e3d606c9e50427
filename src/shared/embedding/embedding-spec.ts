/**
 * A model's embedding: the vector a photo is compared by (similar photos, near-duplicate confirmation) and that
 * learned tags are fitted on. It is made from the model's features (`src/shared/knowledge/features.ts`), which
 * every engine already returns with the logits, in steps that an ONNX graph can also run (so a model saved from
 * learned tags computes the same vector inside the graph: `src/main/onnx/learned-head.ts`).
 *
 * For each block: take the slice [start, end) of the features, log1p it (when `log1p`), subtract `center` and
 * divide by `scale` (when given, per value), multiply by `projection` (when given: float32[(end − start) × dims],
 * row-major), scale the result to unit length and multiply it by `weight`. The blocks are concatenated and the
 * whole vector is scaled to unit length (L2-normalised).
 */
export interface EmbeddingSpec {
  /** Stored embeddings carry it: one made with another version is not comparable and is made again. */
  version: number
  blocks: EmbeddingBlock[]
  /**
   * With views: the leading values that describe the photo itself (its own and its mirror's statistics); the
   * tiles' follow. A learned tag reads the tiles only where cross-validation finds they help (`LearnOptions.parts`):
   * they tell documents and textures apart, and add noise to a subject learned from five photos.
   */
  leadingDims?: number
}

/** The parts a learned tag may read (`LearnOptions.parts`): the photo's own values first, then all. */
export function learningParts(spec: EmbeddingSpec): number[] {
  const all = embeddingDims(spec)
  return spec.leadingDims === undefined ? [all] : [spec.leadingDims, all]
}

export interface EmbeddingBlock {
  /** The slice of the feature vector, [start, end). */
  start: number
  end: number
  log1p: boolean
  /** float32[end − start]: subtracted from each value (after log1p). */
  center?: Float32Array
  /** float32[end − start]: each value is divided by it (after centring). */
  scale?: Float32Array
  /** float32[(end − start) × dims], row-major: the block's values times this matrix (after scaling). */
  projection?: Float32Array
  weight: number
}

/** Values a block contributes to the embedding. */
export function blockDims(block: EmbeddingBlock): number {
  const length = block.end - block.start
  return block.projection ? block.projection.length / length : length
}

/** Values of an embedding made with `spec`. */
export function embeddingDims(spec: EmbeddingSpec): number {
  return spec.blocks.reduce((sum, block) => sum + blockDims(block), 0)
}
