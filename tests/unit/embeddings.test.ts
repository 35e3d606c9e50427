import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/main/db/database'
import {
  EMBEDDING_PAGE_SIZE,
  countEmbeddings,
  deleteEmbedding,
  embeddingPages,
  readEmbedding,
  writeEmbedding,
} from '../../src/main/embeddings/embedding-store'
import { fromFloat16Bytes, toFloat16Bytes } from '../../src/shared/embedding/float16'
import { SimilarityIndex } from '../../src/main/embeddings/similarity-index'

function addModel(db: Db, id: string): void {
  db.prepare(
    `INSERT INTO models (id, name, file, sha256, card, builtin, added_at) VALUES (?, ?, ?, ?, '{}', 0, 'then')`,
  ).run(id, id, `${id}.onnx`, id.padEnd(64, '0').slice(0, 64))
}

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

function unit(vector: Float32Array): Float32Array {
  let sum = 0
  for (const value of vector) sum += value * value
  const norm = Math.sqrt(sum)
  return vector.map((value) => value / norm)
}

/** `count` unit vectors around `clusters` centres (photo i in cluster i mod clusters). */
function clustered(count: number, dims: number, clusters: number, seed: number): Float32Array[] {
  const next = random(seed)
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dims }, () => next() - 0.5))
  return Array.from({ length: count }, (_, i) =>
    unit(Float32Array.from(centres[i % clusters]!, (value) => value + 0.6 * (next() - 0.5))),
  )
}

const sha = (i: number): string => i.toString(16).padStart(64, '0')

/** The k best by a float64 scan of the vectors as stored (float16), best first. */
function bruteForce(vectors: Map<string, Float32Array>, query: Float32Array, k: number): string[] {
  const stored = [...vectors].map(([key, vector]) => {
    const held = fromFloat16Bytes(toFloat16Bytes(vector))
    let score = 0
    for (let i = 0; i < held.length; i++) score += held[i]! * query[i]!
    return { key, score }
  })
  return stored
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((entry) => entry.key)
}

describe('embeddings', () => {
  let dir: string
  let db: Db
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'embeddings-'))
    db = openDatabase(join(dir, 'library.db'))
    addModel(db, 'm')
    addModel(db, 'other')
  })
  afterEach(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('stores a vector as float16 and reads it back; replaces it; counts by version; deletes it', () => {
    const vector = Float32Array.from([0.5, -0.25, 0.1, 1 / 3, 0, -0, 1e-6, -0.70710677])
    db.transaction(() => writeEmbedding(db, { modelId: 'm', sha256: sha(1), version: 1, vector }))()
    const stored = readEmbedding(db, 'm', sha(1))!
    expect(stored).toMatchObject({ sha256: sha(1), version: 1, dims: 8 })
    for (let i = 0; i < vector.length; i++) expect(stored.vector[i]).toBeCloseTo(vector[i]!, 3)
    expect(Array.from(stored.vector.slice(0, 3))).toEqual([0.5, -0.25, 0.0999755859375]) // float16, rounded to nearest
    const blob = db.prepare('SELECT vector FROM embeddings').get() as { vector: Buffer }
    expect(blob.vector).toHaveLength(16)
    expect(blob.vector.readUInt16LE(0)).toBe(0x3800) // 0.5, little-endian

    writeEmbedding(db, { modelId: 'm', sha256: sha(1), version: 2, vector: vector.map((value) => -value) })
    writeEmbedding(db, { modelId: 'm', sha256: sha(2), version: 1, vector })
    writeEmbedding(db, { modelId: 'other', sha256: sha(1), version: 2, vector })
    expect(readEmbedding(db, 'm', sha(1))).toMatchObject({ version: 2 })
    expect(readEmbedding(db, 'm', sha(1))!.vector[0]).toBe(-0.5)
    expect([countEmbeddings(db, 'm', 1), countEmbeddings(db, 'm', 2), countEmbeddings(db, 'other', 2)]).toEqual([
      1, 1, 1,
    ])
    expect(readEmbedding(db, 'm', sha(3))).toBeNull()
    expect(deleteEmbedding(db, 'm', sha(1))).toBe(true)
    expect(deleteEmbedding(db, 'm', sha(1))).toBe(false)
    expect(() =>
      writeEmbedding(db, { modelId: 'm', sha256: sha(4), version: 1, vector: Float32Array.of(NaN) }),
    ).toThrow()
    expect(() => writeEmbedding(db, { modelId: 'm', sha256: sha(4), version: 0, vector })).toThrow()
  })

  it('reads a model’s embeddings of one version a page at a time, in sha256 order', () => {
    const vectors = clustered(25, 8, 3, 1)
    vectors.forEach((vector, i) => writeEmbedding(db, { modelId: 'm', sha256: sha(i), version: 1, vector }))
    writeEmbedding(db, { modelId: 'm', sha256: sha(99), version: 2, vector: vectors[0]! })
    writeEmbedding(db, { modelId: 'other', sha256: sha(98), version: 1, vector: vectors[0]! })
    const pages = [...embeddingPages(db, 'm', 1, 10)]
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5])
    expect(pages.flat().map((row) => row.sha256)).toEqual(vectors.map((_, i) => sha(i)))
    expect(fromFloat16Bytes(pages[2]![4]!.bytes)).toEqual(readEmbedding(db, 'm', sha(24))!.vector)
    expect([...embeddingPages(db, 'm', 3)]).toEqual([])
  })

  it('answers top-k with the true nearest neighbours, kept right through adds, updates and removes', async () => {
    const dims = 40
    const vectors = clustered(300, dims, 12, 2)
    db.transaction(() => {
      vectors.forEach((vector, i) => writeEmbedding(db, { modelId: 'm', sha256: sha(i), version: 3, vector }))
    })()
    writeEmbedding(db, { modelId: 'm', sha256: sha(500), version: 2, vector: vectors[0]! }) // another version
    const index = SimilarityIndex.load(db, 'm', 3, { pageSize: 64 })
    const scalar = SimilarityIndex.load(db, 'm', 3, { scalar: true })
    const loadedAsync = await SimilarityIndex.loadAsync(db, 'm', 3, { pageSize: 50 })
    expect(loadedAsync.query(vectors[9]!, 8)).toEqual(index.query(vectors[9]!, 8))
    expect([index.size, index.dims, index.has(sha(500))]).toEqual([300, dims, false])
    const truth = new Map(vectors.map((vector, i) => [sha(i), vector]))

    for (const q of [0, 7, 123]) {
      const hits = index.query(vectors[q]!, 15)
      expect(hits.map((hit) => hit.sha256)).toEqual(bruteForce(truth, vectors[q]!, 15))
      expect(hits[0]).toMatchObject({ sha256: sha(q) })
      expect(hits[0]!.score).toBeCloseTo(1, 3)
      expect(hits.every((hit, i) => i === 0 || hit.score <= hits[i - 1]!.score)).toBe(true)
      expect(scalar.query(vectors[q]!, 15).map((hit) => hit.sha256)).toEqual(hits.map((hit) => hit.sha256))
      for (const [i, hit] of scalar.query(vectors[q]!, 15).entries()) expect(hit.score).toBeCloseTo(hits[i]!.score, 5)
    }
    // A query's length does not matter (it is normalised); exclusions are skipped.
    const scaled = vectors[7]!.map((value) => value * 3)
    const excluded = index.query(scaled, 5, { exclude: new Set([sha(7), sha(19)]) })
    expect(excluded.map((hit) => hit.sha256)).toEqual(
      bruteForce(truth, vectors[7]!, 7)
        .filter((key) => key !== sha(7) && key !== sha(19))
        .slice(0, 5),
    )

    // Incremental: remove some, move one, add new ones.
    const next = clustered(20, dims, 12, 3)
    for (let i = 0; i < 40; i++) {
      expect(index.remove(sha(i * 7))).toBe(true)
      truth.delete(sha(i * 7))
    }
    expect(index.remove(sha(0))).toBe(false)
    index.update(sha(1), next[0]!)
    truth.set(sha(1), next[0]!)
    next.slice(1).forEach((vector, i) => {
      index.add(sha(1000 + i), vector)
      truth.set(sha(1000 + i), vector)
    })
    expect(index.size).toBe(truth.size)
    for (const q of [next[0]!, next[5]!, vectors[3]!]) {
      expect(index.query(q, 12).map((hit) => hit.sha256)).toEqual(bruteForce(truth, q, 12))
    }
    expect(index.vector(sha(1))).toEqual(fromFloat16Bytes(toFloat16Bytes(next[0]!)))

    // "More like this" of a selection: the normalised mean.
    const selection = [vectors[3]!, vectors[15]!, vectors[27]!]
    const mean = unit(Float32Array.from({ length: dims }, (_, i) => selection.reduce((sum, v) => sum + v[i]!, 0)))
    expect(index.queryMany(selection, 10).map((hit) => hit.sha256)).toEqual(bruteForce(truth, mean, 10))

    expect(index.query(vectors[0]!, 0)).toEqual([])
    expect(index.query(vectors[0]!, 10_000)).toHaveLength(truth.size)
    expect(() => index.query(new Float32Array(dims + 1), 3)).toThrow(/values/)
    expect(() => index.add(sha(2000), new Float32Array(3))).toThrow(/values/)
    expect(SimilarityIndex.load(db, 'm', 9).query(vectors[0]!, 3)).toEqual([])
  })

  it('a library of 50,000 synthetic embeddings answers a query without loading them all into the window', () => {
    // The index lives in the main process; what crosses to the window is the reply: k results. Dims are 256 here
    // (2,048 in scripts/bench-similar-index.ts) to keep the test fast.
    const count = 50_000
    const dims = 256
    const next = random(4)
    const centres = Array.from({ length: 100 }, () => Float32Array.from({ length: dims }, () => next() - 0.5))
    const queries: Float32Array[] = []
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const vector = unit(Float32Array.from(centres[i % 100]!, (value) => value + 0.5 * (next() - 0.5)))
        if (i % 5000 === 0) queries.push(vector)
        writeEmbedding(db, { modelId: 'm', sha256: sha(i), version: 1, vector })
      }
    })()
    expect(countEmbeddings(db, 'm', 1)).toBe(count)

    // The store hands out pages of at most EMBEDDING_PAGE_SIZE rows, never all 50,000.
    let pages = 0
    let rows = 0
    for (const page of embeddingPages(db, 'm', 1)) {
      expect(page.length).toBeLessThanOrEqual(EMBEDDING_PAGE_SIZE)
      pages++
      rows += page.length
    }
    expect(EMBEDDING_PAGE_SIZE).toBeLessThan(count / 10)
    expect([pages, rows]).toEqual([Math.ceil(count / EMBEDDING_PAGE_SIZE), count])

    const index = SimilarityIndex.load(db, 'm', 1)
    expect(index.size).toBe(count)
    expect(index.memoryBytes).toBeGreaterThan(count * dims * 2) // float16 rows
    expect(index.memoryBytes).toBeLessThan(count * dims * 4)
    for (const [q, query] of queries.entries()) {
      const reply = index.query(query, 10)
      expect(reply).toHaveLength(10)
      expect(reply[0]).toMatchObject({ sha256: sha(q * 5000) })
      expect(Object.keys(reply[0]!).sort()).toEqual(['score', 'sha256'])
    }
    const many = index.queryMany(queries.slice(0, 3), 50, { exclude: new Set([sha(0), sha(5000), sha(10000)]) })
    expect(many).toHaveLength(50)
    expect(many.some((hit) => hit.sha256 === sha(0))).toBe(false)
  })
})
