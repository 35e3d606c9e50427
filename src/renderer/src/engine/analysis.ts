/**
 * What the engine worker makes of a tapped run before it replies: each stage's channel means and its
 * strongest channels' maps, and the class activation maps. Pure (no ORT, no DOM), so it is cheap to
 * reason about and to test.
 */
import { channelMeans, topChannels, type ClassifierHead } from '../../../shared/engine/activations'
import type { CamSet, StageActivations, TapSpec } from './messages'

/** The [C, H, W] of a tap's dims (batch axis first); a pooled [N, C] tap is C×1×1. */
export function mapShape(dims: readonly number[]): [number, number, number] {
  const [, channels = 0, height = 1, width = 1] = dims
  if (dims.length < 2 || dims.length > 4 || channels < 1 || height < 1 || width < 1) {
    throw new Error(`A stage output has an unexpected shape [${dims.join(', ')}]; expected [N, C, H, W].`)
  }
  return [channels, height, width]
}

/**
 * One stage of one photo (the first image of the batch): every channel's mean, the `k` channels with the
 * highest mean, and those channels' maps copied into one array (so only they cross to the page).
 */
export function summarizeStage(tap: TapSpec, dims: readonly number[], data: Float32Array, k: number): StageActivations {
  const [channels, height, width] = mapShape(dims)
  const plane = height * width
  const map = data.subarray(0, channels * plane)
  const means = channelMeans(map, channels, height, width)
  const top = topChannels(means, k)
  const maps = new Float32Array(top.length * plane)
  let max = 0
  top.forEach(({ channel }, i) => {
    const source = map.subarray(channel * plane, (channel + 1) * plane)
    maps.set(source, i * plane)
    for (const v of source) if (v > max) max = v
  })
  return { stage: tap.stage, tensor: tap.tensor, shape: [channels, height, width], means, top, maps, max }
}

/** The classifier's weights as the app serves them: Float32 little-endian, classes × channels, then the bias. */
export function parseHead(buffer: ArrayBuffer, classes: number, channels: number): ClassifierHead {
  const expected = (classes * channels + classes) * 4
  if (buffer.byteLength !== expected) {
    throw new Error(
      `the classifier weights hold ${buffer.byteLength.toLocaleString('en-US')} bytes, ` +
        `${expected.toLocaleString('en-US')} expected for ${classes} classes × ${channels} channels`,
    )
  }
  const view = new DataView(buffer)
  const values = new Float32Array(classes * channels + classes)
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true)
  return {
    weights: values.subarray(0, classes * channels),
    bias: values.subarray(classes * channels),
    classes,
    channels,
  }
}

/** Multiply-adds the worker spends on CAMs for one photo at most (ResNet-50's 1000 × 2048 × 7 × 7 is 100 M). */
export const CAM_BUDGET_MACS = 250_000_000

/** The classes whose CAMs are computed: all of them, or the most likely ones when that would cost too much. */
export function camClasses(logits: Float32Array, plane: number, channels: number): Int32Array {
  const classes = logits.length
  const affordable = Math.max(1, Math.floor(CAM_BUDGET_MACS / Math.max(1, plane * channels)))
  if (classes <= affordable) return Int32Array.from({ length: classes }, (_, i) => i)
  const order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]! || a - b)
  return Int32Array.from(order.slice(0, affordable))
}

/**
 * CAM(c) = Σ_k w[c, k] · A_k for each class in `classes`: the same sum as the shared `classActivationMap`,
 * four channels per pass over the map so a thousand classes take tens of milliseconds.
 */
export function computeCams(
  feature: Float32Array,
  channels: number,
  height: number,
  width: number,
  head: ClassifierHead,
  stage: string,
  classes: Int32Array,
): CamSet {
  if (head.channels !== channels) {
    throw new Error(`the classifier reads ${head.channels} channels; the ${stage} output has ${channels}`)
  }
  const plane = height * width
  if (feature.length < channels * plane)
    throw new Error(`the ${stage} output is shorter than ${channels}×${height}×${width}`)
  const maps = new Float32Array(classes.length * plane)
  const bias = new Float32Array(classes.length)
  const sum = new Float64Array(plane)
  const w = head.weights
  classes.forEach((c, i) => {
    if (c < 0 || c >= head.classes) throw new Error(`class ${c} is out of range`)
    sum.fill(0)
    const row = c * channels
    let k = 0
    for (; k + 3 < channels; k += 4) {
      const w0 = w[row + k]!
      const w1 = w[row + k + 1]!
      const w2 = w[row + k + 2]!
      const w3 = w[row + k + 3]!
      const b0 = k * plane
      const b1 = b0 + plane
      const b2 = b1 + plane
      const b3 = b2 + plane
      for (let p = 0; p < plane; p++) {
        sum[p]! += w0 * feature[b0 + p]! + w1 * feature[b1 + p]! + w2 * feature[b2 + p]! + w3 * feature[b3 + p]!
      }
    }
    for (; k < channels; k++) {
      const wk = w[row + k]!
      const base = k * plane
      for (let p = 0; p < plane; p++) sum[p]! += wk * feature[base + p]!
    }
    maps.set(sum, i * plane)
    bias[i] = head.bias[c]!
  })
  return { stage, height, width, classes, maps, bias }
}
