/**
 * npm run bench (part): what the features and the verdict cost. Every engine now runs the model's features copy
 * (stage statistics spliced into the graph, `addFeatureOutputs`) and judges each photo against the model's
 * profile; before, it ran the plain model and took a softmax. Prints images/s for both, measured in the same run
 * on the same tensors (alternating rounds, best of each), and their ratio: the goal is ≥ 0.90. A card that asks for
 * views (the bundled one: `src/shared/preprocess/views.ts`) is also measured as the app runs it, on its views.
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
import { viewCount, withoutViews } from '../src/shared/preprocess/views'
import { parseModelCard, type Preprocessing } from '../src/shared/model-card'
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
  knowledge: (features: number, views: Preprocessing['views']) => Knowledge
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

interface Rates {
  plain: number
  features: number
  /** The features copy on the card's views (undefined for a card without views). */
  views?: number
}

async function measure(engine: NodeEngine, c: Case): Promise<Rates> {
  const alone = withoutViews(c.card)
  const views = c.card.preprocessing.views
  const plain = await Classifier.create(engine.ort, c.bytes, alone, engine.sessionOptions)
  const spliced = addFeatureOutputs(c.bytes)
  const withFeatures = await Classifier.create(engine.ort, spliced.model, alone, engine.sessionOptions)
  const knowledge = c.knowledge(featureLength(spliced.layout), undefined)
  const splicedViews = views && addFeatureOutputs(c.bytes, undefined, views)
  const withViews = splicedViews
    ? await Classifier.create(engine.ort, splicedViews.model, c.card, engine.sessionOptions)
    : undefined
  const viewsKnowledge = splicedViews && c.knowledge(featureLength(splicedViews.layout), views)
  const size = plain.tensorLength
  const viewsSize = withViews?.tensorLength ?? size
  const classes = c.card.output.classes
  const batchesOf = (tensors: Float32Array, length: number): Float32Array[] => {
    const out: Float32Array[] = []
    for (let i = 0; i < c.count; i += c.batch)
      out.push(tensors.subarray(i * length, Math.min(c.count, i + c.batch) * length))
    return out
  }
  // The photo alone is the first view of each photo's tensors (`src/shared/preprocess/views.ts`).
  const photoTensors = new Float32Array(c.count * size)
  for (let i = 0; i < c.count; i++) photoTensors.set(c.tensors.subarray(i * viewsSize, i * viewsSize + size), i * size)
  const batches = batchesOf(photoTensors, size)
  const viewsBatches = batchesOf(c.tensors, viewsSize)
  const runPlain = async () => {
    for (const batch of batches) {
      const n = batch.length / size
      const logits = await plain.runBatch(batch, n)
      for (let i = 0; i < n; i++) topK(logits.subarray(i * classes, (i + 1) * classes), c.card.labels, 5)
    }
  }
  const judged =
    (classifier: Classifier, of: Float32Array[], length: number, known: Knowledge) => async (): Promise<void> => {
      for (const batch of of) {
        const n = batch.length / length
        const { logits, features } = await classifier.runWithFeatures(batch, n, FEATURES_OUTPUT)
        const d = features.length / n
        for (let i = 0; i < n; i++) {
          interpret(
            logits.subarray(i * classes, (i + 1) * classes),
            features.subarray(i * d, (i + 1) * d),
            c.card.labels,
            5,
            known,
          )
        }
      }
    }
  const runFeatures = judged(withFeatures, batches, size, knowledge)
  const runViews = withViews && viewsKnowledge && judged(withViews, viewsBatches, viewsSize, viewsKnowledge)
  const best: Rates = { plain: 0, features: 0, ...(runViews && { views: 0 }) }
  for (let round = 0; round < ROUNDS; round++) {
    best.plain = Math.max(best.plain, await imagesPerSecond(runPlain, c.count, 1500))
    best.features = Math.max(best.features, await imagesPerSecond(runFeatures, c.count, 1500))
    if (runViews) best.views = Math.max(best.views!, await imagesPerSecond(runViews, c.count, 1500))
  }
  await plain.release()
  await withFeatures.release()
  await withViews?.release()
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
    knowledge: (features, views) => ({
      ...(existsSync(profilePath) && {
        profile: parseProfile(JSON.parse(readFileSync(profilePath, 'utf8')), {
          sha256: card.sha256,
          featureLength: features,
          classes: card.output.classes,
          views,
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
// Each photo's tensors as the card asks: its views, the photo alone first.
const size = 3 * 32 * 32 * viewCount(cifar.card.preprocessing)
cifar.tensors = new Float32Array(files.length * size)
for (let i = 0; i < files.length; i++) cifar.tensors.set(preprocess(await decodeImage(files[i]!), cifar.card), i * size)

const resnet50: Case = {
  name: 'ResNet-50 (ImageNet shape, patterned weights), 32 images, batches of 8',
  bytes: readFileSync(unzippedFixture('resnet50-opset17.onnx')),
  card: withoutViews({
    ...cifar.card,
    input: { ...cifar.card.input, height: 224, width: 224 },
    output: { name: 'logits', classes: 1000 },
    labels: Array.from({ length: 1000 }, (_, i) => `class ${i}`),
  }),
  batch: 8,
  count: 32,
  tensors: Float32Array.from({ length: 32 * 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.01)),
  knowledge: () => ({}),
}

console.log('Features and verdicts: images/s without (plain model, softmax) and with (features copy, judged)')
for (const engine of [createNativeEngine(), createWasmEngine()]) {
  for (const c of engine.provider.startsWith('WASM') ? [cifar] : [cifar, resnet50]) {
    const { plain, features, views } = await measure(engine, c)
    console.log(
      `  ${engine.provider.padEnd(22)} ${c.name}: plain ${plain.toFixed(1)}, with features ${features.toFixed(1)} ` +
        `images/s; ratio ${(features / plain).toFixed(3)}` +
        (views === undefined
          ? ''
          : `; with features on the card's ${viewCount(c.card.preprocessing)} views (as the app runs it) ` +
            `${views.toFixed(1)} images/s, ratio ${(views / plain).toFixed(3)}`),
    )
  }
}
