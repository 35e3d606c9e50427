export interface ClassScore {
  label: string
  index: number
  p: number
}

/** Numerically stable softmax of one logit vector. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!)
  const out = new Float64Array(logits.length)
  let sum = 0
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max)
    sum += out[i]!
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum
  return out
}

/** The k most probable classes, most probable first; ties keep the lower index first. */
export function topK(logits: ArrayLike<number>, labels: readonly string[], k: number): ClassScore[] {
  const probs = softmax(logits)
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b)
  return order.slice(0, Math.max(0, k)).map((index) => ({
    label: labels[index] ?? `class ${index}`,
    index,
    p: probs[index]!,
  }))
}

/** The k most probable classes of a probability vector (e.g. calibrated), most probable first; ties keep the lower index. */
export function rankProbabilities(
  probabilities: ArrayLike<number>,
  labels: readonly string[],
  k: number,
): ClassScore[] {
  const order = Array.from({ length: probabilities.length }, (_, i) => i).sort(
    (a, b) => probabilities[b]! - probabilities[a]! || a - b,
  )
  return order.slice(0, Math.max(0, k)).map((index) => ({
    label: labels[index] ?? `class ${index}`,
    index,
    p: probabilities[index]!,
  }))
}
