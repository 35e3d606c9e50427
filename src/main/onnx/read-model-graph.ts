import { addCosts, nodeCost, paramsOf, paramsUnfoldedOf, ZERO_COST } from './counting'
import { DataType, decodeModel, type DeclaredDim, type OnnxModel, type OnnxValueInfo } from './protobuf'
import { GraphError } from './errors'
import { checkOperators, operatorsUsed, qualifiedOpType } from './operators'
import { propagateShapes } from './shapes/propagate'
import { analyseStages } from './stages'
import { segmentTrunk } from './trunk'
import type { GraphReport } from './types'

/** The largest input side the app accepts. */
export const MAX_INPUT_SIDE = 1024
/** The size shapes are computed for when the graph leaves height or width dynamic. */
export const ASSUMED_INPUT_SIDE = 224

const dimText = (d: DeclaredDim): string => (d === null ? '?' : String(d))
const shapeText = (shape: readonly DeclaredDim[] | null): string =>
  shape === null ? 'no declared shape' : `shape [${shape.map(dimText).join(', ')}]`

const notClassifier = (message: string) => new GraphError('not-image-classifier', `not an image classifier: ${message}`)

function checkInput(model: OnnxModel): { input: OnnxValueInfo; height: number | null; width: number | null } {
  const inputs = model.graph.inputs
  if (inputs.length !== 1) {
    throw notClassifier(
      `the graph has ${inputs.length} inputs (${inputs.map((i) => `"${i.name}"`).join(', ')}); expected one image input`,
    )
  }
  const input = inputs[0]!
  const shape = input.shape
  const expected = 'expected N×3×H×W (NCHW with 3 colour channels)'
  if (shape === null || shape.length !== 4)
    throw notClassifier(`input "${input.name}" has ${shapeText(shape)}; ${expected}`)
  if (shape[1] !== 3) {
    const nhwc = shape[3] === 3 ? ' (it looks channels-last, NHWC, which is not supported)' : ''
    throw notClassifier(`input "${input.name}" has ${shapeText(shape)}${nhwc}; ${expected}`)
  }
  if (input.elemType !== DataType.FLOAT) {
    throw notClassifier(`input "${input.name}" has element type ${input.elemType}; expected float32 pixels`)
  }
  const side = (d: DeclaredDim): number | null => (typeof d === 'number' && d > 0 ? d : null)
  const height = side(shape[2]!)
  const width = side(shape[3]!)
  if ((height ?? 0) > MAX_INPUT_SIDE || (width ?? 0) > MAX_INPUT_SIDE) {
    throw new GraphError(
      'input-too-large',
      `input "${input.name}" is ${dimText(shape[3]!)}×${dimText(shape[2]!)} (width×height); ` +
        `inputs larger than ${MAX_INPUT_SIDE}×${MAX_INPUT_SIDE} are refused`,
    )
  }
  return { input, height, width }
}

/**
 * Reads an ONNX image classifier: its input and output, parameter and MAC counts, and its stages as found from the
 * graph's topology and shapes (never from node names). Pure: no onnxruntime, no file access. Throws GraphError.
 */
export function readModelGraph(bytes: Uint8Array): GraphReport {
  const model = decodeModel(bytes)
  const { graph } = model
  const { input, height, width } = checkInput(model)
  checkOperators(graph.nodes)

  const analysed = { height: height ?? ASSUMED_INPUT_SIDE, width: width ?? ASSUMED_INPUT_SIDE }
  const infos = propagateShapes(model, input.name, [1, 3, analysed.height, analysed.width])

  const output = graph.outputs[0]
  if (!output) throw notClassifier('the graph has no outputs')
  const outShape = infos.get(output.name)?.shape
  const declaredClasses = output.shape?.length === 2 ? output.shape[1] : undefined
  const classes =
    outShape?.length === 2 ? outShape[1] : typeof declaredClasses === 'number' ? declaredClasses : undefined
  if ((outShape && outShape.length !== 2) || (output.shape && output.shape.length !== 2) || !classes) {
    const shown = output.shape
      ? shapeText(output.shape)
      : outShape
        ? `shape [${outShape.join(', ')}]`
        : 'no known shape'
    throw notClassifier(`output "${output.name}" has ${shown}; expected a class vector N×classes`)
  }

  const producer = new Map<string, number>()
  graph.nodes.forEach((node, i) => node.outputs.forEach((o) => producer.set(o, i)))
  const producerOf = (tensor: string) => {
    const i = producer.get(tensor)
    return i === undefined ? undefined : graph.nodes[i]
  }
  const costs = graph.nodes.map((node) => nodeCost(node, infos, producerOf))
  const total = costs.reduce(addCosts, ZERO_COST)

  const segments = segmentTrunk(graph.nodes, infos, input.name, output.name)
  const analysis = analyseStages(segments, { nodes: graph.nodes, infos, costs, producer })

  const operatorCounts: Record<string, number> = {}
  for (const node of graph.nodes)
    operatorCounts[qualifiedOpType(node)] = (operatorCounts[qualifiedOpType(node)] ?? 0) + 1
  const batchNorm = operatorCounts['BatchNormalization'] ? 'nodes' : total.convBiases > 0 ? 'folded' : 'none'

  const notes: string[] = []
  if (height === null || width === null) {
    notes.push(
      `the input size is dynamic; shapes, MACs and stages were computed for ` + `${analysed.width}×${analysed.height}`,
    )
  }
  if (batchNorm === 'folded') {
    notes.push(
      `batch norms are folded into the convolutions: the graph stores ${paramsOf(total).toLocaleString('en-US')} ` +
        'parameters, with one conv bias per channel where training had a scale and a shift ' +
        `(${paramsUnfoldedOf(total).toLocaleString('en-US')} as trained)`,
    )
  }
  if (batchNorm === 'nodes') {
    notes.push(
      `batch norms are separate nodes: their running means and variances ` +
        `(${total.statistics.toLocaleString('en-US')} values) are statistics, not counted as parameters`,
    )
  }
  notes.push(...analysis.notes)

  return {
    irVersion: model.irVersion,
    opset: model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0,
    producer: [model.producerName, model.producerVersion].filter((s) => s !== '').join(' '),
    input: {
      name: input.name,
      shape: input.shape!.map((d, i) => d ?? (i === 0 ? 'N' : '?')),
      layout: 'NCHW',
      channels: 3,
      height,
      width,
    },
    assumedInput: height === null || width === null,
    analysedSize: analysed,
    output: { name: output.name, shape: (output.shape ?? [1, classes]).map((d) => d ?? '?'), classes },
    classes,
    params: paramsOf(total),
    paramsUnfolded: paramsUnfoldedOf(total),
    paramBreakdown: {
      weights: total.weights,
      biases: total.biases,
      normalization: total.normalization,
      normalizationStatistics: total.statistics,
    },
    macs: total.macs,
    batchNorm,
    stages: analysis.stages,
    depth: analysis.depth,
    depthFormula: analysis.depthFormula,
    depthExplanation: analysis.depthExplanation,
    architecture: analysis.architecture,
    operators: operatorsUsed(graph.nodes),
    operatorCounts,
    notes,
  }
}
