import { isConv } from './counting'
import type { OnnxNode } from './protobuf'
import type { TensorInfos } from './shapes/types'
import type { ShortcutType } from './types'

/**
 * A piece of the network between two cut tensors: tensors that every path from the image to the output passes
 * through (a ResNet's stem layers, each block's Add and Relu outputs, the head layers). A residual block is a
 * segment of many nodes whose last node adds two paths; the others are single layers.
 */
export interface Segment {
  /** Indices into the graph's node list, in graph order. */
  nodes: number[]
  /** The cut tensor the segment starts from. */
  input: string
  /** The cut tensor it ends with. */
  output: string
}

export interface BlockTopology {
  /** Nodes of the residual branch (the path with the convolutions). */
  branch: number[]
  /** Nodes of the shortcut path (none for an identity shortcut). */
  shortcut: number[]
  shortcutType: ShortcutType
  /** The node that adds branch and shortcut. */
  add: number
}

/** Node indices whose outputs depend on the image (the rest only compute constants). */
function activationNodes(nodes: readonly OnnxNode[], infos: TensorInfos): number[] {
  const live: number[] = []
  nodes.forEach((node, i) => {
    if (node.outputs.some((o) => o !== '' && infos.get(o)?.constant === false)) live.push(i)
  })
  return live
}

const isActivation = (infos: TensorInfos, name: string): boolean => name !== '' && infos.get(name)?.constant === false

/**
 * Splits the graph at its cut tensors. Walking the nodes in (topological) graph order, the image-dependent tensors
 * still waiting for a consumer form a frontier; wherever it shrinks to one tensor (or one map beside pooled values:
 * `cutOf`), that tensor is a cut.
 */
export function segmentTrunk(
  nodes: readonly OnnxNode[],
  infos: TensorInfos,
  inputName: string,
  outputName: string,
): Segment[] {
  const order = activationNodes(nodes, infos)
  const pending = new Map<string, number>()
  for (const i of order) {
    for (const name of new Set(nodes[i]!.inputs)) {
      if (isActivation(infos, name)) pending.set(name, (pending.get(name) ?? 0) + 1)
    }
  }
  pending.set(outputName, (pending.get(outputName) ?? 0) + 1)

  const frontier = new Set<string>([inputName])
  const segments: Segment[] = []
  let current: number[] = []
  let lastCut = inputName
  for (const i of order) {
    const node = nodes[i]!
    current.push(i)
    for (const name of new Set(node.inputs)) {
      if (!isActivation(infos, name)) continue
      const left = (pending.get(name) ?? 1) - 1
      pending.set(name, left)
      if (left <= 0) frontier.delete(name)
    }
    for (const name of node.outputs) {
      if (isActivation(infos, name) && (pending.get(name) ?? 0) > 0) frontier.add(name)
    }
    const cut = cutOf(frontier, infos)
    if (cut !== undefined) {
      if (cut !== lastCut) {
        segments.push({ nodes: current, input: lastCut, output: cut })
        current = []
        lastCut = cut
      }
    }
  }
  if (current.length > 0) segments.push({ nodes: current, input: lastCut, output: outputName })
  return segments
}

/**
 * The frontier's cut: its only tensor; or, where the rest of it are pooled values (one per channel, [N, C] or
 * [N, C, 1, 1]), its only map. Statistics pooled from earlier stages (a head that reads every stage, as a model
 * saved from learned tags does: `learned-head.ts`) wait on the frontier until the head joins them; they do not
 * make the map that the trunk carries on with any less of a cut.
 */
function cutOf(frontier: ReadonlySet<string>, infos: TensorInfos): string | undefined {
  if (frontier.size === 1) return frontier.values().next().value!
  let map: string | undefined
  for (const name of frontier) {
    const shape = infos.get(name)?.shape
    const pooled = shape?.length === 2 || (shape?.length === 4 && shape[2] === 1 && shape[3] === 1)
    if (pooled) continue
    if (map !== undefined || shape?.length !== 4) return undefined
    map = name
  }
  return map
}

const MERGES = new Set(['Add', 'Sum', 'QLinearAdd'])

/** The residual topology of a segment whose last node adds two image-dependent paths; undefined otherwise. */
export function residualTopology(
  segment: Segment,
  nodes: readonly OnnxNode[],
  infos: TensorInfos,
  producer: ReadonlyMap<string, number>,
): BlockTopology | undefined {
  if (segment.nodes.length < 2) return undefined
  const add = segment.nodes.at(-1)!
  const addNode = nodes[add]!
  if (!MERGES.has(addNode.opType)) return undefined
  const paths = (addNode.opType === 'QLinearAdd' ? [addNode.inputs[0], addNode.inputs[3]] : addNode.inputs).filter(
    (name): name is string => name !== undefined && isActivation(infos, name),
  )
  if (paths.length !== 2) return undefined

  const inSegment = new Set(segment.nodes)
  /** Nodes of the segment that a tensor depends on (stopping at the segment's input). */
  const ancestors = (tensor: string): number[] => {
    const found = new Set<number>()
    const stack = [tensor]
    while (stack.length > 0) {
      const name = stack.pop()!
      if (name === segment.input) continue
      const p = producer.get(name)
      if (p === undefined || !inSegment.has(p) || found.has(p)) continue
      found.add(p)
      for (const i of nodes[p]!.inputs) if (isActivation(infos, i)) stack.push(i)
    }
    return [...found].sort((a, b) => a - b)
  }
  const [a, b] = paths.map(ancestors) as [number[], number[]]
  const convs = (list: number[]) => list.filter((i) => isConv(nodes[i]!)).length
  const aIsBranch = convs(a) !== convs(b) ? convs(a) > convs(b) : a.length >= b.length
  const [branch, shortcut] = aIsBranch ? [a, b] : [b, a]
  if (convs(branch) === 0) return undefined

  let shortcutType: ShortcutType
  const ops = shortcut.map((i) => nodes[i]!.opType)
  if (shortcut.length === 0) shortcutType = 'identity'
  else if (convs(shortcut) > 0) shortcutType = 'projection'
  else if (ops.includes('Pad') || ops.includes('Slice')) shortcutType = 'option-a'
  else shortcutType = 'other'
  return { branch, shortcut, shortcutType, add }
}
