import type { PhotoItem } from '../../shared/ipc/contract'
import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import { countEmbeddings, readEmbedding } from '../embeddings/embedding-store'
import { SimilarityIndex } from '../embeddings/similarity-index'

export interface SimilarServiceDeps {
  db: Db
  /** The grid's items for photo ids, in order. */
  items(photoIds: readonly number[]): PhotoItem[]
  activeModelId(): string
}

export interface SimilarResult {
  modelId: string
  photos: { photo: PhotoItem; score: number }[]
  /** Photos asked about that have no embedding of the model. */
  missing: number
}

/**
 * Similar photos: each model's embeddings in a `SimilarityIndex` held here in the main process (the window only
 * gets the photos of the answer). An index is read again when the model's stored embeddings changed in number
 * (a job classified more photos, photos were forgotten).
 */
export class SimilarService {
  private readonly indexes = new Map<string, SimilarityIndex>()

  constructor(private readonly deps: SimilarServiceDeps) {}

  similar(input: { photoIds: readonly number[]; modelId?: string; top?: number }): SimilarResult {
    const { db } = this.deps
    const modelId = input.modelId ?? this.deps.activeModelId()
    const top = input.top ?? 24
    const asked = contentsOf(db, input.photoIds)
    const vectors: Float32Array[] = []
    let version: number | undefined
    let missing = 0
    for (const sha256 of asked.values()) {
      const stored = readEmbedding(db, modelId, sha256)
      // Embeddings of another definition are not comparable: the first photo's definition decides.
      if (!stored || (version !== undefined && stored.version !== version)) {
        missing++
        continue
      }
      version = stored.version
      vectors.push(stored.vector)
    }
    missing += input.photoIds.length - asked.size
    if (version === undefined) return { modelId, photos: [], missing }
    const index = this.index(modelId, version)
    const exclude = new Set(asked.values())
    // A content's photos may all be gone, or left out by `items`: ask for more neighbours until `top` photos are
    // found or the index has no more.
    for (let k = top; ; k *= 4) {
      const hits = index.queryMany(vectors, k, { exclude })
      const photos = this.photosOf(hits, top)
      if (photos.length >= top || hits.length < k) return { modelId, photos, missing }
    }
  }

  /** The photos of the contents found, best first, up to `top`. */
  private photosOf(hits: readonly { sha256: string; score: number }[], top: number): SimilarResult['photos'] {
    const photos: SimilarResult['photos'] = []
    const byContent = stmt(
      this.deps.db,
      `SELECT id FROM photos WHERE sha256 = ? AND status = 'present' ORDER BY id`,
    ).pluck()
    for (const hit of hits) {
      const ids = byContent.all(hit.sha256) as number[]
      for (const photo of this.deps.items(ids)) photos.push({ photo, score: hit.score })
      if (photos.length >= top) break
    }
    return photos.slice(0, top)
  }

  /** The model's index of one embedding version, read again when the stored count differs. */
  private index(modelId: string, version: number): SimilarityIndex {
    const key = `${modelId}\u0000${version}`
    const held = this.indexes.get(key)
    if (held && held.size === countEmbeddings(this.deps.db, modelId, version)) return held
    const index = SimilarityIndex.load(this.deps.db, modelId, version)
    this.indexes.set(key, index)
    return index
  }

  /** Forgets the indexes (the memory they hold). */
  close(): void {
    this.indexes.clear()
  }
}

/** The contents (sha256) of the photos, by photo id; photos the library does not have are left out. */
function contentsOf(db: Db, photoIds: readonly number[]): Map<number, string> {
  const rows = stmt(db, `SELECT id, sha256 FROM photos WHERE id IN (SELECT value FROM json_each(?))`).all(
    JSON.stringify(photoIds),
  ) as { id: number; sha256: string }[]
  return new Map(rows.map((row) => [row.id, row.sha256]))
}
