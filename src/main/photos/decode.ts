import sharp from 'sharp'
import type { DecodedImage, PreprocessSpec } from '../../shared/preprocess/preprocess'

/** Largest photo we agree to decode, in pixels (about 16k × 16k); bigger files are refused. */
export const MAX_DECODE_PIXELS = 268_402_689

/**
 * Decodes a photo (file path or bytes) to upright 8-bit sRGB, as PIL's `convert('RGB')` would:
 * EXIF orientation applied, alpha dropped, greyscale expanded to three channels.
 */
export function decodeImage(input: string | Uint8Array): Promise<DecodedImage> {
  return decode(input, undefined)
}

/**
 * Decodes a photo for a model like `decodeImage`, but lets libvips shrink a large photo while it loads
 * (JPEG DCT scaling, then Lanczos) to no less than twice the size the preprocessing resamples to, so
 * the preprocessing's own antialiased resample still decides the pixels while a 12-megapixel JPEG costs
 * a fraction of a full decode in time and memory. Photos already that small are decoded as they are.
 */
export function decodeForModel(input: string | Uint8Array, spec: PreprocessSpec): Promise<DecodedImage> {
  const { width, height } = spec.input
  const { resize, shorterSide } = spec.preprocessing
  return decode(
    input,
    2 * (resize === 'shorter-side' ? (shorterSide ?? Math.max(width, height)) : Math.max(width, height)),
  )
}

/** The decoding both share; with `minSide`, a larger photo is shrunk while it loads to no less than that. */
async function decode(input: string | Uint8Array, minSide: number | undefined): Promise<DecodedImage> {
  let pipeline = sharp(input, { limitInputPixels: MAX_DECODE_PIXELS, failOn: 'error' }).rotate()
  if (minSide !== undefined)
    pipeline = pipeline.resize({ width: minSide, height: minSide, fit: 'outside', withoutEnlargement: true })
  const { data, info } = await pipeline
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch((error: unknown) => explainDecodeFailure(input, error))
  if (info.channels !== 3) throw new Error(`Unexpected channel count ${info.channels} after decoding.`)
  return { width: info.width, height: info.height, channels: 3, data }
}

/**
 * libvips' error text is process-wide, so under concurrent decodes a failure can arrive as
 * "Unknown error". A header that still parses means the pixel data is what is broken.
 */
async function explainDecodeFailure(input: string | Uint8Array, error: unknown): Promise<never> {
  const message = error instanceof Error ? error.message : String(error)
  if (/unsupported image format|Input file is missing|pixel limit/i.test(message)) throw error
  const format = await sharp(input)
    .metadata()
    .then((m) => m.format)
    .catch(() => undefined)
  if (format === undefined) throw error
  throw new Error(`truncated or corrupt ${format.toUpperCase()} data (${message.split('\n')[0]!.trim()})`, {
    cause: error,
  })
}
