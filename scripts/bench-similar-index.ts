/**
 * `npx tsx scripts/bench-similar-index.ts [photos] [dims]`: top-k similar photos at scale (default 50,000 × 2,048,
 * an ImageNet ResNet-50's pooled features). Writes seeded, clustered synthetic L2-normalised embeddings into a
 * temporary database through the store, loads them into the similarity index (paged) and prints: write and load
 * time, memory, median and p95 query time (top-10, top-50, "more like this" of 5), incremental update time, and
 * the recall of the index against a brute-force float64 scan (exact by construction: expected 1.0). For
 * comparison it also times the other exact scans considered: the kernel over float32 rows, and plain JS loops.
 * (sqlite-vec was measured separately; see the header of src/main/embeddings/similarity-index.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../src/main/db/database'
import { countEmbeddings, writeEmbedding } from '../src/main/embeddings/embedding-store'
import { simdKernel } from '../src/main/embeddings/simd-kernel'
import { SimilarityIndex } from '../src/main/embeddings/similarity-index'

const PHOTOS = Number(process.argv[2] ?? 50_000)
const DIMS = Number(process.argv[3] ?? 2048)
const CLUSTERS = 500
const QUERIES = 100
const MODEL = 'resnet50-imagenet'

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const uniform = random(12)
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())

function normalise(vector: Float32Array): Float32Array {
  let sum = 0
  for (const value of vector) sum += value * value
  const scale = 1 / Math.sqrt(sum)
  for (let i = 0; i < vector.length; i++) vector[i]! *= scale
  return vector
}

/** Photo i: its cluster's centre (i mod 500) plus noise, so each photo has ~100 real neighbours. */
const centres = Array.from({ length: CLUSTERS }, () => Float32Array.from({ length: DIMS }, gauss))
function embedding(i: number): Float32Array {
  const centre = centres[i % CLUSTERS]!
  const spread = 0.5 + (i % 7) * 0.1
  return normalise(Float32Array.from(centre, (value) => value + spread * gauss()))
}
const sha = (i: number): string => i.toString(16).padStart(64, '0')

const ms = (from: number): string => (performance.now() - from).toFixed(0)
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0)
function stats(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms`
}
function time(runs: number, run: (i: number) => void): number[] {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    run(i)
    times.push(performance.now() - start)
  }
  return times
}

const dir = mkdtempSync(join(tmpdir(), 'bench-similar-'))
try {
  const db = openDatabase(join(dir, 'library.db'))
  db.prepare(
    `INSERT INTO models (id, name, file, sha256, card, builtin, added_at) VALUES (?, ?, ?, ?, '{}', 0, 'then')`,
  ).run(MODEL, MODEL, `${MODEL}.onnx`, 'f'.repeat(64))

  console.log(`${PHOTOS} photos × ${DIMS} dims, ${CLUSTERS} clusters`)
  let start = performance.now()
  const queries: Float32Array[] = []
  const BATCH = 2000
  for (let from = 0; from < PHOTOS; from += BATCH) {
    db.transaction(() => {
      for (let i = from; i < Math.min(PHOTOS, from + BATCH); i++) {
        const vector = embedding(i)
        if (queries.length < QUERIES && i % 97 === 0) queries.push(vector)
        writeEmbedding(db, { modelId: MODEL, sha256: sha(i), version: 1, vector })
      }
    })()
  }
  console.log(`write (generate + float16 + insert): ${ms(start)} ms`)
  db.pragma('wal_checkpoint(TRUNCATE)')
  console.log(`count: ${countEmbeddings(db, MODEL, 1)}`)

  global.gc?.()
  const rssBefore = process.memoryUsage().rss
  start = performance.now()
  const index = SimilarityIndex.load(db, MODEL, 1)
  console.log(
    `load (paged): ${ms(start)} ms; index holds ${mib(index.memoryBytes)} MiB; ` +
      `rss +${mib(process.memoryUsage().rss - rssBefore)} MiB`,
  )

  const top10 = time(QUERIES, (i) => index.query(queries[i % queries.length]!, 10))
  console.log(`query top-10 (WASM SIMD, float16 rows): ${stats(top10)}`)
  const top50 = time(QUERIES, (i) => index.query(queries[i % queries.length]!, 50))
  console.log(`query top-50: ${stats(top50)}`)
  const exclude = new Set(Array.from({ length: 5 }, (_, j) => sha(j * 3)))
  const many = time(30, (i) =>
    index.queryMany(
      [1, 2, 3, 4, 5].map((j) => queries[(i + j) % queries.length]!),
      20,
      { exclude },
    ),
  )
  console.log(`queryMany of 5, top-20, 5 excluded: ${stats(many)}`)

  start = performance.now()
  for (let i = 0; i < 1000; i++) index.update(sha(i), embedding(PHOTOS + i))
  for (let i = 0; i < 1000; i++) index.remove(sha(PHOTOS - 1 - i))
  for (let i = 0; i < 1000; i++) index.add(sha(PHOTOS - 1 - i), embedding(PHOTOS - 1 - i))
  console.log(`1,000 updates + 1,000 removes + 1,000 adds: ${ms(start)} ms (incl. generating the vectors)`)

  // Recall against a brute-force float64 scan of the stored (float16) values; and of the original float32 values.
  const rows = Array.from({ length: index.size }, () => '')
  const held = new Float32Array(index.size * DIMS)
  {
    let r = 0
    for (let i = 0; i < PHOTOS; i++) {
      rows[r] = sha(i)
      held.set(index.vector(sha(i))!, r * DIMS)
      r++
    }
  }
  const brute = (query: Float32Array, k: number): string[] => {
    const scores = new Float64Array(rows.length)
    for (let r = 0; r < rows.length; r++) {
      let sum = 0
      for (let j = 0; j < DIMS; j++) sum += query[j]! * held[r * DIMS + j]!
      scores[r] = sum
    }
    return Array.from(scores.keys())
      .sort((a, b) => scores[b]! - scores[a]!)
      .slice(0, k)
      .map((r) => rows[r]!)
  }
  let found = 0
  let asked = 0
  for (const query of queries.slice(0, 10)) {
    const truth = new Set(brute(query, 10))
    for (const hit of index.query(query, 10)) if (truth.has(hit.sha256)) found++
    asked += 10
  }
  console.log(`recall@10 against brute force (10 queries): ${(found / asked).toFixed(3)}`)

  // The alternatives, on the same vectors.
  const scalar = SimilarityIndex.load(db, MODEL, 1, { scalar: true })
  console.log(
    `query top-10 (plain JS, float16 rows via a lookup table): ${stats(time(10, (i) => scalar.query(queries[i]!, 10)))}`,
  )
  const stride = Math.ceil(DIMS / 16) * 16
  const memory = new WebAssembly.Memory({
    initial: Math.ceil((stride * 4 * (rows.length + 1) + rows.length * 4) / 65536),
  })
  const matrix = new Float32Array(memory.buffer, stride * 4, rows.length * stride)
  for (let r = 0; r < rows.length; r++) matrix.set(held.subarray(r * DIMS, (r + 1) * DIMS), r * stride)
  const kernel = simdKernel(memory)
  if (kernel) {
    const scoresOffset = stride * 4 * (rows.length + 1)
    const f32 = time(QUERIES, (i) => {
      new Float32Array(memory.buffer, 0, stride).set(queries[i % queries.length]!)
      kernel.dotF32(0, stride * 4, rows.length, stride, scoresOffset)
    })
    console.log(`scan only (WASM SIMD, float32 rows, ${mib(memory.buffer.byteLength)} MiB): ${stats(f32)}`)
  }
  const scores = new Float32Array(rows.length)
  const js4 = time(10, (i) => {
    const q = queries[i]!
    for (let r = 0, o = 0; r < rows.length; r++, o += DIMS) {
      let a = 0
      let b = 0
      let c = 0
      let d = 0
      for (let j = 0; j < DIMS; j += 4) {
        a += q[j]! * held[o + j]!
        b += q[j + 1]! * held[o + j + 1]!
        c += q[j + 2]! * held[o + j + 2]!
        d += q[j + 3]! * held[o + j + 3]!
      }
      scores[r] = a + b + c + d
    }
  })
  console.log(`scan only (plain JS, float32 rows, 4 accumulators): ${stats(js4)}`)
  db.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
