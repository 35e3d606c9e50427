import { seededRandom } from '../random'
import { sigmoid, type LearnedHead } from './learned-head'
import { fitLogistic, gramMatrix, sigmoid64, type LogisticProblem } from './logistic'

/**
 * One photo the user taught: its embedding (`src/shared/embedding/`), the tags it has (accepted or given) and the
 * tags it does not have (rejected suggestions).
 */
export interface TagExample {
  embedding: Float32Array
  /** Tags the photo has. */
  positive: readonly string[]
  /** Tags the photo does not have (rejected suggestions); a photo may have only these. */
  negative?: readonly string[]
}

export interface LearnOptions {
  /**
   * The tags to learn, in the head's order. By default every tag that some example has, in order of first
   * appearance (a tag only ever rejected cannot be learned and is left out).
   */
  tags?: readonly string[]
  /**
   * Whether a photo with other tags (and not this one) counts as a negative of a tag: true by default (the tags
   * are kinds of photo that exclude each other). With false, only `negative` lists give negatives.
   */
  othersAreNegatives?: boolean
  /** The regularisation strengths to choose from (`LAMBDAS` by default). */
  lambdas?: readonly number[]
  /** Whether each value is standardised over the examples before the fit (true by default). */
  standardise?: boolean
  /** Seed of the cross-validation folds (fixed by default, so the same examples give the same head). */
  seed?: number
  /**
   * Leading parts of the embedding a tag may read, as value counts (e.g. the photo's own part, then all: see
   * `EmbeddingSpec.leadingDims`): cross-validation chooses one per tag with λ; the values beyond it get weight 0.
   * All values by default.
   */
  parts?: readonly number[]
}

/** The regularisation strengths cross-validation chooses from (on standardised values; see `learnHead`). */
export const LAMBDAS = [0.003, 0.03, 0.3, 3] as const
/** Used when a tag has too few examples on a side for cross-validation. */
export const DEFAULT_LAMBDA = 0.3
/** Folds of the cross-validation (fewer when a tag has fewer positives or negatives). */
export const MAX_FOLDS = 5
/** The suggestion thresholds are kept within [MIN_THRESHOLD, 1 − MIN_THRESHOLD]. */
export const MIN_THRESHOLD = 0.05

/**
 * Learns a head (`LearnedHead`) from examples: for each tag, a binary logistic regression of its positives
 * against its negatives (one-vs-rest), on the embeddings standardised per value over all the examples (folded into
 * the weights), with each side weighing the same (class-balanced) and an L2 penalty λ/2·|w|² on the weights (not
 * the bias).
 *
 * λ is chosen from `LAMBDAS` by stratified k-fold cross-validation (k = min(5, positives, negatives)), as the one
 * with the least balanced log-loss on the held-out examples. The held-out scores at that λ then calibrate the tag
 * (Platt scaling: p = sigmoid(α·score + β), fitted class-balanced, so 0.5 means as likely one as the other) and the
 * calibration is folded into the weights and bias. The tag's threshold is the calibrated probability that best
 * separates the held-out positives from the negatives (highest balanced accuracy; among equals the one nearest
 * 0.5), kept within [0.05, 0.95]. With fewer than 2 positives or negatives a tag gets `DEFAULT_LAMBDA`, no
 * calibration and the threshold 0.5.
 *
 * Examples: see `TagExample`. Every learned tag needs at least one positive and one negative; throws otherwise.
 * The time is that of (k + 1) · 4 Newton fits per tag of a problem the size of the examples (or of the
 * embedding, where it is shorter): a few milliseconds for a hundred examples.
 */
export function learnHead(examples: readonly TagExample[], options: LearnOptions = {}): LearnedHead {
  if (examples.length === 0) throw new Error('No examples to learn from.')
  const dims = examples[0]!.embedding.length
  for (const example of examples) {
    if (example.embedding.length !== dims) {
      throw new Error(`Examples of different lengths (${example.embedding.length} and ${dims} values).`)
    }
  }
  const tags = options.tags ? [...options.tags] : [...new Set(examples.flatMap((e) => e.positive))]
  if (tags.length === 0) throw new Error('No tag to learn: no example has a tag.')
  const othersAreNegatives = options.othersAreNegatives ?? true

  // Standardise each value over the examples (the head folds it back in).
  const mean = new Float64Array(dims)
  const scale = new Float64Array(dims)
  for (const e of examples) for (let j = 0; j < dims; j++) mean[j] = mean[j]! + e.embedding[j]!
  for (let j = 0; j < dims; j++) mean[j] = mean[j]! / examples.length
  let meanVariance = 0
  for (const e of examples) {
    for (let j = 0; j < dims; j++) {
      const d = e.embedding[j]! - mean[j]!
      scale[j] = scale[j]! + d * d
    }
  }
  for (let j = 0; j < dims; j++) {
    scale[j] = scale[j]! / examples.length
    meanVariance += scale[j]! / dims
  }
  // A value that hardly varies among the examples is not blown up: its variance is floored at 1% of the mean.
  for (let j = 0; j < dims; j++) {
    scale[j] = options.standardise === false ? 1 : Math.sqrt(Math.max(scale[j]!, 0.01 * meanVariance) || 1)
  }
  const rows = examples.map((e) => {
    const row = new Float64Array(dims)
    for (let j = 0; j < dims; j++) row[j] = (e.embedding[j]! - mean[j]!) / scale[j]!
    return row
  })
  const gram = rows.length <= dims ? gramMatrix(rows) : undefined
  const parts = [...new Set((options.parts ?? [dims]).map((part) => Math.min(dims, Math.max(1, Math.round(part)))))]
  // The rows with the values beyond `part` set to 0: a fit on them gives those values weight 0.
  const maskedRows = new Map<number, Float64Array[]>()
  const masked = (part: number): Float64Array[] => {
    let cached = maskedRows.get(part)
    if (!cached) {
      cached = rows.map((row) => {
        const copy = row.slice()
        copy.fill(0, part)
        return copy
      })
      maskedRows.set(part, cached)
    }
    return cached
  }
  const maskedGrams = new Map<number, Float64Array | undefined>()
  const maskedGram = (part: number): Float64Array | undefined => {
    if (!maskedGrams.has(part)) maskedGrams.set(part, gram ? gramMatrix(masked(part)) : undefined)
    return maskedGrams.get(part)
  }

  const weights = new Float32Array(tags.length * dims)
  const bias = new Float32Array(tags.length)
  const thresholds: number[] = []
  tags.forEach((tag, t) => {
    const members: number[] = []
    const labels: number[] = []
    examples.forEach((e, i) => {
      if (e.positive.includes(tag)) {
        members.push(i)
        labels.push(1)
      } else if (e.negative?.includes(tag) || (othersAreNegatives && e.positive.length > 0)) {
        members.push(i)
        labels.push(0)
      }
    })
    const positives = labels.filter((y) => y === 1).length
    const negatives = labels.length - positives
    if (positives === 0 || negatives === 0) {
      throw new Error(
        `Tag "${tag}" needs at least one photo with it and one without it (it has ${positives} and ${negatives}).`,
      )
    }
    let fit: TagFit | undefined
    for (const part of parts) {
      const candidate =
        part === dims
          ? learnTag(rows, gram, dims, members, labels, options.lambdas ?? LAMBDAS, options.seed ?? 1)
          : learnTag(
              masked(part),
              maskedGram(part),
              dims,
              members,
              labels,
              options.lambdas ?? LAMBDAS,
              options.seed ?? 1,
            )
      if (!fit || candidate.loss < fit.loss - 1e-12) fit = candidate
    }
    const row = t * dims
    // Calibrated score: slope · (w·(x − mean)/scale + b) + intercept, as W·x + bias.
    let b = fit!.slope * fit!.bias + fit!.intercept
    for (let j = 0; j < dims; j++) {
      const w = (fit!.slope * fit!.weights[j]!) / scale[j]!
      weights[row + j] = w
      b -= w * mean[j]!
    }
    bias[t] = b
    thresholds.push(fit!.threshold)
  })
  return { tags, dims, weights, bias, thresholds }
}

interface TagFit {
  weights: Float64Array
  bias: number
  /** Calibration: p = sigmoid(slope · score + intercept). */
  slope: number
  intercept: number
  threshold: number
  lambda: number
  /** The cross-validated balanced log-loss at `lambda` (Infinity where there was no cross-validation). */
  loss: number
}

function learnTag(
  allRows: readonly Float64Array[],
  allGram: Float64Array | undefined,
  dims: number,
  members: readonly number[],
  labels: readonly number[],
  lambdas: readonly number[],
  seed: number,
): TagFit {
  const n = members.length
  const problemOf = (indices: readonly number[]): LogisticProblem => {
    const ys = indices.map((i) => labels[i]!)
    const positives = ys.filter((y) => y === 1).length
    return {
      rows: indices.map((i) => allRows[members[i]!]!),
      dims,
      labels: ys,
      costs: ys.map((y) => (y === 1 ? 0.5 / positives : 0.5 / (ys.length - positives))),
    }
  }
  const gramOf = (indices: readonly number[]): Float64Array | undefined => {
    if (!allGram || indices.length > dims) return undefined
    const total = allRows.length
    const m = indices.length
    const k = new Float64Array(m * m)
    for (let a = 0; a < m; a++) {
      const ra = members[indices[a]!]! * total
      for (let b = 0; b < m; b++) k[a * m + b] = allGram[ra + members[indices[b]!]!]!
    }
    return k
  }
  const everyone = Array.from({ length: n }, (_, i) => i)
  const positives = labels.filter((y) => y === 1).length
  const folds = Math.min(MAX_FOLDS, positives, n - positives)
  if (folds < 2 || lambdas.length === 1) {
    const lambda = lambdas.length === 1 ? lambdas[0]! : DEFAULT_LAMBDA
    const fit = fitLogistic(problemOf(everyone), lambda, gramOf(everyone))
    return { ...fit, slope: 1, intercept: 0, threshold: 0.5, lambda, loss: Infinity }
  }

  // Stratified folds: each side shuffled (seeded) and dealt round-robin.
  const fold = new Int32Array(n)
  const random = seededRandom(seed)
  for (const side of [1, 0]) {
    const indices = everyone.filter((i) => labels[i] === side)
    for (let i = indices.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[indices[i], indices[j]] = [indices[j]!, indices[i]!]
    }
    indices.forEach((index, k) => (fold[index] = k % folds))
  }
  const splits = Array.from({ length: folds }, (_, f) => ({
    train: everyone.filter((i) => fold[i] !== f),
    test: everyone.filter((i) => fold[i] === f),
  }))
  const costOf = (y: number): number => (y === 1 ? 0.5 / positives : 0.5 / (n - positives))

  let best: { lambda: number; loss: number; scores: Float64Array } | undefined
  for (const lambda of lambdas) {
    const scores = new Float64Array(n)
    for (const split of splits) {
      const fit = fitLogistic(problemOf(split.train), lambda, gramOf(split.train))
      for (const i of split.test) {
        const row = allRows[members[i]!]!
        let s = fit.bias
        for (let j = 0; j < dims; j++) s += fit.weights[j]! * row[j]!
        scores[i] = s
      }
    }
    let loss = 0
    for (let i = 0; i < n; i++) {
      const p = Math.min(Math.max(sigmoid64(scores[i]!), 1e-12), 1 - 1e-12)
      loss -= costOf(labels[i]!) * Math.log(labels[i] === 1 ? p : 1 - p)
    }
    if (!best || loss < best.loss - 1e-12) best = { lambda, loss, scores }
  }

  const { slope, intercept } = plattScaling(best!.scores, labels, costOf)
  const probabilities = Array.from(best!.scores, (s) => sigmoid(slope * s + intercept))
  const threshold = bestThreshold(probabilities, labels)
  const fit = fitLogistic(problemOf(everyone), best!.lambda, gramOf(everyone))
  return { ...fit, slope, intercept, threshold, lambda: best!.lambda, loss: best!.loss }
}

/**
 * Platt scaling of held-out scores: α, β minimising the class-balanced log-loss of sigmoid(α·s + β), with a weak
 * pull (0.01/2 · ((α − 1)² + β²)) towards the uncalibrated score so that separable scores give a finite α. α is
 * kept positive (a calibration never reverses the ranking).
 */
export function plattScaling(
  scores: ArrayLike<number>,
  labels: readonly number[],
  costOf: (label: number) => number,
): { slope: number; intercept: number } {
  const PULL = 0.01
  let a = 1
  let b = 0
  const loss = (a: number, b: number): number => {
    let sum = (PULL / 2) * ((a - 1) ** 2 + b * b)
    for (let i = 0; i < labels.length; i++) {
      const f = a * scores[i]! + b
      const m = labels[i] === 1 ? f : -f
      sum += costOf(labels[i]!) * (m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m)))
    }
    return sum
  }
  let current = loss(a, b)
  for (let iteration = 0; iteration < 100; iteration++) {
    let ga = PULL * (a - 1)
    let gb = PULL * b
    let haa = PULL
    let hab = 0
    let hbb = PULL
    for (let i = 0; i < labels.length; i++) {
      const s = scores[i]!
      const p = sigmoid64(a * s + b)
      const c = costOf(labels[i]!)
      const g = c * (p - labels[i]!)
      const d = c * p * (1 - p)
      ga += g * s
      gb += g
      haa += d * s * s
      hab += d * s
      hbb += d
    }
    const det = haa * hbb - hab * hab
    if (!(det > 0)) break
    const da = -(hbb * ga - hab * gb) / det
    const db = -(haa * gb - hab * ga) / det
    let step = 1
    let moved = false
    for (let halving = 0; halving < 30; halving++) {
      const next = loss(a + step * da, b + step * db)
      if (next <= current) {
        moved = current - next > 1e-12
        a += step * da
        b += step * db
        current = next
        break
      }
      step /= 2
    }
    if (!moved) break
  }
  return a > 0 ? { slope: a, intercept: b } : { slope: 1, intercept: 0 }
}

/**
 * The probability threshold with the highest balanced accuracy on (held-out) probabilities: the midpoint between
 * two neighbouring probabilities, among equals the one nearest 0.5, kept within [MIN_THRESHOLD, 1 − MIN_THRESHOLD].
 */
export function bestThreshold(probabilities: readonly number[], labels: readonly number[]): number {
  const order = probabilities.map((p, i) => ({ p, y: labels[i]! })).sort((x, y) => x.p - y.p)
  const positives = order.filter((o) => o.y === 1).length
  const negatives = order.length - positives
  if (positives === 0 || negatives === 0) return 0.5
  // Threshold below everything: every positive found, every negative wrongly.
  let truePositives = positives
  let trueNegatives = 0
  let best = { accuracy: 0.5, threshold: 0.5 }
  const consider = (threshold: number): void => {
    const accuracy = (truePositives / positives + trueNegatives / negatives) / 2
    const clipped = Math.min(Math.max(threshold, MIN_THRESHOLD), 1 - MIN_THRESHOLD)
    if (
      accuracy > best.accuracy + 1e-12 ||
      (Math.abs(accuracy - best.accuracy) <= 1e-12 && Math.abs(clipped - 0.5) < Math.abs(best.threshold - 0.5))
    ) {
      best = { accuracy, threshold: clipped }
    }
  }
  consider(order[0]!.p / 2)
  for (let i = 0; i < order.length; i++) {
    if (order[i]!.y === 1) truePositives--
    else trueNegatives++
    const next = i + 1 < order.length ? order[i + 1]!.p : (1 + order[i]!.p) / 2
    if (i + 1 < order.length && next === order[i]!.p) continue
    consider(i + 1 < order.length ? (order[i]!.p + next) / 2 : next)
  }
  return best.threshold
}

/**
 * Each tag's calibrated probability for n embeddings (float32[n × dims], row-major): float32[n × tags], row-major.
 * The rescoring of a library after a tag was learned: 50,000 embeddings of 224 values with a few tags in tens of
 * milliseconds.
 */
export function scoreAll(head: LearnedHead, embeddings: Float32Array, n: number): Float32Array {
  const { dims, weights, bias } = head
  const tags = head.tags.length
  if (embeddings.length < n * dims) {
    throw new Error(`${embeddings.length} values for ${n} embeddings of ${dims}.`)
  }
  const out = new Float32Array(n * tags)
  for (let i = 0; i < n; i++) {
    const at = i * dims
    for (let t = 0; t < tags; t++) {
      const row = t * dims
      let s0 = 0
      let s1 = 0
      let s2 = 0
      let s3 = 0
      let j = 0
      for (; j + 3 < dims; j += 4) {
        s0 += weights[row + j]! * embeddings[at + j]!
        s1 += weights[row + j + 1]! * embeddings[at + j + 1]!
        s2 += weights[row + j + 2]! * embeddings[at + j + 2]!
        s3 += weights[row + j + 3]! * embeddings[at + j + 3]!
      }
      for (; j < dims; j++) s0 += weights[row + j]! * embeddings[at + j]!
      out[i * tags + t] = sigmoid64(bias[t]! + s0 + s1 + s2 + s3)
    }
  }
  return out
}

/**
 * How unsure a suggestion is, for the review queue (most unsure first): 1 where the probability is at the tag's
 * threshold, falling linearly to 0 at 0 and at 1.
 */
export function uncertainty(p: number, threshold = 0.5): number {
  const distance = p >= threshold ? (p - threshold) / (1 - threshold) : (threshold - p) / threshold
  return Math.min(1, Math.max(0, 1 - distance))
}
