/**
 * A JPEG's size and EXIF block, read from its markers without decoding: the library scan reads
 * thousands of headers, and this costs a small fraction of a libvips header read. Anything unusual
 * gives undefined, and the caller asks sharp.
 */
export interface JpegHeader {
  /** As stored (before the EXIF orientation is applied). */
  width: number
  height: number
  /** The APP1 payload ("Exif\0\0" + TIFF structure), as sharp's `metadata().exif` gives it. */
  exif: Uint8Array | undefined
}

const EXIF_SIGNATURE = [0x45, 0x78, 0x69, 0x66, 0, 0] // "Exif\0\0"

export function readJpegHeader(bytes: Uint8Array): JpegHeader | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined
  let exif: Uint8Array | undefined
  let at = 2
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined
    const marker = bytes[at + 1]!
    if (marker === 0xff) {
      at++ // fill byte
      continue
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2 // markers without a payload
      continue
    }
    if (marker === 0xd9 || marker === 0xda) return undefined // the image data starts before any frame header
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!
    if (length < 2 || at + 2 + length > bytes.length) return undefined
    const payload = bytes.subarray(at + 4, at + 2 + length)
    if (marker === 0xe1 && exif === undefined && EXIF_SIGNATURE.every((b, i) => payload[i] === b)) exif = payload
    if (isFrameHeader(marker)) {
      if (payload.length < 5) return undefined
      const height = (payload[1]! << 8) | payload[2]!
      const width = (payload[3]! << 8) | payload[4]!
      return width > 0 && height > 0 ? { width, height, exif } : undefined
    }
    at += 2 + length
  }
  return undefined
}

/** SOF0–SOF15, without DHT (C4), JPG (C8) and DAC (CC). */
function isFrameHeader(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
}
