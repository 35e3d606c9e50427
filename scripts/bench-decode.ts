/**
 * npx tsx scripts/bench-decode.ts (part of npm run bench): what decoding a photo for a model costs and
 * how close it stays to a full-size decode, per photo size. For each size, the seven photos of
 * ../shared/photos are made into JPEGs once per machine; each policy decodes them for an ImageNet
 * model (shorter side 256, centre crop 224) and the preprocessed tensors are compared with those of a
 * full-size decode resampled by the preprocessing alone (PIL's pipeline, as PyTorch's reference has it),
 * in 8-bit levels.
 *   app:        decodeForModel (JPEG over 2× the side: shrink on load to 1.5×; otherwise as it is)
 *   2× always:  shrink on load to no less than 2× the side (the app before this bench)
 *   libvips:    sharp resizes straight to the side (what the bench's minimal reference script does)
 */
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { decodeForModel, decodeImage } from '../src/main/photos/decode'
import { IMAGENET_PREPROCESSING } from '../src/shared/model-card'
import { preprocess, type DecodedImage, type PreprocessSpec } from '../src/shared/preprocess/preprocess'
import { sharedPath } from '../tests/support/shared'
import { levelDistance } from '../tests/support/tensors'

const SIZES = [
  [6000, 4000],
  [4000, 3000],
  [2400, 1600],
  [1200, 900],
  [700, 500],
] as const
const SIDE = 256
const spec: PreprocessSpec = { input: { width: 224, height: 224 }, preprocessing: IMAGENET_PREPROCESSING }

// One photo at a time on one libvips thread: the figures are per photo, not the machine's throughput.
sharp.concurrency(1)

async function photosOfSize(width: number, height: number): Promise<string[]> {
  const dir = join(tmpdir(), 'resnet-lens-bench', `decode-${width}x${height}-v1`)
  if (!existsSync(dir)) {
    const partial = `${dir}.partial`
    mkdirSync(partial, { recursive: true })
    const sources = readdirSync(sharedPath('photos')).sort()
    for (const [i, name] of sources.entries())
      await sharp(sharedPath('photos', name))
        .rotate()
        .removeAlpha()
        .toColourspace('srgb')
        .resize(width, height, { fit: 'cover' })
        .jpeg({ quality: 90 })
        .toFile(join(partial, `photo-${i}.jpg`))
    renameSync(partial, dir)
  }
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name))
}

async function sharpResized(file: string, side: number): Promise<DecodedImage> {
  const { data, info } = await sharp(file)
    .rotate()
    .resize(side, side, { fit: 'outside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, channels: 3, data }
}

const policies: Record<string, (file: string) => Promise<DecodedImage>> = {
  app: (file) => decodeForModel(file, spec),
  '2× always': (file) => sharpResized(file, 2 * SIDE),
  libvips: (file) => sharpResized(file, SIDE),
}

console.log(`Decoding for a model (shorter side ${SIDE}, crop 224): ms per photo (decode + preprocess, one thread)`)
console.log('and the distance from a full-size decode, in 8-bit levels (mean / largest)')
for (const [width, height] of SIZES) {
  const files = await photosOfSize(width, height)
  const full = await Promise.all(files.map(async (file) => preprocess(await decodeImage(file), spec)))
  const cells: string[] = []
  for (const [name, decode] of Object.entries(policies)) {
    for (const file of files) await decode(file) // warm up
    const started = performance.now()
    const tensors: Float32Array[] = []
    for (let round = 0; round < 3; round++) for (const file of files) tensors.push(preprocess(await decode(file), spec))
    const ms = (performance.now() - started) / tensors.length
    const diffs = files.map((_, i) => levelDistance(tensors[i]!, full[i]!, spec.preprocessing.std))
    const mean = diffs.reduce((s, d) => s + d.mean, 0) / diffs.length
    const max = Math.max(...diffs.map((d) => d.max))
    cells.push(`${name} ${ms.toFixed(1)} ms, ${mean.toFixed(2)} / ${max.toFixed(0)}`)
  }
  console.log(`  ${`${width}×${height}`.padEnd(10)} ${cells.join('   ')}`)
}
