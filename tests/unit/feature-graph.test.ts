import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Classifier, type ClassifierCard } from '../../src/shared/engine/classifier'
import {
  FEATURES_OUTPUT,
  featureLength,
  stageOffset,
  stageStatistics,
  type FeatureLayout,
} from '../../src/shared/knowledge/features'
import { createNativeEngine } from '../../src/main/inference/native-ort'
import { createWasmEngine } from '../../src/main/inference/node-ort'
import { addFeatureOutputs } from '../../src/main/onnx/feature-graph'
import { readModelGraph } from '../../src/main/onnx'
import { modelProtoType } from '../../src/main/onnx/protobuf'
import { addTapOutputs, stageTaps } from '../../src/main/onnx/taps'
import { unzippedFixture } from '../support/fixture-models'
import { repoRoot } from '../support/shared'
import { withoutViews } from '../../src/shared/preprocess/views'

const bundled = join(repoRoot, 'resources', 'models', 'resnet56-cifar10.onnx')
/** The bundled card asks for views (`src/shared/preprocess/views.ts`). */
const viewsCard = JSON.parse(
  readFileSync(join(repoRoot, 'resources', 'models', 'resnet56-cifar10.card.json'), 'utf8'),
) as ClassifierCard
/** The bundled model run on the photo alone. */
const bundledCard = withoutViews(viewsCard)

function patternBatch(count: number, length: number): Float32Array {
  const batch = new Float32Array(count * length)
  for (let i = 0; i < batch.length; i++) batch[i] = Math.sin(i * 0.37) * 1.5
  return batch
}

/** The features computed in JS from the full stage activations of a tapped copy: the definition. */
async function featuresFromTaps(
  bytes: Uint8Array,
  card: ClassifierCard,
  batch: Float32Array,
  count: number,
  layout: FeatureLayout,
): Promise<{ logits: Float32Array; features: Float32Array }> {
  const engine = createWasmEngine()
  const taps = stageTaps(readModelGraph(bytes))
  const tapped = await Classifier.create(
    engine.ort,
    addTapOutputs(
      bytes,
      taps.map((tap) => tap.tensor),
    ),
    card,
    engine.sessionOptions,
  )
  const run = await tapped.runTapped(
    batch,
    count,
    taps.map((tap) => tap.tensor),
  )
  await tapped.release()
  const length = featureLength(layout)
  const features = new Float32Array(count * length)
  for (let image = 0; image < count; image++) {
    taps.forEach((tap, s) => {
      const output = run.taps.get(tap.tensor)!
      const per = output.data.length / count
      const row = features.subarray(image * length, (image + 1) * length)
      stageStatistics(output.data.subarray(image * per, (image + 1) * per), tap.shape[0]!, row, stageOffset(layout, s))
    })
  }
  return { logits: run.logits, features }
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

describe('features model (addFeatureOutputs)', () => {
  it('returns the stage statistics of the bundled ResNet-56 and the same logits, on both CPU engines', async () => {
    const bytes = readFileSync(bundled)
    const { model, layout } = addFeatureOutputs(bytes)
    expect(layout.stages.map((s) => `${s.name}:${s.channels}`)).toEqual([
      'conv1:16',
      'layer1:16',
      'layer2:32',
      'layer3:64',
    ])
    expect(featureLength(layout)).toBe(384)
    const count = 3
    const batch = patternBatch(count, 3 * 32 * 32)
    const reference = await featuresFromTaps(bytes, bundledCard, batch, count, layout)
    for (const engine of [createNativeEngine(), createWasmEngine()]) {
      const classifier = await Classifier.create(engine.ort, model, bundledCard, engine.sessionOptions)
      expect(classifier.hasOutput(FEATURES_OUTPUT)).toBe(true)
      const run = await classifier.runWithFeatures(batch, count, FEATURES_OUTPUT)
      const plain = await classifier.runBatch(batch, count)
      await classifier.release()
      expect(maxDifference(run.logits, reference.logits), engine.provider).toBeLessThan(1e-4)
      expect(maxDifference(plain, reference.logits), engine.provider).toBeLessThan(1e-4)
      expect(maxDifference(run.features, reference.features), engine.provider).toBeLessThan(1e-3)
      // The features are not trivially zero: every stage has channels that vary across H×W.
      expect(run.features.some((v, i) => i % 384 >= 16 && i % 384 < 32 && v > 0.01)).toBe(true)
    }
  })

  it('folds the views of each photo into its features: its own, the mirror average, the tiles of the early stages', async () => {
    const bytes = readFileSync(bundled)
    const views = viewsCard.preprocessing.views!
    expect(views).toEqual({ flip: true, tiles: 2 })
    const { model, layout } = addFeatureOutputs(bytes, undefined, views)
    expect(layout.views).toEqual({ flip: true, tiles: 2, tileStages: 3 })
    const own = 384
    const early = stageOffset(layout, 3)
    expect(featureLength(layout)).toBe(own + own + early)
    const photos = 2
    const batch = patternBatch(photos * 6, 3 * 32 * 32)
    // The definition: each view's statistics from the full activations, then the averages.
    const perView = await featuresFromTaps(bytes, bundledCard, batch, photos * 6, addFeatureOutputs(bytes).layout)
    const engine = createNativeEngine()
    const classifier = await Classifier.create(engine.ort, model, viewsCard, engine.sessionOptions)
    expect(classifier.viewsPerPhoto).toBe(6)
    const run = await classifier.runWithFeatures(batch, photos, FEATURES_OUTPUT)
    const plain = await classifier.runBatch(batch, photos)
    await classifier.release()
    const length = featureLength(layout)
    expect(run.features.length).toBe(photos * length)
    for (let p = 0; p < photos; p++) {
      const view = (v: number) => perView.features.subarray((p * 6 + v) * own, (p * 6 + v + 1) * own)
      const expected = new Float32Array(length)
      expected.set(view(0))
      for (let j = 0; j < own; j++) expected[own + j] = (view(0)[j]! + view(1)[j]!) / 2
      for (let j = 0; j < early; j++)
        expected[2 * own + j] = (view(2)[j]! + view(3)[j]! + view(4)[j]! + view(5)[j]!) / 4
      expect(maxDifference(run.features.subarray(p * length, (p + 1) * length), expected)).toBeLessThan(1e-3)
      // The logits are the photo's own view's.
      const logits = perView.logits.subarray(p * 6 * 10, (p * 6 + 1) * 10)
      expect(maxDifference(run.logits.subarray(p * 10, (p + 1) * 10), logits)).toBeLessThan(1e-4)
      expect(maxDifference(plain.subarray(p * 10, (p + 1) * 10), logits)).toBeLessThan(1e-4)
    }
  })

  it('splices an ImageNet ResNet-50 with batch norm (opset 11): 11,904 features per image', async () => {
    const bytes = readFileSync(unzippedFixture('resnet50-opset11-batchnorm.onnx'))
    const { model, layout } = addFeatureOutputs(bytes)
    expect(layout.stages.map((s) => s.channels)).toEqual([64, 64, 256, 512, 1024, 2048])
    expect(featureLength(layout)).toBe(11904)
    const card: ClassifierCard = {
      ...bundledCard,
      input: { ...bundledCard.input, height: 224, width: 224 },
      output: { name: 'logits', classes: 1000 },
      labels: Array.from({ length: 1000 }, (_, i) => `class ${i}`),
    }
    const engine = createNativeEngine()
    const classifier = await Classifier.create(engine.ort, model, card, engine.sessionOptions)
    const run = await classifier.runWithFeatures(patternBatch(1, 3 * 224 * 224), 1, FEATURES_OUTPUT)
    await classifier.release()
    expect(run.logits.length).toBe(1000)
    expect(run.features.length).toBe(11904)
    expect(run.features.every(Number.isFinite)).toBe(true)
    // WebGPU binds at most 8 storage buffers per kernel: no Concat of the features joins more than 7 inputs.
    const graph = (
      modelProtoType().decode(model) as unknown as { graph: { node: { op_type: string; input: string[] }[] } }
    ).graph
    const concats = graph.node.filter(
      (n) => n.op_type === 'Concat' && n.input.some((i) => i.startsWith(FEATURES_OUTPUT)),
    )
    expect(concats.length).toBeGreaterThan(1)
    for (const concat of concats) expect(concat.input.length).toBeLessThanOrEqual(7)
  })

  it('refuses a graph without stages', () => {
    expect(() => addFeatureOutputs(new Uint8Array([0x3a, 0x00]))).toThrow()
  })
})
