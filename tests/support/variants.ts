import { mkdirSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import sharp, { type Sharp } from 'sharp'

/** The ways a copy of a photo differs from it, as issue #12 lists them. */
export const VARIANT_KINDS = ['half', 'double', 'jpeg-q50', 'exif-rotated', 'crop', 'format'] as const
export type VariantKind = (typeof VARIANT_KINDS)[number]

export interface Variant {
  kind: VariantKind
  path: string
}

/** Quality of the JPEGs written where the kind is not about compression (a camera or editor's usual save). */
const JPEG_QUALITY = 90

/**
 * Writes six near-duplicates of a photo into `outDir` (created if needed), named `<stem>-<kind>.<ext>`:
 * - `half`, `double`: resized to ×0.5 and ×2 (Lanczos), saved in the source's format (JPEG q90 or PNG);
 * - `jpeg-q50`: recompressed as a JPEG at quality 50;
 * - `exif-rotated`: a JPEG (q90) whose pixels are turned 90° clockwise, with EXIF Orientation 8 ("turn 90°
 *   anticlockwise to display") so that a viewer that honours EXIF shows the original upright;
 * - `crop`: 5% of the width and of the height cut off, split between both edges (the central 95%), in the
 *   source's format;
 * - `format`: the other of PNG and JPEG (a JPEG becomes a lossless PNG of its pixels, anything else a q90 JPEG).
 * The source is read upright (its own EXIF orientation applied).
 */
export async function makeVariants(src: string, outDir: string): Promise<Variant[]> {
  mkdirSync(outDir, { recursive: true })
  const isJpeg = (await sharp(src).metadata()).format === 'jpeg'
  // Decoded once, upright, to raw pixels: every variant is one encode away from the source's pixels.
  const { data, info } = await sharp(src).autoOrient().raw().toBuffer({ resolveWithObject: true })
  const { width, height, channels } = info
  const stem = basename(src, extname(src))
  const upright = (): Sharp => sharp(data, { raw: { width, height, channels } })
  const sameFormat = (pipeline: Sharp): Sharp => (isJpeg ? pipeline.jpeg({ quality: JPEG_QUALITY }) : pipeline.png())
  const sameExt = isJpeg ? 'jpg' : 'png'

  const cutX = Math.round(width * 0.05)
  const cutY = Math.round(height * 0.05)
  const jobs: { kind: VariantKind; ext: string; pipeline: Sharp }[] = [
    {
      kind: 'half',
      ext: sameExt,
      pipeline: sameFormat(
        upright().resize(Math.max(1, Math.round(width / 2)), Math.max(1, Math.round(height / 2)), { fit: 'fill' }),
      ),
    },
    { kind: 'double', ext: sameExt, pipeline: sameFormat(upright().resize(width * 2, height * 2, { fit: 'fill' })) },
    { kind: 'jpeg-q50', ext: 'jpg', pipeline: upright().jpeg({ quality: 50 }) },
    {
      kind: 'exif-rotated',
      ext: 'jpg',
      pipeline: upright().rotate(90).withMetadata({ orientation: 8 }).jpeg({ quality: JPEG_QUALITY }),
    },
    {
      kind: 'crop',
      ext: sameExt,
      pipeline: sameFormat(
        upright().extract({
          left: Math.floor(cutX / 2),
          top: Math.floor(cutY / 2),
          width: width - cutX,
          height: height - cutY,
        }),
      ),
    },
    {
      kind: 'format',
      ext: isJpeg ? 'png' : 'jpg',
      pipeline: isJpeg ? upright().png() : upright().jpeg({ quality: JPEG_QUALITY }),
    },
  ]
  const variants: Variant[] = []
  for (const job of jobs) {
    const path = join(outDir, `${stem}-${job.kind}.${job.ext}`)
    await job.pipeline.toFile(path)
    variants.push({ kind: job.kind, path })
  }
  return variants
}
