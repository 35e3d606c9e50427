import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultModelPath } from '../../src/cli/paths'
import { createWasmEngine } from '../../src/main/inference/node-ort'
import { modelProtoType, readModelGraph, type GraphReport } from '../../src/main/onnx'
import { readClassifierHead, type ModelClassifierHead } from '../../src/main/onnx/classifier-head'
import { decodeImage } from '../../src/main/photos/decode'
import { addTapOutputs, stageTaps, type StageTap } from '../../src/main/onnx/taps'
import { channelMeans } from '../../src/shared/engine/activations'
import { Classifier, type ClassifierCard } from '../../src/shared/engine/classifier'
import { IMAGENET_PREPROCESSING, parseModelCard } from '../../src/shared/model-card'
import { preprocess } from '../../src/shared/preprocess/preprocess'
import { withoutViews } from '../../src/shared/preprocess/views'
import { cifarHalfDir, readReferencePredictions, sharedPath } from '../support/shared'

const engine = createWasmEngine()

interface Case {
  title: string
  bytes: () => Uint8Array
  card: () => ClassifierCard
  /** Photos to run, decoded and preprocessed with the card. */
  photos: () => string[]
  taps: { name: string; shape: number[] }[]
  lastStage: string
}

// Taps run the photo alone, as the app's activations view does.
const cifarCard = () =>
  withoutViews(parseModelCard(JSON.parse(readFileSync(defaultModelPath.replace(/\.onnx$/, '.card.json'), 'utf8'))))

const imagenetCard = (): ClassifierCard => ({
  input: { name: 'input', layout: 'NCHW', channels: 3, height: 224, width: 224 },
  output: { name: 'logits', classes: 1000 },
  labels: readFileSync(sharedPath('labels', 'imagenet-1k.txt'), 'utf8').trim().split(/\r?\n/),
  preprocessing: IMAGENET_PREPROCESSING,
})

const CASES: Case[] = [
  {
    title: 'ResNet-56 (CIFAR-10), the default model',
    bytes: () => readFileSync(defaultModelPath),
    card: cifarCard,
    // Two images of each of four classes.
    photos: () => {
      const rows = readReferencePredictions()
      return [0, 3, 5, 8].flatMap((label) =>
        rows
          .filter((r) => r.label === label)
          .slice(0, 2)
          .map((r) => join(cifarHalfDir(), r.path)),
      )
    },
    taps: [
      { name: 'conv1', shape: [16, 32, 32] },
      { name: 'layer1', shape: [16, 32, 32] },
      { name: 'layer2', shape: [32, 16, 16] },
      { name: 'layer3', shape: [64, 8, 8] },
    ],
    lastStage: 'layer3',
  },
  {
    title: 'ResNet-50 fixture (opset 17, patterned weights)',
    bytes: () => gunzipSync(readFileSync(sharedPath('models', 'architectures', 'resnet50-opset17.onnx.gz'))),
    card: imagenetCard,
    photos: () => ['chelsea.png', 'coffee.png', 'rocket.jpg'].map((name) => sharedPath('photos', name)),
    taps: [
      { name: 'conv1', shape: [64, 112, 112] },
      { name: 'maxpool', shape: [64, 56, 56] },
      { name: 'layer1', shape: [256, 56, 56] },
      { name: 'layer2', shape: [512, 28, 28] },
      { name: 'layer3', shape: [1024, 14, 14] },
      { name: 'layer4', shape: [2048, 7, 7] },
    ],
    lastStage: 'layer4',
  },
]

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => {
  expect(a.length).toBe(b.length)
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

describe.each(CASES)('taps on $title', (c) => {
  let bytes: Uint8Array
  let report: GraphReport
  let taps: StageTap[]
  let tapped: Uint8Array
  let plain: Classifier
  let withTaps: Classifier
  let batch: Float32Array
  let count: number

  beforeAll(async () => {
    bytes = c.bytes()
    report = readModelGraph(bytes)
    taps = stageTaps(report)
    tapped = addTapOutputs(
      bytes,
      taps.map((t) => t.tensor),
    )
    const card = c.card()
    plain = await Classifier.create(engine.ort, bytes, card, engine.sessionOptions)
    withTaps = await Classifier.create(engine.ort, tapped, card, engine.sessionOptions)
    const files = c.photos()
    count = files.length
    batch = new Float32Array(count * plain.tensorLength)
    const images = await Promise.all(files.map((f) => decodeImage(f)))
    images.forEach((image, i) => preprocess(image, card, batch, i * plain.tensorLength))
  }, 120_000)
  afterAll(async () => {
    await plain?.release()
    await withTaps?.release()
  })

  it('taps the end of each stage before the global pool, with the expected shapes', () => {
    expect(taps.map((t) => ({ name: t.name, shape: t.shape }))).toEqual(c.taps)
    // Each tap is a Relu's output (the stem's and each block's final Relu; the max pool's own output).
    const graph = (
      modelProtoType().decode(bytes) as unknown as { graph: { node: { op_type: string; output: string[] }[] } }
    ).graph
    const producer = new Map(graph.node.flatMap((n) => n.output.map((o) => [o, n.op_type] as const)))
    for (const tap of taps) expect(producer.get(tap.tensor)).toBe(tap.name === 'maxpool' ? 'MaxPool' : 'Relu')
  })

  it('adds the taps as outputs after the existing ones, keeping the rest of the file', () => {
    const outputs = (tapped: Uint8Array) =>
      (modelProtoType().decode(tapped) as unknown as { graph: { output: { name: string }[] } }).graph.output.map(
        (o) => o.name,
      )
    expect(outputs(tapped)).toEqual([report.output.name, ...taps.map((t) => t.tensor)])
    // Only the new output entries and the graph's length prefix are added.
    expect(tapped.length - bytes.length).toBeGreaterThan(0)
    expect(tapped.length - bytes.length).toBeLessThan(100 * taps.length)
    // Tapping again, or tapping an existing output, adds nothing.
    expect(outputs(addTapOutputs(tapped, [taps[0]!.tensor, report.output.name]))).toEqual(outputs(tapped))
    expect(() => addTapOutputs(bytes, ['no such tensor'])).toThrow(/No node of the graph produces "no such tensor"/)
  })

  it('runs on WASM with the same logits as the plain model, and returns every tap', async () => {
    const started = performance.now()
    const logits = await plain.runBatch(batch, count)
    const run = await withTaps.runTapped(
      batch,
      count,
      taps.map((t) => t.tensor),
    )
    const diff = maxAbsDiff(logits, run.logits)
    console.log(
      `${c.title}: ${count} images, max |logit diff| tapped vs plain = ${diff} ` +
        `(${(performance.now() - started).toFixed(0)} ms for both runs)`,
    )
    expect(diff).toBeLessThanOrEqual(1e-6)
    expect([...run.taps.keys()]).toEqual(taps.map((t) => t.tensor))
    for (const tap of taps) {
      const out = run.taps.get(tap.tensor)!
      expect(out.dims).toEqual([count, ...tap.shape])
      expect(out.data.length).toBe(count * tap.shape.reduce((a, b) => a * b, 1))
      // After a Relu (or a max pool of one): nothing negative, and not all zero.
      expect(out.data.every((v) => v >= 0)).toBe(true)
      expect(out.data.some((v) => v > 0)).toBe(true)
    }
    await expect(withTaps.runTapped(batch, count, ['nope'])).rejects.toThrow(/no output named "nope"/)
    await expect(plain.runTapped(batch, count, [taps[0]!.tensor])).rejects.toThrow(/no output named/)
  })

  it('reproduces the logits from the last stage: global average × classifier weights + bias', async () => {
    const head: ModelClassifierHead = readClassifierHead(bytes, report)
    const last = taps.find((t) => t.name === c.lastStage)!
    expect(head.featureStage).toBe(c.lastStage)
    expect(head.featureTensor).toBe(last.tensor)
    expect(head.op).toBe('Gemm')
    const [channels, height, width] = last.shape as [number, number, number]
    expect(head.channels).toBe(channels)
    expect(head.classes).toBe(report.classes)

    const run = await withTaps.runTapped(batch, count, [last.tensor])
    const map = run.taps.get(last.tensor)!.data
    const size = channels * height * width
    const plane = height * width
    let maxError = 0
    for (let i = 0; i < count; i++) {
      // The average pool, computed here in double precision.
      const pooled = new Float64Array(channels)
      for (let k = 0; k < channels; k++) {
        let sum = 0
        for (let p = 0; p < plane; p++) sum += map[i * size + k * plane + p]!
        pooled[k] = sum / plane
      }
      const means = channelMeans(map.subarray(i * size, (i + 1) * size), channels, height, width)
      for (let k = 0; k < channels; k++) expect(Math.abs(means[k]! - pooled[k]!)).toBeLessThan(1e-6)
      for (let cls = 0; cls < head.classes; cls++) {
        let logit = head.bias[cls]!
        for (let k = 0; k < channels; k++) logit += head.weights[cls * channels + k]! * pooled[k]!
        maxError = Math.max(maxError, Math.abs(logit - run.logits[i * head.classes + cls]!))
      }
    }
    console.log(`${c.title}: pooled ${c.lastStage} · W + b vs logits, max |error| = ${maxError.toExponential(2)}`)
    expect(maxError).toBeLessThan(1e-3)
  })
})

describe('tapped ResNet-50: the max pool tap is the 3×3/2 max pool of the conv1 tap', () => {
  it('matches a max pool computed here', async () => {
    const bytes = CASES[1]!.bytes()
    const taps = stageTaps(readModelGraph(bytes))
    const [conv1, maxpool] = taps as [StageTap, StageTap]
    const card = imagenetCard()
    const classifier = await Classifier.create(
      engine.ort,
      addTapOutputs(bytes, [conv1.tensor, maxpool.tensor]),
      card,
      engine.sessionOptions,
    )
    try {
      const input = preprocess(await decodeImage(sharedPath('photos', 'astronaut.png')), card)
      const run = await classifier.runTapped(input, 1, [conv1.tensor, maxpool.tensor])
      const a = run.taps.get(conv1.tensor)!.data
      const b = run.taps.get(maxpool.tensor)!.data
      let mismatches = 0
      for (let c = 0; c < 64; c++) {
        for (let y = 0; y < 56; y++) {
          for (let x = 0; x < 56; x++) {
            let max = -Infinity
            for (let dy = -1; dy <= 1; dy++) {
              for (let dx = -1; dx <= 1; dx++) {
                const sy = 2 * y + dy
                const sx = 2 * x + dx
                if (sy >= 0 && sy < 112 && sx >= 0 && sx < 112) max = Math.max(max, a[c * 112 * 112 + sy * 112 + sx]!)
              }
            }
            if (max !== b[c * 56 * 56 + y * 56 + x]) mismatches++
          }
        }
      }
      expect(mismatches).toBe(0)
    } finally {
      await classifier.release()
    }
  }, 60_000)
})
