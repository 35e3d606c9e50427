import { GraphError } from './errors'
import type { OnnxNode } from './protobuf'

/**
 * Default-domain operators whose output has the shape and element type of their first input: activations,
 * normalisation and element-wise functions of one tensor. Shape inference passes the shape through.
 */
const SAME_SHAPE = [
  // activations
  'Relu',
  'LeakyRelu',
  'Elu',
  'Selu',
  'Celu',
  'Gelu',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Softplus',
  'Softsign',
  'Clip',
  'Softmax',
  'LogSoftmax',
  // normalisation and regularisation
  'BatchNormalization',
  'InstanceNormalization',
  'LayerNormalization',
  'LRN',
  'Dropout',
  // element-wise functions of one tensor
  'Identity',
  'Sqrt',
  'Reciprocal',
  'Exp',
  'Log',
  'Abs',
  'Neg',
  'Erf',
  'Floor',
  'Ceil',
  'Round',
  'Not',
  // quantisation
  'QuantizeLinear',
  'DequantizeLinear',
]

/** The same in onnxruntime's own `com.microsoft` domain. */
const MICROSOFT_SAME_SHAPE = [
  'Gelu',
  'BiasGelu',
  'FastGelu',
  'QuickGelu',
  'QLinearSigmoid',
  'QLinearLeakyRelu',
  'QLinearSoftmax',
]

/** Operators of either domain whose output has their first input's shape and element type. */
export const SAME_SHAPE_OPERATORS: ReadonlySet<string> = new Set([...SAME_SHAPE, ...MICROSOFT_SAME_SHAPE])

/**
 * Operators of the default ONNX domain that onnxruntime-web's CPU (WASM) backend runs and that image classifiers
 * use: convolution and pooling, activations, normalisation, element-wise arithmetic, shape plumbing and
 * quantisation. The WASM backend is onnxruntime's CPU provider compiled to WebAssembly, so this list is a subset of
 * what it runs, kept to the operators that make sense in a CNN classifier.
 */
export const SUPPORTED_OPERATORS: ReadonlySet<string> = new Set([
  // convolution, pooling, linear layers
  'Conv',
  'ConvTranspose',
  'ConvInteger',
  'QLinearConv',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'LpPool',
  'Gemm',
  'MatMul',
  'MatMulInteger',
  'QLinearMatMul',
  // activations, normalisation, element-wise functions of one tensor
  ...SAME_SHAPE,
  'PRelu',
  // element-wise arithmetic and comparison
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Sum',
  'Mean',
  'Equal',
  'Less',
  'Greater',
  'Where',
  // reductions
  'ReduceMean',
  'ReduceMax',
  'ReduceMin',
  'ReduceSum',
  'ReduceL2',
  'ArgMax',
  'ArgMin',
  'TopK',
  // shapes and data movement
  'Constant',
  'ConstantOfShape',
  'Shape',
  'Size',
  'Gather',
  'GatherElements',
  'Reshape',
  'Flatten',
  'Squeeze',
  'Unsqueeze',
  'Transpose',
  'Concat',
  'Split',
  'Slice',
  'Pad',
  'Expand',
  'Tile',
  'Range',
  'Cast',
  'CastLike',
  'Resize',
  'Upsample',
  'DepthToSpace',
  'SpaceToDepth',
  // quantisation
  'DynamicQuantizeLinear',
])

/** Operators of onnxruntime's own `com.microsoft` domain that its graph optimiser writes into saved models. */
export const SUPPORTED_MICROSOFT_OPERATORS: ReadonlySet<string> = new Set([
  'FusedConv',
  'FusedGemm',
  'FusedMatMul',
  'QLinearAdd',
  'QLinearMul',
  'QLinearGlobalAveragePool',
  'QLinearAveragePool',
  'QLinearConcat',
  'NhwcMaxPool',
  ...MICROSOFT_SAME_SHAPE,
])

/** `Conv`, or `com.microsoft::FusedConv` for operators outside the default domain. */
export function qualifiedOpType(node: Pick<OnnxNode, 'domain' | 'opType'>): string {
  return node.domain === '' ? node.opType : `${node.domain}::${node.opType}`
}

export function isSupported(node: Pick<OnnxNode, 'domain' | 'opType'>): boolean {
  if (node.domain === '') return SUPPORTED_OPERATORS.has(node.opType)
  if (node.domain === 'com.microsoft') return SUPPORTED_MICROSOFT_OPERATORS.has(node.opType)
  return false
}

/** Sorted unique operator types, qualified with their domain outside the default one. */
export function operatorsUsed(nodes: readonly OnnxNode[]): string[] {
  return [...new Set(nodes.map(qualifiedOpType))].sort()
}

/** Throws a GraphError naming every operator the app cannot run (and one node that uses each). */
export function checkOperators(nodes: readonly OnnxNode[]): void {
  const unsupported = new Map<string, string>()
  for (const node of nodes) {
    if (isSupported(node)) continue
    const op = qualifiedOpType(node)
    if (!unsupported.has(op)) unsupported.set(op, node.name)
  }
  if (unsupported.size === 0) return
  const list = [...unsupported].map(([op, node]) => (node ? `"${op}" (node "${node}")` : `"${op}"`))
  throw new GraphError(
    'unsupported-operator',
    `unsupported operator${list.length > 1 ? 's' : ''} ${list.join(', ')}: ` +
      `onnxruntime-web's CPU backend cannot run ${list.length > 1 ? 'them' : 'it'}`,
  )
}
