/**
 * IEEE 754 half-precision floats (Node 20 has no Float16Array): how embeddings are stored, 2 bytes a value,
 * little-endian.
 */

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** One float's IEEE 754 half-precision bits, rounded to nearest, ties to even (overflow to ±Infinity). */
export function toFloat16Bits(value: number): number {
  f32[0] = value
  const bits = u32[0]!
  const sign = (bits >>> 16) & 0x8000
  const exponent = (bits >>> 23) & 0xff
  const mantissa = bits & 0x7fffff
  if (exponent === 0xff) return sign | (mantissa !== 0 ? 0x7e00 : 0x7c00)
  const e = exponent - 127
  if (e > 15) return sign | 0x7c00
  if (e >= -14) {
    let half = ((e + 15) << 10) | (mantissa >>> 13)
    const rest = mantissa & 0x1fff
    if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++ // a carry into the exponent is right, up to Infinity
    return sign | half
  }
  // Subnormal half (or zero): the value in units of 2^−24.
  if (exponent === 0) return sign // float32 subnormals are far below half's smallest subnormal
  const shift = -e - 1 // 14…
  if (shift > 24) return sign
  const full = mantissa | 0x800000
  let half = full >>> shift
  const rest = full & ((1 << shift) - 1)
  const halfway = 1 << (shift - 1)
  if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++
  return sign | half
}

/** The number that half-precision bits hold. */
export function fromFloat16Bits(half: number): number {
  const sign = half & 0x8000 ? -1 : 1
  const exponent = (half >>> 10) & 0x1f
  const mantissa = half & 0x3ff
  if (exponent === 0) return sign * mantissa * 2 ** -24
  if (exponent === 0x1f) return mantissa !== 0 ? NaN : sign * Infinity
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15)
}

/** Values as little-endian IEEE half-precision floats (2 bytes each): how embeddings are stored. */
export function toFloat16Bytes(v: Float32Array): Uint8Array {
  const bytes = new Uint8Array(v.length * 2)
  for (let i = 0; i < v.length; i++) {
    const half = toFloat16Bits(v[i]!)
    bytes[2 * i] = half & 0xff
    bytes[2 * i + 1] = half >>> 8
  }
  return bytes
}

/** The values `toFloat16Bytes` wrote. Throws when the byte count is odd. */
export function fromFloat16Bytes(bytes: Uint8Array): Float32Array {
  if (bytes.length % 2 !== 0) throw new Error(`Float16 data of ${bytes.length} bytes (not a whole number of values).`)
  const table = float16Table()
  const out = new Float32Array(bytes.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = table[bytes[2 * i]! | (bytes[2 * i + 1]! << 8)]!
  return out
}

let halfTable: Float32Array | undefined

/** The value of each of the 65,536 half-precision bit patterns (256 KiB, built once): decoding by lookup. */
export function float16Table(): Float32Array {
  if (halfTable) return halfTable
  const table = new Float32Array(65536)
  for (let bits = 0; bits < 65536; bits++) table[bits] = fromFloat16Bits(bits)
  return (halfTable = table)
}
