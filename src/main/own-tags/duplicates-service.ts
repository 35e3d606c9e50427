import type { DuplicateGroupItem, EmitEvent, PhotoItem } from '../../shared/ipc/contract'
import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import { findDuplicateGroups, hashMissing } from '../duplicates/find-duplicates'
import { readEmbedding } from '../embeddings/embedding-store'
import { similarity } from '../../shared/embedding/embedding'

export interface DuplicatesServiceDeps {
  db: Db
  items(photoIds: readonly number[]): PhotoItem[]
  activeModelId(): string
  emit: EmitEvent
}

/**
 * Near-duplicates in the library: every present photo content is hashed once (`photo_hashes`), the hashes are
 * grouped, and a pair whose embeddings (of the model) are known is confirmed by their cosine.
 */
export class DuplicatesService {
  private running: Promise<unknown> | undefined

  constructor(private readonly deps: DuplicatesServiceDeps) {}

  async find(modelId = this.deps.activeModelId()): Promise<{ groups: DuplicateGroupItem[]; photos: number }> {
    const { db, emit } = this.deps
    // One hashing pass at a time: a second request waits for the first instead of hashing the same files.
    while (this.running) await this.running.catch(() => undefined)
    const hashing = hashMissing(db, { onProgress: ({ done, total }) => emit('duplicates:progress', { done, total }) })
    this.running = hashing
    try {
      await hashing
    } finally {
      this.running = undefined
    }
    const groups = findDuplicateGroups(db, { similarity: this.similarity(modelId) })
    const photos = stmt(db, `SELECT count(*) FROM photos WHERE status = 'present'`).pluck().get() as number
    return {
      photos,
      groups: groups
        .map((group) => {
          const items = new Map(this.deps.items(group.photos.map((p) => p.id)).map((item) => [item.id, item]))
          return {
            keepId: group.keep,
            photos: group.photos.flatMap((p) => {
              const item = items.get(p.id)
              return item ? [{ ...item, size: p.size, format: p.format }] : []
            }),
          }
        })
        .filter((group) => group.photos.length >= 2),
    }
  }

  /** Cosine of two contents' embeddings of the model (cached per content); undefined when one has none. */
  private similarity(modelId: string): (a: string, b: string) => number | undefined {
    const cache = new Map<string, Float32Array | null>()
    const vector = (sha256: string): Float32Array | null => {
      let held = cache.get(sha256)
      if (held === undefined) {
        held = readEmbedding(this.deps.db, modelId, sha256)?.vector ?? null
        cache.set(sha256, held)
      }
      return held
    }
    return (a, b) => {
      const va = vector(a)
      const vb = vector(b)
      return va && vb && va.length === vb.length ? similarity(va, vb) : undefined
    }
  }
}
