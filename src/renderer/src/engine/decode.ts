import type { DecodedImage } from '../../../shared/preprocess/preprocess'

/** A photo the engine cannot decode; its message is meant for people. */
export class DecodeError extends Error {
  override name = 'DecodeError'
}

/** Same ceiling as the main process's decoder (about 16k × 16k). */
const MAX_PIXELS = 268_402_689

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

function lowerFirst(text: string): string {
  return text.length > 1 && /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text
}

function reasonOf(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error)
  return lowerFirst(raw.split('\n')[0]!.replace(/\.$/, '').trim() || 'unknown decoder error')
}

/**
 * Decodes a photo off the UI thread: the browser's decoder, upright (EXIF orientation applied), in
 * the file's own colour values (no colour-space conversion, no premultiplication), read back as RGBA.
 */
export async function decodePhoto(blob: Blob): Promise<DecodedImage> {
  if (blob.size === 0) throw new DecodeError('Not an image this app can read (the file is empty)')
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(blob, {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
      imageOrientation: 'from-image',
    })
  } catch (error) {
    const kind = blob.type || 'unknown type'
    throw new DecodeError(`Not an image this app can read (${kind}, ${formatBytes(blob.size)}: ${reasonOf(error)})`)
  }
  try {
    const { width, height } = bitmap
    if (width < 1 || height < 1) throw new DecodeError('Not an image this app can read (it has no pixels)')
    if (width * height > MAX_PIXELS) {
      throw new DecodeError(`Not an image this app can read (${width} × ${height} pixels is too large)`)
    }
    const canvas = new OffscreenCanvas(width, height)
    const context = canvas.getContext('2d', { willReadFrequently: true, alpha: true })
    if (!context) throw new DecodeError('Not an image this app can read (no 2D canvas to decode into)')
    context.drawImage(bitmap, 0, 0)
    const pixels = context.getImageData(0, 0, width, height)
    return { width, height, channels: 4, data: pixels.data }
  } finally {
    bitmap.close()
  }
}
