import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeForModel, decodeImage } from '../../src/main/photos/decode'
import { CIFAR_PREPROCESSING, IMAGENET_PREPROCESSING, type Preprocessing } from '../../src/shared/model-card'
import { planResize, preprocess, tensorLengthFor, type DecodedImage } from '../../src/shared/preprocess/preprocess'
import { withoutViews } from '../../src/shared/preprocess/views'
import { resampleRgb } from '../../src/shared/preprocess/resample'
import { cifarHalfDir, sharedPath } from '../support/shared'
import { levelDistance } from '../support/tensors'

/** A synthetic RGB image whose pixel (x, y) is `pixel(x, y)`. */
function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): DecodedImage {
  const data = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3)
  }
  return { width, height, channels: 3, data }
}

const spec = (size: number, preprocessing: Preprocessing = CIFAR_PREPROCESSING) => ({
  input: { width: size, height: size },
  preprocessing,
})

/** Channel c of an NCHW tensor for one image, as a plain array. */
const plane = (t: Float32Array, c: number, size: number) =>
  Array.from(t.subarray(c * size * size, (c + 1) * size * size))

describe('preprocess', () => {
  it('feeds a 32×32 image through unchanged except for (x/255 - mean) / std', () => {
    const img = image(32, 32, (x, y) => [(x * 8) % 256, (y * 8) % 256, (x * y) % 256])
    const t = preprocess(img, spec(32))
    expect(t).toHaveLength(3 * 32 * 32)
    const { mean, std } = CIFAR_PREPROCESSING
    for (const [x, y] of [
      [0, 0],
      [31, 0],
      [5, 17],
      [31, 31],
    ] as const) {
      const px = img.data.subarray((y * 32 + x) * 3, (y * 32 + x) * 3 + 3)
      for (let c = 0; c < 3; c++) {
        expect(t[c * 1024 + y * 32 + x]).toBeCloseTo((px[c]! / 255 - mean[c]!) / std[c]!, 5)
      }
    }
  })

  it('writes into a batch tensor at the given offset without touching the rest', () => {
    const out = new Float32Array(2 * 3 * 4 * 4).fill(42)
    preprocess(
      image(4, 4, () => [255, 255, 255]),
      spec(4),
      out,
      3 * 16,
    )
    expect(out.subarray(0, 48).every((v) => v === 42)).toBe(true)
    expect(out[48]).toBeCloseTo((1 - 0.485) / 0.229, 5)
  })

  it('square-crop keeps the centre square of a wide image (red centre, blue sides)', () => {
    // 60×20: columns 20..39 red, the rest blue.
    const img = image(60, 20, (x) => (x >= 20 && x < 40 ? [255, 0, 0] : [0, 0, 255]))
    const t = preprocess(img, spec(8))
    const red = (1 - 0.485) / 0.229
    const noBlue = (0 - 0.406) / 0.225
    for (const v of plane(t, 0, 8)) expect(v).toBeCloseTo(red, 5)
    for (const v of plane(t, 2, 8)) expect(v).toBeCloseTo(noBlue, 5)
  })

  it('square-crop keeps the centre square of a tall image', () => {
    const img = image(10, 30, (_, y) => (y >= 10 && y < 20 ? [0, 255, 0] : [0, 0, 0]))
    const t = preprocess(img, spec(5))
    for (const v of plane(t, 1, 5)) expect(v).toBeCloseTo((1 - 0.456) / 0.224, 5)
  })

  it('BGR colour order swaps the first and last channels (mean/std stay per model channel)', () => {
    const img = image(2, 2, () => [200, 100, 10])
    const bgr = {
      ...CIFAR_PREPROCESSING,
      colorOrder: 'BGR' as const,
      mean: [0, 0, 0] as [number, number, number],
      std: [1, 1, 1] as [number, number, number],
    }
    const t = preprocess(img, spec(2, bgr))
    expect(plane(t, 0, 2).map((v) => Math.round(v * 255))).toEqual([10, 10, 10, 10])
    expect(plane(t, 1, 2).map((v) => Math.round(v * 255))).toEqual([100, 100, 100, 100])
    expect(plane(t, 2, 2).map((v) => Math.round(v * 255))).toEqual([200, 200, 200, 200])
  })

  it('ignores the alpha channel of RGBA input', () => {
    const rgba: DecodedImage = { width: 1, height: 1, channels: 4, data: new Uint8Array([255, 0, 0, 7]) }
    const t = preprocess(rgba, spec(1, { ...CIFAR_PREPROCESSING, mean: [0, 0, 0], std: [1, 1, 1] }))
    expect(Array.from(t).map((v) => Math.round(v * 255))).toEqual([255, 0, 0])
  })

  it('refuses an image without pixels', () => {
    expect(() => preprocess({ width: 0, height: 0, channels: 3, data: new Uint8Array() }, spec(4))).toThrow(/no pixels/)
  })
})

describe('planResize (torchvision Resize(256) + CenterCrop(224))', () => {
  const imagenet = spec(224, IMAGENET_PREPROCESSING)

  it('640×480 → 341×256, crop at (58, 16)', () => {
    // torchvision: long side int(256 * 640 / 480) = 341; left = round(117 / 2) = 58 (Python rounds halves to even).
    expect(planResize(640, 480, imagenet)).toMatchObject({
      resizedWidth: 341,
      resizedHeight: 256,
      cropX: 58,
      cropY: 16,
    })
  })

  it('truncates the long side like torchvision (640×427 → 383×256, not 384)', () => {
    expect(planResize(640, 427, imagenet)).toMatchObject({
      resizedWidth: 383,
      resizedHeight: 256,
      cropX: 80,
      cropY: 16,
    })
  })

  it('portrait 480×640 → 256×341, crop at (16, 58)', () => {
    expect(planResize(480, 640, imagenet)).toMatchObject({
      resizedWidth: 256,
      resizedHeight: 341,
      cropX: 16,
      cropY: 58,
    })
  })

  it('resamples the whole image, no pre-crop', () => {
    expect(planResize(640, 480, imagenet).region).toEqual({ x: 0, y: 0, width: 640, height: 480 })
  })

  it('square-crop region for 451×300 (chelsea.png) is the centred 300×300', () => {
    expect(planResize(451, 300, spec(32)).region).toEqual({ x: 75, y: 0, width: 300, height: 300 })
  })
})

describe('resampleRgb', () => {
  it('keeps a constant image constant when shrinking and enlarging', () => {
    const img = image(37, 23, () => [12, 130, 250])
    for (const [w, h] of [
      [8, 5],
      [50, 40],
      [37, 7],
    ] as const) {
      const out = resampleRgb(img.data, 37, 3, { x: 0, y: 0, width: 37, height: 23 }, w, h)
      for (let i = 0; i < out.length; i += 3) {
        expect(out[i]).toBeCloseTo(12, 3)
        expect(out[i + 1]).toBeCloseTo(130, 3)
        expect(out[i + 2]).toBeCloseTo(250, 3)
      }
    }
  })

  it('halves a horizontal gradient with PIL bilinear weights', () => {
    // v = 10·x over 8 columns, shrunk to 4: the triangle filter is 2 px wide each side.
    // Inside: weights 1/8, 3/8, 3/8, 1/8 → 25, 45. At the edges the cut filter is renormalised:
    // (0·0.75 + 10·0.75 + 20·0.25) / 1.75 and (50·0.25 + 60·0.75 + 70·0.75) / 1.75.
    const img = image(8, 2, (x) => [10 * x, 10 * x, 10 * x])
    const out = resampleRgb(img.data, 8, 3, { x: 0, y: 0, width: 8, height: 2 }, 4, 2)
    const row = [0, 1, 2, 3].map((x) => out[x * 3]!)
    const expected = [12.5 / 1.75, 25, 45, 110 / 1.75]
    row.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4))
    expect(out.subarray(12, 24)).toEqual(out.subarray(0, 12)) // both rows alike
  })

  it('computes a window of the resampled image exactly as the whole image, cropped', () => {
    const img = image(683, 512, (x, y) => [(x * 7 + y * 3) % 256, (x * y) % 256, (x ^ y) % 256])
    const region = { x: 0, y: 0, width: 683, height: 512 }
    const whole = resampleRgb(img.data, 683, 3, region, 341, 256)
    for (const window of [
      { x: 58, y: 16, width: 224, height: 224 },
      { x: 0, y: 0, width: 341, height: 256 },
      { x: 340, y: 255, width: 1, height: 1 },
    ]) {
      const part = resampleRgb(img.data, 683, 3, region, 341, 256, window)
      const expected = new Float32Array(window.width * window.height * 3)
      for (let y = 0; y < window.height; y++) {
        const from = ((window.y + y) * 341 + window.x) * 3
        expected.set(whole.subarray(from, from + window.width * 3), y * window.width * 3)
      }
      expect(part).toEqual(expected)
    }
    expect(() => resampleRgb(img.data, 683, 3, region, 341, 256, { x: 200, y: 0, width: 224, height: 224 })).toThrow(
      /outside/,
    )
  })

  it('samples only inside the region (no bleeding from neighbouring pixels)', () => {
    const img = image(12, 4, (x) => (x >= 4 && x < 8 ? [100, 100, 100] : [255, 255, 255]))
    const out = resampleRgb(img.data, 12, 3, { x: 4, y: 0, width: 4, height: 4 }, 2, 2)
    for (const v of out) expect(v).toBeCloseTo(100, 4)
  })
})

describe('decodeImage', () => {
  it('decodes an RGB PNG (chelsea.png, 451×300) to 3 channels', async () => {
    const img = await decodeImage(sharedPath('photos', 'chelsea.png'))
    expect([img.width, img.height, img.channels, img.data.length]).toEqual([451, 300, 3, 451 * 300 * 3])
  })

  it('expands a greyscale PNG (camera.png) to 3 equal channels', async () => {
    const img = await decodeImage(sharedPath('photos', 'camera.png'))
    expect([img.width, img.height, img.channels, img.data.length]).toEqual([512, 512, 3, 512 * 512 * 3])
    for (let i = 0; i < img.data.length; i += 9973 * 3) {
      expect(img.data[i + 1]).toBe(img.data[i])
      expect(img.data[i + 2]).toBe(img.data[i])
    }
  })

  it('decodes the JPEG with EXIF (hubble_deep_field.jpg, 1000×872)', async () => {
    const img = await decodeImage(sharedPath('photos', 'hubble_deep_field.jpg'))
    expect([img.width, img.height, img.channels, img.data.length]).toEqual([1000, 872, 3, 1000 * 872 * 3])
  })

  it('decodes from bytes as well as from a path', async () => {
    const { readFile } = await import('node:fs/promises')
    const fromBytes = await decodeImage(await readFile(sharedPath('photos', 'chelsea.png')))
    const fromPath = await decodeImage(sharedPath('photos', 'chelsea.png'))
    expect(Buffer.compare(Buffer.from(fromBytes.data), Buffer.from(fromPath.data))).toBe(0)
  })

  it('rejects bytes that are not an image', async () => {
    await expect(decodeImage(new TextEncoder().encode('not an image'))).rejects.toThrow(/unsupported image format/)
  })
})

describe('decodeForModel (shrink on load, PIL deciding the last step)', () => {
  const imagenet = spec(224, IMAGENET_PREPROCESSING) // shorter side 256, centre crop 224
  let work: string
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'decode-for-model-'))
  })
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  /** astronaut.png scaled to cover width×height, saved as JPEG (or PNG), with an EXIF orientation. */
  async function photo(width: number, height: number, format: 'jpeg' | 'png' = 'jpeg', orientation?: number) {
    const file = join(work, `astronaut-${width}x${height}-${orientation ?? 1}.${format}`)
    let image = sharp(sharedPath('photos', 'astronaut.png')).removeAlpha().resize(width, height, { fit: 'cover' })
    image = format === 'jpeg' ? image.jpeg({ quality: 90 }) : image.png()
    if (orientation) image = image.withMetadata({ orientation })
    await image.toFile(file)
    return file
  }

  it('shrinks a 4000×3000 JPEG while loading to 1.5× the resampled side, close to a full decode', async () => {
    const file = await photo(4000, 3000)
    const shrunk = await decodeForModel(file, imagenet)
    expect([shrunk.width, shrunk.height]).toEqual([512, 384])
    const full = await decodeImage(file)
    const distance = levelDistance(preprocess(shrunk, imagenet), preprocess(full, imagenet), IMAGENET_PREPROCESSING.std)
    // Resizing straight to 256 with libvips, as the bench's reference script does, is about 1.5 / 41.
    expect(distance.mean).toBeLessThan(0.6)
    expect(distance.max).toBeLessThan(20)
  })

  it('applies the EXIF orientation before choosing the size (a portrait stays a portrait)', async () => {
    const shrunk = await decodeForModel(await photo(4000, 3000, 'jpeg', 6), imagenet)
    expect([shrunk.width, shrunk.height]).toEqual([384, 512])
  })

  it('decodes a JPEG under twice the side as it is: the preprocessing sees the same pixels as a full decode', async () => {
    const file = await photo(700, 500)
    const decoded = await decodeForModel(file, imagenet)
    expect(Buffer.compare(Buffer.from(decoded.data), Buffer.from((await decodeImage(file)).data))).toBe(0)
  })

  it('resizes other formats, which cannot shrink while loading, to no less than twice the side', async () => {
    const decoded = await decodeForModel(await photo(1600, 1200, 'png'), imagenet)
    expect([decoded.width, decoded.height]).toEqual([683, 512])
  })

  it('keeps a CIFAR photo as it is', async () => {
    const file = join(cifarHalfDir(), 'cat', readdirSync(join(cifarHalfDir(), 'cat'))[0]!)
    const decoded = await decodeForModel(file, spec(32))
    expect([decoded.width, decoded.height]).toEqual([32, 32])
  })
})

describe('views (a card with preprocessing.views)', () => {
  it('lays out the photo, its mirror and the tiles of a copy at twice the size, each as one image', async () => {
    const image = await decodeImage(sharedPath('photos', 'chelsea.png'))
    const views = { flip: true, tiles: 2 }
    const withViews = spec(32, { ...CIFAR_PREPROCESSING, views })
    const tensor = preprocess(image, withViews)
    const size = 3 * 32 * 32
    expect(tensor.length).toBe(6 * size)
    expect(tensorLengthFor(withViews)).toBe(6 * size)
    const own = preprocess(image, spec(32))
    expect(tensor.subarray(0, size)).toEqual(own)
    // The mirror: each row reversed.
    for (let row = 0; row < 96; row++) {
      for (let x = 0; x < 32; x++) expect(tensor[size + row * 32 + x]).toBe(own[row * 32 + 31 - x])
    }
    // The tiles: the quadrants of the 64×64 preprocessing, row by row.
    const large = preprocess(image, spec(64))
    for (let tile = 0; tile < 4; tile++) {
      const [ty, tx] = [Math.floor(tile / 2), tile % 2]
      for (let c = 0; c < 3; c++) {
        for (const [y, x] of [
          [0, 0],
          [17, 5],
          [31, 31],
        ] as const) {
          expect(tensor[(2 + tile) * size + c * 1024 + y * 32 + x]).toBe(
            large[c * 4096 + (ty * 32 + y) * 64 + tx * 32 + x],
          )
        }
      }
    }
    expect(withoutViews(withViews)).toEqual(spec(32))
  })

  it('decodes large enough for the tiles: a JPEG shrinks while loading to no less than 1.5× the tiles’ side', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'views-decode-'))
    try {
      const path = join(dir, 'big.jpg')
      await sharp({ create: { width: 1200, height: 900, channels: 3, background: { r: 90, g: 140, b: 200 } } })
        .jpeg()
        .toFile(path)
      const plain = await decodeForModel(path, spec(32))
      const tiled = await decodeForModel(path, spec(32, { ...CIFAR_PREPROCESSING, views: { flip: true, tiles: 2 } }))
      expect(Math.min(plain.width, plain.height)).toBe(48)
      expect(Math.min(tiled.width, tiled.height)).toBe(96)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
