import { decodeStages, type KnowledgeProfile } from '../knowledge/profile'
import { stageOffset, viewOffsets, type FeatureLayout } from '../knowledge/features'
import { embeddingDims, type EmbeddingBlock, type EmbeddingSpec } from './embedding-spec'

/** The definition of the embedding `embeddingSpecFor` makes: changing it changes every spec's version. */
export const EMBEDDING_VERSION = 1

/**
 * Share of the embedding's squared length that the last stage (the pooled features: what the model's classes are
 * read from) carries; the earlier stages share the rest equally.
 */
export const LAST_STAGE_SHARE = 0.5

/**
 * Weight of each tile block (`src/shared/preprocess/views.ts`) against 1 for the photo's earlier stages. Learned
 * tags do not feel it (`learnHead` standardises each value); similar photos do: the tiles tell kinds of picture
 * apart (print, grain) more than subjects. At 0.5 they carry about a tenth of the squared length.
 */
export const TILE_WEIGHT = 0.5

/**
 * Values an earlier stage may contribute without a profile to reduce it: a stage with more values than this is
 * left out of a model's embedding when there is no profile (a ResNet-50 without a profile gets only its 2,048
 * pooled features).
 */
export const MAX_UNPROJECTED_STAGE_VALUES = 64

/**
 * The embedding of a model: one block per tapped stage, the stage's values that the knowledge profile uses (the
 * means, standard deviations and maxima of the early stages, the means and standard deviations of the middle
 * ones, the last stage's means: the pooled features), each through log1p.
 *
 * With a profile, each block is centred on the profile's centre of the known photos and whitened with the
 * profile's whitening (the inverse Cholesky factor of the shrunk within-class covariance, after the stage's
 * principal subspace where it has one): the projection is `basis · whiteningᵀ`. The last stage is the exception
 * where the profile reduced it to a principal subspace (ImageNet models: 2,048 pooled features reduced to 64):
 * there it keeps all its values, only centred, because similar-photo search among a thousand classes needs them
 * (a ResNet-50 gets 5 × 64 whitened values of the earlier stages and its 2,048 centred pooled features).
 * Without a profile the blocks are only log1p'd (no centre, no whitening), and an earlier stage with more than
 * `MAX_UNPROJECTED_STAGE_VALUES` values is left out.
 *
 * Each block is scaled to unit length; the last stage is weighted so that it carries `LAST_STAGE_SHARE` of the
 * squared length and the earlier stages share the rest equally; then the whole is scaled to unit length.
 *
 * A model run on views (`src/shared/preprocess/views.ts`: a card that asks for them, as the bundled one does) reads
 * these blocks from the photo's statistics averaged with its mirror's, then adds the tiles' blocks of every stage
 * but the last, through the same steps, weighted `TILE_WEIGHT`; `leadingDims` marks where the tiles' part starts.
 *
 * Chosen on the bundled ResNet-56 (CIFAR-10) with `scripts/bench-own-tags.ts`. Learning the tags cifar, photos,
 * documents and textures with `learnHead` from 5 / 20 random photos a tag (balanced accuracy on all the others, 20
 * seeded draws): 0.81 / 0.89 with views (the bundled card asks for them), against 0.69 / 0.78 from the photo alone
 * (`VIEWS=0`) and 0.48 / 0.56 for the nearest class mean on the pooled features. From the photo alone nothing linear
 * did better (whitened or standardised values of all 384 features, raw log1p features, shrinkage LDA, kernel or
 * nearest-neighbour heads: 0.66–0.70 / 0.77–0.80): at 32×32 a page, a texture and a small photo look alike; the tiles
 * of a 64×64 copy tell them apart, and their last stage adds nothing. A subject among CIFAR photos learned from 5
 * (tiles chosen by cross-validation per tag) stays where it was: AUROC 0.965 against 0.971 without the tiles. Similar
 * photos, precision at 10 among the 5,000 CIFAR photos: 0.869 against the raw logits' 0.857 (0.858 against 0.854 with a
 * profile fitted on the other half); the mirror gives most of that (0.858 from the photo alone), and the last stage's
 * share of 1/2 (at 1/4: 0.84) keeps the subject first.
 */
export function embeddingSpecFor(layout: FeatureLayout, profile?: KnowledgeProfile): EmbeddingSpec {
  const stages = profile ? decodeStages(profile) : undefined
  const last = layout.stages.length - 1
  const blocks: EmbeddingBlock[] = []
  // With views, the photo's statistics averaged with its mirror's stand for the photo's own.
  const { pair, tiles } = viewOffsets(layout)
  const blockOf = (i: number, at: number): EmbeddingBlock | undefined => {
    const stage = layout.stages[i]!
    const start = at + stageOffset(layout, i)
    const profiled = stages?.[i]
    const used = profiled ? profiled.dims : usedValues(i, layout.stages.length) * stage.channels
    const end = start + used
    const block: EmbeddingBlock = { start, end, log1p: true, weight: 1 }
    if (profiled) {
      block.center = Float32Array.from(profiled.center)
      if (profiled.basis === undefined) {
        block.projection = transpose(profiled.whitening, profiled.rank, profiled.rank)
      } else if (i !== last) {
        block.projection = basisTimesWhiteningT(profiled.basis, profiled.whitening, profiled.dims, profiled.rank)
      }
    } else if (i !== last && used > MAX_UNPROJECTED_STAGE_VALUES) {
      return undefined
    }
    return block
  }
  layout.stages.forEach((_, i) => {
    const block = blockOf(i, pair)
    if (block) blocks.push(block)
  })
  const earlier = blocks.length - 1
  if (earlier > 0) {
    // Squared weights: the last block LAST_STAGE_SHARE, each earlier one (1 − share) / earlier; scaled so that
    // the earlier blocks keep weight 1.
    blocks[blocks.length - 1]!.weight = Math.sqrt((LAST_STAGE_SHARE / (1 - LAST_STAGE_SHARE)) * earlier)
  }
  const leadingDims = embeddingDims({ version: 0, blocks })
  // The tiles' stages, through the same steps as the photo's, weighted TILE_WEIGHT.
  for (let i = 0; i < (layout.views?.tiles ? layout.views.tileStages : 0); i++) {
    const block = blockOf(i, tiles)
    if (block) blocks.push({ ...block, weight: TILE_WEIGHT })
  }
  const spec: EmbeddingSpec = { version: specVersion(blocks), blocks }
  if (leadingDims < embeddingDims(spec)) spec.leadingDims = leadingDims
  return spec
}

/**
 * A spec's version: a hash (FNV-1a, 31 bits, never 0) of `EMBEDDING_VERSION` and every number of its blocks. Two
 * embeddings are comparable exactly when their specs are equal: a profile built again (another centre and
 * whitening) or a model without its profile gives another version, and the stored embeddings of the old one are
 * not mixed with the new.
 */
function specVersion(blocks: readonly EmbeddingBlock[]): number {
  let hash = 0x811c9dc5
  const mix = (bytes: Uint8Array): void => {
    for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0
  }
  const numbers = (values: ArrayLike<number>): void => mix(new Uint8Array(Float64Array.from(values).buffer))
  numbers([EMBEDDING_VERSION, blocks.length])
  for (const block of blocks) {
    numbers([block.start, block.end, block.log1p ? 1 : 0, block.weight])
    for (const array of [block.center, block.scale, block.projection]) {
      numbers([array?.length ?? -1])
      if (array) mix(new Uint8Array(array.buffer, array.byteOffset, array.byteLength))
    }
  }
  return (hash % 0x7ffffffe) + 1
}

/**
 * Which of a stage's value blocks (means, stds, maxes) the embedding uses without a profile: the rule the
 * profile fit uses (all three for the first half of the stages, means and stds for the others but the last,
 * the means of the last).
 */
function usedValues(i: number, stageCount: number): number {
  if (i === stageCount - 1) return 1
  return i < stageCount / 2 ? 3 : 2
}

/** Mᵀ of a row-major rows × cols matrix, as float32. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!
  return out
}

/** basis (dims × rank) · whiteningᵀ (rank × rank): x · this = whitening · (basisᵀ · x). */
function basisTimesWhiteningT(basis: Float32Array, whitening: Float32Array, dims: number, rank: number): Float32Array {
  const out = new Float32Array(dims * rank)
  for (let d = 0; d < dims; d++) {
    for (let j = 0; j < rank; j++) {
      let sum = 0
      for (let k = 0; k < rank; k++) sum += basis[d * rank + k]! * whitening[j * rank + k]!
      out[d * rank + j] = sum
    }
  }
  return out
}

/** A photo's embedding from its features (see `EmbeddingSpec`): unit length (all zeros if every block was zero). */
export function embed(features: Float32Array, spec: EmbeddingSpec): Float32Array {
  const out = new Float32Array(embeddingDims(spec))
  let at = 0
  let widest = 0
  for (const block of spec.blocks) widest = Math.max(widest, block.end - block.start)
  const values = new Float64Array(widest)
  for (const block of spec.blocks) {
    const length = block.end - block.start
    if (block.end > features.length || block.start < 0 || length <= 0) {
      throw new Error(`Embedding block [${block.start}, ${block.end}) is outside the ${features.length} features.`)
    }
    for (let i = 0; i < length; i++) {
      let v = features[block.start + i]!
      if (block.log1p) v = Math.log1p(v)
      if (block.center) v -= block.center[i]!
      if (block.scale) v /= block.scale[i]!
      values[i] = v
    }
    const dims = block.projection ? block.projection.length / length : length
    const part = new Float64Array(dims)
    if (block.projection) {
      const p = block.projection
      for (let i = 0; i < length; i++) {
        const v = values[i]!
        if (v === 0) continue
        const row = i * dims
        for (let j = 0; j < dims; j++) part[j] = part[j]! + v * p[row + j]!
      }
    } else {
      for (let i = 0; i < length; i++) part[i] = values[i]!
    }
    let norm = 0
    for (let j = 0; j < dims; j++) norm += part[j]! * part[j]!
    const factor = norm > 0 ? block.weight / Math.sqrt(norm) : 0
    for (let j = 0; j < dims; j++) out[at + j] = part[j]! * factor
    at += dims
  }
  let norm = 0
  for (let j = 0; j < out.length; j++) norm += out[j]! * out[j]!
  if (norm > 0) {
    const factor = 1 / Math.sqrt(norm)
    for (let j = 0; j < out.length; j++) out[j] = out[j]! * factor
  }
  return out
}

/** Cosine similarity of two unit-length embeddings: their dot product. */
export function similarity(a: Float32Array, b: Float32Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!
  return sum
}
