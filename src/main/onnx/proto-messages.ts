/**
 * protobufjs' decoded ONNX messages: only the fields `ONNX_SCHEMA` declares, named as in `onnx.proto`. What the
 * graph reader (`protobuf.ts`) and the classifier head's reader decode, before they convert it.
 */

export interface Int64 {
  toNumber(): number
}
export type Int64Field = number | Int64

export interface TensorMessage {
  dims: Int64Field[]
  data_type: number
  int32_data: number[]
  int64_data: Int64Field[]
  name: string
  raw_data: Uint8Array
  data_location: number
  /** Only decoded by the classifier head's reader, which adds the field to the schema (`classifier-head.ts`). */
  float_data?: number[]
}
export interface AttributeMessage {
  name: string
  type: number
  f: number
  i: Int64Field
  s: Uint8Array
  t: TensorMessage | null
  floats: number[]
  ints: Int64Field[]
  strings: Uint8Array[]
}
export interface NodeMessage {
  input: string[]
  output: string[]
  name: string
  op_type: string
  domain: string
  attribute: AttributeMessage[]
}
export interface DimensionMessage {
  dim_value?: Int64Field
  dim_param?: string
  value?: 'dim_value' | 'dim_param'
}
export interface ValueInfoMessage {
  name: string
  type: { tensor_type?: { elem_type: number; shape?: { dim: DimensionMessage[] } | null } | null } | null
}
export interface GraphMessage {
  node: NodeMessage[]
  initializer: TensorMessage[]
  input: ValueInfoMessage[]
  output: ValueInfoMessage[]
  value_info: ValueInfoMessage[]
}
export interface ModelMessage {
  ir_version: Int64Field
  opset_import: { domain: string; version: Int64Field }[]
  producer_name: string
  producer_version: string
  graph: GraphMessage | null
}

/** An int64 field's value (protobufjs gives a Long for values beyond 2^53); 0 when absent. */
export const toNumber = (v: Int64Field | undefined): number =>
  v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber()
