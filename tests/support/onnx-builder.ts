import { modelProtoType } from '../../src/main/onnx/protobuf'

const FLOAT = 1

type Dim = number | string

function valueInfo(name: string, dims: Dim[]) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  }
}

export interface TinyGraph {
  input: Dim[]
  output: Dim[]
  /** Nodes as { op, inputs, outputs }; the graph input is "x", the graph output "y". */
  nodes: { op: string; inputs: string[]; outputs: string[]; domain?: string }[]
  opset?: number
}

/** Encodes a tiny ONNX model with the reader's own protobuf schema (for refused-input tests). */
export function buildOnnx(graph: TinyGraph): Uint8Array {
  const type = modelProtoType()
  const message = type.fromObject({
    ir_version: 8,
    producer_name: 'resnet-lens-tests',
    opset_import: [{ domain: '', version: graph.opset ?? 17 }],
    graph: {
      name: 'tiny',
      node: graph.nodes.map((n, i) => ({
        name: `n${i}`,
        op_type: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
      })),
      input: [valueInfo('x', graph.input)],
      output: [valueInfo('y', graph.output)],
    },
  })
  return type.encode(message).finish()
}
