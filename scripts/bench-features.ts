/**
 * npm run bench (part): what the features and the verdict cost. Every engine now runs the model's features copy
 * (stage statistics spliced into the graph, `addFeatureOutputs`) and judges each photo against the model's
 * profile; before, it ran the plain model and took a softmax. Prints images/s for both, measured in the same run
 * on the same tensors (alternating rounds, best of each), and their ratio: the goal is ≥ 0.90.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Classifier, type ClassifierCard } from '../src/shared/engine/classifier'
import { topK } from '../src/shared/engine/postprocess'
import { FEATURES_OUTPUT, featureLength } from '../src/shared/knowledge/features'
import { interpret, type Knowledge } from '../src/shared/knowledge/interpret'
import { parseProfile } from '../src/shared/knowledge/profile'
import { parseHierarchy } from '../src/shared/knowledge/hierarchy'
import { createNativeEngine } from '../src/main/inference/native-ort'
import { createWasmEngine, type NodeEngine } from '../src/main/inference/node-ort'
import { addFeatureOutputs } from '../src/main/onnx/feature-graph'
import { decodeImage } from '../src/main/photos/decode'
import { preprocess } from '../src/shared/preprocess/preprocess'
import { parseModelCard } from '../src/shared/model-card'
import { unzippedFixture } from '../tests/support/fixture-models'
import { readReferencePredictions, repoRoot, sharedPath } from '../tests/support/shared'

const ROUNDS = 3

interface Case {
  name: string
  bytes: Uint8Array
  card: ClassifierCard
  batch: number
  tensors: Float32Array
  count: number
  knowledge: (features: number) => Knowledge
}

async function imagesPerSecond(run: () => Promise<void>, count: number, minMs: number): Promise<number> {
  await run() // warm-up
  let images = 0
  const started = performance.now()
  while (performance.now() - started < minMs) {
    await run()
    images += count
  }
  return (images * 1000) / (performance.now() - started)
}

async function measure(engine: NodeEngine, c: Case): Promise<{ plain: number; features: number }> {
  const plain = await Classifier.create(engine.ort, c.bytes, c.card, engine.sessionOptions)
  const spliced = addFeatureOutputs(c.bytes)
  const withFeatures = await Classifier.create(engine.ort, spliced.model, c.card, engine.sessionOptions)
  const knowledge = c.knowledge(featureLength(spliced.layout))
  const size = plain.tensorLength
  const classes = c.card.output.classes
  const batches: Float32Array[] = []
  for (let i = 0; i < c.count; i += c.batch)
    batches.push(c.tensors.subarray(i * size, Math.min(c.count, i + c.batch) * size))
  const runPlain = async () => {
    for (const batch of batches) {
      const n = batch.length / size
      const logits = await plain.runBatch(batch, n)
      for (let i = 0; i < n; i++) topK(logits.subarray(i * classes, (i + 1) * classes), c.card.labels, 5)
    }
  }
  const runFeatures = async () => {
    for (const batch of batches) {
      const n = batch.length / size
      const { logits, features } = await withFeatures.runWithFeatures(batch, n, FEATURES_OUTPUT)
      const d = features.length / n
      for (let i = 0; i < n; i++) {
        interpret(
          logits.subarray(i * classes, (i + 1) * classes),
          features.subarray(i * d, (i + 1) * d),
          c.card.labels,
          5,
          knowledge,
        )
      }
    }
  }
  let best = { plain: 0, features: 0 }
  for (let round = 0; round < ROUNDS; round++) {
    best = {
      plain: Math.max(best.plain, await imagesPerSecond(runPlain, c.count, 1500)),
      features: Math.max(best.features, await imagesPerSecond(runFeatures, c.count, 1500)),
    }
  }
  await plain.release()
  await withFeatures.release()
  return best
}

function bundledCase(): Case {
  const modelPath = join(repoRoot, 'resources', 'models', 'resnet56-cifar10.onnx')
  const card = parseModelCard(JSON.parse(readFileSync(modelPath.replace(/\.onnx$/, '.card.json'), 'utf8')))
  const profilePath = modelPath.replace(/\.onnx$/, '.profile.json')
  const hierarchyPath = join(repoRoot, 'resources', 'labels', 'cifar10.hierarchy.json')
  return {
    name: 'ResNet-56 (CIFAR-10), 1,000 CIFAR photos, batches of 50',
    bytes: readFileSync(modelPath),
    card,
    batch: 50,
    tensors: new Float32Array(0),
    count: 1000,
    knowledge: (features) => ({
      ...(existsSync(profilePath) && {
        profile: parseProfile(JSON.parse(readFileSync(profilePath, 'utf8')), {
          sha256: card.sha256,
          featureLength: features,
          classes: card.output.classes,
          views: card.preprocessing.views,
        }),
      }),
      ...(existsSync(hierarchyPath) && { hierarchy: parseHierarchy(JSON.parse(readFileSync(hierarchyPath, 'utf8'))) }),
    }),
  }
}

const cifar = bundledCase()
const files = readReferencePredictions()
  .slice(0, cifar.count)
  .map((row) => join(sharedPath('datasets', 'cifar10-test-half'), row.path))
const size = 3 * 32 * 32
cifar.tensors = new Float32Array(files.length * size)
for (let i = 0; i < files.length; i++) cifar.tensors.set(preprocess(await decodeImage(files[i]!), cifar.card), i * size)

const resnet50: Case = {
  name: 'ResNet-50 (ImageNet shape, patterned weights), 32 images, batches of 8',
  bytes: readFileSync(unzippedFixture('resnet50-opset17.onnx')),
  card: {
    ...cifar.card,
    input: { ...cifar.card.input, height: 224, width: 224 },
    output: { name: 'logits', classes: 1000 },
    labels: Array.from({ length: 1000 }, (_, i) => `class ${i}`),
  },
  batch: 8,
  count: 32,
  tensors: Float32Array.from({ length: 32 * 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.01)),
  knowledge: () => ({}),
}

console.log('Features and verdicts: images/s without (plain model, softmax) and with (features copy, judged)')
for (const engine of [createNativeEngine(), createWasmEngine()]) {
  for (const c of engine.provider.startsWith('WASM') ? [cifar] : [cifar, resnet50]) {
    const { plain, features } = await measure(engine, c)
    console.log(
      `  ${engine.provider.padEnd(22)} ${c.name}: plain ${plain.toFixed(1)}, with features ${features.toFixed(1)} ` +
        `images/s; ratio ${(features / plain).toFixed(3)}`,
    )
  }
}
