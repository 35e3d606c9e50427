import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/main/db/database'
import { findDuplicateGroups, groupByHash, hashMissing } from '../../src/main/duplicates/find-duplicates'
import {
  DEFAULT_MAX_DISTANCE,
  HASH_VERSION,
  hammingDistance,
  hashFromBytes,
  hashToBytes,
  perceptualHash,
} from '../../src/main/duplicates/perceptual-hash'
import { addPaths } from '../../src/main/photo-library'
import { cifarHalfDir, sharedPath } from '../support/shared'
import { makeVariants, VARIANT_KINDS, type Variant } from '../support/variants'

let dir: string
const chelsea = sharedPath('photos', 'chelsea.png')
const cifarCat = join(cifarHalfDir(), 'cat', '0000.jpg')
/** Distinct photos: other CIFAR photos and the other sample photos. */
const distinct = [
  join(cifarHalfDir(), 'cat', '0002.jpg'),
  join(cifarHalfDir(), 'ship', '0000.jpg'),
  join(cifarHalfDir(), 'frog', '0000.jpg'),
  sharedPath('photos', 'coffee.png'),
  sharedPath('photos', 'astronaut.png'),
  sharedPath('photos', 'rocket.jpg'),
]
let chelseaVariants: Variant[]
let cifarVariants: Variant[]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duplicates-'))
  chelseaVariants = await makeVariants(chelsea, join(dir, 'chelsea'))
  cifarVariants = await makeVariants(cifarCat, join(dir, 'cifar'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('makeVariants', () => {
  it('writes the six kinds; the EXIF-rotated copy stores turned pixels and displays upright', async () => {
    expect(chelseaVariants.map((v) => v.kind)).toEqual([...VARIANT_KINDS])
    const rotated = chelseaVariants.find((v) => v.kind === 'exif-rotated')!.path
    const meta = await sharp(rotated).metadata()
    expect(meta).toMatchObject({ width: 300, height: 451, orientation: 8 })
    const upright = await sharp(rotated).autoOrient().raw().toBuffer({ resolveWithObject: true })
    const original = await sharp(chelsea).raw().toBuffer()
    expect(upright.info).toMatchObject({ width: 451, height: 300 })
    let diff = 0
    for (let i = 0; i < original.length; i++) diff += Math.abs(original[i]! - upright.data[i]!)
    expect(diff / original.length).toBeLessThan(4) // JPEG q90, not a turned picture
  })
})

describe('perceptualHash', () => {
  it('puts every copy near its original and distinct photos far apart', async () => {
    for (const [src, variants] of [
      [chelsea, chelseaVariants],
      [cifarCat, cifarVariants],
    ] as const) {
      const original = await perceptualHash(src)
      for (const variant of variants)
        expect({
          kind: variant.kind,
          near: hammingDistance(original, await perceptualHash(variant.path)) <= DEFAULT_MAX_DISTANCE,
        }).toEqual({
          kind: variant.kind,
          near: true,
        })
    }
    const hashes = await Promise.all([chelsea, cifarCat, ...distinct].map((path) => perceptualHash(path)))
    for (let a = 0; a < hashes.length; a++)
      for (let b = a + 1; b < hashes.length; b++)
        expect(hammingDistance(hashes[a]!, hashes[b]!)).toBeGreaterThan(DEFAULT_MAX_DISTANCE)
  })

  it('round-trips through its 8 stored bytes', () => {
    const hash = 0x8000_0000_0000_0001n
    expect(hashToBytes(hash).toString('hex')).toBe('8000000000000001')
    expect(hashFromBytes(hashToBytes(hash))).toBe(hash)
    expect(hammingDistance(hash, 0n)).toBe(2)
    expect(hammingDistance(-1n, 0n)).toBe(64)
  })
})

describe('groupByHash', () => {
  const flip = (hash: bigint, ...bits: number[]): bigint => bits.reduce((h, b) => h ^ (1n << BigInt(b)), hash)
  const base = 0x0123_4567_89ab_cdefn

  it('links hashes within the distance, spread over words, and no others', () => {
    const items = [
      { key: 'a', hash: base },
      { key: 'b', hash: flip(base, 0, 17, 33, 50, 63, 1, 18, 34) }, // 8 bits, two in each 16-bit word
      { key: 'c', hash: ~base },
      { key: 'd', hash: flip(~base, 5) },
      { key: 'e', hash: flip(base, 0, 1, 2, 3, 4, 5, 6, 7, 8) }, // 9 bits from a, 13 from b
    ]
    expect(groupByHash(items, 8)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ])
    expect(groupByHash(items, 9)).toEqual([
      ['a', 'b', 'e'],
      ['c', 'd'],
    ])
  })

  it('agrees with all pairs on many random hashes', () => {
    let seed = 1
    const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
    const items: { key: string; hash: bigint }[] = []
    for (let i = 0; i < 400; i++) {
      const parent = items.length > 0 && random() < 0.5 ? items[Math.floor(random() * items.length)]!.hash : undefined
      let hash = parent ?? (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32))
      if (parent !== undefined)
        for (let k = Math.floor(random() * 12); k > 0; k--) hash ^= 1n << BigInt(Math.floor(random() * 64))
      items.push({ key: String(i), hash })
    }
    for (const d of [0, 3, 8, 11]) {
      const parent = items.map((_, i) => i)
      const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)))
      for (let a = 0; a < items.length; a++)
        for (let b = a + 1; b < items.length; b++)
          if (hammingDistance(items[a]!.hash, items[b]!.hash) <= d)
            parent[Math.max(find(a), find(b))] = Math.min(find(a), find(b))
      const expected = new Map<number, string[]>()
      items.forEach((item, i) => expected.set(find(i), [...(expected.get(find(i)) ?? []), item.key]))
      expect(groupByHash(items, d)).toEqual([...expected.values()].filter((g) => g.length > 1))
    }
  })

  it('refuses a pair whose embeddings are known and dissimilar, trusts the hash where unknown', () => {
    const items = [
      { key: 'a', hash: base },
      { key: 'b', hash: flip(base, 3) },
      { key: 'c', hash: flip(base, 40, 41) },
    ]
    // Only a–c is unknown: a–b and b–c are refused.
    const cosine = (x: string, y: string): number | undefined => ([x, y].sort().join() === 'a,c' ? undefined : 0.2)
    expect(groupByHash(items, 8, cosine, 0.9)).toEqual([['a', 'c']])
    expect(groupByHash(items, 8, () => 0.2, 0.9)).toEqual([])
    expect(groupByHash(items, 8, () => 0.95, 0.9)).toEqual([['a', 'b', 'c']])
  })
})

describe('hashMissing and findDuplicateGroups', () => {
  let db: Db
  afterAll(() => db?.close())

  it('hashes the library once and groups the copies with the best one to keep', async () => {
    const library = join(dir, 'library')
    mkdirSync(library)
    // chelsea.png and its copies except the upscaled one; a CIFAR photo and all its copies; an exact copy.
    for (const v of chelseaVariants.filter((v) => v.kind !== 'double'))
      copyFileSync(v.path, join(library, basename(v.path)))
    for (const v of cifarVariants) copyFileSync(v.path, join(library, basename(v.path)))
    copyFileSync(chelsea, join(library, 'chelsea.png'))
    copyFileSync(cifarCat, join(library, 'cat-0000.jpg'))
    copyFileSync(distinct[0]!, join(library, 'cat-0002.jpg'))
    copyFileSync(distinct[0]!, join(library, 'cat-0002-copy.jpg'))
    for (const [i, path] of distinct.slice(1).entries())
      copyFileSync(path, join(library, `other-${i}-${basename(path)}`))
    db = openDatabase(join(dir, 'library.db'))
    await addPaths([library], { db })

    const progress: number[] = []
    const report = await hashMissing(db, { onProgress: (p) => progress.push(p.done), concurrency: 2 })
    // 20 files, 19 contents (one exact copy).
    expect(report).toEqual({ hashed: 19, failed: [], cancelled: false })
    expect(progress.at(-1)).toBe(19)
    const stored = db.prepare('SELECT version, hash FROM photo_hashes').all() as { version: number; hash: Buffer }[]
    expect(stored).toHaveLength(19)
    expect(stored.every((row) => row.version === HASH_VERSION && row.hash.length === 8)).toBe(true)
    expect(await hashMissing(db)).toEqual({ hashed: 0, failed: [], cancelled: false })

    const groups = findDuplicateGroups(db)
    const names = groups.map((g) => g.photos.map((p) => basename(p.path)).sort())
    expect(names).toEqual([
      [
        '0000-crop.jpg',
        '0000-double.jpg',
        '0000-exif-rotated.jpg',
        '0000-format.png',
        '0000-half.jpg',
        '0000-jpeg-q50.jpg',
        'cat-0000.jpg',
      ],
      [
        'chelsea-crop.png',
        'chelsea-exif-rotated.jpg',
        'chelsea-format.jpg',
        'chelsea-half.png',
        'chelsea-jpeg-q50.jpg',
        'chelsea.png',
      ],
      ['cat-0002-copy.jpg', 'cat-0002.jpg'],
    ])
    const keep = (g: (typeof groups)[number]): string => basename(g.photos.find((p) => p.id === g.keep)!.path)
    // Most pixels wins (the ×2 copy of the CIFAR photo); at chelsea's full size, the lossless PNG.
    // Exact copies tie on everything: the one added first (the scan met cat-0002-copy.jpg first).
    expect(groups.map(keep)).toEqual(['0000-double.jpg', 'chelsea.png', 'cat-0002-copy.jpg'])
    expect(groups[1]!.photos[0]).toMatchObject({
      path: join(library, 'chelsea.png'),
      width: 451,
      height: 300,
      format: 'png',
    })
    expect(groups[1]!.photos.find((p) => p.path.endsWith('exif-rotated.jpg'))).toMatchObject({
      width: 451,
      height: 300,
      format: 'jpeg',
    })

    // Embeddings that know the chelsea copies apart keep them out of a group.
    const chelseaShas = new Set(
      (db.prepare("SELECT sha256 FROM photos WHERE path LIKE '%chelsea%'").all() as { sha256: string }[]).map(
        (r) => r.sha256,
      ),
    )
    const apart = findDuplicateGroups(db, {
      similarity: (a, b) => (chelseaShas.has(a) && chelseaShas.has(b) ? 0.1 : undefined),
    })
    expect(apart.map((g) => g.photos.length)).toEqual([7, 2])
  })
})
