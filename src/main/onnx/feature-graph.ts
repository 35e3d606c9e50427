import { FEATURES_OUTPUT, type FeatureLayout } from '../../shared/knowledge/features'
import { readModelGraph } from './read-model-graph'
import type { GraphReport } from './types'
import { appendToGraph, stageTaps } from './taps'

export { FEATURES_OUTPUT }

/** Changes whenever the spliced graph does: cached features copies are named by it, so an old copy is never used. */
export const FEATURE_GRAPH_VERSION = 2

const PREFIX = FEATURES_OUTPUT

/** The stages the features describe, in the order of their values (see `src/shared/knowledge/features.ts`). */
export function featureLayout(report: GraphReport): FeatureLayout {
  return { stages: stageTaps(report).map((tap) => ({ name: tap.name, channels: tap.shape[0]! })) }
}

export interface FeatureModel {
  /** The model with `FEATURES_OUTPUT` added after its own outputs (its logits are unchanged). */
  model: Uint8Array
  layout: FeatureLayout
}

/**
 * A copy of `model` that also returns its features in the same run: for each tapped stage, the per-channel mean
 * over H×W (GlobalAveragePool), standard deviation (√(mean of squares − mean²): the squares' GlobalAveragePool,
 * less the squared mean, Relu against rounding below 0, then Sqrt) and maximum (GlobalMaxPool), all concatenated
 * into one small output. Three passes over each activation (mean, squares, max), one of them writing a tensor of
 * its size (the squares). Computing them inside the graph keeps each engine's read-back to D values per photo
 * instead of whole activation maps, and reading a stage's final Relu output keeps its fused Conv+Relu intact.
 * Throws when the graph has no stages to describe.
 */
export function addFeatureOutputs(model: Uint8Array, report: GraphReport = readModelGraph(model)): FeatureModel {
  const taps = stageTaps(report)
  if (taps.length === 0) throw new Error('The graph has no stages to take features from.')
  const node: Record<string, unknown>[] = []
  const pieces: string[] = []
  taps.forEach((tap, i) => {
    const name = (what: string) => `${PREFIX}/${i}/${what}`
    const add = (op_type: string, input: string[], output: string) =>
      node.push({ op_type, input, output: [output], name: output })
    add('GlobalAveragePool', [tap.tensor], name('mean'))
    add('Mul', [tap.tensor, tap.tensor], name('squared'))
    add('GlobalAveragePool', [name('squared')], name('meanSquare'))
    add('Mul', [name('mean'), name('mean')], name('squaredMean'))
    add('Sub', [name('meanSquare'), name('squaredMean')], name('difference'))
    add('Relu', [name('difference')], name('variance'))
    add('Sqrt', [name('variance')], name('std'))
    add('GlobalMaxPool', [tap.tensor], name('max'))
    pieces.push(name('mean'), name('std'), name('max'))
  })
  concatTree(pieces, node)
  return {
    model: appendToGraph(model, { node, output: [{ name: FEATURES_OUTPUT, type: { tensor_type: { elem_type: 1 } } }] }),
    layout: featureLayout(report),
  }
}

/**
 * WebGPU binds each input and the output of a kernel as a storage buffer, 8 at most per shader by default: a
 * Concat of more than 7 inputs is refused by the GPU (and Chromium then returns zeros instead of failing). The
 * pieces are joined in groups of at most 7, then the groups, until one output remains; the values are the same.
 */
const MAX_CONCAT_INPUTS = 7

function concatTree(pieces: readonly string[], node: Record<string, unknown>[]): void {
  let level = [...pieces]
  for (let depth = 0; ; depth++) {
    const last = level.length <= MAX_CONCAT_INPUTS
    const next: string[] = []
    for (let i = 0; i < level.length; i += MAX_CONCAT_INPUTS) {
      const output = last ? FEATURES_OUTPUT : `${PREFIX}/concat/${depth}/${i / MAX_CONCAT_INPUTS}`
      node.push({
        op_type: 'Concat',
        input: level.slice(i, i + MAX_CONCAT_INPUTS),
        output: [output],
        name: output,
        attribute: [{ name: 'axis', type: 2, i: 1 }],
      })
      next.push(output)
    }
    if (last) return
    level = next
  }
}
