import protobuf from 'protobufjs'
import { blockDims, embeddingDims, type EmbeddingSpec } from '../../shared/embedding/embedding-spec'
import { FEATURES_OUTPUT, featureLength } from '../../shared/knowledge/features'
import type { LearnedHead } from '../../shared/learning/learned-head'
import type { Views } from '../../shared/preprocess/views'
import { addFeatureOutputs } from './feature-graph'
import { modelProtoType } from './protobuf'
import type { GraphMessage, NodeMessage, TensorMessage, ValueInfoMessage } from './proto-messages'
import { readModelGraph } from './read-model-graph'

/**
 * A model saved from learned tags: the base model's trunk, its features (`addFeatureOutputs`), the embedding of
 * `src/shared/embedding/embedding-spec.ts` and the learned head's linear scores, all inside one ONNX graph, so
 * that any engine (and any other ONNX tool) classifies photos by the tags.
 */

/** The saved model's only output: [N, tags], the head's scores W·e + b. */
export const LEARNED_OUTPUT = 'logits'

/** Every tensor, node and initializer the splice adds is named under it. */
const PREFIX = 'resnet_lens_learned'
/** The features tensor inside the saved graph: not `FEATURES_OUTPUT`, which the engines splice in again. */
const FEATURES = `${PREFIX}/features`
/** Below this, a length is taken as 0 (the vector is left at 0 instead of divided by it). */
const NORM_FLOOR = 1e-12
/** See `MAX_CONCAT_INPUTS` in `feature-graph.ts`: WebGPU refuses a Concat of more than 7 inputs. */
const MAX_CONCAT_INPUTS = 7

const FLOAT = 1
const INT64 = 7
const ATTRIBUTE_INT = 2
const ATTRIBUTE_INTS = 7

// GraphProto fields (onnx.proto).
const NODE_FIELD = 1
const INITIALIZER_FIELD = 5
const INPUT_FIELD = 11
const OUTPUT_FIELD = 12
const VALUE_INFO_FIELD = 13
/** ModelProto.graph. */
const GRAPH_FIELD = 7
const LENGTH_DELIMITED = 2

type NodeObject = Record<string, unknown> & { op_type: string; input: string[]; output: string[] }

/**
 * A copy of `baseModel` whose single output `logits` ([N, tags]) holds the head's score of each tag for each photo:
 * the features of the base model (as `addFeatureOutputs` computes them), then for each block of `spec` a Slice,
 * log1p (Add 1, Log), Sub center, Div scale, MatMul projection, division by its L2 length (ReduceL2) and Mul by its
 * weight; the blocks concatenated (in groups of at most 7), the whole divided by its L2 length, and a Gemm with the
 * head's weights and bias. The base model's outputs and the nodes and initializers only they needed (its own
 * classifier head) are removed; the input, the trunk and every byte of the kept parts are unchanged.
 *
 * The nodes that compute a stage's statistics are placed right after the stage's last node, so the graph reader
 * still finds the stages (see `segmentTrunk`). Throws when the spec or the head does not fit the model.
 */
export function spliceLearnedHead(
  baseModel: Uint8Array,
  spec: EmbeddingSpec,
  head: LearnedHead,
  views?: Views,
): Uint8Array {
  const report = readModelGraph(baseModel)
  const features = addFeatureOutputs(baseModel, report, views)
  checkFits(spec, head, featureLength(features.layout))

  const root = modelProtoType().root
  const graphType = root.lookupType('onnx.GraphProto')
  const tensorType = root.lookupType('onnx.TensorProto')
  const valueInfoType = root.lookupType('onnx.ValueInfoProto')

  const base = decodeGraph(baseModel)
  const opset = opsetOf(baseModel)
  const baseNodes = base.node.length
  // The statistics nodes addFeatureOutputs appended, renamed so that they do not clash with a features output
  // spliced into the saved model again (the engines do that to every model they load).
  const rename = (name: string) =>
    name.startsWith(FEATURES_OUTPUT) ? FEATURES + name.slice(FEATURES_OUTPUT.length) : name
  const statistics: NodeObject[] = decodeGraph(features.model)
    .node.slice(baseNodes)
    .map((node) => ({
      ...nodeObject(node),
      input: node.input.map(rename),
      output: node.output.map(rename),
      name: rename(node.name),
    }))

  const built = buildHead(spec, head, opset)
  const extra = [...statistics, ...built.nodes]

  // Which base nodes the new output still needs (the base's own head is dropped).
  const needed = new Set<string>()
  for (let i = extra.length - 1; i >= 0; i--) for (const input of extra[i]!.input) needed.add(input)
  const live = new Array<boolean>(baseNodes).fill(false)
  for (let i = baseNodes - 1; i >= 0; i--) {
    const node = base.node[i]!
    if (!node.output.some((o) => needed.has(o))) continue
    live[i] = true
    for (const input of node.input) needed.add(input)
  }
  const dead = new Set<string>()
  base.node.forEach((node, i) => {
    if (!live[i]) for (const output of node.output) dead.add(output)
  })

  // Each added node goes right after the last node it reads from (a stage's statistics after the stage).
  const producer = new Map<string, number>()
  base.node.forEach((node, i) => {
    if (live[i]) for (const output of node.output) producer.set(output, i)
  })
  const anchored = new Map<number, NodeObject[]>()
  for (const node of extra) {
    const anchor = Math.max(-1, ...node.input.map((input) => producer.get(input) ?? -1))
    for (const output of node.output) producer.set(output, anchor)
    anchored.set(anchor, [...(anchored.get(anchor) ?? []), node])
  }
  const encodeNodes = (nodes: NodeObject[] | undefined): Uint8Array[] =>
    (nodes ?? []).map((node) => graphType.encode(graphType.fromObject({ node: [node] })).finish())

  // The new graph body: the base's fields in their order, less what is gone, the added nodes among them.
  const body: Uint8Array[] = [...encodeNodes(anchored.get(-1))]
  const keptInitializers = new Set<string>()
  let nodeIndex = 0
  const droppedInitializers = new Set<string>()
  const fields = wireFields(graphField(baseModel).body)
  for (const field of fields) {
    if (field.number === INITIALIZER_FIELD) {
      const name = (tensorType.decode(field.value) as unknown as TensorMessage).name
      if (needed.has(name)) keptInitializers.add(name)
      else droppedInitializers.add(name)
    }
  }
  for (const field of fields) {
    switch (field.number) {
      case NODE_FIELD: {
        const i = nodeIndex++
        if (live[i]) body.push(field.bytes, ...encodeNodes(anchored.get(i)))
        break
      }
      case INITIALIZER_FIELD: {
        const name = (tensorType.decode(field.value) as unknown as TensorMessage).name
        if (keptInitializers.has(name)) body.push(field.bytes)
        break
      }
      case INPUT_FIELD: {
        const name = (valueInfoType.decode(field.value) as unknown as ValueInfoMessage).name
        if (!droppedInitializers.has(name)) body.push(field.bytes)
        break
      }
      case OUTPUT_FIELD:
        break
      case VALUE_INFO_FIELD: {
        const name = (valueInfoType.decode(field.value) as unknown as ValueInfoMessage).name
        if (!dead.has(name) && name !== LEARNED_OUTPUT) body.push(field.bytes)
        break
      }
      default:
        body.push(field.bytes)
    }
  }
  if (nodeIndex !== baseNodes) throw new Error('The model graph changed while it was read.')
  const batch = report.input.shape[0]
  body.push(
    graphType
      .encode(
        graphType.fromObject({
          initializer: built.initializers,
          output: [
            {
              name: LEARNED_OUTPUT,
              type: {
                tensor_type: {
                  elem_type: FLOAT,
                  shape: {
                    dim: [
                      typeof batch === 'number' ? { dim_value: batch } : { dim_param: batch ?? 'N' },
                      { dim_value: head.tags.length },
                    ],
                  },
                },
              },
            },
          ],
        }),
      )
      .finish(),
  )
  return replaceGraph(baseModel, concatBytes(body))
}

function checkFits(spec: EmbeddingSpec, head: LearnedHead, length: number): void {
  if (spec.blocks.length === 0) throw new Error('The embedding has no blocks.')
  for (const [i, block] of spec.blocks.entries()) {
    const n = block.end - block.start
    const what = `Embedding block ${i} ([${block.start}, ${block.end}))`
    if (!(block.start >= 0 && n > 0 && block.end <= length)) {
      throw new Error(`${what} does not lie within the model's ${length} feature values.`)
    }
    if (block.center && block.center.length !== n) throw new Error(`${what} has ${block.center.length} centers.`)
    if (block.scale && block.scale.length !== n) throw new Error(`${what} has ${block.scale.length} scales.`)
    if (block.projection && (block.projection.length === 0 || block.projection.length % n !== 0)) {
      throw new Error(`${what} has a projection of ${block.projection.length} values, not a multiple of ${n}.`)
    }
  }
  const dims = embeddingDims(spec)
  const tags = head.tags.length
  if (tags === 0) throw new Error('The learned head has no tags.')
  if (head.dims !== dims) throw new Error(`The learned head reads ${head.dims} values; the embedding has ${dims}.`)
  if (head.weights.length !== tags * dims) {
    throw new Error(`The learned head has ${head.weights.length} weights for ${tags} tags × ${dims} values.`)
  }
  if (head.bias.length !== tags) throw new Error(`The learned head has ${head.bias.length} biases for ${tags} tags.`)
}

/** The embedding and head nodes, reading `FEATURES` ([N, D, 1, 1]) and writing `LEARNED_OUTPUT`. */
function buildHead(
  spec: EmbeddingSpec,
  head: LearnedHead,
  opset: number,
): { nodes: NodeObject[]; initializers: Record<string, unknown>[] } {
  const nodes: NodeObject[] = []
  const initializers: Record<string, unknown>[] = []
  const floats = (name: string, dims: number[], values: ArrayLike<number>): string => {
    const data = Float32Array.from(values)
    initializers.push({
      name,
      dims,
      data_type: FLOAT,
      raw_data: littleEndian(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 4),
    })
    return name
  }
  const ints = (name: string, values: number[]): string => {
    const data = BigInt64Array.from(values.map(BigInt))
    initializers.push({
      name,
      dims: [values.length],
      data_type: INT64,
      raw_data: littleEndian(new Uint8Array(data.buffer), 8),
    })
    return name
  }
  const add = (op_type: string, input: string[], output: string, attribute: Record<string, unknown>[] = []) => {
    nodes.push({ op_type, input, output: [output], name: output, ...(attribute.length > 0 && { attribute }) })
    return output
  }
  const intAttribute = (name: string, i: number) => ({ name, type: ATTRIBUTE_INT, i })
  const intsAttribute = (name: string, values: number[]) => ({ name, type: ATTRIBUTE_INTS, ints: values })
  const one = floats(`${PREFIX}/one`, [], [1])
  const floor = floats(`${PREFIX}/normFloor`, [], [NORM_FLOOR])
  const axis1 = opset >= 18 ? ints(`${PREFIX}/axis1`, [1]) : undefined
  /** x divided by its L2 length along axis 1 (a vector whose length is below NORM_FLOOR is left as ≈ 0). */
  const normalise = (x: string, name: string): string => {
    const norm =
      axis1 !== undefined
        ? add('ReduceL2', [x, axis1], `${name}/norm`, [intAttribute('keepdims', 1)])
        : add('ReduceL2', [x], `${name}/norm`, [intsAttribute('axes', [1]), intAttribute('keepdims', 1)])
    const floored = add('Max', [norm, floor], `${name}/flooredNorm`)
    return add('Div', [x, floored], `${name}/normalised`)
  }

  const flat = add('Flatten', [FEATURES], `${PREFIX}/flat`, [intAttribute('axis', 1)])
  const pieces = spec.blocks.map((block, b) => {
    const name = (what: string) => `${PREFIX}/block${b}/${what}`
    const n = block.end - block.start
    let x: string
    if (opset >= 10) {
      x = add(
        'Slice',
        [flat, ints(name('starts'), [block.start]), ints(name('ends'), [block.end]), ints(name('axes'), [1])],
        name('slice'),
      )
    } else {
      x = add('Slice', [flat], name('slice'), [
        intsAttribute('starts', [block.start]),
        intsAttribute('ends', [block.end]),
        intsAttribute('axes', [1]),
      ])
    }
    if (block.log1p) x = add('Log', [add('Add', [x, one], name('plusOne'))], name('log1p'))
    if (block.center) x = add('Sub', [x, floats(name('center'), [n], block.center)], name('centered'))
    if (block.scale) x = add('Div', [x, floats(name('scale'), [n], block.scale)], name('scaled'))
    if (block.projection) {
      x = add('MatMul', [x, floats(name('projection'), [n, blockDims(block)], block.projection)], name('projected'))
    }
    x = normalise(x, name('unit'))
    return add('Mul', [x, floats(name('weight'), [], [block.weight])], name('weighted'))
  })
  const joined = concatTree(pieces, `${PREFIX}/embedding`, add)
  const embedding = normalise(joined, `${PREFIX}/embedding`)
  const tags = head.tags.length
  add(
    'Gemm',
    [
      embedding,
      floats(`${PREFIX}/head/weights`, [tags, head.dims], head.weights),
      floats(`${PREFIX}/head/bias`, [tags], head.bias),
    ],
    LEARNED_OUTPUT,
    [intAttribute('transB', 1)],
  )
  return { nodes, initializers }
}

/** Concat along axis 1 in groups of at most 7 inputs (see `MAX_CONCAT_INPUTS`); one piece is passed through. */
function concatTree(
  pieces: readonly string[],
  name: string,
  add: (op: string, input: string[], output: string, attribute: Record<string, unknown>[]) => string,
): string {
  let level = [...pieces]
  for (let depth = 0; level.length > 1; depth++) {
    const next: string[] = []
    for (let i = 0; i < level.length; i += MAX_CONCAT_INPUTS) {
      const group = level.slice(i, i + MAX_CONCAT_INPUTS)
      next.push(
        group.length === 1
          ? group[0]!
          : add('Concat', group, `${name}/concat/${depth}/${i / MAX_CONCAT_INPUTS}`, [
              { name: 'axis', type: ATTRIBUTE_INT, i: 1 },
            ]),
      )
    }
    level = next
  }
  return level[0]!
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** A copy of a typed array's bytes in little-endian order (ONNX raw_data). */
function littleEndian(bytes: Uint8Array, width: number): Uint8Array {
  const out = Uint8Array.from(bytes)
  if (!isLittleEndian) for (let i = 0; i < out.length; i += width) out.subarray(i, i + width).reverse()
  return out
}

function nodeObject(node: NodeMessage): NodeObject {
  return {
    input: [...node.input],
    output: [...node.output],
    name: node.name,
    op_type: node.op_type,
    ...(node.domain !== '' && { domain: node.domain }),
    attribute: node.attribute,
  }
}

function decodeGraph(model: Uint8Array): GraphMessage {
  const message = modelProtoType().decode(model) as unknown as { graph: GraphMessage | null }
  if (!message.graph) throw new Error('The model has no graph.')
  return message.graph
}

function opsetOf(model: Uint8Array): number {
  const message = modelProtoType().decode(model) as unknown as {
    opset_import: { domain: string; version: number | { toNumber(): number } }[]
  }
  const entry = message.opset_import.find((o) => o.domain === '' || o.domain === 'ai.onnx')
  const version = entry?.version ?? 1
  return typeof version === 'number' ? version : version.toNumber()
}

interface WireField {
  number: number
  /** The whole field: tag, length and value. */
  bytes: Uint8Array
  /** A length-delimited field's value (empty for other wire types). */
  value: Uint8Array
}

/** The fields of a message body, in order, as views into it. */
function wireFields(body: Uint8Array): WireField[] {
  const reader = protobuf.Reader.create(body)
  const fields: WireField[] = []
  while (reader.pos < reader.len) {
    const start = reader.pos
    const tag = reader.uint32()
    const wire = tag & 7
    let value: Uint8Array = new Uint8Array(0)
    if (wire === LENGTH_DELIMITED) {
      const length = reader.uint32()
      value = body.subarray(reader.pos, reader.pos + length)
      reader.skip(length)
    } else {
      reader.skipType(wire)
    }
    fields.push({ number: tag >>> 3, bytes: body.subarray(start, reader.pos), value })
  }
  return fields
}

/** ModelProto's (last) graph field: where it lies, and its body. */
function graphField(model: Uint8Array): { start: number; end: number; body: Uint8Array } {
  let found: { start: number; end: number; body: Uint8Array } | undefined
  let at = 0
  for (const field of wireFields(model)) {
    if (field.number === GRAPH_FIELD && field.value.length > 0) {
      found = { start: at, end: at + field.bytes.length, body: field.value }
    }
    at += field.bytes.length
  }
  if (!found) throw new Error('The model has no graph.')
  return found
}

/** `model` with its graph field's body replaced by `body` (every other byte kept). */
function replaceGraph(model: Uint8Array, body: Uint8Array): Uint8Array {
  const { start, end } = graphField(model)
  const header = protobuf.Writer.create()
    .uint32((GRAPH_FIELD << 3) | LENGTH_DELIMITED)
    .uint32(body.length)
    .finish()
  return concatBytes([model.subarray(0, start), header, body, model.subarray(end)])
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
