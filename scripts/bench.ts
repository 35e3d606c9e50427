/**
 * npm run bench: where the time goes when classifying photos in Node with the app's own code.
 * Prints images/s for each stage on the CIFAR half (5,000 small JPEGs) and per-photo times for the
 * large photos in ../shared/photos, so a change can be judged by its figures.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { classifyFiles } from '../src/main/inference/classify-files'
import { loadModel } from '../src/main/inference/load-model'
import { createWasmEngine } from '../src/main/inference/node-ort'
import { decodeImage } from '../src/main/photos/decode'
import { preprocess, type DecodedImage } from '../src/shared/preprocess/preprocess'
import { defaultModelPath, labelsDir } from '../src/cli/paths'
import { readReferencePredictions, sharedPath } from '../tests/support/shared'

const BATCH = 50

function rate(count: number, ms: number): string {
  return `${((count / ms) * 1000).toFixed(0).padStart(6)} images/s  (${(ms / count).toFixed(2)} ms/image)`
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now()
  const value = await fn()
  return [value, performance.now() - start]
}

const engine = createWasmEngine()
const { classifier, card } = await loadModel(engine, defaultModelPath, labelsDir)
const datasetDir = sharedPath('datasets', 'cifar10-test-half')
const files = readReferencePredictions().map((row) => join(datasetDir, row.path))
console.log(`${card.name} · ${engine.provider} · ${files.length} CIFAR-10 JPEGs · batches of ${BATCH}\n`)

const [images, decodeMs] = await time(async () => {
  const out: DecodedImage[] = []
  for (let i = 0; i < files.length; i += BATCH)
    out.push(...(await Promise.all(files.slice(i, i + BATCH).map((f) => decodeImage(f)))))
  return out
})
const [tensors, preprocessMs] = await time(async () => images.map((image) => preprocess(image, card)))
const [, inferMs] = await time(async () => {
  const size = classifier.tensorLength
  for (let i = 0; i < tensors.length; i += BATCH) {
    const chunk = tensors.slice(i, i + BATCH)
    const batch = new Float32Array(chunk.length * size)
    chunk.forEach((t, j) => batch.set(t, j * size))
    await classifier.runBatch(batch, chunk.length)
  }
})
const [, endToEndMs] = await time(async () => {
  let failed = 0
  for await (const result of classifyFiles(
    classifier,
    files.map((path) => ({ path })),
    { batchSize: BATCH },
  )) {
    if ('error' in result) failed++
  }
  if (failed > 0) throw new Error(`${failed} CIFAR files failed to classify`)
})

console.log(`decode (sharp)        ${rate(files.length, decodeMs)}`)
console.log(`preprocess            ${rate(files.length, preprocessMs)}`)
console.log(`inference (WASM)      ${rate(files.length, inferMs)}`)
console.log(`end to end (CLI path) ${rate(files.length, endToEndMs)}`)
console.log(`  stages summed / end to end: ${((decodeMs + preprocessMs + inferMs) / endToEndMs).toFixed(2)}×`)

console.log('\nLarge photos (decode + preprocess to 32×32, median of 5):')
const photosDir = sharedPath('photos')
for (const name of readdirSync(photosDir).sort()) {
  const runs: number[] = []
  let size = ''
  for (let i = 0; i < 5; i++) {
    const [image, ms] = await time(async () => {
      const decoded = await decodeImage(join(photosDir, name))
      preprocess(decoded, card)
      return decoded
    })
    size = `${image.width}×${image.height}`
    runs.push(ms)
  }
  runs.sort((a, b) => a - b)
  console.log(`  ${name.padEnd(24)} ${size.padStart(10)}  ${runs[2]!.toFixed(1).padStart(7)} ms`)
}
await classifier.release()
