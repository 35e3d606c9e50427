/**
 * Heat maps on canvas: colour lookup tables and the code that paints a map of numbers into ImageData
 * (one putImageData per map, never one DOM node per pixel).
 */

/** 256 RGB entries, 0..255 each, laid out r, g, b. */
export type Lut = Uint8ClampedArray

function lutFrom(stops: ReadonlyArray<readonly [number, number, number]>): Lut {
  const lut = new Uint8ClampedArray(256 * 3)
  const last = stops.length - 1
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * last
    const lo = Math.min(last - 1, Math.floor(t))
    const f = t - lo
    const a = stops[lo]!
    const b = stops[lo + 1]!
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = a[c]! + (b[c]! - a[c]!) * f
  }
  return lut
}

/** Matplotlib's inferno (sampled): activations, black for nothing, pale yellow for the strongest. */
export const INFERNO: Lut = lutFrom([
  [0, 0, 4],
  [27, 12, 65],
  [74, 12, 107],
  [120, 28, 109],
  [165, 44, 96],
  [207, 68, 70],
  [237, 105, 37],
  [251, 155, 6],
  [247, 209, 61],
  [252, 255, 164],
])

/** Google's turbo (sampled): the class activation map, blue for little evidence, red for the most. */
export const TURBO: Lut = lutFrom([
  [48, 18, 59],
  [70, 107, 227],
  [40, 187, 236],
  [50, 241, 152],
  [164, 252, 60],
  [237, 208, 58],
  [251, 128, 34],
  [216, 56, 7],
  [122, 4, 3],
])

/** Diverging for "why A and not B": 0 = blue (evidence for B), 0.5 = neutral, 1 = red (evidence for A). */
export const DIVERGING: Lut = lutFrom([
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [240, 240, 240],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
])

export type AlphaMode =
  /** Every pixel opaque (channel tiles). */
  | 'opaque'
  /** Transparent where the value is low, so the photo shows through (CAM, zoomed channel). */
  | 'rising'
  /** Transparent around the middle (0.5), opaque at both ends (contrast maps). */
  | 'diverging'

function alphaOf(t: number, mode: AlphaMode): number {
  if (mode === 'opaque') return 255
  if (mode === 'rising') {
    const s = Math.min(1, Math.max(0, (t - 0.08) / 0.55))
    return Math.round(255 * s * s * (3 - 2 * s))
  }
  const d = Math.min(1, Math.abs(t - 0.5) * 2.4)
  return Math.round(255 * d)
}

/**
 * Paints `values` (row-major height × width, already scaled to 0..1) into an ImageData with a lookup
 * table; values outside 0..1 are clamped.
 */
export function paintHeat(
  values: ArrayLike<number>,
  width: number,
  height: number,
  lut: Lut,
  alpha: AlphaMode = 'opaque',
): ImageData {
  const image = new ImageData(width, height)
  const px = image.data
  const n = width * height
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    const t = v > 0 ? (v < 1 ? v : 1) : 0
    const j = Math.round(t * 255) * 3
    const o = i * 4
    px[o] = lut[j]!
    px[o + 1] = lut[j + 1]!
    px[o + 2] = lut[j + 2]!
    px[o + 3] = alphaOf(t, alpha)
  }
  return image
}

/** Scales a map to 0..1 by a fixed maximum (a stage's shared scale); all zeros when max ≤ 0. */
export function scaleBy(map: Float32Array, max: number): Float32Array {
  const out = new Float32Array(map.length)
  if (!(max > 0)) return out
  for (let i = 0; i < map.length; i++) out[i] = map[i]! / max
  return out
}

/** Maps a signed map to 0..1 around 0.5 by its largest magnitude (contrast maps: 0.5 is "no difference"). */
export function scaleSigned(map: Float32Array): Float32Array {
  let extent = 0
  for (const v of map) extent = Math.max(extent, Math.abs(v))
  const out = new Float32Array(map.length).fill(0.5)
  if (!(extent > 0)) return out
  for (let i = 0; i < map.length; i++) out[i] = 0.5 + map[i]! / (2 * extent)
  return out
}

/** Draws an ImageData on a canvas, sizing the canvas to it. */
export function putOnCanvas(canvas: HTMLCanvasElement, image: ImageData): void {
  if (canvas.width !== image.width) canvas.width = image.width
  if (canvas.height !== image.height) canvas.height = image.height
  canvas.getContext('2d')?.putImageData(image, 0, 0)
}

/** The CSS colour of a lookup table's entry at t (0..1), for legends. */
export function lutColour(lut: Lut, t: number): string {
  const j = Math.round(Math.min(1, Math.max(0, t)) * 255) * 3
  return `rgb(${lut[j]}, ${lut[j + 1]}, ${lut[j + 2]})`
}
