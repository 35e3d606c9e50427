import { closeSync, openSync, readSync } from 'node:fs'
import sharp from 'sharp'
import type { DecodedImage, PreprocessSpec } from '../../shared/preprocess/preprocess'
import { readJpegHeader } from './jpeg-header'

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
 * Decodes a photo for a model like `decodeImage`, but lets libvips shrink a large photo while it loads,
 * so that a 12-megapixel JPEG costs a fraction of a full decode in time and memory while the
 * preprocessing's own antialiased resample (PIL's bilinear) still decides the pixels:
 * - a JPEG whose shorter side is over twice the side the preprocessing resamples to is shrunk to 1.5×
 *   that side (DCT scaling, then Lanczos). On 12–24 MP photos this lands within about 0.3–0.4 8-bit
 *   levels of a full decode on average, as close as 2× and cheaper (scripts/bench-decode.ts);
 * - a smaller JPEG is decoded as it is: shrinking it by less than 2× would cost more fidelity than time;
 * - other formats, which cannot shrink while loading, and JPEGs whose frame header lies beyond the first
 *   64 KiB are resized to no less than twice that side.
 */
export async function decodeForModel(input: string | Uint8Array, spec: PreprocessSpec): Promise<DecodedImage> {
  const side = resampledSide(spec)
  const jpeg = readJpegHeader(typeof input === 'string' ? readHead(input) : input)
  if (!jpeg) return decode(input, 2 * side)
  return decode(input, Math.min(jpeg.width, jpeg.height) > 2 * side ? Math.round(1.5 * side) : undefined)
}

/**
 * The first bytes of a file: a JPEG's frame header nearly always lies within them, after EXIF. Read
 * synchronously: three system calls cost less than three trips through libuv's thread pool, which the
 * decoders are using (on 32×32 photos the asynchronous version cost the engine a tenth of its speed).
 */
function readHead(path: string, length = 64 * 1024): Uint8Array {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.allocUnsafe(length)
    return head.subarray(0, readSync(fd, head, 0, length, 0))
  } finally {
    closeSync(fd)
  }
}

/** The shorter side of the largest image the preprocessing resamples (before its centre crop): the tiles' with views. */
function resampledSide(spec: PreprocessSpec): number {
  const { width, height } = spec.input
  const { resize, shorterSide, views } = spec.preprocessing
  const side = resize === 'shorter-side' ? (shorterSide ?? Math.max(width, height)) : Math.max(width, height)
  return side * Math.max(1, views?.tiles ?? 1)
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
