/**
 * Photo embeddings in the library database (table `embeddings`, migration 8): one L2-normalised vector per photo
 * content (sha256) and model, stored as float16 little-endian (2 bytes a value) with the version of the
 * embedding definition it was made with (`src/shared/embedding/`). Vectors of another version are not comparable.
 *
 * Bulk readers go through `embeddingPages`, which reads a model's embeddings a page at a time (keyset pagination
 * on the primary key, no statement left open between pages), never the whole table as one array of rows.
 */
import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import { fromFloat16Bytes, toFloat16Bytes } from '../../shared/embedding/float16'

/** Rows `embeddingPages` reads at a time: 512 × 2,048 dims × 2 bytes = 2 MiB of vectors a page. */
export const EMBEDDING_PAGE_SIZE = 512

export interface EmbeddingInput {
  modelId: string
  sha256: string
  version: number
  /** L2-normalised; stored as float16. */
  vector: Float32Array
}

export interface StoredEmbedding {
  sha256: string
  version: number
  dims: number
  /** The stored float16 values, widened to float32. */
  vector: Float32Array
}

/** A row as `embeddingPages` reads it: the vector still in its stored form, float16 little-endian. */
export interface EmbeddingPageRow {
  sha256: string
  dims: number
  /** 2 × dims bytes, float16 little-endian (decode with `fromFloat16Bytes`). */
  bytes: Uint8Array
}

/**
 * Stores (or replaces) the embedding of one photo content for one model. Runs a single statement: call it inside
 * the caller's transaction (the one that records the predictions).
 */
export function writeEmbedding(db: Db, embedding: EmbeddingInput): void {
  const { modelId, sha256, version, vector } = embedding
  if (vector.length === 0) throw new Error('An embedding needs at least one value.')
  if (!Number.isInteger(version) || version <= 0) throw new Error(`Invalid embedding version ${version}.`)
  for (const value of vector) {
    if (!Number.isFinite(value)) throw new Error(`The embedding of ${sha256} has a value that is not finite.`)
  }
  stmt(
    db,
    `INSERT INTO embeddings (model_id, sha256, version, dims, vector) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (model_id, sha256) DO UPDATE
         SET version = excluded.version, dims = excluded.dims, vector = excluded.vector`,
  ).run(modelId, sha256, version, vector.length, toFloat16Bytes(vector))
}

/** The stored embedding of one photo content for a model (of whatever version), or null. */
export function readEmbedding(db: Db, modelId: string, sha256: string): StoredEmbedding | null {
  const row = stmt(db, 'SELECT version, dims, vector FROM embeddings WHERE model_id = ? AND sha256 = ?').get(
    modelId,
    sha256,
  ) as { version: number; dims: number; vector: Buffer } | undefined
  if (!row) return null
  return { sha256, version: row.version, dims: row.dims, vector: fromFloat16Bytes(row.vector) }
}

/** Removes one photo content's embedding for a model; true when there was one. */
export function deleteEmbedding(db: Db, modelId: string, sha256: string): boolean {
  return stmt(db, 'DELETE FROM embeddings WHERE model_id = ? AND sha256 = ?').run(modelId, sha256).changes > 0
}

/** Embeddings a model has of one version. */
export function countEmbeddings(db: Db, modelId: string, version: number): number {
  const row = stmt(db, 'SELECT count(*) AS n FROM embeddings WHERE model_id = ? AND version = ?').get(
    modelId,
    version,
  ) as { n: number }
  return row.n
}

/**
 * A model's embeddings of one version, `pageSize` rows at a time in sha256 order. Each page is read by its own
 * query (keyset: `sha256 > last`), so the connection is free between pages and at most one page of rows exists at
 * once. Rows written while the pages are read show up only if they sort after the current page.
 */
export function* embeddingPages(
  db: Db,
  modelId: string,
  version: number,
  pageSize: number = EMBEDDING_PAGE_SIZE,
): Generator<EmbeddingPageRow[], void, undefined> {
  if (!Number.isInteger(pageSize) || pageSize <= 0) throw new Error(`Invalid page size ${pageSize}.`)
  const page = stmt(
    db,
    `SELECT sha256, dims, vector FROM embeddings
       WHERE model_id = ? AND version = ? AND sha256 > ?
       ORDER BY sha256 LIMIT ?`,
  )
  let after = ''
  for (;;) {
    const rows = page.all(modelId, version, after, pageSize) as { sha256: string; dims: number; vector: Buffer }[]
    if (rows.length === 0) return
    yield rows.map((row) => ({ sha256: row.sha256, dims: row.dims, bytes: row.vector }))
    if (rows.length < pageSize) return
    after = rows[rows.length - 1]!.sha256
  }
}
