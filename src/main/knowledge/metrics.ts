/**
 * Figures for out-of-distribution detection and calibration, as the literature reports them (Hendrycks & Gimpel
 * 2017; Guo et al. 2017). Scores: higher means more likely out of distribution.
 */

/**
 * Area under the ROC curve for telling `outside` (positives) from `inside` by score: the probability that a random
 * outside sample scores higher than a random inside one, ties counting half. 0.5 is chance, 1 perfect.
 */
export function auroc(inside: ArrayLike<number>, outside: ArrayLike<number>): number {
  if (inside.length === 0 || outside.length === 0) throw new Error('AUROC needs samples of both kinds.')
  const all = [
    ...Array.from(inside, (score) => ({ score, outside: false })),
    ...Array.from(outside, (score) => ({ score, outside: true })),
  ].sort((a, b) => a.score - b.score)
  // Mann–Whitney U with average ranks for ties.
  let rankSum = 0
  for (let i = 0; i < all.length;) {
    let j = i
    while (j + 1 < all.length && all[j + 1]!.score === all[i]!.score) j++
    const rank = (i + j + 2) / 2
    for (let k = i; k <= j; k++) if (all[k]!.outside) rankSum += rank
    i = j + 1
  }
  const n1 = outside.length
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * inside.length)
}

/**
 * The score at or below which at least `share` of `scores` lie: the ⌈share·n⌉-th smallest. Keeping samples with a
 * score ≤ it keeps at least that share of them.
 */
export function keepThreshold(scores: ArrayLike<number>, share: number): number {
  if (scores.length === 0) throw new Error('No scores to take a threshold from.')
  const sorted = Float64Array.from(scores).sort()
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length - 1e-9) - 1))
  return sorted[index]!
}

/**
 * False positive rate at 95% true positive rate: with the threshold that keeps 95% of the `inside` samples
 * (`keepThreshold`), the share of `outside` samples kept too (taken for known). Lower is better.
 */
export function fprAt95(inside: ArrayLike<number>, outside: ArrayLike<number>): number {
  const threshold = keepThreshold(inside, 0.95)
  let kept = 0
  for (let i = 0; i < outside.length; i++) if (outside[i]! <= threshold) kept++
  return kept / outside.length
}

/**
 * Expected calibration error over equal-width confidence bins (15 by default, (0, 1/15], …): the sample-weighted
 * mean of |accuracy − mean confidence| per bin, where confidence is the top probability and a sample is correct
 * when its top class is its label.
 */
export function expectedCalibrationError(
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = 15,
): number {
  const n = confidences.length
  if (n !== correct.length) throw new Error('One correctness flag per confidence.')
  if (n === 0) return 0
  const count = new Float64Array(bins)
  const hits = new Float64Array(bins)
  const sum = new Float64Array(bins)
  for (let i = 0; i < n; i++) {
    const c = confidences[i]!
    const bin = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1))
    count[bin]!++
    sum[bin]! += c
    if (correct[i]) hits[bin]!++
  }
  let ece = 0
  for (let b = 0; b < bins; b++) if (count[b]! > 0) ece += Math.abs(hits[b]! - sum[b]!) / n
  return ece
}
