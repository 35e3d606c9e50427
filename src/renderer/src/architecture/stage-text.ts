import type { BlockDetail, StageDetail } from '../../../shared/ipc/contract'

/** Each stage's colour, in the table, the bars and the Activations panel (by position among the stages). */
const STAGE_COLOURS = [
  'bg-slate-400 dark:bg-slate-500',
  'bg-zinc-300 dark:bg-zinc-600',
  'bg-sky-400 dark:bg-sky-500',
  'bg-indigo-400 dark:bg-indigo-500',
  'bg-violet-500 dark:bg-violet-400',
  'bg-fuchsia-500 dark:bg-fuchsia-400',
  'bg-rose-400 dark:bg-rose-400',
  'bg-amber-400 dark:bg-amber-400',
]

/** A stage's swatch colour by its kind and the order of the residual stages. */
export function stageColour(stage: Pick<StageDetail, 'kind'>, residualIndex: number): string {
  switch (stage.kind) {
    case 'stem':
      return STAGE_COLOURS[0]!
    case 'pool':
    case 'global-pool':
      return STAGE_COLOURS[1]!
    case 'classifier':
      return STAGE_COLOURS[7]!
    default:
      return STAGE_COLOURS[2 + (residualIndex % 5)]!
  }
}

/** The paper's name of a stage (conv1, conv2_x…, "max pool"), and torchvision's (conv1, layer1…). */
export function stageNames(stage: Pick<StageDetail, 'name' | 'paperName' | 'kind'>): { paper: string; torch: string } {
  const paper =
    stage.paperName ?? (stage.kind === 'pool' ? 'max pool' : stage.kind === 'global-pool' ? 'avg pool' : stage.name)
  return { paper, torch: stage.name }
}

function kernelText(kernel: readonly [number, number] | null): string {
  return kernel ? `${kernel[0]}×${kernel[1]}` : ''
}

function strideOf(stride: readonly [number, number] | null): number {
  return stride ? Math.max(stride[0], stride[1]) : 1
}

/** How a stage's map shrinks from the one before: 2 for 112 → 56, 1 when it keeps its size. */
export function shrinkFactor(previous: readonly number[] | undefined, output: readonly number[]): number {
  const before = previous?.[1]
  const after = output[1]
  if (before === undefined || after === undefined || after < 1 || previous!.length < 3) return 1
  return Math.round(before / after)
}

/** What kind of layer or block a stage is: "bottleneck", "basic · 32 groups", "7×7 conv", "max pool". */
export function stageType(stage: StageDetail): string {
  if (stage.kind === 'residual') {
    const groups = stage.residualBlocks[0]?.groups ?? 1
    const type = stage.blockType === 'other' || stage.blockType === null ? 'residual' : stage.blockType
    return groups > 1 ? `${type} · ${groups} groups` : type
  }
  const layer = stage.ownLayers[0]
  if (stage.kind === 'stem') return layer?.kernel ? `${kernelText(layer.kernel)} conv` : 'conv'
  if (stage.kind === 'pool') return 'max pool'
  if (stage.kind === 'global-pool') return 'global average'
  return 'fully connected'
}

/** The filters of a stage's blocks (its first block's: "64, 64, 256"), or of its own layer. */
export function stageFilters(stage: StageDetail): string {
  const first = stage.residualBlocks[0]
  if (first) return first.filters.join(', ')
  const layer = stage.ownLayers[0]
  return layer ? String(layer.filters) : '–'
}

/** The kernels along a block's branch with the strided one marked: "1×1 · 3×3 /2 · 1×1". */
export function blockKernels(block: Pick<BlockDetail, 'kernels' | 'strideAt'>): string {
  return block.kernels.map((k, i) => (i === block.strideAt ? `${k} /2` : k)).join(' · ')
}

/** A block's shortcut, for people: "identity", "projection 1×1, 512, /2", "option A: subsample, zero-pad". */
export function shortcutText(block: BlockDetail): string {
  switch (block.shortcut) {
    case 'identity':
      return 'identity'
    case 'projection': {
      const conv = block.shortcutConv
      if (!conv) return 'projection'
      const stride = strideOf(conv.stride)
      return `projection ${kernelText(conv.kernel)}, ${conv.filters}${stride > 1 ? `, /${stride}` : ''}`
    }
    case 'option-a':
      return 'option A: subsample /2, zero-pad'
    default:
      return 'other'
  }
}

/** Why a block's shortcut is not the identity: the map halves, or the channels change. */
export function shortcutReason(block: BlockDetail): string {
  if (block.shortcut === 'identity') return 'The input is added unchanged: same channels, same map size.'
  const [inC, inH] = block.input
  const [outC, outH] = block.output
  const changes: string[] = []
  if (inH !== undefined && outH !== undefined && inH !== outH) changes.push(`the map halves (${inH} → ${outH})`)
  if (inC !== undefined && outC !== undefined && inC !== outC) changes.push(`the channels change (${inC} → ${outC})`)
  const why = changes.length > 0 ? `Here ${changes.join(' and ')}, so the input cannot be added as it is: ` : ''
  if (block.shortcut === 'option-a') {
    return `${why}option A keeps every 2nd pixel and pads the new channels with zeros (no parameters).`
  }
  return `${why}a 1×1 convolution projects it to the block's output shape.`
}

/**
 * Where a stage halves its map and which of its shortcuts are not the identity:
 * "÷2 at block 1's 3×3 · projection in block 1".
 */
export function stageDownsampling(stage: StageDetail, previous: readonly number[] | undefined): string {
  if (stage.kind === 'residual') {
    const parts: string[] = []
    const strided = stage.residualBlocks.find((b) => b.strideAt !== null)
    if (strided) {
      const kernel = strided.kernels[strided.strideAt!] ?? ''
      parts.push(`÷2 at block\u00a0${strided.index + 1}'s ${kernel}`)
    } else {
      parts.push('no stride')
    }
    const special = stage.residualBlocks.filter((b) => b.shortcut === 'projection' || b.shortcut === 'option-a')
    for (const block of special) {
      parts.push(`${block.shortcut === 'option-a' ? 'option A' : 'projection'} in block\u00a0${block.index + 1}`)
    }
    return parts.join(' · ')
  }
  if (stage.kind === 'stem') {
    const stride = strideOf(stage.ownLayers[0]?.stride ?? null)
    return stride > 1 ? `stride ${stride} (÷${stride})` : 'stride 1'
  }
  if (stage.kind === 'pool') {
    const factor = shrinkFactor(previous, stage.output)
    return factor > 1 ? `stride ${factor} (÷${factor})` : 'stride 1'
  }
  if (stage.kind === 'global-pool') {
    const [, h, w] = previous ?? []
    return h !== undefined && w !== undefined ? `${h}×${w} → 1×1 per channel` : 'each map → one number'
  }
  return ''
}

/** A short line on what a stage does, for the students who come to understand ResNet. */
export function stageRole(stage: StageDetail): string {
  switch (stage.kind) {
    case 'stem':
      return 'The first filters: edges and colours.'
    case 'pool':
      return 'Keeps the strongest answer in each 3×3 window; learns nothing.'
    case 'residual':
      return stage.blockType === 'bottleneck'
        ? 'Each block: 1×1 reduce, 3×3, 1×1 expand ×4, plus the shortcut.'
        : 'Each block: two 3×3 convolutions, plus the shortcut.'
    case 'global-pool':
      return "Each channel's map becomes its mean: the feature vector."
    default:
      return 'One score (logit) per class from the pooled features.'
  }
}
