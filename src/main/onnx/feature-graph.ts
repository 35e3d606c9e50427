import {
  FEATURES_OUTPUT,
  featureLength,
  layoutWithViews,
  stageFeatureLength,
  stageOffset,
  type FeatureLayout,
} from '../../shared/knowledge/features'
import type { Views } from '../../shared/preprocess/views'
import { readModelGraph } from './read-model-graph'
import type { GraphReport } from './types'
import { appendToGraph, stageTaps } from './taps'

export { FEATURES_OUTPUT }

/** Changes whenever the spliced graph does: cached features copies are named by it, so an old copy is never used. */
export const FEATURE_GRAPH_VERSION = 3

const PREFIX = FEATURES_OUTPUT

/**
 * The stages the features describe, in the order of their values (see `src/shared/knowledge/features.ts`), and
 * for a model run on views (`src/shared/preprocess/views.ts`) what the views add.
 */
export function featureLayout(report: GraphReport, views?: Views): FeatureLayout {
  return layoutWithViews(
    stageTaps(report).map((tap) => ({ name: tap.name, channels: tap.shape[0]! })),
    views,
  )
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
export function addFeatureOutputs(
  model: Uint8Array,
  report: GraphReport = readModelGraph(model),
  views?: Views,
): FeatureModel {
  const layout = featureLayout(report, views)
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
  if (layout.views) {
    concatTree(pieces, node, `${PREFIX}/rows`)
    foldViews(`${PREFIX}/rows`, layout, report.opset, node)
  } else {
    concatTree(pieces, node, FEATURES_OUTPUT)
  }
  return {
    model: appendToGraph(model, { node, output: [{ name: FEATURES_OUTPUT, type: { tensor_type: { elem_type: 1 } } }] }),
    layout,
  }
}

/**
 * From the statistics of every view ([N × V, F, 1, 1], a photo's views in a row) to each photo's features
 * ([N, featureLength, 1, 1]): its own statistics, the average with its mirror, the tiles' average over the first
 * `tileStages` stages. Only Reshape, Slice, Add, Mul and Concat, with Constant nodes (so that a graph built on this
 * one, like a saved learned model, copies them with the nodes).
 */
function foldViews(rows: string, layout: FeatureLayout, opset: number, node: Record<string, unknown>[]): void {
  const views = layout.views!
  const own = stageFeatureLength(layout)
  const count = 1 + (views.flip ? 1 : 0) + views.tiles * views.tiles
  const name = (what: string) => `${PREFIX}/views/${what}`
  const add = (op_type: string, input: string[], output: string, attribute?: unknown[]) => {
    node.push({ op_type, input, output: [output], name: output, ...(attribute && { attribute }) })
    return output
  }
  const constant = (what: string, dataType: 1 | 7, values: number[], dims: number[] = [values.length]) =>
    add('Constant', [], name(what), [
      {
        name: 'value',
        type: 4,
        t: {
          dims,
          data_type: dataType,
          ...(dataType === 1 ? { raw_data: floatBytes(values) } : { int64_data: values }),
        },
      },
    ])
  const slice = (what: string, input: string, axis: number, start: number, end: number) =>
    opset >= 10
      ? add(
          'Slice',
          [
            input,
            constant(`${what}/starts`, 7, [start]),
            constant(`${what}/ends`, 7, [end]),
            constant(`${what}/axes`, 7, [axis]),
          ],
          name(what),
        )
      : add('Slice', [input], name(what), [
          { name: 'starts', type: 7, ints: [start] },
          { name: 'ends', type: 7, ints: [end] },
          { name: 'axes', type: 7, ints: [axis] },
        ])
  const average = (what: string, inputs: string[]) => {
    let sum = inputs[0]!
    inputs.slice(1).forEach((input, i) => (sum = add('Add', [sum, input], name(`${what}/sum${i}`))))
    return inputs.length === 1
      ? sum
      : add('Mul', [sum, constant(`${what}/scale`, 1, [1 / inputs.length], [])], name(what))
  }
  const grouped = add('Reshape', [rows, constant('grouped/shape', 7, [-1, count, own])], name('grouped'))
  const view = (i: number) => slice(`view${i}`, grouped, 1, i, i + 1)
  const parts = [view(0)]
  if (views.flip) parts.push(average('pair', [parts[0]!, view(1)]))
  if (views.tiles > 0) {
    const first = views.flip ? 2 : 1
    const tiles = Array.from({ length: views.tiles * views.tiles }, (_, i) => view(first + i))
    parts.push(slice('tiles/stages', average('tiles', tiles), 2, 0, stageOffset(layout, views.tileStages)))
  }
  const joined = add('Concat', parts, name('joined'), [{ name: 'axis', type: 2, i: 2 }])
  add('Reshape', [joined, constant('output/shape', 7, [-1, featureLength(layout), 1, 1])], FEATURES_OUTPUT)
}

/**
 * WebGPU binds each input and the output of a kernel as a storage buffer, 8 at most per shader by default: a
 * Concat of more than 7 inputs is refused by the GPU (and Chromium then returns zeros instead of failing). The
 * pieces are joined in groups of at most 7, then the groups, until one output remains; the values are the same.
 */
const MAX_CONCAT_INPUTS = 7

function concatTree(pieces: readonly string[], node: Record<string, unknown>[], output: string): void {
  let level = [...pieces]
  for (let depth = 0; ; depth++) {
    const last = level.length <= MAX_CONCAT_INPUTS
    const next: string[] = []
    for (let i = 0; i < level.length; i += MAX_CONCAT_INPUTS) {
      const name = last ? output : `${PREFIX}/concat/${depth}/${i / MAX_CONCAT_INPUTS}`
      node.push({
        op_type: 'Concat',
        input: level.slice(i, i + MAX_CONCAT_INPUTS),
        output: [name],
        name,
        attribute: [{ name: 'axis', type: 2, i: 1 }],
      })
      next.push(name)
    }
    if (last) return
    level = next
  }
}

/** float32 values as little-endian bytes (ONNX raw_data). */
function floatBytes(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(4 * values.length)
  const view = new DataView(bytes.buffer)
  values.forEach((v, i) => view.setFloat32(4 * i, v, true))
  return bytes
}
