import protobuf from 'protobufjs'
import { modelProtoType } from './protobuf'
import type { GraphReport } from './types'

/**
 * Taps: intermediate tensors of a classifier exposed as extra graph outputs, so that one inference run returns the
 * logits and the activations of every stage (for the architecture and activations view).
 */

/** One stage's activation tensor to tap. */
export interface StageTap {
  /** The stage's name in the report: conv1, maxpool, layer1…layer4. */
  name: string
  /** The tensor at the stage's end (a Relu's output for torchvision ResNets). */
  tensor: string
  /** [C, H, W] without the batch axis, for the report's `analysedSize`. */
  shape: number[]
}

const TAPPED_KINDS: ReadonlySet<string> = new Set(['stem', 'pool', 'residual'])

/**
 * The tensors to tap for a report: the end of each stage before the global pool (the stem's conv1 after its Relu,
 * the max pool, each residual stage's last block after its final Relu), nothing after the global pool.
 *
 * Tapping a Relu's output (and never the Conv output before it) keeps onnxruntime's Conv+Relu (and Conv+Add+Relu)
 * fusions intact: the fused node produces exactly that tensor, so exposing it costs no extra kernel.
 */
export function stageTaps(report: GraphReport): StageTap[] {
  const taps: StageTap[] = []
  const seen = new Set<string>([report.output.name])
  for (const stage of report.stages) {
    if (stage.kind === 'global-pool' || stage.kind === 'classifier') break
    if (!TAPPED_KINDS.has(stage.kind) || stage.outputTensor === '' || stage.output.length !== 3) continue
    if (seen.has(stage.outputTensor)) continue
    seen.add(stage.outputTensor)
    taps.push({ name: stage.name, tensor: stage.outputTensor, shape: [...stage.output] })
  }
  return taps
}

// ---- the few decoded fields addTapOutputs checks ----

interface ValueInfoMessage {
  name: string
  type: { tensor_type?: { elem_type: number } | null } | null
}
interface GraphMessage {
  node: { output: string[] }[]
  output: ValueInfoMessage[]
  value_info: ValueInfoMessage[]
}

const FLOAT = 1
/** ModelProto.graph: field 7, length-delimited. */
const GRAPH_FIELD = 7
const LENGTH_DELIMITED = 2

let graphType: protobuf.Type | undefined
function graphProtoType(): protobuf.Type {
  graphType ??= modelProtoType().lookupType('onnx.GraphProto')
  return graphType
}

/** Where ModelProto's (last) `graph` field lies in the file: its tag, and its message body. */
function findGraphField(model: Uint8Array): { tagStart: number; bodyStart: number; bodyEnd: number } {
  const reader = protobuf.Reader.create(model)
  let found: { tagStart: number; bodyStart: number; bodyEnd: number } | undefined
  while (reader.pos < reader.len) {
    const tagStart = reader.pos
    const tag = reader.uint32()
    const wire = tag & 7
    if (tag >>> 3 === GRAPH_FIELD && wire === LENGTH_DELIMITED) {
      const length = reader.uint32()
      const bodyStart = reader.pos
      reader.skip(length)
      found = { tagStart, bodyStart, bodyEnd: reader.pos }
    } else {
      reader.skipType(wire)
    }
  }
  if (!found) throw new Error('The model has no graph.')
  return found
}

/**
 * A copy of `model` with `tensors` added as extra graph outputs (float, shape left to the runtime), after the
 * existing outputs, which stay first and unchanged. Tensors that already are outputs are not added twice.
 *
 * The file is not re-encoded: the new `output` entries are appended to the graph message on the wire and only the
 * graph's length prefix is rewritten, so every byte of the original (weights, fields the app's schema does not
 * know, such as `float_data`, model functions or metadata) is kept. Throws when a tensor is not produced by a node
 * of the main graph, or when the graph declares it as something other than float.
 */
export function addTapOutputs(model: Uint8Array, tensors: readonly string[]): Uint8Array {
  const message = modelProtoType().decode(model) as unknown as { graph: GraphMessage | null }
  const graph = message.graph
  if (!graph) throw new Error('The model has no graph.')
  const produced = new Set(graph.node.flatMap((n) => n.output))
  const declared = new Map(graph.value_info.map((v) => [v.name, v.type?.tensor_type?.elem_type ?? 0]))
  const names = new Set(graph.output.map((o) => o.name))
  const added: string[] = []
  const unknown: string[] = []
  for (const tensor of tensors) {
    if (names.has(tensor)) continue
    if (!produced.has(tensor)) {
      unknown.push(tensor)
      continue
    }
    const type = declared.get(tensor) ?? 0
    if (type !== 0 && type !== FLOAT) {
      throw new Error(`Cannot tap "${tensor}": the graph declares it with element type ${type}, not float.`)
    }
    names.add(tensor)
    added.push(tensor)
  }
  if (unknown.length > 0) {
    throw new Error(`No node of the graph produces ${unknown.map((t) => `"${t}"`).join(', ')}; cannot tap it.`)
  }
  if (added.length === 0) return model.slice()

  return appendToGraph(model, {
    output: added.map((name) => ({ name, type: { tensor_type: { elem_type: FLOAT } } })),
  })
}

/**
 * A copy of `model` with `fields` (a GraphProto object: `node`, `output`…) appended to its graph on the wire: only
 * the graph's length prefix is rewritten, every other byte of the original is kept. Repeated fields append to the
 * graph's own (nodes after its nodes, outputs after its outputs).
 */
export function appendToGraph(model: Uint8Array, fields: Record<string, unknown>): Uint8Array {
  const type = graphProtoType()
  const extra = type.encode(type.fromObject(fields)).finish()
  const { tagStart, bodyStart, bodyEnd } = findGraphField(model)
  const header = protobuf.Writer.create()
    .uint32((GRAPH_FIELD << 3) | LENGTH_DELIMITED)
    .uint32(bodyEnd - bodyStart + extra.length)
    .finish()
  const out = new Uint8Array(model.length - (bodyStart - tagStart) + header.length + extra.length)
  let at = 0
  const put = (bytes: Uint8Array) => {
    out.set(bytes, at)
    at += bytes.length
  }
  put(model.subarray(0, tagStart))
  put(header)
  put(model.subarray(bodyStart, bodyEnd))
  put(extra)
  put(model.subarray(bodyEnd))
  return out
}
