import {
  addCosts,
  isConv,
  isDense,
  layerSummary,
  paramsOf,
  paramsUnfoldedOf,
  ZERO_COST,
  type NodeCost,
} from './counting'
import type { OnnxNode } from './protobuf'
import type { TensorInfos } from './shapes/types'
import { residualTopology, type BlockTopology, type Segment } from './trunk'
import type { BlockType, LayerSummary, ResidualBlock, Stage, StageKind } from './types'

export interface StageAnalysis {
  stages: Stage[]
  depth: number | null
  depthFormula: string | null
  depthExplanation: string | null
  architecture: string
  notes: string[]
}

export interface AnalysisContext {
  nodes: readonly OnnxNode[]
  infos: TensorInfos
  costs: readonly NodeCost[]
  producer: ReadonlyMap<string, number>
}

/** A run of the trunk: one residual block, or one or more plain layers. */
type Piece =
  | { kind: 'block'; nodes: number[]; input: string; output: string; topology: BlockTopology }
  | { kind: 'layer'; nodes: number[]; input: string; output: string }

const POST_ACTIVATIONS = new Set(['Relu', 'Clip', 'LeakyRelu', 'QLinearLeakyRelu', 'HardSwish', 'Sigmoid'])
const MAX_POOLS = new Set(['MaxPool', 'NhwcMaxPool'])

function piecesOf(segments: readonly Segment[], ctx: AnalysisContext): Piece[] {
  const pieces: Piece[] = []
  for (const segment of segments) {
    const topology = residualTopology(segment, ctx.nodes, ctx.infos, ctx.producer)
    const last = pieces.at(-1)
    const only = segment.nodes.length === 1 ? ctx.nodes[segment.nodes[0]!]! : undefined
    if (topology) {
      pieces.push({ kind: 'block', ...segment, nodes: [...segment.nodes], topology })
    } else if (last?.kind === 'block' && only && POST_ACTIVATIONS.has(only.opType) && last.output === segment.input) {
      // The Relu after the Add belongs to the block (torchvision's BasicBlock/Bottleneck end with it).
      last.nodes.push(...segment.nodes)
      last.output = segment.output
    } else {
      pieces.push({ kind: 'layer', ...segment, nodes: [...segment.nodes] })
    }
  }
  return pieces
}

function isGlobalPool(piece: Piece, ctx: AnalysisContext): boolean {
  if (piece.kind !== 'layer') return false
  return piece.nodes.some((i) => {
    const node = ctx.nodes[i]!
    if (['GlobalAveragePool', 'GlobalMaxPool', 'QLinearGlobalAveragePool'].includes(node.opType)) return true
    if (!['ReduceMean', 'ReduceMax', 'AveragePool'].includes(node.opType)) return false
    const x = ctx.infos.get(node.inputs[0] ?? '')?.shape
    const y = ctx.infos.get(node.outputs[0] ?? '')?.shape
    if (!x || !y || x.length !== 4) return false
    // Pools the whole map: [N, C, H, W] -> [N, C] or [N, C, 1, 1].
    return (y.length === 2 || (y.length === 4 && y[2] === 1 && y[3] === 1)) && x[2]! * x[3]! > 1
  })
}

const isWeighted = (node: OnnxNode): boolean => isConv(node) || isDense(node)

const dimsOf = (ctx: AnalysisContext, tensor: string): number[] => ctx.infos.get(tensor)?.shape?.slice(1) ?? []

function costOf(nodes: readonly number[], ctx: AnalysisContext): NodeCost {
  return nodes.reduce((sum, i) => addCosts(sum, ctx.costs[i]!), ZERO_COST)
}

const kernelText = (l: LayerSummary): string => (l.kernel ? `${l.kernel[0]}×${l.kernel[1]}` : '')

function blockType(kernels: readonly string[]): BlockType {
  if (kernels.join() === '3×3,3×3') return 'basic'
  if (kernels.join() === '1×1,3×3,1×1') return 'bottleneck'
  return 'other'
}

function buildBlock(piece: Extract<Piece, { kind: 'block' }>, pre: number[], index: number, ctx: AnalysisContext) {
  const layer = (i: number) => layerSummary(ctx.nodes[i]!, ctx.infos, ctx.costs[i]!)
  const convs = piece.topology.branch.filter((i) => isConv(ctx.nodes[i]!)).map(layer)
  const kernels = convs.map(kernelText)
  const type = blockType(kernels)
  const strided = convs.findIndex((c) => (c.stride?.[0] ?? 1) > 1 || (c.stride?.[1] ?? 1) > 1)
  const shortcutConv = piece.topology.shortcut.find((i) => isConv(ctx.nodes[i]!))
  const cost = costOf([...pre, ...piece.nodes], ctx)
  const block: ResidualBlock = {
    index,
    type,
    groups: convs.find((c) => kernelText(c) === '3×3')?.groups ?? Math.max(1, ...convs.map((c) => c.groups)),
    convs,
    filters: convs.map((c) => c.filters),
    kernels,
    strideAt: strided >= 0 ? strided : null,
    shortcut: piece.topology.shortcutType,
    shortcutConv: shortcutConv === undefined ? null : layer(shortcutConv),
    input: dimsOf(ctx, piece.input),
    output: dimsOf(ctx, piece.output),
    outputTensor: piece.output,
    params: paramsOf(cost),
    paramsUnfolded: paramsUnfoldedOf(cost),
    macs: cost.macs,
  }
  return block
}

function plainStage(
  name: string,
  paperName: string | undefined,
  kind: StageKind,
  pieces: readonly Piece[],
  ctx: AnalysisContext,
  output: number[],
): Stage {
  const nodes = pieces.flatMap((p) => p.nodes)
  const cost = costOf(nodes, ctx)
  const weighted = nodes.filter((i) => isWeighted(ctx.nodes[i]!))
  return {
    name,
    ...(paperName !== undefined && { paperName }),
    kind,
    blocks: 0,
    blockType: null,
    output,
    outputTensor: pieces.at(-1)?.output ?? '',
    params: paramsOf(cost),
    paramsUnfolded: paramsUnfoldedOf(cost),
    macs: cost.macs,
    layers: kind === 'pool' || kind === 'global-pool' ? 0 : weighted.length,
    ownLayers: weighted.map((i) => layerSummary(ctx.nodes[i]!, ctx.infos, ctx.costs[i]!)),
    residualBlocks: [],
  }
}

function residualStage(
  number: number,
  blocks: ResidualBlock[],
  extra: number[],
  ctx: AnalysisContext,
  outputTensor: string,
): Stage {
  const cost = blocks.reduce(
    (sum, b) => ({ params: sum.params + b.params, unfolded: sum.unfolded + b.paramsUnfolded, macs: sum.macs + b.macs }),
    { params: 0, unfolded: 0, macs: 0 },
  )
  const extraCost = costOf(extra, ctx)
  const types = new Set(blocks.map((b) => b.type))
  return {
    name: `layer${number}`,
    paperName: `conv${number + 1}_x`,
    kind: 'residual',
    blocks: blocks.length,
    blockType: types.size === 1 ? blocks[0]!.type : 'other',
    output: dimsOf(ctx, outputTensor),
    outputTensor,
    params: cost.params + paramsOf(extraCost),
    paramsUnfolded: cost.unfolded + paramsUnfoldedOf(extraCost),
    macs: cost.macs + extraCost.macs,
    layers: blocks.reduce((n, b) => n + b.convs.length, 0),
    ownLayers: [],
    residualBlocks: blocks,
  }
}

/** "ResNet-50 v1.5", "ResNeXt-50 32×4d", "Wide ResNet-50-2", "ResNet-56 (CIFAR)". */
function architectureName(depth: number, blocks: readonly ResidualBlock[], hasMaxPool: boolean, stages: number) {
  const first = blocks[0]!
  const types = new Set(blocks.map((b) => b.type))
  if (types.size !== 1 || first.type === 'other') return `residual network, ${depth} layers`
  if (first.type === 'basic') return hasMaxPool || stages !== 3 ? `ResNet-${depth}` : `ResNet-${depth} (CIFAR)`
  const inner = first.filters[1]!
  const out = first.filters[2]!
  if (first.groups > 1) return `ResNeXt-${depth} ${first.groups}×${inner / first.groups}d`
  const widen = (inner * 4) / out
  if (widen > 1 && Number.isInteger(widen)) return `Wide ResNet-${depth}-${widen}`
  const strided = blocks.find((b) => b.strideAt !== null)
  const version = strided?.strideAt === 1 ? ' v1.5' : strided?.strideAt === 0 ? ' v1' : ''
  return `ResNet-${depth}${version}`
}

/** Finds the stem, the residual stages, the global pool and the classifier from the graph's topology and shapes. */
export function analyseStages(segments: readonly Segment[], ctx: AnalysisContext): StageAnalysis {
  const pieces = piecesOf(segments, ctx)
  const firstBlock = pieces.findIndex((p) => p.kind === 'block')
  const lastBlock = pieces.findLastIndex((p) => p.kind === 'block')
  const poolAt = pieces.findIndex((p, i) => i > lastBlock && isGlobalPool(p, ctx))
  const headFrom = poolAt >= 0 ? poolAt : lastBlock + 1
  const classifierFrom = poolAt >= 0 ? poolAt + 1 : headFrom
  const classifierAt = pieces.findIndex((p, i) => i >= classifierFrom && p.nodes.some((n) => isWeighted(ctx.nodes[n]!)))
  const notes: string[] = []
  const stages: Stage[] = []

  // Stem: conv1 (with its norm and activation), then the max pool as a stage of its own.
  const stem = pieces.slice(0, firstBlock >= 0 ? firstBlock : headFrom)
  const maxPoolAt = stem.findIndex((p) => p.nodes.some((i) => MAX_POOLS.has(ctx.nodes[i]!.opType)))
  const conv1 = maxPoolAt > 0 ? stem.slice(0, maxPoolAt) : stem
  if (conv1.length > 0) stages.push(plainStage('conv1', 'conv1', 'stem', conv1, ctx, dimsOf(ctx, conv1.at(-1)!.output)))
  if (maxPoolAt > 0) {
    const pool = stem.slice(maxPoolAt)
    stages.push(plainStage('maxpool', undefined, 'pool', pool, ctx, dimsOf(ctx, pool.at(-1)!.output)))
  }

  // Residual stages: consecutive blocks with the same output size; a stage ends where the map or channels change.
  const allBlocks: ResidualBlock[] = []
  if (firstBlock >= 0) {
    let current: ResidualBlock[] = []
    let pre: number[] = []
    let number = 1
    for (const piece of pieces.slice(firstBlock, lastBlock + 1)) {
      if (piece.kind === 'layer') {
        pre.push(...piece.nodes) // e.g. a pre-activation net's BN + Relu before a projection block
        continue
      }
      const block = buildBlock(piece, pre, 0, ctx)
      pre = []
      const previous = current.at(-1)
      if (previous && previous.output.join() !== block.output.join()) {
        stages.push(residualStage(number++, current, [], ctx, previous.outputTensor))
        current = []
      }
      block.index = current.length
      current.push(block)
      allBlocks.push(block)
    }
    // Layers between the last block and the global pool (a pre-activation net's final BN + Relu) end the stage.
    const tail = pieces.slice(lastBlock + 1, headFrom)
    stages.push(
      residualStage(
        number,
        current,
        tail.flatMap((p) => p.nodes),
        ctx,
        tail.at(-1)?.output ?? current.at(-1)!.outputTensor,
      ),
    )
  } else {
    notes.push('no residual blocks found: this does not look like a ResNet, so its stages are not split further')
  }

  const outputName = segments.at(-1)?.output ?? ''
  const classes = dimsOf(ctx, outputName)
  if (poolAt >= 0) {
    const pool = pieces.slice(poolAt, classifierAt >= 0 ? classifierAt : pieces.length)
    const channels = dimsOf(ctx, pool.at(-1)!.output)[0]
    stages.push(plainStage('avgpool', undefined, 'global-pool', pool, ctx, channels === undefined ? [] : [channels]))
  }
  const headStart = classifierAt >= 0 ? classifierAt : poolAt < 0 ? headFrom : -1
  if (headStart >= 0 && headStart < pieces.length) {
    stages.push(plainStage('fc', 'fc', 'classifier', pieces.slice(headStart), ctx, classes.slice(-1)))
  }

  if (allBlocks.length === 0) {
    return { stages, depth: null, depthFormula: null, depthExplanation: null, architecture: 'unknown', notes }
  }

  const stemLayers = stages.filter((s) => s.kind === 'stem' || s.kind === 'pool').reduce((n, s) => n + s.layers, 0)
  const fcLayers = stages.filter((s) => s.kind === 'classifier').reduce((n, s) => n + s.layers, 0)
  const residual = stages.filter((s) => s.kind === 'residual')
  const blockLayers = residual.reduce((n, s) => n + s.layers, 0)
  const depth = stemLayers + blockLayers + fcLayers
  const perBlock = new Set(allBlocks.map((b) => b.convs.length))
  const convsPerBlock = allBlocks[0]!.convs.length
  const middle =
    perBlock.size === 1 ? `${allBlocks.length} × ${convsPerBlock}` : residual.map((s) => String(s.layers)).join(' + ')
  const depthFormula = `${stemLayers} + ${middle} + ${fcLayers}`
  const types = new Set(allBlocks.map((b) => b.type))
  const kindText = types.size === 1 && allBlocks[0]!.type !== 'other' ? `${allBlocks[0]!.type} ` : ''
  const blocksText =
    perBlock.size === 1
      ? `${allBlocks.length} ${kindText}blocks of ${convsPerBlock} convolutions`
      : `${allBlocks.length} ${kindText}blocks with ${blockLayers} convolutions`
  const stemText = stemLayers === 1 ? 'conv1' : `${stemLayers} stem convolutions`
  const fcText = fcLayers === 1 ? 'fc' : `${fcLayers} classifier layers`
  const depthExplanation =
    `depth ${depth} = ${depthFormula}: ${stemText}, ${blocksText}, ${fcText} ` +
    '(pooling layers and projection shortcuts are not counted)'

  const hasMaxPool = stages.some((s) => s.kind === 'pool')
  const architecture = architectureName(depth, allBlocks, hasMaxPool, residual.length)
  const shortcuts = new Set(allBlocks.map((b) => b.shortcut))
  if (shortcuts.has('option-a')) {
    notes.push('option-A shortcuts: where the map halves, a strided Slice subsamples and a Pad adds zero channels')
  }
  return { stages, depth, depthFormula, depthExplanation, architecture, notes }
}
