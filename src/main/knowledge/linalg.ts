/**
 * The little dense linear algebra the profile fit needs: row-major Float64Array matrices, small enough (a few
 * thousand rows, at most a few thousand columns, ranks up to 64) for plain loops.
 */

/** 0…n−1 in a seeded random order (Fisher–Yates). */
export function shuffledIndices(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  return order
}

/**
 * Cholesky factor L (lower triangular, row-major n×n) of a symmetric positive definite matrix: A = L·Lᵀ.
 * Throws when A is not positive definite.
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!
      if (i === j) {
        if (!(s > 0)) throw new Error('The covariance is not positive definite.')
        l[i * n + i] = Math.sqrt(s)
      } else {
        l[i * n + j] = s / l[j * n + j]!
      }
    }
  }
  return l
}

/** The inverse of a lower triangular matrix (row-major n×n), itself lower triangular. */
export function invertLower(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n)
  for (let col = 0; col < n; col++) {
    // Solve L·x = e_col by forward substitution; x is column `col` of the inverse.
    for (let i = col; i < n; i++) {
      let s = i === col ? 1 : 0
      for (let k = col; k < i; k++) s -= l[i * n + k]! * inv[k * n + col]!
      inv[i * n + col] = s / l[i * n + i]!
    }
  }
  return inv
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix (row-major n×n) by cyclic Jacobi rotations: eigenvalues
 * descending, eigenvectors as the columns of a row-major n×n matrix in the same order.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix)
  const v = new Float64Array(n * n)
  for (let i = 0; i < n; i++) v[i * n + i] = 1
  let scale = 0
  for (let i = 0; i < n * n; i++) scale += a[i]! ** 2
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2
    if (off <= 1e-24 * scale) break
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!
        if (Math.abs(apq) < 1e-300) continue
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!
          const akq = a[k * n + q]!
          a[k * n + p] = c * akp - s * akq
          a[k * n + q] = s * akp + c * akq
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!
          const aqk = a[q * n + k]!
          a[p * n + k] = c * apk - s * aqk
          a[q * n + k] = s * apk + c * aqk
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!
          const vkq = v[k * n + q]!
          v[k * n + p] = c * vkp - s * vkq
          v[k * n + q] = s * vkp + c * vkq
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]!)
  const values = Float64Array.from(order, (i) => a[i * n + i]!)
  const vectors = new Float64Array(n * n)
  order.forEach((from, to) => {
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from]!
  })
  return { values, vectors }
}

/** Orthonormalises the columns of a row-major rows×cols matrix in place (modified Gram–Schmidt). */
export function orthonormalizeColumns(m: Float64Array, rows: number, cols: number, random: () => number): void {
  for (let c = 0; c < cols; c++) {
    for (let attempt = 0; attempt < 3; attempt++) {
      for (let prev = 0; prev < c; prev++) {
        let dot = 0
        for (let r = 0; r < rows; r++) dot += m[r * cols + c]! * m[r * cols + prev]!
        for (let r = 0; r < rows; r++) m[r * cols + c]! -= dot * m[r * cols + prev]!
      }
      let norm = 0
      for (let r = 0; r < rows; r++) norm += m[r * cols + c]! ** 2
      norm = Math.sqrt(norm)
      if (norm > 1e-10) {
        for (let r = 0; r < rows; r++) m[r * cols + c]! /= norm
        break
      }
      // A column that vanished (the data has fewer directions): start it again at random.
      for (let r = 0; r < rows; r++) m[r * cols + c] = random() - 0.5
    }
  }
}

/**
 * The top `rank` principal directions of centred data (row-major n×dims): the leading eigenvectors of its
 * covariance, by subspace iteration from a random start with 8 extra directions (a randomised range finder with
 * power iterations, Halko et al. 2011), then Rayleigh–Ritz. Row-major dims×rank.
 */
export function principalBasis(
  data: Float64Array,
  n: number,
  dims: number,
  rank: number,
  random: () => number,
  iterations = 4,
): Float64Array {
  const width = Math.min(dims, rank + 8)
  let q = new Float64Array(dims * width)
  for (let i = 0; i < q.length; i++) q[i] = random() - 0.5
  orthonormalizeColumns(q, dims, width, random)
  const z = new Float64Array(n * width)
  const project = (): void => {
    // z = data · q
    z.fill(0)
    for (let i = 0; i < n; i++) {
      const row = i * dims
      const out = i * width
      for (let j = 0; j < dims; j++) {
        const x = data[row + j]!
        if (x === 0) continue
        const qr = j * width
        for (let c = 0; c < width; c++) z[out + c]! += x * q[qr + c]!
      }
    }
  }
  // With no more photos than directions, one pass already spans all the data has (its rows).
  const passes = n <= width ? 1 : iterations
  for (let it = 0; it < passes; it++) {
    project()
    // q = dataᵀ · z
    const next = new Float64Array(dims * width)
    for (let i = 0; i < n; i++) {
      const row = i * dims
      const zr = i * width
      for (let j = 0; j < dims; j++) {
        const x = data[row + j]!
        if (x === 0) continue
        const qr = j * width
        for (let c = 0; c < width; c++) next[qr + c]! += x * z[zr + c]!
      }
    }
    orthonormalizeColumns(next, dims, width, random)
    q = next
  }
  project()
  // Rayleigh–Ritz: the covariance within span(q) is zᵀz / n.
  const small = new Float64Array(width * width)
  for (let i = 0; i < n; i++) {
    const zr = i * width
    for (let a = 0; a < width; a++) {
      const za = z[zr + a]!
      for (let b = 0; b < width; b++) small[a * width + b]! += za * z[zr + b]!
    }
  }
  const { vectors } = symmetricEigen(small, width)
  const basis = new Float64Array(dims * rank)
  for (let j = 0; j < dims; j++) {
    for (let r = 0; r < rank; r++) {
      let s = 0
      for (let c = 0; c < width; c++) s += q[j * width + c]! * vectors[c * width + r]!
      basis[j * rank + r] = s
    }
  }
  return basis
}
