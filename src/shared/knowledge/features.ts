/**
 * A model's features: what the "unknown" verdict and the knowledge profile measure a photo by.
 *
 * For each tapped stage (`stageTaps` in the main process: the stem, the max pool where there is one, each
 * residual stage; in that order), the mean of each channel over H×W, then each channel's standard deviation
 * over H×W (population, of the post-Relu activation), then each channel's maximum over H×W. The last stage's
 * means are the pooled features: the input of the classifier head. Length 3 × the stages' channels: 384 for
 * ResNet-56 (CIFAR), 11,904 for ResNet-50. (Which of them the score uses is the profile's choice: `fitProfile`.)
 */
/** The extra graph output of a features model (`addFeatureOutputs`): [N, D, 1, 1], D = `featureLength(layout)`. */
export const FEATURES_OUTPUT = 'resnet_lens_features'

export interface FeatureStage {
  /** The stage's name in the graph report: conv1, maxpool, layer1… */
  name: string
  channels: number
}

export interface FeatureLayout {
  stages: FeatureStage[]
  /**
   * For a model run on views of each photo (`src/shared/preprocess/views.ts`): after the photo's own statistics
   * (`stageFeatureLength` values), the same statistics averaged over the photo and its mirror (when `flip`), then
   * those of the first `tileStages` stages averaged over the tiles. The photo's own part is what the knowledge
   * profile and the "unknown" verdict use; the embedding uses the views.
   */
  views?: { flip: boolean; tiles: number; tileStages: number }
}

/**
 * The layout of `stages` for a model run on `views` (a card's `preprocessing.views`): the tiles' statistics are
 * those of every stage but the last (the last sees a tile as a whole picture, which it is not; measured, the tiles'
 * last stage adds nothing to learned tags).
 */
export function layoutWithViews(
  stages: FeatureStage[],
  views: { flip: boolean; tiles: number } | undefined,
): FeatureLayout {
  if (!views || (!views.flip && views.tiles === 0)) return { stages }
  return { stages, views: { flip: views.flip, tiles: views.tiles, tileStages: Math.max(1, stages.length - 1) } }
}

/** Values per channel of each stage: its mean, standard deviation and maximum over H×W. */
export const VALUES_PER_CHANNEL = 3

/** Values per image for a layout, the views' part included. */
export function featureLength(layout: FeatureLayout): number {
  const views = layout.views
  const own = stageFeatureLength(layout)
  if (!views) return own
  return own + (views.flip ? own : 0) + (views.tiles > 0 ? stageOffset(layout, views.tileStages) : 0)
}

/** Values of the photo's own statistics: every stage's, the first part of the features. */
export function stageFeatureLength(layout: Pick<FeatureLayout, 'stages'>): number {
  return VALUES_PER_CHANNEL * layout.stages.reduce((sum, stage) => sum + stage.channels, 0)
}

/** Where the views' parts start: the mirrored average (the photo's own part when no mirror) and the tiles'. */
export function viewOffsets(layout: FeatureLayout): { pair: number; tiles: number } {
  const own = stageFeatureLength(layout)
  const pair = layout.views?.flip ? own : 0
  return { pair, tiles: own + pair }
}

/** Where stage `i`'s means start in the vector (its standard deviations, then its maxima, follow them). */
export function stageOffset(layout: Pick<FeatureLayout, 'stages'>, i: number): number {
  let offset = 0
  for (let s = 0; s < i; s++) offset += VALUES_PER_CHANNEL * layout.stages[s]!.channels
  return offset
}

/**
 * Fills `out` (at `offset`) with one stage's means, standard deviations and maxima from one image's activation
 * (C×H×W, row-major): the definition. The standard deviation is √(mean of squares − mean²), floored at 0. Used where the full activation is at hand (tests, the profile builder's check);
 * the engines compute the same figures inside the graph (see `addFeatureOutputs`).
 */
export function stageStatistics(
  activation: ArrayLike<number>,
  channels: number,
  out: Float32Array,
  offset: number,
): void {
  const area = activation.length / channels
  for (let c = 0; c < channels; c++) {
    let sum = 0
    let squares = 0
    let max = -Infinity
    for (let i = c * area; i < (c + 1) * area; i++) {
      const v = activation[i]!
      sum += v
      squares += v * v
      if (v > max) max = v
    }
    const mean = sum / area
    out[offset + c] = mean
    out[offset + channels + c] = Math.sqrt(Math.max(0, squares / area - mean * mean))
    out[offset + 2 * channels + c] = max
  }
}
