/**
 * The minimal reference the bench compares the app with (not app code): list the JPEGs of a folder,
 * decode and resize each with sharp, normalise in a plain loop, run batches through onnxruntime-node's
 * CPU backend with its default options, and print one JSON line with the count and the time.
 *
 *   tsx scripts/reference-classify.ts <model.onnx> <folder> <card.json-with-preprocessing> <batch>
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import sharp from 'sharp'

interface Spec {
  input: { name: string; height: number; width: number }
  output: { name: string }
  preprocessing: {
    resize: 'square-crop' | 'shorter-side'
    shorterSide?: number
    scale: number
    mean: number[]
    std: number[]
  }
}

const [modelPath, folder, specPath, batchText] = process.argv.slice(2)
if (!modelPath || !folder || !specPath || !batchText) throw new Error('usage: <model> <folder> <spec.json> <batch>')
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as Spec
const batchSize = Number(batchText)
const { height: H, width: W } = spec.input
const { mean, std, scale } = spec.preprocessing

const files = readdirSync(folder, { recursive: true, encoding: 'utf8' })
  .filter((name) => /\.jpe?g$/i.test(name))
  .map((name) => join(folder, name))
  .sort()

async function tensorOf(file: string, into: Float32Array, offset: number): Promise<void> {
  const side = spec.preprocessing.resize === 'shorter-side' ? (spec.preprocessing.shorterSide ?? H) : H
  const image = sharp(file).rotate().removeAlpha()
  const { data, info } = await (
    spec.preprocessing.resize === 'square-crop'
      ? image.resize(W, H, { fit: 'cover' })
      : image.resize(side, side, { fit: 'outside' })
  )
    .raw()
    .toBuffer({ resolveWithObject: true })
  const x0 = Math.floor((info.width - W) / 2)
  const y0 = Math.floor((info.height - H) / 2)
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < 3; c++) {
        const v = data[((y + y0) * info.width + x + x0) * info.channels + c]! * scale
        into[offset + c * H * W + y * W + x] = (v - mean[c]!) / std[c]!
      }
}

const session = await ort.InferenceSession.create(modelPath)
const started = performance.now()
let classified = 0
for (let i = 0; i < files.length; i += batchSize) {
  const chunk = files.slice(i, i + batchSize)
  const batch = new Float32Array(chunk.length * 3 * H * W)
  await Promise.all(chunk.map((file, j) => tensorOf(file, batch, j * 3 * H * W)))
  const input = new ort.Tensor('float32', batch, [chunk.length, 3, H, W])
  const output = (await session.run({ [spec.input.name]: input }))[spec.output.name]!
  const classes = output.dims[1]!
  const logits = output.data as Float32Array
  for (let j = 0; j < chunk.length; j++) {
    let best = 0
    for (let k = 1; k < classes; k++) if (logits[j * classes + k]! > logits[j * classes + best]!) best = k
    classified++
  }
}
const seconds = (performance.now() - started) / 1000
console.log(JSON.stringify({ images: classified, seconds }))
