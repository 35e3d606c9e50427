/**
 * How far apart two preprocessed tensors (3×H×W, normalised with `std` per channel) are, in 8-bit
 * levels of the photo they came from: the mean and the largest difference.
 */
export function levelDistance(a: Float32Array, b: Float32Array, std: readonly number[]): { mean: number; max: number } {
  const plane = a.length / 3
  let sum = 0
  let max = 0
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) * std[Math.floor(i / plane)]! * 255
    sum += d
    if (d > max) max = d
  }
  return { mean: sum / a.length, max }
}
