import type { ModelInput, Preprocessing } from '../model-card'
import { resampleRgb, type PixelRegion } from './resample'
import { firstTile, viewCount, writeMirrored, writeTiles } from './views'

/** A decoded photo: interleaved 8-bit samples, 3 (RGB) or 4 (RGBA) per pixel, already upright. */
export interface DecodedImage {
  width: number
  height: number
  channels: 3 | 4
  data: Uint8Array | Uint8ClampedArray
}

export interface PreprocessSpec {
  input: Pick<ModelInput, 'width' | 'height'>
  preprocessing: Preprocessing
}

interface ResizePlan {
  /** Part of the source image that is resampled. */
  region: PixelRegion
  /** Size the region is resampled to. */
  resizedWidth: number
  resizedHeight: number
  /** Offset of the model's input window inside the resized image. */
  cropX: number
  cropY: number
}

export function planResize(width: number, height: number, spec: PreprocessSpec): ResizePlan {
  const { width: W, height: H } = spec.input
  const p = spec.preprocessing
  if (p.resize === 'square-crop') {
    const side = Math.min(width, height)
    return {
      region: {
        x: Math.floor((width - side) / 2),
        y: Math.floor((height - side) / 2),
        width: side,
        height: side,
      },
      resizedWidth: W,
      resizedHeight: H,
      cropX: 0,
      cropY: 0,
    }
  }
  // torchvision: Resize(shorterSide) then CenterCrop(H, W). Resize truncates the long side,
  // int(shorter * long / short); CenterCrop uses Python's round(), which rounds halves to even.
  const shorter = p.shorterSide ?? Math.max(W, H)
  const short = Math.min(width, height)
  const resizedWidth = width <= height ? shorter : Math.max(W, Math.floor((shorter * width) / short))
  const resizedHeight = height < width ? shorter : Math.max(H, Math.floor((shorter * height) / short))
  return {
    region: { x: 0, y: 0, width, height },
    resizedWidth,
    resizedHeight,
    cropX: roundHalfEven((resizedWidth - W) / 2),
    cropY: roundHalfEven((resizedHeight - H) / 2),
  }
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x)
  const fraction = x - floor
  return fraction > 0.5 || (fraction === 0.5 && floor % 2 !== 0) ? floor + 1 : floor
}

/** Values of one photo's tensor: 3×H×W per view (see `views.ts`). */
export function tensorLengthFor(spec: PreprocessSpec): number {
  return 3 * spec.input.width * spec.input.height * viewCount(spec.preprocessing)
}

/**
 * Turns a decoded photo into its NCHW float tensor as the model card describes: crop/resize policy, colour order,
 * scale, then (x - mean) / std per channel; 3×H×W, times the views when the card has them (`views.ts`).
 * Writes into `out` at `offset` when given, so batches are filled without copies.
 */
export function preprocess(image: DecodedImage, spec: PreprocessSpec, out?: Float32Array, offset = 0): Float32Array {
  const views = spec.preprocessing.views
  if (!views) return preprocessView(image, spec, out, offset)
  const { width: W, height: H } = spec.input
  const size = 3 * W * H
  const target = out ?? new Float32Array(tensorLengthFor(spec))
  if (target.length < offset + tensorLengthFor(spec)) throw new Error('Output tensor is too small.')
  const whole = preprocessView(image, spec, target, offset).subarray(offset, offset + size)
  if (views.flip) writeMirrored(whole, W, H, target, offset + size)
  if (views.tiles > 0) {
    const large = preprocessView(image, {
      input: { width: views.tiles * W, height: views.tiles * H },
      preprocessing: {
        ...spec.preprocessing,
        ...(spec.preprocessing.shorterSide !== undefined && {
          shorterSide: views.tiles * spec.preprocessing.shorterSide,
        }),
      },
    })
    writeTiles(large, W, H, views.tiles, target, offset + firstTile(views) * size)
  }
  return target
}

/** One view: the photo as the card's preprocessing makes it, 3×H×W. */
function preprocessView(image: DecodedImage, spec: PreprocessSpec, out?: Float32Array, offset = 0): Float32Array {
  if (image.width < 1 || image.height < 1) throw new Error('The image has no pixels.')
  const { width: W, height: H } = spec.input
  const plane = W * H
  const target = out ?? new Float32Array(3 * plane)
  if (target.length < offset + 3 * plane) throw new Error('Output tensor is too small.')

  const plan = planResize(image.width, image.height, spec)
  // Only the model's input window of the resized image is computed (the centre crop).
  const resized = resampleRgb(
    image.data,
    image.width,
    image.channels,
    plan.region,
    plan.resizedWidth,
    plan.resizedHeight,
    {
      x: plan.cropX,
      y: plan.cropY,
      width: W,
      height: H,
    },
  )
  const { scale, mean, std, colorOrder } = spec.preprocessing
  const order = colorOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0]
  for (let c = 0; c < 3; c++) {
    const src = order[c]!
    const m = mean[c]!
    const inv = 1 / std[c]!
    const base = offset + c * plane
    for (let i = 0; i < plane; i++) target[base + i] = (resized[i * 3 + src]! * scale - m) * inv
  }
  return target
}
