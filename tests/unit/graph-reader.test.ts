import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { GraphError, modelProtoType, readModelGraph, type GraphReport, type Stage } from '../../src/main/onnx'
import { sharedPath } from '../support/shared'

/** A fixture's bytes, gunzipped for the .onnx.gz architectures. */
function fixture(...parts: string[]): Uint8Array {
  const bytes = readFileSync(sharedPath('models', ...parts))
  return parts.at(-1)!.endsWith('.gz') ? gunzipSync(bytes) : bytes
}

const within = (actual: number, expected: number, fraction: number) =>
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(expected * fraction)

const stage = (report: GraphReport, name: string): Stage => {
  const found = report.stages.find((s) => s.name === name)
  if (!found) throw new Error(`no stage "${name}" in ${report.stages.map((s) => s.name).join(', ')}`)
  return found
}

// ---------------------------------------------------------------------------------------------------------------
// ImageNet architectures: figures from docs/resnet.md (per-stage params as torchvision counts them, i.e. with batch
// norms; MACs in millions, rounded to 0.1 M) and models/architectures/index.json.

interface ImageNetCase {
  file: string
  opset: number
  depth: number
  formula: string
  architecture: string
  blocks: [number, number, number, number]
  type: 'basic' | 'bottleneck'
  groups: number
  /** Branch filters of each stage's first block. */
  filters: number[][]
  /** Where each stage's first block strides (index in the branch), from layer2 on. */
  strideAt: number
  outChannels: [number, number, number, number]
  totalMacs: number
  /** Per stage [params, MACs in M] from resnet.md; conv1's params exclude its batch norm. */
  stages?: Record<'conv1' | 'layer1' | 'layer2' | 'layer3' | 'layer4' | 'fc', [number, number]>
}

const index = JSON.parse(readFileSync(sharedPath('models', 'architectures', 'index.json'), 'utf8')) as {
  files: Record<string, { params: number; opset: number }>
}

const BASIC_CHANNELS: [number, number, number, number] = [64, 128, 256, 512]
const BOTTLENECK_CHANNELS: [number, number, number, number] = [256, 512, 1024, 2048]
const BOTTLENECK_FILTERS = [
  [64, 64, 256],
  [128, 128, 512],
  [256, 256, 1024],
  [512, 512, 2048],
]
const R50_STAGES: ImageNetCase['stages'] = {
  conv1: [9_408, 118.0],
  layer1: [215_808, 667.9],
  layer2: [1_219_584, 1_027.6],
  layer3: [7_098_368, 1_464.3],
  layer4: [14_964_736, 809.2],
  fc: [2_049_000, 2.0],
}

const IMAGENET: ImageNetCase[] = [
  {
    file: 'resnet18-opset17.onnx.gz',
    opset: 17,
    depth: 18,
    formula: '1 + 8 × 2 + 1',
    architecture: 'ResNet-18',
    blocks: [2, 2, 2, 2],
    type: 'basic',
    groups: 1,
    filters: BASIC_CHANNELS.map((c) => [c, c]),
    strideAt: 0,
    outChannels: BASIC_CHANNELS,
    totalMacs: 1.814e9,
    stages: {
      conv1: [9_408, 118.0],
      layer1: [147_968, 462.4],
      layer2: [525_568, 411.0],
      layer3: [2_099_712, 411.0],
      layer4: [8_393_728, 411.0],
      fc: [513_000, 0.5],
    },
  },
  {
    file: 'resnet34-opset17.onnx.gz',
    opset: 17,
    depth: 34,
    formula: '1 + 16 × 2 + 1',
    architecture: 'ResNet-34',
    blocks: [3, 4, 6, 3],
    type: 'basic',
    groups: 1,
    filters: BASIC_CHANNELS.map((c) => [c, c]),
    strideAt: 0,
    outChannels: BASIC_CHANNELS,
    totalMacs: 3.664e9,
    stages: {
      conv1: [9_408, 118.0],
      layer1: [221_952, 693.6],
      layer2: [1_116_416, 873.5],
      layer3: [6_822_400, 1_335.9],
      layer4: [13_114_368, 642.3],
      fc: [513_000, 0.5],
    },
  },
  {
    file: 'resnet50-opset17.onnx.gz',
    opset: 17,
    depth: 50,
    formula: '1 + 16 × 3 + 1',
    architecture: 'ResNet-50 v1.5',
    blocks: [3, 4, 6, 3],
    type: 'bottleneck',
    groups: 1,
    filters: BOTTLENECK_FILTERS,
    strideAt: 1,
    outChannels: BOTTLENECK_CHANNELS,
    totalMacs: 4.089e9,
    stages: R50_STAGES,
  },
  {
    file: 'resnet50-opset11-batchnorm.onnx.gz',
    opset: 11,
    depth: 50,
    formula: '1 + 16 × 3 + 1',
    architecture: 'ResNet-50 v1.5',
    blocks: [3, 4, 6, 3],
    type: 'bottleneck',
    groups: 1,
    filters: BOTTLENECK_FILTERS,
    strideAt: 1,
    outChannels: BOTTLENECK_CHANNELS,
    totalMacs: 4.089e9,
    stages: R50_STAGES,
  },
  {
    file: 'resnet101-opset17.onnx.gz',
    opset: 17,
    depth: 101,
    formula: '1 + 33 × 3 + 1',
    architecture: 'ResNet-101 v1.5',
    blocks: [3, 4, 23, 3],
    type: 'bottleneck',
    groups: 1,
    filters: BOTTLENECK_FILTERS,
    strideAt: 1,
    outChannels: BOTTLENECK_CHANNELS,
    totalMacs: 7.801e9,
    stages: { ...R50_STAGES, layer3: [26_090_496, 5_176.6] },
  },
  {
    file: 'resnet152-opset17.onnx.gz',
    opset: 17,
    depth: 152,
    formula: '1 + 50 × 3 + 1',
    architecture: 'ResNet-152 v1.5',
    blocks: [3, 8, 36, 3],
    type: 'bottleneck',
    groups: 1,
    filters: BOTTLENECK_FILTERS,
    strideAt: 1,
    outChannels: BOTTLENECK_CHANNELS,
    totalMacs: 11.514e9,
    stages: { ...R50_STAGES, layer2: [2_339_840, 1_901.1], layer3: [40_613_888, 8_015.3] },
  },
  {
    // Not in resnet.md's table: torchvision's figure is 4.23 G MACs.
    file: 'resnext50_32x4d-opset17.onnx.gz',
    opset: 17,
    depth: 50,
    formula: '1 + 16 × 3 + 1',
    architecture: 'ResNeXt-50 32×4d',
    blocks: [3, 4, 6, 3],
    type: 'bottleneck',
    groups: 32,
    filters: BOTTLENECK_FILTERS.map(([a, b, c]) => [a! * 2, b! * 2, c!]),
    strideAt: 1,
    outChannels: BOTTLENECK_CHANNELS,
    totalMacs: 4.23e9,
  },
  {
    // torchvision: 11.40 G MACs.
    file: 'wide_resnet50_2-opset17.onnx.gz',
    opset: 17,
    depth: 50,
    formula: '1 + 16 × 3 + 1',
    architecture: 'Wide ResNet-50-2',
    blocks: [3, 4, 6, 3],
    type: 'bottleneck',
    groups: 1,
    filters: BOTTLENECK_FILTERS.map(([a, b, c]) => [a! * 2, b! * 2, c!]),
    strideAt: 1,
    outChannels: BOTTLENECK_CHANNELS,
    totalMacs: 11.4e9,
  },
]

describe('readModelGraph on the ImageNet architectures', () => {
  it.each(IMAGENET)('$file', (c) => {
    const report = readModelGraph(fixture('architectures', c.file))
    const facts = index.files[c.file]!

    expect(report.opset).toBe(c.opset)
    expect(report.input).toEqual({
      name: 'input',
      shape: ['batch', 3, 224, 224],
      layout: 'NCHW',
      channels: 3,
      height: 224,
      width: 224,
    })
    expect(report.assumedInput).toBe(false)
    expect(report.output).toEqual({ name: 'logits', shape: ['batch', 1000], classes: 1000 })
    expect(report.classes).toBe(1000)
    expect(report.architecture).toBe(c.architecture)

    // Parameters: the graph stores one conv bias per folded batch norm, so `params` is within 0.5% of torchvision's
    // count and `paramsUnfolded` is exactly it; the opset-11 graph keeps its batch norms and matches exactly.
    within(report.params, facts.params, 0.005)
    expect(report.paramsUnfolded).toBe(facts.params)
    if (c.opset === 11) {
      expect(report.batchNorm).toBe('nodes')
      expect(report.params).toBe(facts.params)
      expect(report.paramBreakdown.normalizationStatistics).toBe(report.paramBreakdown.normalization)
      expect(report.operators).toContain('BatchNormalization')
    } else {
      expect(report.batchNorm).toBe('folded')
      expect(report.operators).not.toContain('BatchNormalization')
    }
    within(report.macs, c.totalMacs, 0.005)
    expect(report.stages.reduce((n, s) => n + s.params, 0)).toBe(report.params)
    expect(report.stages.reduce((n, s) => n + s.macs, 0)).toBe(report.macs)

    // Stages, found from topology and shapes.
    expect(report.stages.map((s) => [s.name, s.kind, s.blocks])).toEqual([
      ['conv1', 'stem', 0],
      ['maxpool', 'pool', 0],
      ['layer1', 'residual', c.blocks[0]],
      ['layer2', 'residual', c.blocks[1]],
      ['layer3', 'residual', c.blocks[2]],
      ['layer4', 'residual', c.blocks[3]],
      ['avgpool', 'global-pool', 0],
      ['fc', 'classifier', 0],
    ])
    expect(report.stages.map((s) => s.paperName)).toEqual([
      'conv1',
      undefined,
      'conv2_x',
      'conv3_x',
      'conv4_x',
      'conv5_x',
      undefined,
      'fc',
    ])
    const [c2, c3, c4, c5] = c.outChannels
    expect(report.stages.map((s) => s.output)).toEqual([
      [64, 112, 112],
      [64, 56, 56],
      [c2, 56, 56],
      [c3, 28, 28],
      [c4, 14, 14],
      [c5, 7, 7],
      [c5],
      [1000],
    ])
    const conv1 = stage(report, 'conv1').ownLayers
    expect(conv1.map((l) => [l.filters, l.kernel, l.stride])).toEqual([[64, [7, 7], [2, 2]]])

    // Depth as the paper counts it.
    expect(report.depth).toBe(c.depth)
    expect(report.depthFormula).toBe(c.formula)
    expect(report.depthExplanation).toMatch(
      new RegExp(`^depth ${c.depth} = ${c.formula.replace(/[+]/g, '\\+')}: conv1, `),
    )

    // Blocks: type, filters, kernels, where the stride is and which shortcuts project.
    report.stages
      .filter((s) => s.kind === 'residual')
      .forEach((s, i) => {
        expect(s.blockType).toBe(c.type)
        expect(s.outputTensor).toBe(s.residualBlocks.at(-1)!.outputTensor)
        expect(s.outputTensor).toMatch(/Relu_output_0$/)
        expect(s.layers).toBe(s.blocks * (c.type === 'basic' ? 2 : 3))
        for (const b of s.residualBlocks) {
          expect(b.type).toBe(c.type)
          expect(b.groups).toBe(c.groups)
          expect(b.filters).toEqual(c.filters[i])
          expect(b.kernels).toEqual(c.type === 'basic' ? ['3×3', '3×3'] : ['1×1', '3×3', '1×1'])
          expect(b.output).toEqual(s.output)
          const first = b.index === 0
          // The first block of layer2-4 halves the map through a projection; bottleneck nets project in layer1 too.
          const projects = first && (i > 0 || c.type === 'bottleneck')
          expect(b.shortcut).toBe(projects ? 'projection' : 'identity')
          expect(b.strideAt).toBe(first && i > 0 ? c.strideAt : null)
          if (projects) {
            expect(b.shortcutConv).toMatchObject({
              filters: s.output[0],
              kernel: [1, 1],
              stride: i > 0 ? [2, 2] : [1, 1],
            })
          } else expect(b.shortcutConv).toBeNull()
        }
        expect(s.residualBlocks.reduce((n, b) => n + b.params, 0)).toBe(s.params)
        expect(s.residualBlocks.reduce((n, b) => n + b.macs, 0)).toBe(s.macs)
      })

    // Per-stage figures against resnet.md.
    if (c.stages) {
      for (const [name, [params, macsM]] of Object.entries(c.stages)) {
        const s = stage(report, name)
        // resnet.md's conv1 row leaves out its batch norm's 2 × 64 values; the other rows include them.
        expect(s.paramsUnfolded, name).toBe(name === 'conv1' ? params + 128 : params)
        // Table MACs are rounded to 0.1 M.
        expect(Math.abs(s.macs - macsM * 1e6), name).toBeLessThanOrEqual(Math.max(0.005 * macsM * 1e6, 0.05e6))
      }
    }
    expect(stage(report, 'avgpool')).toMatchObject({ params: 0, macs: 0 })
    expect(stage(report, 'fc').ownLayers).toMatchObject([{ op: 'Gemm', filters: 1000 }])
  })
})

// ---------------------------------------------------------------------------------------------------------------
// CIFAR-10 ResNets (6n+2, option-A shortcuts): expected figures from the formula, checked against resnet.md's
// ResNet-56 table and the parameter counts in reference.json and resnet56-cifar10.json.

interface CifarStage {
  output: number[]
  /** As stored: conv weights plus one (folded batch norm) bias per conv channel. */
  params: number
  /** As trained: two batch-norm values per conv channel. */
  paramsUnfolded: number
  macs: number
}

function cifarStage(n: number, cin: number, c: number, size: number): CifarStage {
  const weights = 9 * (cin * c + (2 * n - 1) * c * c)
  const biases = 2 * n * c
  return {
    output: [c, size, size],
    params: weights + biases,
    paramsUnfolded: weights + 2 * biases,
    macs: weights * size * size,
  }
}

function cifarExpected(n: number) {
  const layers = [cifarStage(n, 16, 16, 32), cifarStage(n, 16, 32, 16), cifarStage(n, 32, 64, 8)]
  const conv1 = { output: [16, 32, 32], params: 432 + 16, paramsUnfolded: 432 + 32, macs: 432 * 32 * 32 }
  const fc = { output: [10], params: 650, paramsUnfolded: 650, macs: 640 }
  const all = [conv1, ...layers, fc]
  return {
    stages: { conv1, layer1: layers[0]!, layer2: layers[1]!, layer3: layers[2]!, fc },
    params: all.reduce((s, x) => s + x.params, 0),
    paramsUnfolded: all.reduce((s, x) => s + x.paramsUnfolded, 0),
    macs: all.reduce((s, x) => s + x.macs, 0),
  }
}

const reference = JSON.parse(readFileSync(sharedPath('models', 'reference', 'reference.json'), 'utf8')) as Record<
  string,
  { params: number }
>
const defaultFacts = JSON.parse(readFileSync(sharedPath('models', 'resnet56-cifar10.json'), 'utf8')) as {
  params: number
}

const CIFAR = [
  { name: 'resnet56-cifar10.onnx', path: ['resnet56-cifar10.onnx'], n: 9, params: defaultFacts.params },
  ...[3, 5, 7, 9].map((n) => ({
    name: `resnet${6 * n + 2}-cifar10-ref.onnx`,
    path: ['reference', `resnet${6 * n + 2}-cifar10-ref.onnx`],
    n,
    params: reference[`resnet${6 * n + 2}-cifar10-ref`]!.params,
  })),
]

describe('readModelGraph on the CIFAR-10 ResNets', () => {
  it('the 6n+2 formula reproduces resnet.md for ResNet-56', () => {
    const e = cifarExpected(9)
    expect(e.stages.layer1.paramsUnfolded).toBe(42_048)
    expect(e.stages.layer2.paramsUnfolded).toBe(162_432)
    expect(e.stages.layer3.paramsUnfolded).toBe(647_424)
    expect(e.paramsUnfolded).toBe(853_018)
    within(e.macs, 125.5e6, 0.001)
    within(e.stages.layer1.macs, 42.5e6, 0.002)
    within(e.stages.layer2.macs, 41.3e6, 0.002)
  })

  it.each(CIFAR)('$name', ({ path, n, params }) => {
    const report = readModelGraph(fixture(...path))
    const e = cifarExpected(n)
    const depth = 6 * n + 2

    expect(report.opset).toBe(17)
    expect(report.input).toEqual({
      name: 'input',
      shape: ['batch', 3, 32, 32],
      layout: 'NCHW',
      channels: 3,
      height: 32,
      width: 32,
    })
    expect(report.assumedInput).toBe(false)
    expect(report.output).toEqual({ name: 'logits', shape: ['batch', 10], classes: 10 })
    expect(report.architecture).toBe(`ResNet-${depth} (CIFAR)`)

    expect(report.paramsUnfolded).toBe(params)
    expect(report.paramsUnfolded).toBe(e.paramsUnfolded)
    expect(report.params).toBe(e.params)
    within(report.params, params, 0.005)
    expect(report.macs).toBe(e.macs)
    expect(report.batchNorm).toBe('folded')

    expect(report.stages.map((s) => [s.name, s.kind, s.blocks, s.output])).toEqual([
      ['conv1', 'stem', 0, [16, 32, 32]],
      ['layer1', 'residual', n, [16, 32, 32]],
      ['layer2', 'residual', n, [32, 16, 16]],
      ['layer3', 'residual', n, [64, 8, 8]],
      ['avgpool', 'global-pool', 0, [64]],
      ['fc', 'classifier', 0, [10]],
    ])
    for (const [name, expected] of Object.entries(e.stages)) {
      expect(stage(report, name), name).toMatchObject(expected)
    }
    expect(report.depth).toBe(depth)
    expect(report.depthFormula).toBe(`1 + ${3 * n} × 2 + 1`)

    // Option A: where the map halves, a strided Slice and a zero Pad, no projection and no parameters.
    report.stages
      .filter((s) => s.kind === 'residual')
      .forEach((s, i) => {
        expect(s.blockType).toBe('basic')
        for (const b of s.residualBlocks) {
          expect(b.kernels).toEqual(['3×3', '3×3'])
          expect(b.filters).toEqual([s.output[0], s.output[0]])
          const halves = b.index === 0 && i > 0
          expect(b.shortcut).toBe(halves ? 'option-a' : 'identity')
          expect(b.shortcutConv).toBeNull()
          expect(b.strideAt).toBe(halves ? 0 : null)
        }
      })
    expect(report.notes.join(' ')).toMatch(/option-A shortcuts/)
    expect(report.operators).toEqual(
      expect.arrayContaining(['Add', 'Conv', 'Flatten', 'Gemm', 'GlobalAveragePool', 'Pad', 'Relu', 'Slice']),
    )
    expect(report.operators).toEqual([...report.operators].sort())
  })

  it('reads the 3.4 MB default model in well under a second', () => {
    const bytes = fixture('resnet56-cifar10.onnx')
    readModelGraph(bytes)
    const started = performance.now()
    readModelGraph(bytes)
    expect(performance.now() - started).toBeLessThan(1000)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Small graphs built here with the same protobuf schema, and files that are not models.

type Dim = number | string

const tensorType = (dims: Dim[], elemType = 1) => ({
  tensor_type: {
    elem_type: elemType,
    shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
  },
})
const valueInfo = (name: string, dims: Dim[], elemType = 1) => ({ name, type: tensorType(dims, elemType) })
const ints = (name: string, value: number[]) => ({ name, type: 7, ints: value })
const int = (name: string, value: number) => ({ name, type: 2, i: value })
const op = (opType: string, input: string[], output: string[], attribute: object[] = [], domain = '') => ({
  op_type: opType,
  name: output[0],
  input,
  output,
  attribute,
  domain,
})
/** A float weight: shape only (the reader never needs the values). */
const weight = (name: string, dims: number[]) => ({ name, dims, data_type: 1 })
const conv = (x: string, y: string, w: string, k: number, stride = 1) =>
  op(
    'Conv',
    [x, w, `${w}.b`],
    [y],
    [ints('kernel_shape', [k, k]), ints('strides', [stride, stride]), ints('pads', Array(4).fill((k - 1) / 2))],
  )

interface GraphSpec {
  nodes: object[]
  initializers?: object[]
  inputs?: object[]
  outputs?: object[]
  opset?: number
}

function encodeModel({ nodes, initializers = [], inputs, outputs, opset = 17 }: GraphSpec): Uint8Array {
  const ModelProto = modelProtoType()
  const message = ModelProto.fromObject({
    ir_version: 8,
    producer_name: 'graph-reader test',
    opset_import: [{ domain: '', version: opset }],
    graph: {
      name: 'test',
      node: nodes,
      initializer: initializers,
      input: inputs ?? [valueInfo('x', ['N', 3, 32, 32])],
      output: outputs ?? [valueInfo('y', ['N', 10])],
    },
  })
  return ModelProto.encode(message).finish()
}

/** conv1 (8 filters) -> relu -> [pool] -> global pool -> flatten -> fc(10), on input `x`. */
function tinyClassifier(inputDims: Dim[], extraNodes: object[] = []): Uint8Array {
  return encodeModel({
    inputs: [valueInfo('x', inputDims)],
    nodes: [
      conv('x', 'c1', 'w1', 3),
      ...extraNodes,
      op('Relu', ['c1'], ['r1']),
      op('GlobalAveragePool', ['r1'], ['gap']),
      op('Flatten', ['gap'], ['flat']),
      op('Gemm', ['flat', 'fc.w', 'fc.b'], ['y'], [int('transB', 1)]),
    ],
    initializers: [weight('w1', [8, 3, 3, 3]), weight('w1.b', [8]), weight('fc.w', [10, 8]), weight('fc.b', [10])],
  })
}

function expectGraphError(bytes: Uint8Array, code: GraphError['code'], message: RegExp): void {
  let caught: unknown
  try {
    readModelGraph(bytes)
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(GraphError)
  expect((caught as GraphError).code).toBe(code)
  expect((caught as GraphError).message).toMatch(message)
}

describe('readModelGraph on small graphs built in the test', () => {
  it('reads a tiny classifier built with the schema', () => {
    const report = readModelGraph(tinyClassifier(['N', 3, 32, 32]))
    expect(report.classes).toBe(10)
    expect(report.params).toBe(8 * 27 + 8 + 80 + 10)
    expect(report.macs).toBe(8 * 27 * 32 * 32 + 80)
    expect(report.depth).toBeNull()
    expect(report.architecture).toBe('unknown')
    expect(report.notes.join(' ')).toMatch(/no residual blocks/)
  })

  it('finds stages in a dynamic-size ResNet by assuming 224×224, and counts no shape constants', () => {
    // conv1 7×7/2 -> relu -> maxpool 3×3/2 -> basic block (identity) -> basic block (1×1 projection, stride 2)
    // -> ReduceMean over H, W -> Reshape to [N, 16] (an int64 shape initializer) -> MatMul + Add.
    const block = (x: string, p: string, c: number, stride: number, projection: boolean) => [
      conv(x, `${p}.c1`, `${p}.w1`, 3, stride),
      op('Relu', [`${p}.c1`], [`${p}.r1`]),
      conv(`${p}.r1`, `${p}.c2`, `${p}.w2`, 3),
      ...(projection ? [conv(x, `${p}.sc`, `${p}.ws`, 1, stride)] : []),
      op('Add', [`${p}.c2`, projection ? `${p}.sc` : x], [`${p}.add`]),
      op('Relu', [`${p}.add`], [`${p}.out`]),
    ]
    const bytes = encodeModel({
      inputs: [valueInfo('x', ['N', 3, 'H', 'W'])],
      outputs: [valueInfo('y', ['N', 5])],
      nodes: [
        conv('x', 'c1', 'w1', 7, 2),
        op('Relu', ['c1'], ['r1']),
        op(
          'MaxPool',
          ['r1'],
          ['mp'],
          [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])],
        ),
        ...block('mp', 'a', 8, 1, false),
        ...block('a.out', 'b', 16, 2, true),
        op('ReduceMean', ['b.out'], ['pool'], [ints('axes', [2, 3]), int('keepdims', 0)]),
        op('Reshape', ['pool', 'shape'], ['flat']),
        op('MatMul', ['flat', 'fc.w'], ['mm']),
        op('Add', ['mm', 'fc.b'], ['y']),
      ],
      initializers: [
        weight('w1', [8, 3, 7, 7]),
        weight('w1.b', [8]),
        ...[
          ['a.w1', 8, 8, 3],
          ['a.w2', 8, 8, 3],
          ['b.w1', 16, 8, 3],
          ['b.w2', 16, 16, 3],
          ['b.ws', 16, 8, 1],
        ].flatMap(([name, cout, cin, k]) => [
          weight(name as string, [cout as number, cin as number, k as number, k as number]),
          weight(`${name}.b`, [cout as number]),
        ]),
        { name: 'shape', dims: [2], data_type: 7, int64_data: [-1, 16] },
        weight('fc.w', [16, 5]),
        weight('fc.b', [5]),
      ],
    })
    const report = readModelGraph(bytes)
    expect(report.input).toMatchObject({ shape: ['N', 3, 'H', 'W'], height: null, width: null })
    expect(report.assumedInput).toBe(true)
    expect(report.analysedSize).toEqual({ height: 224, width: 224 })
    expect(report.notes.join(' ')).toMatch(/dynamic.*224×224/)
    expect(report.classes).toBe(5)
    expect(report.stages.map((s) => [s.name, s.blocks, s.output])).toEqual([
      ['conv1', 0, [8, 112, 112]],
      ['maxpool', 0, [8, 56, 56]],
      ['layer1', 1, [8, 56, 56]],
      ['layer2', 1, [16, 28, 28]],
      ['avgpool', 0, [16]],
      ['fc', 0, [5]],
    ])
    const [b1] = stage(report, 'layer1').residualBlocks
    const [b2] = stage(report, 'layer2').residualBlocks
    expect(b1).toMatchObject({ type: 'basic', shortcut: 'identity', strideAt: null, filters: [8, 8] })
    expect(b2).toMatchObject({ type: 'basic', shortcut: 'projection', strideAt: 0, filters: [16, 16] })
    expect(stage(report, 'layer2').outputTensor).toBe('b.out')
    expect(report.depth).toBe(6)
    expect(report.depthFormula).toBe('1 + 2 × 2 + 1')
    // Weights and biases only: the Reshape's int64 shape is not a parameter.
    const convParams = 8 * 3 * 49 + 8 + 2 * (8 * 8 * 9 + 8) + (16 * 8 * 9 + 16) + (16 * 16 * 9 + 16) + (16 * 8 + 16)
    expect(report.params).toBe(convParams + 16 * 5 + 5)
    expect(stage(report, 'fc').params).toBe(16 * 5 + 5)
    expect(stage(report, 'fc').macs).toBe(16 * 5)
    expect(stage(report, 'layer2').macs).toBe(28 * 28 * (16 * 8 * 9 + 16 * 16 * 9 + 16 * 8))
  })

  it('refuses a graph whose input is not an image (2-D input)', () => {
    const bytes = encodeModel({
      inputs: [valueInfo('features', ['N', 64])],
      nodes: [op('Gemm', ['features', 'w', 'b'], ['y'], [int('transB', 1)])],
      initializers: [weight('w', [10, 64]), weight('b', [10])],
    })
    expectGraphError(bytes, 'not-image-classifier', /not an image classifier: input "features" has shape \[N, 64\]/)
  })

  it('refuses channels-last and single-channel inputs', () => {
    expectGraphError(tinyClassifier(['N', 224, 224, 3]), 'not-image-classifier', /NHWC/)
    expectGraphError(tinyClassifier(['N', 1, 28, 28]), 'not-image-classifier', /expected N×3×H×W/)
  })

  it('refuses a graph without a class-vector output', () => {
    const bytes = encodeModel({
      outputs: [valueInfo('y', ['N', 8, 32, 32])],
      nodes: [conv('x', 'y', 'w', 3)],
      initializers: [weight('w', [8, 3, 3, 3]), weight('w.b', [8])],
    })
    expectGraphError(bytes, 'not-image-classifier', /output "y" has shape \[N, 8, 32, 32\]; expected a class vector/)
  })

  it('refuses inputs larger than 1024×1024', () => {
    expectGraphError(tinyClassifier(['N', 3, 2048, 2048]), 'input-too-large', /2048×2048.*larger than 1024×1024/)
    expect(readModelGraph(tinyClassifier(['N', 3, 1024, 1024])).input.height).toBe(1024)
  })

  it('names an operator onnxruntime-web cannot run', () => {
    const bytes = tinyClassifier(['N', 3, 32, 32], [op('FancyOp', ['c1'], ['fancy'])])
    expectGraphError(bytes, 'unsupported-operator', /unsupported operator "FancyOp" \(node "fancy"\)/)
    const custom = tinyClassifier(['N', 3, 32, 32], [op('Conv', ['c1'], ['custom'], [], 'com.example')])
    expectGraphError(custom, 'unsupported-operator', /"com\.example::Conv"/)
  })

  it('says "not an ONNX model" for bytes that are not one', () => {
    let seed = 7
    const random = Uint8Array.from({ length: 64 * 1024 }, () => (seed = (seed * 1_103_515_245 + 12_345) >>> 0) >>> 24)
    expectGraphError(random, 'not-onnx', /^not an ONNX model/)
    expectGraphError(new TextEncoder().encode('{"not": "a model"}'), 'not-onnx', /^not an ONNX model/)
    expectGraphError(readFileSync(sharedPath('photos', 'chelsea.png')), 'not-onnx', /^not an ONNX model/)
    expectGraphError(new Uint8Array(0), 'not-onnx', /empty/)
  })

  it('recognises a gzip-compressed model and says to decompress it', () => {
    const gz = readFileSync(sharedPath('models', 'architectures', 'resnet18-opset17.onnx.gz'))
    expectGraphError(gz, 'not-onnx', /gzip-compressed/)
  })

  it('says "truncated or damaged ONNX file" for a cut-off model', () => {
    const bytes = fixture('resnet56-cifar10.onnx')
    for (const length of [20, 1000, bytes.length >> 1, bytes.length - 1]) {
      expectGraphError(bytes.subarray(0, length), 'damaged', /^truncated or damaged ONNX file/)
    }
  })
})
