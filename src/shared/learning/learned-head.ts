/**
 * A learned tags head: one linear score per tag over a model's embedding (`src/shared/embedding/`), calibrated so
 * that sigmoid(score) is the probability that the photo has the tag (the calibration is folded into the weights).
 * The app suggests a tag where that probability reaches the tag's threshold; a model saved from learned tags
 * outputs the scores as its logits (`src/main/onnx/learned-head.ts`), so its top-1 is the tag with the highest
 * score, as in the app.
 */
export interface LearnedHead {
  /** The tags, in the order of the scores (a saved model's labels). */
  tags: string[]
  /** The embedding's length. */
  dims: number
  /** float32[tags × dims], row-major. */
  weights: Float32Array
  /** float32[tags]. */
  bias: Float32Array
  /** Per tag: the probability at or above which the tag is suggested. */
  thresholds: number[]
}

/** Each tag's score for one embedding: W·e + b. */
export function headScores(head: LearnedHead, embedding: Float32Array): Float32Array {
  const scores = new Float32Array(head.tags.length)
  for (let t = 0; t < head.tags.length; t++) {
    let sum = head.bias[t]!
    const row = t * head.dims
    for (let i = 0; i < head.dims; i++) sum += head.weights[row + i]! * embedding[i]!
    scores[t] = sum
  }
  return scores
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x))
}
