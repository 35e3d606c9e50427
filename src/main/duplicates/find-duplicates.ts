import { stat } from 'node:fs/promises'
import { extname } from 'node:path'
import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import { mapWithConcurrency } from '../util/map-with-concurrency'
import {
  DEFAULT_MAX_DISTANCE,
  HASH_VERSION,
  hashFromBytes,
  hashToBytes,
  perceptualHash,
  popcount32,
} from './perceptual-hash'

/**
 * Near-duplicate photos (issue #12): the same picture saved more than once (resized, recompressed, EXIF-rotated,
 * lightly cropped, in another format). Each photo content (sha256) gets a perceptual hash (`hashMissing`, stored
 * in `photo_hashes`); contents whose hashes lie within a few bits are one picture (`groupByHash`), confirmed by
 * their embeddings' cosine when both are known; photos are grouped by content (`findDuplicateGroups`), so exact
 * copies of a file are in a group too.
 */

/**
 * Cosine between two contents' embeddings (by sha256) under which a pair within the hash distance is refused.
 * The app's embedding (src/shared/embedding/) describes the early stages too, which a ×0.5 copy of a 32×32 photo
 * changes a lot: 1% of true copy pairs fall under 0.13 (median 0.87), so only a gross mismatch is vetoed. At 0.2
 * the bench keeps 99.71% of the true pairs (99.77% by the hash alone); at 0.4, 98.1%; at 0.8, 75%
 * (scripts/bench-duplicates.ts).
 */
export const DEFAULT_MIN_SIMILARITY = 0.2

/** Cosine between the embeddings of two contents (L2-normalised, same model), undefined when either is unknown. */
export type Similarity = (a: string, b: string) => number | undefined

export interface HashedItem {
  key: string
  hash: bigint
}

export interface HashProgress {
  done: number
  total: number
}

export interface HashMissingOptions {
  onProgress?: (progress: HashProgress) => void
  signal?: AbortSignal
  /** Photos decoded at once (default 4). */
  concurrency?: number
}

export interface HashFailure {
  sha256: string
  path: string
  reason: string
}

export interface HashMissingReport {
  /** Contents hashed and stored. */
  hashed: number
  /** Contents none of whose files could be read as they were scanned (changed, gone, undecodable). */
  failed: HashFailure[]
  /** The signal aborted the run; the hashes stored before it are kept. */
  cancelled: boolean
}

/** Contents hashed per write transaction. */
const CHUNK = 64

/**
 * Hashes every present photo content that has no hash of the current `HASH_VERSION` (a hash of an older version
 * is replaced) and stores it. A content is read from one of its present files whose size and modification time
 * are still those the library scanned (so the hash is of that content); another file of the same content is
 * tried when one fails.
 */
export async function hashMissing(db: Db, options: HashMissingOptions = {}): Promise<HashMissingReport> {
  const { onProgress, signal, concurrency = 4 } = options
  const rows = stmt(
    db,
    `SELECT p.sha256, p.path, p.size, p.mtime_ms AS mtimeMs FROM photos p
       WHERE p.status = 'present'
         AND NOT EXISTS (SELECT 1 FROM photo_hashes h WHERE h.sha256 = p.sha256 AND h.version = ?)
       ORDER BY p.sha256, p.id`,
  ).all(HASH_VERSION) as { sha256: string; path: string; size: number; mtimeMs: number }[]
  const contents = new Map<string, { path: string; size: number; mtimeMs: number }[]>()
  for (const row of rows) {
    let files = contents.get(row.sha256)
    if (!files) contents.set(row.sha256, (files = []))
    files.push(row)
  }
  const work = [...contents]
  const report: HashMissingReport = { hashed: 0, failed: [], cancelled: false }
  const insert = `INSERT INTO photo_hashes (sha256, version, hash) VALUES (?, ?, ?)
                    ON CONFLICT (sha256) DO UPDATE SET version = excluded.version, hash = excluded.hash`
  onProgress?.({ done: 0, total: work.length })
  for (let start = 0; start < work.length; start += CHUNK) {
    if (signal?.aborted) {
      report.cancelled = true
      break
    }
    const chunk = work.slice(start, start + CHUNK)
    const results = await mapWithConcurrency(chunk, concurrency, async ([sha256, files]) => {
      let failure: HashFailure | undefined
      for (const file of files) {
        try {
          const stats = await stat(file.path)
          if (stats.size !== file.size || Math.trunc(stats.mtimeMs) !== file.mtimeMs) {
            failure = { sha256, path: file.path, reason: 'changed since the library scanned it' }
            continue
          }
          return { sha256, hash: await perceptualHash(file.path) }
        } catch (error) {
          failure = { sha256, path: file.path, reason: error instanceof Error ? error.message : String(error) }
        }
      }
      return failure!
    })
    db.transaction(() => {
      for (const result of results) {
        if ('hash' in result) {
          stmt(db, insert).run(result.sha256, HASH_VERSION, hashToBytes(result.hash))
          report.hashed++
        } else report.failed.push(result)
      }
    })()
    onProgress?.({ done: Math.min(work.length, start + CHUNK), total: work.length })
  }
  return report
}

/**
 * Groups of items that are one picture: two items are linked when their hashes differ in at most `maxDistance`
 * bits and, where `similarity` knows both, their cosine is at least `minSimilarity`; a group is a connected set
 * of links (single linkage), listed when it has two items or more, in input order, groups by their first item.
 *
 * Candidates come from multi-index hashing rather than all pairs: the 64 bits are cut into four 16-bit words;
 * two hashes within d bits agree within ⌊d/4⌋ bits on at least one word (pigeonhole), so each item looks up,
 * in four tables of 65,536 buckets, the words within ⌊d/4⌋ bits of its own (137 per word for d ≤ 11) and
 * checks the full distance of what it meets there. 50,000 photos group in a fraction of a second.
 */
export function groupByHash(
  items: readonly HashedItem[],
  maxDistance: number = DEFAULT_MAX_DISTANCE,
  similarity?: Similarity,
  minSimilarity: number = DEFAULT_MIN_SIMILARITY,
): string[][] {
  const n = items.length
  const hi = new Uint32Array(n)
  const lo = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    const hash = BigInt.asUintN(64, items[i]!.hash)
    hi[i] = Number(hash >> 32n)
    lo[i] = Number(hash & 0xffffffffn)
  }
  // m words of about 64/m bits each (m from 4 to 8, whichever costs the fewest lookups and checks).
  const { widths, radius } = wordLayout(n, Math.max(0, Math.floor(maxDistance)))
  const m = widths.length
  const words = new Int32Array(m * n)
  for (let i = 0; i < n; i++) {
    let rest = BigInt.asUintN(64, items[i]!.hash)
    for (let w = m - 1; w >= 0; w--) {
      words[w * n + i] = Number(rest & BigInt((1 << widths[w]!) - 1))
      rest >>= BigInt(widths[w]!)
    }
  }
  // One table per word, the items sorted by it (counting sort): bucket b of word w is
  // ids[w·n + start[w·65537 + b] … w·n + start[w·65537 + b + 1]).
  const start = new Int32Array(m * 65537)
  const ids = new Int32Array(m * n)
  for (let w = 0; w < m; w++) {
    const base = w * 65537
    for (let i = 0; i < n; i++) start[base + words[w * n + i]! + 1]!++
    for (let b = 0; b < 65536; b++) start[base + b + 1]! += start[base + b]!
    const fill = start.slice(base, base + 65536)
    for (let i = 0; i < n; i++) ids[w * n + fill[words[w * n + i]!]!++] = i
  }
  const masksOf = widths.map((width) => Int32Array.from(masksWithin(width, radius)))

  const parent = Int32Array.from({ length: n }, (_, i) => i)
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!
    return x
  }
  const seen = new Int32Array(n).fill(-1)
  for (let i = 0; i < n; i++) {
    const hiI = hi[i]!
    const loI = lo[i]!
    for (let w = 0; w < m; w++) {
      const base = w * 65537
      const idBase = w * n
      const own = words[w * n + i]!
      const masks = masksOf[w]!
      for (let k = 0; k < masks.length; k++) {
        const bucket = base + (own ^ masks[k]!)
        const end = start[bucket + 1]!
        for (let at = start[bucket]!; at < end; at++) {
          const j = ids[idBase + at]!
          if (j <= i || seen[j] === i) continue
          seen[j] = i
          if (popcount32(hiI ^ hi[j]!) + popcount32(loI ^ lo[j]!) > maxDistance) continue
          const a = find(i)
          const b = find(j)
          if (a === b) continue
          if (similarity) {
            const cosine = similarity(items[i]!.key, items[j]!.key)
            if (cosine !== undefined && cosine < minSimilarity) continue
          }
          parent[Math.max(a, b)] = Math.min(a, b)
        }
      }
    }
  }
  const groups = new Map<number, string[]>()
  for (let i = 0; i < n; i++) {
    const root = find(i)
    let group = groups.get(root)
    if (!group) groups.set(root, (group = []))
    group.push(items[i]!.key)
  }
  return [...groups.values()].filter((group) => group.length > 1)
}

/**
 * How to cut the 64 bits for multi-index hashing: m words (4 to 8, widths differing by at most one bit), each
 * probed within ⌊d/m⌋ bits, choosing the m with the fewest expected bucket lookups plus candidate checks for n
 * uniformly spread hashes.
 */
function wordLayout(n: number, maxDistance: number): { widths: number[]; radius: number } {
  let best: { widths: number[]; radius: number; cost: number } | undefined
  for (let m = 4; m <= 8; m++) {
    const widths = Array.from({ length: m }, (_, w) => Math.floor(64 / m) + (w < 64 % m ? 1 : 0))
    const radius = Math.floor(maxDistance / m)
    let cost = 0
    for (const width of widths) {
      let probes = 0
      for (let r = 0, c = 1; r <= Math.min(radius, width); r++, c = (c * (width - r + 1)) / r) probes += c
      cost += probes * (1 + n / 2 ** width)
    }
    if (!best || cost < best.cost) best = { widths, radius, cost }
  }
  return best!
}

/** Every `bits`-bit mask with at most `radius` bits set, fewest first. */
function masksWithin(bits: number, radius: number): number[] {
  const masks = [0]
  let frontier = [0]
  for (let r = 1; r <= Math.min(radius, bits); r++) {
    const next: number[] = []
    for (const mask of frontier) {
      // Extend by a bit above the highest one set, so each mask is made once.
      const from = mask === 0 ? 0 : 32 - Math.clz32(mask)
      for (let b = from; b < bits; b++) next.push(mask | (1 << b))
    }
    masks.push(...next)
    frontier = next
  }
  return masks
}

export type PhotoFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'tiff' | 'avif' | 'heif' | 'other'

export interface DuplicatePhoto {
  id: number
  path: string
  /** File size in bytes. */
  size: number
  /** Upright size in pixels. */
  width: number
  height: number
  takenAt: string | null
  /** From the file's extension. */
  format: PhotoFormat
}

export interface DuplicateGroup {
  /** Best copy first (see `keep`), then by id. */
  photos: DuplicatePhoto[]
  /** The id of the copy suggested to keep. */
  keep: number
}

export interface FindDuplicatesOptions {
  /** Largest Hamming distance between two contents' hashes (default `DEFAULT_MAX_DISTANCE`). */
  maxDistance?: number
  /** Embedding cosine between two contents by sha256; a pair whose cosine is known and under `minSimilarity` is refused. */
  similarity?: Similarity
  minSimilarity?: number
}

/**
 * The groups of present photos that are one picture: contents (sha256) linked by `groupByHash` over their stored
 * current-version hashes (run `hashMissing` first: a content without one is left out), and every present file of
 * each content, so exact copies form a group of their own too. Groups come largest first, then by lowest id.
 */
export function findDuplicateGroups(db: Db, options: FindDuplicatesOptions = {}): DuplicateGroup[] {
  const { maxDistance = DEFAULT_MAX_DISTANCE, similarity, minSimilarity = DEFAULT_MIN_SIMILARITY } = options
  const rows = stmt(
    db,
    `SELECT p.id, p.path, p.size, p.width, p.height, p.taken_at AS takenAt, p.sha256, h.hash
       FROM photos p JOIN photo_hashes h ON h.sha256 = p.sha256 AND h.version = ?
       WHERE p.status = 'present'
       ORDER BY p.id`,
  ).all(HASH_VERSION) as (Omit<DuplicatePhoto, 'format'> & { sha256: string; hash: Buffer })[]
  const byContent = new Map<string, { hash: bigint; photos: DuplicatePhoto[] }>()
  for (const { sha256, hash, ...photo } of rows) {
    let content = byContent.get(sha256)
    if (!content) byContent.set(sha256, (content = { hash: hashFromBytes(hash), photos: [] }))
    content.photos.push({ ...photo, format: formatOf(photo.path) })
  }
  const contentGroups = groupByHash(
    [...byContent].map(([key, { hash }]) => ({ key, hash })),
    maxDistance,
    similarity,
    minSimilarity,
  )
  const grouped = new Set(contentGroups.flat())
  for (const [sha256, content] of byContent)
    if (!grouped.has(sha256) && content.photos.length > 1) contentGroups.push([sha256])
  const groups = contentGroups.map((keys): DuplicateGroup => {
    const photos = keys
      .flatMap((key) => byContent.get(key)!.photos)
      .sort((a, b) => comparePreference(a, b) || a.id - b.id)
    return { photos, keep: photos[0]!.id }
  })
  const firstId = (group: DuplicateGroup): number => Math.min(...group.photos.map((photo) => photo.id))
  return groups.sort((a, b) => b.photos.length - a.photos.length || firstId(a) - firstId(b))
}

const FORMATS: Readonly<Record<string, PhotoFormat>> = {
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.jpe': 'jpeg',
  '.jfif': 'jpeg',
  '.png': 'png',
  '.webp': 'webp',
  '.gif': 'gif',
  '.bmp': 'bmp',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.avif': 'avif',
  '.heic': 'heif',
  '.heif': 'heif',
}

/** A photo's format from its file's extension. */
export function formatOf(path: string): PhotoFormat {
  return FORMATS[extname(path).toLowerCase()] ?? 'other'
}

/** Formats that keep every pixel: at the same resolution such a copy has lost nothing a lossy one has. */
const LOSSLESS: ReadonlySet<PhotoFormat> = new Set(['png', 'tiff', 'bmp'])

/**
 * Which copy to keep, best first (negative when `a` is better):
 * 1. more pixels (upright width × height): the copy with the most detail (an upscaled copy also wins here: it
 *    cannot be told apart from a larger original by its size alone);
 * 2. a lossless format (PNG, TIFF, BMP) before a lossy one at the same resolution: it holds the pixels exactly;
 * 3. an EXIF capture date before none: a camera's or a careful export's file, not a stripped re-save;
 * 4. the larger file: less compressed;
 * 5. then the caller's order (the lower id: added to the library first).
 */
export function comparePreference(a: DuplicatePhoto, b: DuplicatePhoto): number {
  return (
    b.width * b.height - a.width * a.height ||
    Number(LOSSLESS.has(b.format)) - Number(LOSSLESS.has(a.format)) ||
    Number(b.takenAt !== null) - Number(a.takenAt !== null) ||
    b.size - a.size
  )
}
