import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import protobuf from 'protobufjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultModelPath } from '../../src/cli/paths'
import { createWasmEngine } from '../../src/main/inference/node-ort'
import { readModelGraph } from '../../src/main/onnx'
import { ONNX_SCHEMA } from '../../src/main/onnx/onnx-schema'
import { readClassifierHead } from '../../src/main/onnx/classifier-head'
import { decodeImage } from '../../src/main/photos/decode'
import { addTapOutputs, stageTaps } from '../../src/main/onnx/taps'
import {
  channelMeans,
  classActivationMap,
  classContrastMap,
  inputRegionInPhoto,
  mapMean,
  normalizeMap,
  topChannels,
  upsampleBilinear,
} from '../../src/shared/engine/activations'
import { Classifier } from '../../src/shared/engine/classifier'
import { CIFAR_PREPROCESSING, IMAGENET_PREPROCESSING, parseModelCard } from '../../src/shared/model-card'
import { preprocess } from '../../src/shared/preprocess/preprocess'
import { withoutViews } from '../../src/shared/preprocess/views'
import { cifarHalfDir, readReferencePredictions } from '../support/shared'

const engine = createWasmEngine()

const argmax = (row: Float32Array): number => row.reduce((best, v, i) => (v > row[best]! ? i : best), 0)

describe('class activation maps of the default model on 200 CIFAR-10 test images', () => {
  const PER_CLASS = 20
  const BATCH = 50
  const bytes = readFileSync(defaultModelPath)
  // Activation maps are of the photo alone, as the app's activations view runs it.
  const card = withoutViews(
    parseModelCard(JSON.parse(readFileSync(defaultModelPath.replace(/\.onnx$/, '.card.json'), 'utf8'))),
  )
  const report = readModelGraph(bytes)
  const head = readClassifierHead(bytes, report)
  const last = stageTaps(report).find((t) => t.name === head.featureStage)!
  const [channels, height, width] = last.shape as [number, number, number]
  const size = channels * height * width
  let classifier: Classifier
  let logits: Float32Array
  let maps: Float32Array
  let references: number[]
  let n: number

  beforeAll(async () => {
    const started = performance.now()
    classifier = await Classifier.create(engine.ort, addTapOutputs(bytes, [last.tensor]), card, engine.sessionOptions)
    const rows = readReferencePredictions()
    const chosen = Array.from({ length: 10 }, (_, label) => rows.filter((r) => r.label === label).slice(0, PER_CLASS))
      .flat()
      .sort((a, b) => a.path.localeCompare(b.path))
    n = chosen.length
    references = chosen.map((r) => r.resnet56)
    logits = new Float32Array(n * head.classes)
    maps = new Float32Array(n * size)
    for (let from = 0; from < n; from += BATCH) {
      const part = chosen.slice(from, from + BATCH)
      const batch = new Float32Array(part.length * classifier.tensorLength)
      const images = await Promise.all(part.map((r) => decodeImage(join(cifarHalfDir(), r.path))))
      images.forEach((image, i) => preprocess(image, card, batch, i * classifier.tensorLength))
      const run = await classifier.runTapped(batch, part.length, [last.tensor])
      logits.set(run.logits, from * head.classes)
      maps.set(run.taps.get(last.tensor)!.data, from * size)
    }
    console.log(`CAM: ${n} images decoded and run in ${(performance.now() - started).toFixed(0)} ms`)
  }, 60_000)
  afterAll(() => classifier?.release())

  const mapOf = (i: number) => maps.subarray(i * size, (i + 1) * size)
  const logit = (i: number, cls: number) => logits[i * head.classes + cls]!

  it('runs the images of every class, and predicts what PyTorch predicts', () => {
    expect(n).toBe(10 * PER_CLASS)
    const agree = references.filter((ref, i) => argmax(logits.subarray(i * 10, i * 10 + 10)) === ref).length
    expect(agree).toBeGreaterThanOrEqual(n - 2)
  })

  it("averages to the top class's logit minus its bias", () => {
    const started = performance.now()
    let maxError = 0
    for (let i = 0; i < n; i++) {
      const top = argmax(logits.subarray(i * head.classes, (i + 1) * head.classes))
      const cam = classActivationMap(mapOf(i), channels, height, width, head, top)
      expect(cam.length).toBe(height * width)
      maxError = Math.max(maxError, Math.abs(mapMean(cam) - (logit(i, top) - head.bias[top]!)))
    }
    console.log(
      `CAM(top class): max |mean(CAM) − (logit − bias)| = ${maxError.toExponential(2)} over ${n} images ` +
        `(${(performance.now() - started).toFixed(0)} ms for the maps)`,
    )
    expect(maxError).toBeLessThan(1e-3)
  })

  it('explains another class the same way: why A and not B', () => {
    let maxError = 0
    let maxContrastError = 0
    for (let i = 0; i < n; i++) {
      const row = logits.subarray(i * head.classes, (i + 1) * head.classes)
      const a = argmax(row)
      // The runner-up: the class the model most nearly chose instead.
      const b = argmax(row.map((v, j) => (j === a ? -Infinity : v)))
      const cam = classActivationMap(mapOf(i), channels, height, width, head, b)
      maxError = Math.max(maxError, Math.abs(mapMean(cam) - (logit(i, b) - head.bias[b]!)))
      const contrast = classContrastMap(mapOf(i), channels, height, width, head, a, b)
      const expected = logit(i, a) - head.bias[a]! - (logit(i, b) - head.bias[b]!)
      maxContrastError = Math.max(maxContrastError, Math.abs(mapMean(contrast) - expected))
      // A beat B: the contrast's mean plus the bias difference is positive.
      expect(mapMean(contrast) + head.bias[a]! - head.bias[b]!).toBeGreaterThan(-1e-4)
    }
    console.log(
      `CAM(runner-up): max error ${maxError.toExponential(2)}; ` +
        `CAM(A) − CAM(B): max error ${maxContrastError.toExponential(2)}`,
    )
    expect(maxError).toBeLessThan(1e-3)
    expect(maxContrastError).toBeLessThan(1e-3)
  })

  it('ranks channels by mean activation', () => {
    const means = channelMeans(mapOf(0), channels, height, width)
    const top = topChannels(means, 5)
    expect(top).toHaveLength(5)
    for (let j = 1; j < top.length; j++) expect(top[j]!.mean).toBeLessThanOrEqual(top[j - 1]!.mean)
    expect(top[0]!.mean).toBe(Math.max(...means))
    expect(topChannels(means, 1000)).toHaveLength(channels)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Classifier heads in the other forms exporters write, on tiny graphs built here and run with onnxruntime.

const root = protobuf.parse(ONNX_SCHEMA, { keepCase: true }).root
root
  .lookupType('onnx.TensorProto')
  .add(new protobuf.Field('float_data', 4, 'float', 'repeated', undefined, { packed: true }))
const ModelProto = root.lookupType('onnx.ModelProto')

/** Deterministic values in [-1, 1). */
function values(count: number, seed: number): number[] {
  let s = seed
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return (s / 2147483648) * 2 - 1
  })
}

const CLASSES = 5
const FILTERS = 6

type HeadForm = 'gemm-identity' | 'gemm-alpha-beta' | 'matmul-add' | 'conv1x1' | 'float-data' | 'max-pool'

/**
 * conv (6 filters, 3×3) → Relu → global pool → Flatten → head (5 classes). Returns the model and the head's effective
 * weights (classes × channels) and bias, as the head computes them.
 */
function tinyModel(form: HeadForm): { bytes: Uint8Array; weights: number[]; bias: number[] } {
  const floatData = form === 'float-data'
  const tensor = (name: string, dims: number[], data: number[]) =>
    floatData
      ? { name, dims, data_type: 1, float_data: data }
      : { name, dims, data_type: 1, raw_data: new Uint8Array(new Float32Array(data).buffer) }
  const int = (name: string, i: number) => ({ name, type: 2, i })
  const float = (name: string, f: number) => ({ name, type: 1, f })
  const ints = (name: string, list: number[]) => ({ name, type: 7, ints: list })
  const node = (op_type: string, input: string[], output: string[], attribute: object[] = []) => ({
    op_type,
    input,
    output,
    attribute,
    name: output[0],
  })
  const w = values(CLASSES * FILTERS, 7) // as [classes, channels]
  const b = values(CLASSES, 11)
  const transposed = Array.from(
    { length: FILTERS * CLASSES },
    (_, i) => w[(i % CLASSES) * FILTERS + Math.floor(i / CLASSES)]!,
  )
  const initializer = [
    tensor('cw', [FILTERS, 3, 3, 3], values(FILTERS * 27, 3)),
    tensor('cb', [FILTERS], values(FILTERS, 5)),
  ]
  const nodes = [
    node('Conv', ['x', 'cw', 'cb'], ['c'], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])]),
    node('Relu', ['c'], ['r']),
    node(form === 'max-pool' ? 'GlobalMaxPool' : 'GlobalAveragePool', ['r'], ['g']),
    node('Flatten', ['g'], ['f'], [int('axis', 1)]),
  ]
  let weights = w
  let bias = b
  switch (form) {
    case 'gemm-identity':
    case 'float-data':
    case 'max-pool':
      // The exporter's weight sharing: the Gemm reads the weights through an Identity.
      initializer.push(tensor('fc.shared', [CLASSES, FILTERS], w), tensor('fc.b', [CLASSES], b))
      nodes.push(
        node('Identity', ['fc.shared'], ['fc.w']),
        node('Gemm', ['f', 'fc.w', 'fc.b'], ['y'], [int('transB', 1)]),
      )
      break
    case 'gemm-alpha-beta':
      initializer.push(tensor('fc.w', [FILTERS, CLASSES], transposed), tensor('fc.b', [1, CLASSES], b))
      nodes.push(node('Gemm', ['f', 'fc.w', 'fc.b'], ['y'], [float('alpha', 0.5), float('beta', 2)]))
      weights = w.map((v) => Math.fround(v) * 0.5)
      bias = b.map((v) => Math.fround(v) * 2)
      break
    case 'matmul-add':
      initializer.push(tensor('fc.w', [FILTERS, CLASSES], transposed), tensor('fc.b', [CLASSES], b))
      nodes.push(node('MatMul', ['f', 'fc.w'], ['m']), node('Add', ['fc.b', 'm'], ['y']))
      break
    case 'conv1x1':
      initializer.push(tensor('fc.w', [CLASSES, FILTERS, 1, 1], w), tensor('fc.b', [CLASSES], b))
      nodes[3] = node('Conv', ['g', 'fc.w', 'fc.b'], ['h'], [ints('kernel_shape', [1, 1])])
      nodes.push(node('Flatten', ['h'], ['y'], [int('axis', 1)]))
      break
  }
  const info = (name: string, dims: (number | string)[]) => ({
    name,
    type: {
      tensor_type: {
        elem_type: 1,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  })
  const message = ModelProto.fromObject({
    ir_version: 8,
    producer_name: 'cam test',
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'tiny',
      node: nodes,
      initializer,
      input: [info('x', ['N', 3, 8, 8])],
      output: [info('y', ['N', CLASSES])],
    },
  })
  return { bytes: ModelProto.encode(message).finish(), weights: weights.map(Math.fround), bias: bias.map(Math.fround) }
}

describe('readClassifierHead on the head forms exporters write', () => {
  const card = {
    input: { name: 'x', layout: 'NCHW' as const, channels: 3 as const, height: 8, width: 8 },
    output: { name: 'y', classes: CLASSES },
    labels: Array.from({ length: CLASSES }, (_, i) => `class ${i}`),
    preprocessing: CIFAR_PREPROCESSING,
  }

  it.each(['gemm-identity', 'gemm-alpha-beta', 'matmul-add', 'conv1x1', 'float-data'] as const)(
    '%s: the weights read give the logits onnxruntime computes',
    async (form) => {
      const model = tinyModel(form)
      const report = readModelGraph(model.bytes)
      const head = readClassifierHead(model.bytes, report)
      expect({ classes: head.classes, channels: head.channels, featureStage: head.featureStage }).toEqual({
        classes: CLASSES,
        channels: FILTERS,
        featureStage: 'conv1',
      })
      expect(head.op).toBe(form === 'matmul-add' ? 'MatMul' : form === 'conv1x1' ? 'Conv' : 'Gemm')
      expect([...head.weights]).toEqual(model.weights)
      expect([...head.bias]).toEqual(model.bias)

      // The tap survives any bytes the app's schema does not know (float_data here): the model still runs.
      const [tap] = stageTaps(report)
      const classifier = await Classifier.create(
        engine.ort,
        addTapOutputs(model.bytes, [tap!.tensor]),
        card,
        engine.sessionOptions,
      )
      try {
        const count = 3
        const run = await classifier.runTapped(new Float32Array(values(count * 3 * 64, 13)), count, [tap!.tensor])
        const maps = run.taps.get(tap!.tensor)!
        expect(maps.dims).toEqual([count, FILTERS, 8, 8])
        for (let i = 0; i < count; i++) {
          const map = maps.data.subarray(i * FILTERS * 64, (i + 1) * FILTERS * 64)
          for (let cls = 0; cls < CLASSES; cls++) {
            const cam = classActivationMap(map, FILTERS, 8, 8, head, cls)
            expect(mapMean(cam) + head.bias[cls]!).toBeCloseTo(run.logits[i * CLASSES + cls]!, 5)
          }
        }
      } finally {
        await classifier.release()
      }
    },
  )

  it('refuses a head over a global max pool, where a CAM does not apply', () => {
    const model = tinyModel('max-pool')
    expect(() => readClassifierHead(model.bytes, readModelGraph(model.bytes))).toThrow(
      /does not read the average of conv1's map \(it reads a GlobalMaxPool\)/,
    )
  })
})

describe('activation helpers', () => {
  it('channelMeans and topChannels', () => {
    const map = new Float32Array([1, 1, 1, 1, 4, 4, 0, 0, -1, 3, 3, 3])
    const means = channelMeans(map, 3, 2, 2)
    expect([...means]).toEqual([1, 2, 2])
    expect(topChannels(means, 2)).toEqual([
      { channel: 1, mean: 2 },
      { channel: 2, mean: 2 },
    ])
    expect(() => channelMeans(map, 3, 2, 3)).toThrow(/Expected 3×2×3 = 18 values/)
  })

  it('classActivationMap checks the class and the channel count', () => {
    const head = { weights: new Float32Array([1, 2, -1, 0]), bias: new Float32Array([0, 0]), classes: 2, channels: 2 }
    const map = new Float32Array([1, 2, 3, 4, 10, 20, 30, 40])
    expect([...classActivationMap(map, 2, 2, 2, head, 0)]).toEqual([21, 42, 63, 84])
    expect([...classActivationMap(map, 2, 2, 2, head, 1)]).toEqual([-1, -2, -3, -4])
    expect([...classContrastMap(map, 2, 2, 2, head, 0, 1)]).toEqual([22, 44, 66, 88])
    expect(() => classActivationMap(map, 2, 2, 2, head, 2)).toThrow(/out of range/)
    expect(() => classActivationMap(new Float32Array(12), 3, 2, 2, head, 0)).toThrow(/reads 2 channels/)
  })

  it('normalizeMap scales to 0..1', () => {
    expect([...normalizeMap(new Float32Array([-2, 0, 2]))]).toEqual([0, 0.5, 1])
    expect([...normalizeMap(new Float32Array([-2, 0, 2]), { mode: 'positive' })]).toEqual([0, 0, 1])
    expect([...normalizeMap(new Float32Array([3, 3]))]).toEqual([0, 0])
    expect([...normalizeMap(new Float32Array([-3, -1]), { mode: 'positive' })]).toEqual([0, 0])
  })

  it("upsampleBilinear matches PyTorch's interpolate(bilinear, align_corners=False)", () => {
    const up = upsampleBilinear(new Float32Array([1, 2, 3, 4]), 2, 2, 4, 4)
    expect([...up]).toEqual([1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4])
    const map = new Float32Array(values(8 * 8, 17))
    expect(upsampleBilinear(map, 8, 8, 8, 8)).toEqual(map)
    const flat = upsampleBilinear(new Float32Array(49).fill(0.25), 7, 7, 300, 200)
    expect(flat.length).toBe(60_000)
    expect(flat.every((v) => v === 0.25)).toBe(true)
  })

  it('inputRegionInPhoto: the part of the photo the model saw', () => {
    const cifar = { input: { width: 32, height: 32 }, preprocessing: CIFAR_PREPROCESSING }
    expect(inputRegionInPhoto(300, 200, cifar)).toEqual({ x: 50, y: 0, width: 200, height: 200 })
    const imagenet = { input: { width: 224, height: 224 }, preprocessing: IMAGENET_PREPROCESSING }
    // 640×480 → 341×256, centre crop 224 at (58, 16).
    const region = inputRegionInPhoto(640, 480, imagenet)
    expect(region.x).toBeCloseTo((58 * 640) / 341, 9)
    expect(region.y).toBeCloseTo(30, 9)
    expect(region.width).toBeCloseTo((224 * 640) / 341, 9)
    expect(region.height).toBeCloseTo(420, 9)
  })
})
