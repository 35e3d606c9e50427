import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { readJpegHeader } from '../../src/main/photos/jpeg-header'
import { exifOrientation, exifTakenAt } from '../../src/main/photo-library/exif-date'
import { cifarHalfDir, readReferencePredictions, sharedPath } from '../support/shared'

/** What the library scan needs from a header, the fast way and sharp's way. */
async function both(bytes: Buffer) {
  const meta = await sharp(bytes).metadata()
  const header = readJpegHeader(bytes)
  const turned = header ? exifOrientation(header.exif) >= 5 : false
  return {
    fast: header && {
      width: turned ? header.height : header.width,
      height: turned ? header.width : header.height,
      orientation: exifOrientation(header.exif),
      takenAt: exifTakenAt(header.exif),
    },
    sharp: {
      width: meta.autoOrient.width,
      height: meta.autoOrient.height,
      orientation: meta.orientation ?? 1,
      takenAt: exifTakenAt(meta.exif),
    },
  }
}

describe('readJpegHeader', () => {
  it('reads what sharp reads from real JPEGs: CIFAR photos and the large shared ones', async () => {
    const files = [
      ...readReferencePredictions()
        .filter((_, i) => i % 500 === 0)
        .map((row) => join(cifarHalfDir(), row.path)),
      sharedPath('photos', 'hubble_deep_field.jpg'),
      sharedPath('photos', 'rocket.jpg'),
    ]
    for (const file of files) {
      const { fast, sharp: expected } = await both(readFileSync(file))
      expect(fast, file).toEqual(expected)
    }
  })

  it('turns the size by the EXIF orientation and keeps the EXIF date; progressive JPEGs too', async () => {
    const base = sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } })
    for (const orientation of [1, 3, 6, 8]) {
      const bytes = await base
        .clone()
        .jpeg({ progressive: orientation === 6 })
        .withExif({ IFD0: { DateTime: '2020:05:06 07:08:09' } })
        .withMetadata({ orientation })
        .toBuffer()
      const { fast, sharp: expected } = await both(bytes)
      expect(fast).toEqual(expected)
      expect(fast).toMatchObject({
        width: orientation >= 5 ? 30 : 40,
        height: orientation >= 5 ? 40 : 30,
        orientation,
        takenAt: '2020-05-06T07:08:09',
      })
    }
  })

  it('leaves anything else to sharp: PNGs, truncated headers, junk', async () => {
    expect(readJpegHeader(readFileSync(sharedPath('photos', 'chelsea.png')))).toBeUndefined()
    const jpeg = readFileSync(sharedPath('photos', 'rocket.jpg'))
    expect(readJpegHeader(jpeg.subarray(0, 40))).toBeUndefined()
    expect(readJpegHeader(new TextEncoder().encode('not a jpeg at all'))).toBeUndefined()
    expect(readJpegHeader(Uint8Array.of(0xff, 0xd8, 0xff, 0xda, 0, 2))).toBeUndefined()
  })
})
