import protobuf from 'protobufjs'
import { GraphError } from './errors'
import { ONNX_SCHEMA } from './onnx-schema'
import {
  toNumber,
  type AttributeMessage,
  type GraphMessage,
  type ModelMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from './proto-messages'

/** ONNX `TensorProto.DataType` values the reader cares about. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  BFLOAT16: 16,
} as const

const FLOAT_TYPES: ReadonlySet<number> = new Set([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16])

export function isFloatType(dataType: number): boolean {
  return FLOAT_TYPES.has(dataType)
}

/** A dimension as declared in the graph: a number, a symbolic name, or unknown. */
export type DeclaredDim = number | string | null

export interface OnnxValueInfo {
  name: string
  /** `TensorProto.DataType` of the elements; 0 when the value is not a tensor or has no type. */
  elemType: number
  /** Declared shape; null when the graph declares none. */
  shape: DeclaredDim[] | null
}

/** An initializer or constant tensor: its shape and type, and (for small integer or float tensors) its values. */
export interface OnnxTensor {
  name: string
  dims: number[]
  dataType: number
  /** Element values, decoded only for small numeric tensors (shape constants, pads, axes…), never for weights. */
  values?: number[]
}

export type OnnxAttribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'tensor'; value: OnnxTensor }
  | { kind: 'other' }

export interface OnnxNode {
  name: string
  opType: string
  /** Operator set domain; '' for the default ONNX domain. */
  domain: string
  inputs: string[]
  outputs: string[]
  attributes: Map<string, OnnxAttribute>
}

export interface OnnxGraph {
  nodes: OnnxNode[]
  initializers: Map<string, OnnxTensor>
  /** Graph inputs that are not initializers (older exporters list initializers as inputs too). */
  inputs: OnnxValueInfo[]
  outputs: OnnxValueInfo[]
  /** Shapes the exporter recorded for intermediate values, if any. */
  valueInfo: Map<string, OnnxValueInfo>
}

export interface OnnxModel {
  irVersion: number
  opsets: { domain: string; version: number }[]
  producerName: string
  producerVersion: string
  graph: OnnxGraph
}

let modelType: protobuf.Type | undefined

/** The protobufjs type of `onnx.ModelProto` (also used by tests to build small models). */
export function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_SCHEMA, { keepCase: true }).root.lookupType('onnx.ModelProto')
  return modelType
}

/**
 * Tensors whose values are decoded: integer tensors up to this many elements (shape constants, axes, pads, Slice
 * starts and ends) and float tensors of a few elements (Resize scales, scalars). Weights and biases never are.
 */
const MAX_DECODED_INTS = 4096
const MAX_DECODED_FLOATS = 8

function readValues(t: TensorMessage, count: number): number[] | undefined {
  const integer = t.data_type === DataType.INT64 || t.data_type === DataType.INT32
  if (count > (integer ? MAX_DECODED_INTS : MAX_DECODED_FLOATS)) return undefined
  const raw = t.raw_data
  if (raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
    const width = { [DataType.INT64]: 8, [DataType.INT32]: 4, [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8 }[t.data_type]
    if (width === undefined || raw.length !== width * count) return undefined
    const values = new Array<number>(count)
    for (let i = 0; i < count; i++) {
      const at = i * width
      values[i] =
        t.data_type === DataType.INT64
          ? Number(view.getBigInt64(at, true))
          : t.data_type === DataType.INT32
            ? view.getInt32(at, true)
            : t.data_type === DataType.FLOAT
              ? view.getFloat32(at, true)
              : view.getFloat64(at, true)
    }
    return values
  }
  if (t.data_type === DataType.INT64 && t.int64_data.length === count) return t.int64_data.map(toNumber)
  if (t.int32_data.length === count) return [...t.int32_data]
  return undefined
}

function convertTensor(t: TensorMessage): OnnxTensor {
  const dims = t.dims.map(toNumber)
  const count = dims.reduce((a, b) => a * b, 1)
  const tensor: OnnxTensor = { name: t.name, dims, dataType: t.data_type }
  const values = readValues(t, count)
  if (values !== undefined) tensor.values = values
  return tensor
}

const utf8 = new TextDecoder()

/** AttributeProto.AttributeType, guessed from the fields present for IR version 1 files that lack it. */
function attributeType(a: AttributeMessage): number {
  if (a.type !== 0) return a.type
  if (a.ints.length > 0) return 7
  if (a.floats.length > 0) return 6
  if (a.t) return 4
  if (a.s.length > 0) return 3
  return 0
}

function convertAttribute(a: AttributeMessage): OnnxAttribute {
  // AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7.
  switch (attributeType(a)) {
    case 1:
      return { kind: 'float', value: a.f }
    case 2:
      return { kind: 'int', value: toNumber(a.i) }
    case 3:
      return { kind: 'string', value: utf8.decode(a.s) }
    case 4:
      return a.t ? { kind: 'tensor', value: convertTensor(a.t) } : { kind: 'other' }
    case 6:
      return { kind: 'floats', value: [...a.floats] }
    case 7:
      return { kind: 'ints', value: a.ints.map(toNumber) }
    default:
      return { kind: 'other' }
  }
}

function convertValueInfo(v: ValueInfoMessage): OnnxValueInfo {
  const tensor = v.type?.tensor_type
  const dims = tensor?.shape?.dim
  return {
    name: v.name,
    elemType: tensor?.elem_type ?? 0,
    shape: dims
      ? dims.map((d) =>
          d.value === 'dim_value' ? toNumber(d.dim_value) : d.value === 'dim_param' ? (d.dim_param ?? null) : null,
        )
      : null,
  }
}

function convertGraph(g: GraphMessage): OnnxGraph {
  const initializers = new Map<string, OnnxTensor>()
  for (const t of g.initializer) initializers.set(t.name, convertTensor(t))
  const nodes = g.node.map((n): OnnxNode => ({
    name: n.name,
    opType: n.op_type,
    domain: n.domain === 'ai.onnx' ? '' : n.domain,
    inputs: [...n.input],
    outputs: [...n.output],
    attributes: new Map(n.attribute.map((a) => [a.name, convertAttribute(a)])),
  }))
  return {
    nodes,
    initializers,
    inputs: g.input.filter((v) => !initializers.has(v.name)).map(convertValueInfo),
    outputs: g.output.map(convertValueInfo),
    valueInfo: new Map(g.value_info.map((v) => [v.name, convertValueInfo(v)])),
  }
}

/** A protobuf that starts like a model: field 1 (ir_version) as a small varint. */
function startsLikeOnnx(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x08 && bytes[1]! >= 1 && bytes[1]! <= 32
}

function notOnnx(bytes: Uint8Array, detail: string): GraphError {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    return new GraphError('not-onnx', 'not an ONNX model: the file is gzip-compressed; decompress it first')
  }
  return new GraphError('not-onnx', `not an ONNX model: ${detail}`)
}

/**
 * Decodes an ONNX file. Weight data is not copied or converted: protobufjs hands `raw_data` out as views into
 * `bytes`, and only the shapes (plus the values of small constant tensors) are read.
 */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  if (bytes.length === 0) throw new GraphError('not-onnx', 'not an ONNX model: the file is empty')
  let message: ModelMessage
  try {
    message = modelProtoType().decode(bytes) as unknown as ModelMessage
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    if (startsLikeOnnx(bytes)) {
      const why =
        error instanceof RangeError
          ? `the data ends in the middle of the model (after ${bytes.length.toLocaleString('en-US')} bytes)`
          : `the data is not valid protobuf (${detail})`
      throw new GraphError('damaged', `truncated or damaged ONNX file: ${why}`)
    }
    throw notOnnx(bytes, 'the file does not decode as an ONNX protobuf')
  }
  const irVersion = toNumber(message.ir_version)
  const opsets = message.opset_import.map((o) => ({ domain: o.domain, version: toNumber(o.version) }))
  const graph = message.graph
  if (irVersion < 1 || irVersion > 100 || opsets.length === 0 || !graph) {
    if (startsLikeOnnx(bytes) && irVersion >= 1 && irVersion <= 32) {
      throw new GraphError('damaged', 'truncated or damaged ONNX file: the model has no graph or no operator sets')
    }
    throw notOnnx(bytes, 'no ONNX model header (IR version, operator sets and graph) was found')
  }
  if (graph.node.length === 0) throw new GraphError('damaged', 'truncated or damaged ONNX file: the graph has no nodes')
  return {
    irVersion,
    opsets,
    producerName: message.producer_name,
    producerVersion: message.producer_version,
    graph: convertGraph(graph),
  }
}
