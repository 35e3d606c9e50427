import type { OnnxNode } from './protobuf'
import type { TensorInfos } from './shapes/types'
import type { LayerSummary } from './types'

/** Parameters and multiply-accumulates of one node, for one image. */
export interface NodeCost {
  weights: number
  biases: number
  /** Scale and shift of normalisation nodes. */
  normalization: number
  /** Batch-norm running statistics (not parameters). */
  statistics: number
  /** Bias channels of convolutions: where a folded batch norm stood, the framework had two values per channel. */
  convBiases: number
  macs: number
}

export const ZERO_COST: NodeCost = { weights: 0, biases: 0, normalization: 0, statistics: 0, convBiases: 0, macs: 0 }

export function addCosts(a: NodeCost, b: NodeCost): NodeCost {
  return {
    weights: a.weights + b.weights,
    biases: a.biases + b.biases,
    normalization: a.normalization + b.normalization,
    statistics: a.statistics + b.statistics,
    convBiases: a.convBiases + b.convBiases,
    macs: a.macs + b.macs,
  }
}

export const paramsOf = (c: NodeCost): number => c.weights + c.biases + c.normalization
export const paramsUnfoldedOf = (c: NodeCost): number => paramsOf(c) + c.convBiases

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

const CONVS = new Set(['Conv', 'FusedConv', 'ConvInteger', 'QLinearConv', 'ConvTranspose'])
const DENSE = new Set(['Gemm', 'FusedGemm', 'MatMul', 'FusedMatMul', 'MatMulInteger', 'QLinearMatMul'])

export const isConv = (node: OnnxNode): boolean => CONVS.has(node.opType)
export const isDense = (node: OnnxNode): boolean => DENSE.has(node.opType)

/** Where each operator keeps its weight and bias inputs. */
function weightSlots(node: OnnxNode): { weight: number[]; bias: number[] } {
  switch (node.opType) {
    case 'QLinearConv':
      return { weight: [3], bias: [8] }
    case 'QLinearMatMul':
      return { weight: [0, 3], bias: [] }
    case 'MatMul':
    case 'FusedMatMul':
    case 'MatMulInteger':
      return { weight: [0, 1], bias: [] }
    case 'PRelu':
      return { weight: [1], bias: [] }
    default:
      return CONVS.has(node.opType) || DENSE.has(node.opType) ? { weight: [1], bias: [2] } : { weight: [], bias: [] }
  }
}

/**
 * The node's cost. `producerOf` tells which node made a tensor, to recognise the bias Add that follows a MatMul.
 * Shared tensors are counted at every node that uses them (exporters de-duplicate identical tensors).
 */
export function nodeCost(
  node: OnnxNode,
  infos: TensorInfos,
  producerOf: (tensor: string) => OnnxNode | undefined,
): NodeCost {
  const cost: NodeCost = { ...ZERO_COST }
  /** Element count of a constant input (a stored parameter), else 0. */
  const stored = (i: number): number => {
    const name = node.inputs[i]
    if (!name) return 0
    const info = infos.get(name)
    return info?.constant && info.shape ? numel(info.shape) : 0
  }
  const shapeOf = (name: string | undefined) => (name ? infos.get(name)?.shape : undefined)
  const out = shapeOf(node.outputs[0])

  const slots = weightSlots(node)
  for (const i of slots.weight) cost.weights += stored(i)
  for (const i of slots.bias) cost.biases += stored(i)
  if (CONVS.has(node.opType)) cost.convBiases = slots.bias.reduce((n, i) => n + stored(i), 0)

  switch (node.opType) {
    case 'BatchNormalization':
      cost.normalization = stored(1) + stored(2)
      cost.statistics = stored(3) + stored(4)
      break
    case 'InstanceNormalization':
    case 'LayerNormalization':
      cost.normalization = stored(1) + stored(2)
      break
    case 'Add': {
      // The bias of a fully connected layer exported as MatMul + Add.
      const [a, b] = node.inputs
      const fromMatMul = (name: string | undefined) =>
        name !== undefined && ['MatMul', 'FusedMatMul'].includes(producerOf(name)?.opType ?? '')
      if (fromMatMul(a) && infos.get(b ?? '')?.constant) cost.biases = stored(1)
      else if (fromMatMul(b) && infos.get(a ?? '')?.constant) cost.biases = stored(0)
      break
    }
  }

  if (CONVS.has(node.opType)) {
    const w = shapeOf(node.inputs[node.opType === 'QLinearConv' ? 3 : 1])
    const x = shapeOf(node.inputs[0])
    if (w && out && x) {
      // Per output position, each output channel takes Cin/groups·kh·kw products: numel(W) per position.
      const positions = node.opType === 'ConvTranspose' ? numel(x.slice(2)) : numel(out.slice(2))
      cost.macs = numel(w) * positions * (out[0] ?? 1)
    }
  } else if (DENSE.has(node.opType)) {
    const a = shapeOf(node.inputs[0])
    if (a && out) {
      const transA = node.attributes.get('transA')
      const k = node.opType.endsWith('Gemm') && transA?.kind === 'int' && transA.value ? a[0]! : a.at(-1)!
      cost.macs = numel(out) * k
    }
  }
  return cost
}

/** A convolution or fully connected layer, for the report. */
export function layerSummary(node: OnnxNode, infos: TensorInfos, cost: NodeCost): LayerSummary {
  const out = infos.get(node.outputs[0] ?? '')?.shape
  const conv = CONVS.has(node.opType)
  const ints = (name: string): number[] | undefined => {
    const a = node.attributes.get(name)
    return a?.kind === 'ints' ? a.value : undefined
  }
  const w = infos.get(node.inputs[node.opType === 'QLinearConv' ? 3 : 1] ?? '')?.shape
  const kernel = ints('kernel_shape') ?? w?.slice(2)
  const strides = ints('strides')
  const groupAttr = node.attributes.get('group')
  return {
    node: node.name,
    op: node.opType,
    filters: conv ? (out?.[1] ?? 0) : (out?.at(-1) ?? 0),
    kernel: conv ? [kernel?.[0] ?? 1, kernel?.[1] ?? kernel?.[0] ?? 1] : null,
    stride: conv ? [strides?.[0] ?? 1, strides?.[1] ?? strides?.[0] ?? 1] : null,
    groups: groupAttr?.kind === 'int' ? groupAttr.value : 1,
    params: paramsOf(cost),
    macs: cost.macs,
  }
}
