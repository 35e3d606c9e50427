/**
 * What the graph reader tells about an ONNX image classifier. Shapes leave out the batch axis; parameter and MAC
 * figures are for one image.
 *
 * Parameters (`params`): the learnable values the graph stores, counted at each layer that uses them: weights and
 * biases of Conv, Gemm and MatMul (and the bias Add of a MatMul), PRelu slopes, and the scale and shift of
 * normalisation nodes. Batch-norm running means and variances are statistics, not parameters, and are counted
 * apart (`paramBreakdown.normalizationStatistics`); shape constants (Reshape shapes, Slice starts, Pad pads…) are
 * not parameters at all. A graph whose batch norms were folded into the convolutions stores one bias per channel
 * where the framework trained two values (the batch norm's scale and shift), so its `params` is a little lower than
 * the framework's count; `paramsUnfolded` adds one value per conv-bias channel back, which gives the framework's
 * (torchvision's, the paper's) figure for ResNets, whose convolutions have no bias of their own.
 *
 * MACs: multiply-accumulates of convolutions (Cout·Hout·Wout·Cin/groups·kh·kw) and fully connected layers
 * (in·out); pooling, normalisation, activations and additions are not counted (as in torchvision's figures).
 */

/** A convolution or fully connected layer. */
export interface LayerSummary {
  /** The node's name in the graph (may be empty). */
  node: string
  op: string
  /** Output channels (filters) or output features. */
  filters: number
  /** [kh, kw] for convolutions, null for fully connected layers. */
  kernel: [number, number] | null
  /** [sh, sw] for convolutions, null for fully connected layers. */
  stride: [number, number] | null
  groups: number
  params: number
  macs: number
}

export type BlockType = 'basic' | 'bottleneck' | 'other'

/**
 * How a residual block's shortcut reaches its Add: the input itself, a 1×1 projection convolution, or option A of
 * He et al. (subsample with a strided Slice and zero-pad the new channels: no parameters).
 */
export type ShortcutType = 'identity' | 'projection' | 'option-a' | 'other'

export interface ResidualBlock {
  /** Position in the stage, from 0. */
  index: number
  /** 'basic': two 3×3 convs; 'bottleneck': 1×1, 3×3, 1×1 (grouped for ResNeXt, see `groups`). */
  type: BlockType
  /** Groups of the block's 3×3 convolution (32 for ResNeXt-50 32×4d); 1 otherwise. */
  groups: number
  /** The residual branch's convolutions in order (not the shortcut's). */
  convs: LayerSummary[]
  /** Output channels of each branch convolution, e.g. [64, 64, 256]. */
  filters: number[]
  /** Kernel sizes of the branch convolutions, e.g. ['1×1', '3×3', '1×1']. */
  kernels: string[]
  /** Index in `convs` of the convolution that strides (halves the map), or null when none does. */
  strideAt: number | null
  shortcut: ShortcutType
  /** The projection shortcut's convolution, when there is one. */
  shortcutConv: LayerSummary | null
  /** [C, H, W] of the block's input and output. */
  input: number[]
  output: number[]
  /** The tensor the block ends with: its final Relu's output (or the Add's, for pre-activation blocks). */
  outputTensor: string
  params: number
  paramsUnfolded: number
  macs: number
}

export type StageKind = 'stem' | 'pool' | 'residual' | 'global-pool' | 'classifier'

export interface Stage {
  /** torchvision's name: conv1, maxpool, layer1…layer4, avgpool, fc. */
  name: string
  /** The paper's name: conv1, conv2_x…conv5_x, fc; absent for pools. */
  paperName?: string
  kind: StageKind
  /** Residual blocks in the stage (0 for the others). */
  blocks: number
  blockType: BlockType | null
  /** Output without the batch axis: [C, H, W]; [C] after the global pool; [classes] for the classifier. */
  output: number[]
  /** The tensor at the stage's end (for a residual stage, its last block's final Relu output). */
  outputTensor: string
  params: number
  paramsUnfolded: number
  macs: number
  /** Weighted layers counted for the depth: stem convolutions, branch convolutions, fully connected layers. */
  layers: number
  /** Convolutions and fully connected layers outside residual blocks (the stem's conv1, the classifier). */
  ownLayers: LayerSummary[]
  residualBlocks: ResidualBlock[]
}

export interface GraphReport {
  irVersion: number
  /** Operator set version of the default ONNX domain. */
  opset: number
  /** Exporter and its version, e.g. "pytorch 2.11.0". */
  producer: string
  input: {
    name: string
    /** As declared in the graph: numbers or symbolic names ("batch"). */
    shape: (number | string)[]
    layout: 'NCHW'
    channels: 3
    /** null when the graph leaves the size dynamic. */
    height: number | null
    width: number | null
  }
  /** True when height or width is dynamic and the shapes below were computed for 224×224. */
  assumedInput: boolean
  /** The input size the shapes, MACs and stages were computed for. */
  analysedSize: { height: number; width: number }
  output: { name: string; shape: (number | string)[]; classes: number }
  classes: number
  params: number
  /** `params` with one more value per conv-bias channel: the count before batch norms were folded (see above). */
  paramsUnfolded: number
  paramBreakdown: {
    weights: number
    biases: number
    /** Learnable scale and shift of normalisation nodes still in the graph. */
    normalization: number
    /** Running means and variances of BatchNormalization nodes (not counted in `params`). */
    normalizationStatistics: number
  }
  macs: number
  /** How batch normalisation appears: as nodes, folded into conv biases, or not at all. */
  batchNorm: 'nodes' | 'folded' | 'none'
  stages: Stage[]
  /** Weighted layers as the paper counts them (conv1 + branch convolutions + fc), or null when no block was found. */
  depth: number | null
  /** e.g. "1 + 16 × 3 + 1"; null with depth. */
  depthFormula: string | null
  /** e.g. "depth 50 = 1 + 16 × 3 + 1: conv1, 16 bottleneck blocks of 3 convolutions, fc (…)". */
  depthExplanation: string | null
  /** e.g. "ResNet-50 v1.5", "ResNeXt-50 32×4d", "ResNet-56 (CIFAR)"; "unknown" when it is not a ResNet. */
  architecture: string
  /** Sorted unique operator types (qualified with their domain outside the default one). */
  operators: string[]
  operatorCounts: Record<string, number>
  /** Facts worth telling: assumptions made, folded batch norms, anything not recognised. */
  notes: string[]
}
