import { planResize, type PreprocessSpec } from '../preprocess/preprocess'

/**
 * Activation maths for the architecture and activations view. Pure: runs in the renderer's worker and in Node.
 *
 * Maps are one image's activations, channel-major [C, H, W] (take `data.subarray(i * C * H * W, (i + 1) * C * H * W)`
 * of a batched tap for image i: no copy).
 */

/**
 * The linear classifier after the global average pool: logits = weights · mean(A) + bias, where mean(A) is the
 * last stage's activations averaged over the map. Read from the graph by `readClassifierHead` (main process).
 */
export interface ClassifierHead {
  /** classes × channels, row-major: weights[c * channels + k]. */
  weights: Float32Array
  /** One per class. */
  bias: Float32Array
  classes: number
  channels: number
}

export interface ChannelScore {
  channel: number
  mean: number
}

function checkMap(map: Float32Array, channels: number, height: number, width: number): void {
  for (const [what, n] of [
    ['channels', channels],
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`The map's ${what} must be a positive integer, got ${n}.`)
  }
  if (map.length !== channels * height * width) {
    throw new Error(
      `Expected ${channels}×${height}×${width} = ${channels * height * width} values for the map, got ${map.length}.`,
    )
  }
}

/** The mean activation of each channel of a [C, H, W] map (accumulated in double precision). */
export function channelMeans(map: Float32Array, channels: number, height: number, width: number): Float32Array {
  checkMap(map, channels, height, width)
  const plane = height * width
  const means = new Float32Array(channels)
  for (let c = 0; c < channels; c++) {
    let sum = 0
    const base = c * plane
    for (let p = 0; p < plane; p++) sum += map[base + p]!
    means[c] = sum / plane
  }
  return means
}

/** The `k` channels with the highest mean, highest first (ties: lower channel first). */
export function topChannels(means: Float32Array, k: number): ChannelScore[] {
  const order = Array.from(means.keys()).sort((a, b) => means[b]! - means[a]! || a - b)
  return order.slice(0, Math.max(0, Math.min(k, means.length))).map((channel) => ({ channel, mean: means[channel]! }))
}

function checkHead(head: ClassifierHead, channels: number, classIndex: number): void {
  if (head.channels !== channels) {
    throw new Error(`The classifier reads ${head.channels} channels; the map has ${channels}.`)
  }
  if (head.weights.length !== head.classes * head.channels || head.bias.length !== head.classes) {
    throw new Error('The classifier head is inconsistent: weights must be classes × channels, bias one per class.')
  }
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= head.classes) {
    throw new Error(`Class ${classIndex} is out of range (the classifier has ${head.classes} classes).`)
  }
}

/** Σ_k coefficients[k] · A_k over the channels of a [C, H, W] map: an H×W map. */
function weightedSum(
  map: Float32Array,
  channels: number,
  plane: number,
  coefficient: (channel: number) => number,
): Float32Array {
  const sum = new Float64Array(plane)
  for (let k = 0; k < channels; k++) {
    const w = coefficient(k)
    if (w === 0) continue
    const base = k * plane
    for (let p = 0; p < plane; p++) sum[p]! += w * map[base + p]!
  }
  return Float32Array.from(sum)
}

/**
 * The class activation map of `classIndex` (Zhou et al. 2016): Σ_k w[class, k] · A_k over the last stage's channels,
 * an H×W map (row-major). Because the head is a global average pool then one linear layer, the map's mean plus the
 * class's bias is the class's logit: the map shows where in the image the logit comes from, without gradients.
 */
export function classActivationMap(
  lastStage: Float32Array,
  channels: number,
  height: number,
  width: number,
  head: ClassifierHead,
  classIndex: number,
): Float32Array {
  checkMap(lastStage, channels, height, width)
  checkHead(head, channels, classIndex)
  const row = classIndex * channels
  return weightedSum(lastStage, channels, height * width, (k) => head.weights[row + k]!)
}

/**
 * "Why A and not B": CAM(A) − CAM(B) = Σ_k (w[A, k] − w[B, k]) · A_k. Its mean is logit(A) − logit(B) − (bias(A) −
 * bias(B)); positive where the image argues for A over B.
 */
export function classContrastMap(
  lastStage: Float32Array,
  channels: number,
  height: number,
  width: number,
  head: ClassifierHead,
  classA: number,
  classB: number,
): Float32Array {
  checkMap(lastStage, channels, height, width)
  checkHead(head, channels, classA)
  checkHead(head, channels, classB)
  const a = classA * channels
  const b = classB * channels
  return weightedSum(lastStage, channels, height * width, (k) => head.weights[a + k]! - head.weights[b + k]!)
}

/** The mean of a map (double-precision sum). For a CAM, mean + bias is the class's logit. */
export function mapMean(map: Float32Array): number {
  let sum = 0
  for (const v of map) sum += v
  return map.length === 0 ? 0 : sum / map.length
}

export interface NormalizeOptions {
  /**
   * 'min-max' (default): the lowest value becomes 0 and the highest 1.
   * 'positive': negative values become 0 and the highest value 1 (only the evidence for the class is shown).
   */
  mode?: 'min-max' | 'positive'
}

/** A copy of the map scaled to 0..1 for display; all zeros when the map is flat (or, in 'positive' mode, ≤ 0). */
export function normalizeMap(map: Float32Array, options: NormalizeOptions = {}): Float32Array {
  const positive = options.mode === 'positive'
  let min = Infinity
  let max = -Infinity
  for (const v of map) {
    if (v < min) min = v
    if (v > max) max = v
  }
  const low = positive ? 0 : min
  const range = max - low
  const out = new Float32Array(map.length)
  if (!(range > 0) || !Number.isFinite(range)) return out
  for (let i = 0; i < map.length; i++) out[i] = Math.min(1, Math.max(0, (map[i]! - low) / range))
  return out
}

/** Source index and weight of each output coordinate (half-pixel centres, clamped at the edges). */
function axisTaps(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(outSize)
  const i1 = new Int32Array(outSize)
  const f = new Float32Array(outSize)
  const scale = inSize / outSize
  for (let o = 0; o < outSize; o++) {
    const s = Math.min(inSize - 1, Math.max(0, (o + 0.5) * scale - 0.5))
    const lo = Math.floor(s)
    i0[o] = lo
    i1[o] = Math.min(inSize - 1, lo + 1)
    f[o] = s - lo
  }
  return { i0, i1, f }
}

/**
 * Bilinear resampling of an H×W map to outHeight×outWidth, with half-pixel centres and clamped edges (PyTorch's
 * `interpolate(mode='bilinear', align_corners=False)`, OpenCV's `resize`). For a photo overlay, resample to the
 * region of the photo the model saw (`inputRegionInPhoto`) or to the displayed size, not to a huge original.
 */
export function upsampleBilinear(
  map: Float32Array,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  checkMap(map, 1, height, width)
  for (const [what, n] of [
    ['outHeight', outHeight],
    ['outWidth', outWidth],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${n}.`)
  }
  const ys = axisTaps(height, outHeight)
  const xs = axisTaps(width, outWidth)
  const out = new Float32Array(outHeight * outWidth)
  for (let y = 0; y < outHeight; y++) {
    const r0 = ys.i0[y]! * width
    const r1 = ys.i1[y]! * width
    const fy = ys.f[y]!
    for (let x = 0; x < outWidth; x++) {
      const x0 = xs.i0[x]!
      const x1 = xs.i1[x]!
      const fx = xs.f[x]!
      const top = map[r0 + x0]! + (map[r0 + x1]! - map[r0 + x0]!) * fx
      const bottom = map[r1 + x0]! + (map[r1 + x1]! - map[r1 + x0]!) * fx
      out[y * outWidth + x] = top + (bottom - top) * fy
    }
  }
  return out
}

/** A rectangle in photo pixels (fractional). */
export interface PhotoRegion {
  x: number
  y: number
  width: number
  height: number
}

/**
 * The part of a photo (its upright decoded size) that the model's input covers after the card's resize and crop:
 * a map over the model's input (a CAM, a channel) is drawn over this rectangle of the photo.
 */
export function inputRegionInPhoto(photoWidth: number, photoHeight: number, spec: PreprocessSpec): PhotoRegion {
  const plan = planResize(photoWidth, photoHeight, spec)
  const sx = plan.region.width / plan.resizedWidth
  const sy = plan.region.height / plan.resizedHeight
  return {
    x: plan.region.x + plan.cropX * sx,
    y: plan.region.y + plan.cropY * sy,
    width: spec.input.width * sx,
    height: spec.input.height * sy,
  }
}
