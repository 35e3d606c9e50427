/**
 * Weighted, L2-regularised binary logistic regression (the bias is not regularised), fitted by Newton's method
 * with step halving: minimises Σᵢ cᵢ · log(1 + exp(−ŷᵢ·fᵢ)) + λ/2 · |w|², fᵢ = w·xᵢ + b, ŷᵢ = ±1.
 *
 * With fewer examples than dimensions (the usual case for learned tags: a few dozen photos, hundreds or thousands
 * of values) it is solved in the examples' span, w = Σᵢ aᵢ·xᵢ (the representer theorem), over their Gram matrix;
 * otherwise over the dimensions. Pure TypeScript (main and renderer), float64 throughout.
 */

export interface LogisticFit {
  /** float64[dims]. */
  weights: Float64Array
  bias: number
}

export interface LogisticProblem {
  /** Examples: rows of `dims` values. */
  rows: readonly Float64Array[]
  dims: number
  /** 1 for a positive, 0 for a negative, per row. */
  labels: readonly number[]
  /** Each row's weight in the loss. */
  costs: readonly number[]
}

/** Newton steps at most, and the relative decrease of the objective below which it stops. */
const MAX_ITERATIONS = 30
const TOLERANCE = 1e-6

/** Fits a problem (see the module's comment); `gram` (rows × rows, float64) may be given where it is at hand. */
export function fitLogistic(problem: LogisticProblem, lambda: number, gram?: Float64Array): LogisticFit {
  const n = problem.rows.length
  if (n <= problem.dims) {
    const k = gram ?? gramMatrix(problem.rows)
    const { alpha, bias } = fitDual(k, n, problem.labels, problem.costs, lambda)
    const weights = new Float64Array(problem.dims)
    for (let i = 0; i < n; i++) {
      const a = alpha[i]!
      if (a === 0) continue
      const row = problem.rows[i]!
      for (let j = 0; j < problem.dims; j++) weights[j] = weights[j]! + a * row[j]!
    }
    return { weights, bias }
  }
  return fitPrimal(problem, lambda)
}

/** The Gram matrix of rows: float64[n × n]. */
export function gramMatrix(rows: readonly Float64Array[]): Float64Array {
  const n = rows.length
  const k = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    const a = rows[i]!
    for (let j = i; j < n; j++) {
      const b = rows[j]!
      let sum = 0
      for (let d = 0; d < a.length; d++) sum += a[d]! * b[d]!
      k[i * n + j] = sum
      k[j * n + i] = sum
    }
  }
  return k
}

/** Log(1 + exp(−m)) without overflow. */
function logLoss(margin: number): number {
  return margin > 0 ? Math.log1p(Math.exp(-margin)) : -margin + Math.log1p(Math.exp(margin))
}

export function sigmoid64(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))
}

/** Σ cᵢ·loss(fᵢ) for scores f. */
function dataLoss(f: Float64Array, labels: readonly number[], costs: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < f.length; i++) sum += costs[i]! * logLoss(labels[i] ? f[i]! : -f[i]!)
  return sum
}

/**
 * In the examples' span: f = K·a + b, penalty λ/2 · aᵀKa. Newton's step solves
 * (D·K + λI)·Δa + D·1·Δb = −(g + λa), 1ᵀD·K·Δa + 1ᵀD·1·Δb = −1ᵀg (the full system with K factored out of its
 * first rows, so a singular K does no harm), g = c·(p − y), D = c·p·(1 − p).
 */
function fitDual(
  k: Float64Array,
  n: number,
  labels: readonly number[],
  costs: readonly number[],
  lambda: number,
): { alpha: Float64Array; bias: number } {
  let alpha = new Float64Array(n)
  let bias = 0
  const scores = (a: Float64Array, b: number): Float64Array<ArrayBuffer> => {
    const f = new Float64Array(n).fill(b)
    for (let i = 0; i < n; i++) {
      let sum = 0
      for (let j = 0; j < n; j++) sum += k[i * n + j]! * a[j]!
      f[i] = f[i]! + sum
    }
    return f
  }
  let f = scores(alpha, bias)
  let current = dataLoss(f, labels, costs)
  const m = n + 1
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const g = new Float64Array(n)
    const d = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const p = sigmoid64(f[i]!)
      g[i] = costs[i]! * (p - labels[i]!)
      d[i] = Math.max(costs[i]! * p * (1 - p), 1e-12)
    }
    const a = new Float64Array(m * m)
    const rhs = new Float64Array(m)
    let dSum = 0
    let gSum = 0
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i * m + j] = d[i]! * k[i * n + j]!
      a[i * m + i] = a[i * m + i]! + lambda
      a[i * m + n] = d[i]!
      rhs[i] = -(g[i]! + lambda * alpha[i]!)
      dSum += d[i]!
      gSum += g[i]!
    }
    for (let j = 0; j < n; j++) {
      let sum = 0
      for (let i = 0; i < n; i++) sum += d[i]! * k[i * n + j]!
      a[n * m + j] = sum
    }
    a[n * m + n] = dSum
    rhs[n] = -gSum
    const step = solve(a, rhs, m)
    const next = backtrack({ params: alpha, bias, f, loss: current }, step, (nextAlpha, nextBias) => {
      const nextF = scores(nextAlpha, nextBias)
      let penalty = 0
      for (let i = 0; i < n; i++) penalty += nextAlpha[i]! * (nextF[i]! - nextBias)
      return { f: nextF, loss: dataLoss(nextF, labels, costs) + (lambda / 2) * penalty }
    })
    if (!next) break
    ;({ params: alpha, bias, f, loss: current } = next.next)
    if (next.converged) break
  }
  return { alpha, bias }
}

/** Over the dimensions: (XᵀDX + λI)·Δw + XᵀD·1·Δb = −(Xᵀg + λw), 1ᵀDX·Δw + 1ᵀD·1·Δb = −1ᵀg. */
function fitPrimal(problem: LogisticProblem, lambda: number): LogisticFit {
  const { rows, dims, labels, costs } = problem
  const n = rows.length
  let weights = new Float64Array(dims)
  let bias = 0
  const scores = (w: Float64Array, b: number): Float64Array<ArrayBuffer> => {
    const f = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const row = rows[i]!
      let sum = b
      for (let j = 0; j < dims; j++) sum += w[j]! * row[j]!
      f[i] = sum
    }
    return f
  }
  const penalty = (w: Float64Array): number => {
    let sum = 0
    for (let j = 0; j < dims; j++) sum += w[j]! * w[j]!
    return (lambda / 2) * sum
  }
  let f = scores(weights, bias)
  let current = dataLoss(f, labels, costs)
  const m = dims + 1
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const a = new Float64Array(m * m)
    const rhs = new Float64Array(m)
    for (let i = 0; i < n; i++) {
      const p = sigmoid64(f[i]!)
      const g = costs[i]! * (p - labels[i]!)
      const d = Math.max(costs[i]! * p * (1 - p), 1e-12)
      const row = rows[i]!
      for (let r = 0; r < dims; r++) {
        const dr = d * row[r]!
        if (dr === 0) continue
        const at = r * m
        for (let c = r; c < dims; c++) a[at + c] = a[at + c]! + dr * row[c]!
        a[at + dims] = a[at + dims]! + dr
        rhs[r] = rhs[r]! - g * row[r]!
      }
      a[dims * m + dims] = a[dims * m + dims]! + d
      rhs[dims] = rhs[dims]! - g
    }
    for (let r = 0; r < dims; r++) {
      a[r * m + r] = a[r * m + r]! + lambda
      rhs[r] = rhs[r]! - lambda * weights[r]!
      for (let c = r + 1; c < dims; c++) a[c * m + r] = a[r * m + c]!
      a[dims * m + r] = a[r * m + dims]!
    }
    const step = solve(a, rhs, m)
    const next = backtrack({ params: weights, bias, f, loss: current }, step, (nextW, nextB) => {
      const nextF = scores(nextW, nextB)
      return { f: nextF, loss: dataLoss(nextF, labels, costs) + penalty(nextW) }
    })
    if (!next) break
    ;({ params: weights, bias, f, loss: current } = next.next)
    if (next.converged) break
  }
  return { weights, bias }
}

/** Where a Newton iteration stands: the parameters (weights or dual coefficients), the bias, the scores, the loss. */
interface NewtonState {
  params: Float64Array<ArrayBuffer>
  bias: number
  f: Float64Array<ArrayBuffer>
  loss: number
}

/**
 * Backtracking along a Newton step (the parameters' step, then the bias's): the first of the step, its half, its
 * quarter… (30 halvings at most) that does not raise the objective, and whether its gain was under the tolerance
 * (the fit has converged). Undefined when none does.
 */
function backtrack(
  state: NewtonState,
  step: Float64Array,
  objective: (params: Float64Array<ArrayBuffer>, bias: number) => { f: Float64Array<ArrayBuffer>; loss: number },
): { next: NewtonState; converged: boolean } | undefined {
  const size = state.params.length
  let scale = 1
  for (let halving = 0; halving < 30; halving++) {
    const params = new Float64Array(size)
    for (let i = 0; i < size; i++) params[i] = state.params[i]! + scale * step[i]!
    const bias = state.bias + scale * step[size]!
    const { f, loss } = objective(params, bias)
    if (loss <= state.loss + 1e-15) {
      const gain = state.loss - loss
      return { next: { params, bias, f, loss }, converged: gain <= TOLERANCE * Math.max(1, Math.abs(loss)) }
    }
    scale /= 2
  }
  return undefined
}

/** Solves A·x = b (A row-major m × m, overwritten) by Gaussian elimination with partial pivoting. */
export function solve(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const x = Float64Array.from(b)
  for (let col = 0; col < m; col++) {
    let pivot = col
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r * m + col]!) > Math.abs(a[pivot * m + col]!)) pivot = r
    if (pivot !== col) {
      for (let c = 0; c < m; c++) {
        const t = a[col * m + c]!
        a[col * m + c] = a[pivot * m + c]!
        a[pivot * m + c] = t
      }
      const t = x[col]!
      x[col] = x[pivot]!
      x[pivot] = t
    }
    const p = a[col * m + col]!
    if (Math.abs(p) < 1e-300) continue
    for (let r = col + 1; r < m; r++) {
      const factor = a[r * m + col]! / p
      if (factor === 0) continue
      for (let c = col; c < m; c++) a[r * m + c] = a[r * m + c]! - factor * a[col * m + c]!
      x[r] = x[r]! - factor * x[col]!
    }
  }
  for (let r = m - 1; r >= 0; r--) {
    let sum = x[r]!
    for (let c = r + 1; c < m; c++) sum -= a[r * m + c]! * x[c]!
    const p = a[r * m + r]!
    x[r] = Math.abs(p) < 1e-300 ? 0 : sum / p
  }
  return x
}
