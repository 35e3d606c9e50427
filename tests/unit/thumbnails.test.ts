import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { ThumbnailError, renderThumbnail, thumbnail, thumbnailPath } from '../../src/main/photos/thumbnails'
import { filesUnder, sha256Of } from '../support/files'
import { sharedPath } from '../support/shared'

const work = mkdtempSync(join(tmpdir(), 'thumbs-test-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

let folders = 0
/** A fresh, empty cache folder. */
const freshCache = (): string => join(work, `cache-${folders++}`)

const photo = (path: string) => ({ path, sha256: sha256Of(path) })

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

describe('thumbnail', () => {
  it('applies EXIF orientation 6: a landscape file shown upright as portrait', async () => {
    // 300×200 stored pixels, red in the top-left quarter, blue elsewhere; orientation 6 = rotate 90° clockwise to show.
    const stored = Buffer.alloc(300 * 200 * 3)
    for (let y = 0; y < 200; y++) {
      for (let x = 0; x < 300; x++) stored.set(x < 150 && y < 100 ? [255, 0, 0] : [0, 0, 255], (y * 300 + x) * 3)
    }
    const path = join(work, 'oriented.jpg')
    await sharp(stored, { raw: { width: 300, height: 200, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toFile(path)
    expect((await sharp(path).metadata()).orientation).toBe(6)

    const thumb = await thumbnail({ cacheDir: freshCache() }, photo(path))
    const { data, info } = await sharp(thumb).raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height]).toEqual([171, 256])
    // Rotated clockwise, the stored top-left corner is now the top-right one.
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)]
    expect(at(info.width - 10, 10)[0]).toBeGreaterThan(200)
    expect(at(10, 10)[2]).toBeGreaterThan(200)
    // The thumbnail carries no orientation tag, so no viewer rotates it a second time.
    expect((await sharp(thumb).metadata()).orientation).toBeUndefined()
  })

  it('fits inside size × size keeping the aspect, never enlarging, one file per size', async () => {
    const cacheDir = freshCache()
    const chelsea = photo(sharedPath('photos', 'chelsea.png')) // 451×300
    const small = await sharp(await thumbnail({ cacheDir }, chelsea, 128)).metadata()
    expect([small.width, small.height, small.format]).toEqual([128, 85, 'jpeg'])
    const big = await sharp(await thumbnail({ cacheDir }, chelsea, 1024)).metadata()
    expect([big.width, big.height]).toEqual([451, 300])
    expect(filesUnder(cacheDir)).toEqual([
      `${chelsea.sha256.slice(0, 2)}/${chelsea.sha256}-1024.jpg`,
      `${chelsea.sha256.slice(0, 2)}/${chelsea.sha256}-128.jpg`,
    ])
  })

  it('serves a cached thumbnail without re-encoding, for the same content under any path', async () => {
    const cacheDir = freshCache()
    const source = join(work, 'rocket-copy.jpg')
    writeFileSync(source, readFileSync(sharedPath('photos', 'rocket.jpg')))
    const original = photo(source)
    const first = await thumbnail({ cacheDir }, original)
    expect(first).toBe(thumbnailPath(cacheDir, original.sha256, 256))
    const before = statSync(first)

    await new Promise((r) => setTimeout(r, 20))
    expect(await thumbnail({ cacheDir }, original)).toBe(first)
    // Another path with the same bytes reuses it; the photo is not even opened (it is gone now).
    rmSync(source)
    expect(await thumbnail({ cacheDir }, { path: join(work, 'moved', 'rocket.jpg'), sha256: original.sha256 })).toBe(
      first,
    )
    const after = statSync(first)
    expect(after.mtimeMs).toBe(before.mtimeMs)
    expect(after.ino).toBe(before.ino)
    expect(filesUnder(cacheDir)).toHaveLength(1)
  })

  it('coalesces concurrent requests for one thumbnail into one job', async () => {
    const cacheDir = freshCache()
    const coffee = photo(sharedPath('photos', 'coffee.png'))
    const a = thumbnail({ cacheDir }, coffee)
    const b = thumbnail({ cacheDir }, coffee)
    const c = thumbnail({ cacheDir }, { path: '/elsewhere/coffee.png', sha256: coffee.sha256.toUpperCase() })
    expect(b).toBe(a)
    expect(c).toBe(a)
    const other = thumbnail({ cacheDir }, coffee, 64)
    expect(other).not.toBe(a)
    await Promise.all([a, other])
    expect(filesUnder(cacheDir)).toHaveLength(2) // no temporary files left behind
  })

  it('makes a thumbnail of a greyscale PNG', async () => {
    const thumb = await thumbnail({ cacheDir: freshCache() }, photo(sharedPath('photos', 'camera.png')))
    const { data, info } = await sharp(thumb).raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height]).toEqual([256, 256])
    let spread = 0
    for (let i = 0; i < data.length; i += info.channels) {
      spread = Math.max(spread, Math.abs(data[i]! - data[i + 1]!), Math.abs(data[i]! - data[i + 2]!))
    }
    expect(spread).toBeLessThanOrEqual(2)
  })

  it('shrinks a 4000×3000 JPEG on load: fast, and faster than a full-size decode', async () => {
    const path = join(work, 'large.jpg')
    await sharp(sharedPath('photos', 'chelsea.png'))
      .resize(4000, 3000, { fit: 'fill' })
      .jpeg({ quality: 90 })
      .toFile(path)
    const large = photo(path)
    const fullDecode = () =>
      // extract() needs the full-resolution image, which rules shrink-on-load out.
      sharp(path, { failOn: 'error' })
        .rotate()
        .extract({ left: 0, top: 0, width: 4000, height: 3000 })
        .resize(256, 256, { fit: 'inside' })
        .jpeg({ quality: 80 })
        .toBuffer()
    await thumbnail({ cacheDir: freshCache() }, large) // warm up
    await fullDecode()
    const ours: number[] = []
    const full: number[] = []
    for (let i = 0; i < 5; i++) {
      let start = performance.now()
      const thumb = await thumbnail({ cacheDir: freshCache() }, large)
      ours.push(performance.now() - start)
      const meta = await sharp(thumb).metadata()
      expect([meta.width, meta.height]).toEqual([256, 192])
      start = performance.now()
      await fullDecode()
      full.push(performance.now() - start)
    }
    expect(median(ours)).toBeLessThan(1000)
    expect(median(ours)).toBeLessThan(0.8 * median(full))
  })

  it('rejects unreadable files with a clear message and caches nothing', async () => {
    const cacheDir = freshCache()
    const garbage = join(work, 'garbage.jpg')
    writeFileSync(garbage, 'this is not a JPEG at all')
    await expect(thumbnail({ cacheDir }, photo(garbage))).rejects.toThrow(
      `Cannot make a thumbnail of ${garbage}: not an image or unsupported format`,
    )

    const rocket = readFileSync(sharedPath('photos', 'rocket.jpg'))
    const truncated = join(work, 'truncated.jpg')
    writeFileSync(truncated, rocket.subarray(0, rocket.length / 2))
    const error = await thumbnail({ cacheDir }, photo(truncated)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ThumbnailError)
    expect((error as ThumbnailError).photoPath).toBe(truncated)
    expect((error as ThumbnailError).message).toMatch(
      /^Cannot make a thumbnail of .*truncated\.jpg: damaged or truncated/,
    )

    const missing = join(work, 'missing.jpg')
    await expect(thumbnail({ cacheDir }, { path: missing, sha256: 'ab'.repeat(32) })).rejects.toThrow(
      `Cannot make a thumbnail of ${missing}: file not found`,
    )
    expect(readdirSync(work)).not.toContain(cacheDir.slice(work.length + 1)) // nothing was written
  })

  it('refuses a malformed hash or size before touching the disk', async () => {
    const cacheDir = freshCache()
    await expect(thumbnail({ cacheDir }, { path: 'x.jpg', sha256: '../../etc/passwd' })).rejects.toThrow(TypeError)
    await expect(thumbnail({ cacheDir }, { path: 'x.jpg', sha256: 'ab'.repeat(32) }, 0)).rejects.toThrow(RangeError)
    await expect(thumbnail({ cacheDir }, { path: 'x.jpg', sha256: 'ab'.repeat(32) }, 1.5)).rejects.toThrow(RangeError)
  })

  it('renders from bytes too', async () => {
    const jpeg = await renderThumbnail(readFileSync(sharedPath('photos', 'hubble_deep_field.jpg')), 100)
    const meta = await sharp(jpeg).metadata()
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 100, 87])
  })
})
