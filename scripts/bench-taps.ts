/**
 * npx tsx scripts/bench-taps.ts: what fetching every stage's activations costs. Runs the plain model and the same
 * model with its stage taps added (addTapOutputs + Classifier.runTapped, which also copies the taps out of WASM) on
 * onnxruntime-web's WASM backend in Node, same thread count, interleaved run by run, and prints the median latency
 * of each and their ratio (goal: tapped ≤ 1.15 × plain).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { defaultModelPath } from '../src/cli/paths'
import { createWasmEngine } from '../src/main/inference/node-ort'
import { readModelGraph } from '../src/main/onnx'
import { addTapOutputs, stageTaps } from '../src/main/onnx/taps'
import { decodeImage } from '../src/main/photos/decode'
import { Classifier, type ClassifierCard } from '../src/shared/engine/classifier'
import { IMAGENET_PREPROCESSING, parseModelCard } from '../src/shared/model-card'
import { preprocess } from '../src/shared/preprocess/preprocess'
import { cifarHalfDir, readReferencePredictions, sharedPath } from '../tests/support/shared'

const GOAL = 1.15

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

interface BenchCase {
  title: string
  bytes: Uint8Array
  card: ClassifierCard
  files: string[]
  warmup: number
  runs: number
}

const engine = createWasmEngine()

async function bench(c: BenchCase): Promise<number> {
  const taps = stageTaps(readModelGraph(c.bytes))
  const names = taps.map((t) => t.tensor)
  const plain = await Classifier.create(engine.ort, c.bytes, c.card, engine.sessionOptions)
  const tapped = await Classifier.create(engine.ort, addTapOutputs(c.bytes, names), c.card, engine.sessionOptions)
  const count = c.files.length
  const batch = new Float32Array(count * plain.tensorLength)
  const images = await Promise.all(c.files.map((f) => decodeImage(f)))
  images.forEach((image, i) => preprocess(image, c.card, batch, i * plain.tensorLength))
  const tapFloats = taps.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0) * count

  const runPlain = () => plain.runBatch(batch, count)
  const runTapped = () => tapped.runTapped(batch, count, names)
  const runTappedLogitsOnly = () => tapped.runBatch(batch, count)
  for (let i = 0; i < c.warmup; i++) {
    await runPlain()
    await runTapped()
    await runTappedLogitsOnly()
  }
  const times = { plain: [] as number[], tapped: [] as number[], logitsOnly: [] as number[] }
  // Interleaved, so that drift (thermal, other processes) hits both alike.
  for (let i = 0; i < c.runs; i++) {
    times.plain.push(await timed(runPlain))
    times.tapped.push(await timed(runTapped))
    times.logitsOnly.push(await timed(runTappedLogitsOnly))
  }
  await plain.release()
  await tapped.release()

  const p = median(times.plain)
  const t = median(times.tapped)
  const l = median(times.logitsOnly)
  const ratio = t / p
  console.log(`${c.title}: batch ${count}, ${c.runs} runs after ${c.warmup} warm-up, medians`)
  console.log(`  taps: ${taps.map((x) => `${x.name} ${x.shape.join('×')}`).join(', ')}`)
  console.log(`  (${((tapFloats * 4) / 2 ** 20).toFixed(1)} MiB of activations per batch)`)
  console.log(`  plain model                      ${p.toFixed(2).padStart(9)} ms  (${(p / count).toFixed(2)} ms/image)`)
  console.log(`  tapped model, logits + all taps  ${t.toFixed(2).padStart(9)} ms  (${(t / count).toFixed(2)} ms/image)`)
  console.log(`  tapped model, logits only        ${l.toFixed(2).padStart(9)} ms`)
  console.log(
    `  ratio tapped / plain: ${ratio.toFixed(3)}×  (goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'NOT met'}); ` +
      `logits only / plain: ${(l / p).toFixed(3)}×\n`,
  )
  return ratio
}

console.log(`Stage taps vs plain model · onnxruntime-web ${engine.provider} · Node ${process.version}\n`)

const rows = readReferencePredictions()
const cifarFiles = Array.from({ length: 16 }, (_, i) => rows.filter((r) => r.label === i % 10)[Math.floor(i / 10)]!)
await bench({
  title: 'ResNet-56 (CIFAR-10), default model',
  bytes: readFileSync(defaultModelPath),
  card: parseModelCard(JSON.parse(readFileSync(defaultModelPath.replace(/\.onnx$/, '.card.json'), 'utf8'))),
  files: cifarFiles.map((r) => join(cifarHalfDir(), r.path)),
  warmup: 5,
  runs: 60,
})

await bench({
  title: 'ResNet-50 fixture (opset 17, 224×224)',
  bytes: gunzipSync(readFileSync(sharedPath('models', 'architectures', 'resnet50-opset17.onnx.gz'))),
  card: {
    input: { name: 'input', layout: 'NCHW', channels: 3, height: 224, width: 224 },
    output: { name: 'logits', classes: 1000 },
    labels: Array.from({ length: 1000 }, (_, i) => `class ${i}`),
    preprocessing: IMAGENET_PREPROCESSING,
  },
  files: [sharedPath('photos', 'chelsea.png')],
  warmup: 2,
  runs: 9,
})
