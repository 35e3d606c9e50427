import protobuf from 'protobufjs'
import type { ClassifierHead } from '../../shared/engine/activations'
import { modelProtoType } from './protobuf'
import { ONNX_SCHEMA } from './onnx-schema'
import { toNumber, type GraphMessage, type NodeMessage, type TensorMessage } from './proto-messages'
import type { GraphReport } from './types'

/** The classifier head, and which stage's map it pools (the map to compute a CAM from). */
export interface ModelClassifierHead extends ClassifierHead {
  /** The stage whose output the head averages, e.g. "layer4" (tap it with `stageTaps`). */
  featureStage: string
  /** That stage's output tensor. */
  featureTensor: string
  /** The node that holds the weights: "Gemm", "MatMul" (+ "Add") or "Conv" (1×1). */
  op: 'Gemm' | 'MatMul' | 'Conv'
}

const FLOAT = 1
const EXTERNAL = 1

let withFloatData: protobuf.Type | undefined
/**
 * `onnx.ModelProto` with `TensorProto.float_data` (field 4, packed float) added. The graph reader's schema skips
 * that field to stay fast on weights; it is only needed here, for the few files that store weights that way.
 */
function modelTypeWithFloatData(): protobuf.Type {
  if (!withFloatData) {
    const root = protobuf.parse(ONNX_SCHEMA, { keepCase: true }).root
    root
      .lookupType('onnx.TensorProto')
      .add(new protobuf.Field('float_data', 4, 'float', 'repeated', undefined, { packed: true }))
    withFloatData = root.lookupType('onnx.ModelProto')
  }
  return withFloatData
}

class NeedsFloatData extends Error {}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** A tensor's values as a fresh Float32Array (raw_data is little-endian by the ONNX specification). */
function floatsOf(t: TensorMessage, what: string): { dims: number[]; values: Float32Array } {
  const dims = t.dims.map(toNumber)
  const count = dims.reduce((a, b) => a * b, 1)
  if (t.data_location === EXTERNAL) {
    throw new Error(
      `The classifier's ${what} ("${t.name}") is stored in an external data file, which is not supported.`,
    )
  }
  if (t.data_type !== FLOAT) {
    throw new Error(
      `The classifier's ${what} ("${t.name}") has element type ${t.data_type}; only float32 is supported.`,
    )
  }
  const raw = t.raw_data
  if (raw.length > 0 || count === 0) {
    if (raw.length !== count * 4) {
      throw new Error(`The classifier's ${what} ("${t.name}") holds ${raw.length} bytes for ${count} floats.`)
    }
    if (isLittleEndian) return { dims, values: new Float32Array(Uint8Array.from(raw).buffer) }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
    return { dims, values: Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true)) }
  }
  if (t.float_data === undefined) throw new NeedsFloatData()
  if (t.float_data.length !== count) {
    throw new Error(`The classifier's ${what} ("${t.name}") holds ${t.float_data.length} values for ${count}.`)
  }
  return { dims, values: Float32Array.from(t.float_data) }
}

const attr = (node: NodeMessage, name: string) => node.attribute.find((a) => a.name === name)
const intAttr = (node: NodeMessage, name: string, fallback: number) => {
  const a = attr(node, name)
  return a ? toNumber(a.i) : fallback
}
const floatAttr = (node: NodeMessage, name: string, fallback: number) => attr(node, name)?.f ?? fallback

/** Ops that pass the class scores (or the pooled features) through unchanged in value, only reshaped. */
const RESHAPES = new Set(['Identity', 'Flatten', 'Reshape', 'Squeeze', 'Dropout'])
/** Ops after the head that the scores may go through (a CAM then explains the scores before them). */
const AFTER_HEAD = new Set([...RESHAPES, 'Softmax', 'LogSoftmax'])
const AVERAGE_POOLS = new Set(['GlobalAveragePool', 'ReduceMean', 'AveragePool'])

function readHead(graph: GraphMessage, report: GraphReport): ModelClassifierHead {
  const producer = new Map<string, NodeMessage>()
  for (const node of graph.node) for (const o of node.output) producer.set(o, node)
  const initializers = new Map(graph.initializer.map((t) => [t.name, t]))

  /** An initializer (or Constant) behind a tensor name, following Identity nodes (how exporters share weights). */
  const constant = (name: string | undefined, what: string): TensorMessage => {
    let current = name ?? ''
    for (let hops = 0; hops < 1000; hops++) {
      const init = initializers.get(current)
      if (init) return init
      const node = producer.get(current)
      if (node?.op_type === 'Identity' && node.input[0] !== undefined) {
        current = node.input[0]
        continue
      }
      const value = node?.op_type === 'Constant' ? attr(node, 'value')?.t : undefined
      if (value) return value
      break
    }
    throw new Error(`The classifier's ${what} ("${name ?? ''}") is computed by the graph, not stored in it.`)
  }
  const back = (tensor: string, through: ReadonlySet<string>): { tensor: string; node: NodeMessage | undefined } => {
    let current = tensor
    let node = producer.get(current)
    while (node && through.has(node.op_type) && node.input[0] !== undefined) {
      current = node.input[0]
      node = producer.get(current)
    }
    return { tensor: current, node }
  }

  const poolStage = report.stages.findIndex((s) => s.kind === 'global-pool')
  const fcStage = report.stages.find((s) => s.kind === 'classifier')
  const feature = poolStage > 0 ? report.stages[poolStage - 1] : undefined
  if (!feature || !fcStage) {
    throw new Error('The graph has no global pool followed by a classifier: a class activation map does not apply.')
  }
  if (fcStage.ownLayers.length !== 1) {
    throw new Error(
      `The classifier after the global pool has ${fcStage.ownLayers.length} weighted layers; ` +
        'a class activation map needs exactly one linear layer.',
    )
  }

  // From the output back to the layer that holds the weights.
  const head = back(report.output.name, AFTER_HEAD).node
  let op: ModelClassifierHead['op']
  let features: string | undefined
  let weights: { dims: number[]; values: Float32Array }
  let bias: { dims: number[]; values: Float32Array } | undefined
  let weightScale = 1
  let biasScale = 1
  let transposed: boolean
  if (head?.op_type === 'Gemm') {
    op = 'Gemm'
    if (intAttr(head, 'transA', 0) !== 0) throw new Error('The classifier Gemm transposes its input; not supported.')
    features = head.input[0]
    weights = floatsOf(constant(head.input[1], 'weights'), 'weights')
    if (head.input[2]) bias = floatsOf(constant(head.input[2], 'bias'), 'bias')
    weightScale = floatAttr(head, 'alpha', 1)
    biasScale = floatAttr(head, 'beta', 1)
    transposed = intAttr(head, 'transB', 0) !== 0 // B is [classes, channels]
  } else if (head?.op_type === 'Add' || head?.op_type === 'MatMul') {
    op = 'MatMul'
    let matmul: NodeMessage | undefined = head
    if (head.op_type === 'Add') {
      const sides = head.input.map((i) => producer.get(i))
      const at = sides.findIndex((n) => n?.op_type === 'MatMul')
      matmul = sides[at]
      if (!matmul) throw new Error('The classifier ends with an Add that does not follow a MatMul; not supported.')
      bias = floatsOf(constant(head.input[1 - at], 'bias'), 'bias')
    }
    features = matmul.input[0]
    weights = floatsOf(constant(matmul.input[1], 'weights'), 'weights')
    transposed = false // MatMul(x, W): W is [channels, classes]
  } else if (head?.op_type === 'Conv') {
    op = 'Conv'
    if (intAttr(head, 'group', 1) !== 1) throw new Error('The classifier convolution is grouped; not supported.')
    features = head.input[0]
    weights = floatsOf(constant(head.input[1], 'weights'), 'weights')
    if (weights.dims.length !== 4 || weights.dims[2] !== 1 || weights.dims[3] !== 1) {
      throw new Error(`The classifier convolution has weights [${weights.dims.join(', ')}]; expected a 1×1 kernel.`)
    }
    weights = { dims: weights.dims.slice(0, 2), values: weights.values }
    if (head.input[2]) bias = floatsOf(constant(head.input[2], 'bias'), 'bias')
    transposed = true // [classes, channels, 1, 1]
  } else {
    throw new Error(`The classifier ends with ${head ? `a ${head.op_type} node` : 'no node'}; expected Gemm or MatMul.`)
  }

  // The head must read the average of the feature stage's map, or its weights do not make a CAM.
  const pool = back(features ?? '', RESHAPES).node
  if (!pool || !AVERAGE_POOLS.has(pool.op_type) || pool.input[0] !== feature.outputTensor) {
    throw new Error(
      `The classifier does not read the average of ${feature.name}'s map (it reads ` +
        `${pool ? `a ${pool.op_type}` : 'no pooled map'}); a class activation map does not apply.`,
    )
  }

  if (weights.dims.length !== 2) throw new Error(`The classifier weights are [${weights.dims.join(', ')}]; not 2-D.`)
  const [rows, cols] = weights.dims as [number, number]
  const classes = transposed ? rows : cols
  const channels = transposed ? cols : rows
  if (classes !== report.classes) {
    throw new Error(`The classifier weights give ${classes} classes; the model outputs ${report.classes}.`)
  }
  if (channels !== feature.output[0]) {
    throw new Error(`The classifier weights read ${channels} channels; ${feature.name} has ${feature.output[0]}.`)
  }
  const w = new Float32Array(classes * channels)
  for (let c = 0; c < classes; c++) {
    for (let k = 0; k < channels; k++) {
      w[c * channels + k] = weightScale * weights.values[transposed ? c * channels + k : k * classes + c]!
    }
  }
  const b = new Float32Array(classes)
  if (bias) {
    const n = bias.values.length
    if (n !== 1 && n !== classes) {
      throw new Error(`The classifier bias has ${n} values for ${classes} classes.`)
    }
    for (let c = 0; c < classes; c++) b[c] = biasScale * bias.values[n === 1 ? 0 : c]!
  }
  return {
    weights: w,
    bias: b,
    classes,
    channels,
    featureStage: feature.name,
    featureTensor: feature.outputTensor,
    op,
  }
}

/**
 * The weights and bias of a classifier's last linear layer (Gemm, respecting transB, alpha and beta; MatMul + Add;
 * or a 1×1 Conv), read from the graph's initializers, following the Identity nodes exporters use to share them.
 * Returned as fresh arrays, weights as classes × channels row-major, so a class activation map can be computed from
 * the last stage's activations alone (see `classActivationMap`). Throws when the head is not one linear layer over a
 * global average pool of the last stage.
 */
export function readClassifierHead(model: Uint8Array, report: GraphReport): ModelClassifierHead {
  const decode = (type: protobuf.Type) => {
    const message = type.decode(model) as unknown as { graph: GraphMessage | null }
    if (!message.graph) throw new Error('The model has no graph.')
    return message.graph
  }
  try {
    return readHead(decode(modelProtoType()), report)
  } catch (error) {
    if (!(error instanceof NeedsFloatData)) throw error
    return readHead(decode(modelTypeWithFloatData()), report)
  }
}
