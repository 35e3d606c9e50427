/**
 * Separable, antialiased bilinear resampling (a triangle filter widened by the scale factor when
 * shrinking), the same kernel PIL's `Image.resize(..., BILINEAR)` uses, so photos are reduced the way
 * torchvision's transforms reduce them during training.
 */

export interface PixelRegion {
  x: number
  y: number
  width: number
  height: number
}

interface Taps {
  start: Int32Array
  count: Int32Array
  weights: Float32Array
  maxTaps: number
}

function computeTaps(inOffset: number, inSize: number, outSize: number): Taps {
  const scale = inSize / outSize
  const filterScale = Math.max(scale, 1)
  const support = filterScale // triangle support 1, widened when shrinking
  const maxTaps = Math.ceil(support) * 2 + 1
  const start = new Int32Array(outSize)
  const count = new Int32Array(outSize)
  const weights = new Float32Array(outSize * maxTaps)
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale
    const lo = Math.max(0, Math.floor(centre - support))
    const hi = Math.min(inSize, Math.ceil(centre + support))
    let total = 0
    let n = 0
    for (let i = lo; i < hi && n < maxTaps; i++, n++) {
      const w = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / filterScale))
      weights[o * maxTaps + n] = w
      total += w
    }
    if (total > 0) for (let k = 0; k < n; k++) weights[o * maxTaps + k]! /= total
    start[o] = inOffset + lo
    count[o] = n
  }
  return { start, count, weights, maxTaps }
}

/**
 * Resamples `region` of an interleaved 8-bit image (`channels` values per pixel, of which the first
 * three are used) to `outWidth`×`outHeight`, returning interleaved RGB floats in 0..255. With `window`
 * (a part of the resampled image, e.g. a centre crop) only that part is computed and returned: the
 * same values, without the work for pixels that would be cropped away.
 */
export function resampleRgb(
  data: ArrayLike<number>,
  width: number,
  channels: number,
  region: PixelRegion,
  outWidth: number,
  outHeight: number,
  window: PixelRegion = { x: 0, y: 0, width: outWidth, height: outHeight },
): Float32Array {
  const { x: wx, y: wy, width: ww, height: wh } = window
  if (wx < 0 || wy < 0 || wx + ww > outWidth || wy + wh > outHeight) {
    throw new Error('The window lies outside the resampled image.')
  }
  const out = new Float32Array(ww * wh * 3)
  if (region.width === outWidth && region.height === outHeight) {
    for (let y = 0; y < wh; y++) {
      for (let x = 0; x < ww; x++) {
        const s = ((region.y + wy + y) * width + region.x + wx + x) * channels
        const d = (y * ww + x) * 3
        out[d] = data[s]!
        out[d + 1] = data[s + 1]!
        out[d + 2] = data[s + 2]!
      }
    }
    return out
  }

  // Vertical taps first, to know which source rows the window needs; then the horizontal pass over
  // those rows (window columns only), then the vertical pass.
  const v = computeTaps(0, region.height, outHeight)
  let firstRow = region.height
  let lastRow = 0
  for (let y = wy; y < wy + wh; y++) {
    firstRow = Math.min(firstRow, v.start[y]!)
    lastRow = Math.max(lastRow, v.start[y]! + v.count[y]!)
  }
  const h = computeTaps(region.x, region.width, outWidth)
  const rowCount = Math.max(0, lastRow - firstRow)
  const rows = new Float32Array(rowCount * ww * 3)
  for (let y = 0; y < rowCount; y++) {
    const rowBase = (region.y + firstRow + y) * width
    for (let x = 0; x < ww; x++) {
      let r = 0
      let g = 0
      let b = 0
      const n = h.count[wx + x]!
      const first = h.start[wx + x]!
      const taps = (wx + x) * h.maxTaps
      for (let k = 0; k < n; k++) {
        const w = h.weights[taps + k]!
        const s = (rowBase + first + k) * channels
        r += data[s]! * w
        g += data[s + 1]! * w
        b += data[s + 2]! * w
      }
      const d = (y * ww + x) * 3
      rows[d] = r
      rows[d + 1] = g
      rows[d + 2] = b
    }
  }

  for (let y = 0; y < wh; y++) {
    const n = v.count[wy + y]!
    const first = v.start[wy + y]! - firstRow
    const taps = (wy + y) * v.maxTaps
    for (let x = 0; x < ww; x++) {
      let r = 0
      let g = 0
      let b = 0
      for (let k = 0; k < n; k++) {
        const w = v.weights[taps + k]!
        const s = ((first + k) * ww + x) * 3
        r += rows[s]! * w
        g += rows[s + 1]! * w
        b += rows[s + 2]! * w
      }
      const d = (y * ww + x) * 3
      out[d] = r
      out[d + 1] = g
      out[d + 2] = b
    }
  }
  return out
}
