/**
 * When a photo was taken, from its raw EXIF block (what sharp's `metadata().exif` returns: an optional
 * "Exif\0\0" header, then a TIFF structure). Reads DateTimeOriginal, else CreateDate
 * (DateTimeDigitized), else IFD0's DateTime, with the matching OffsetTime* when present.
 * Returns `YYYY-MM-DDTHH:MM:SS` (local time of the camera) or with `±HH:MM`, or null.
 */
export function exifTakenAt(exif: Uint8Array | undefined): string | null {
  if (!exif || exif.length < 8) return null
  try {
    return readTakenAt(exif)
  } catch {
    // A damaged EXIF block is common and harmless: the photo simply has no date.
    return null
  }
}

/**
 * The EXIF orientation (1–8) from a raw EXIF block like `exifTakenAt` takes; 1 (upright) when absent
 * or unreadable. 5–8 mean the stored image is turned a quarter: its width and height swap upright.
 */
export function exifOrientation(exif: Uint8Array | undefined): number {
  if (!exif || exif.length < 8) return 1
  try {
    const view = new DataView(exif.buffer, exif.byteOffset, exif.byteLength)
    const base = latin1(exif.subarray(0, 4)) === 'Exif' ? 6 : 0
    const order = String.fromCharCode(exif[base]!, exif[base + 1]!)
    if (order !== 'II' && order !== 'MM') return 1
    const little = order === 'II'
    if (view.getUint16(base + 2, little) !== 42) return 1
    const ifd0 = view.getUint32(base + 4, little)
    const count = view.getUint16(base + ifd0, little)
    for (let i = 0; i < count; i++) {
      const entry = base + ifd0 + 2 + i * 12
      if (view.getUint16(entry, little) !== TAG_ORIENTATION) continue
      const value = view.getUint16(entry + 8, little)
      return value >= 1 && value <= 8 ? value : 1
    }
    return 1
  } catch {
    return 1
  }
}

const TAG_ORIENTATION = 0x0112
const TAG_DATE_TIME = 0x0132
const TAG_EXIF_IFD = 0x8769
const TAG_DATE_TIME_ORIGINAL = 0x9003
const TAG_CREATE_DATE = 0x9004
const TAG_OFFSET_TIME = 0x9010
const TAG_OFFSET_TIME_ORIGINAL = 0x9011
const TAG_OFFSET_TIME_DIGITIZED = 0x9012
const TYPE_ASCII = 2
const TYPE_LONG = 4

function readTakenAt(bytes: Uint8Array): string | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let base = 0
  if (latin1(bytes.subarray(0, 4)) === 'Exif') base = 6
  const order = String.fromCharCode(bytes[base]!, bytes[base + 1]!)
  if (order !== 'II' && order !== 'MM') return null
  const little = order === 'II'
  const u16 = (at: number): number => view.getUint16(base + at, little)
  const u32 = (at: number): number => view.getUint32(base + at, little)
  if (u16(2) !== 42) return null

  const readIfd = (offset: number): Map<number, string | number> => {
    const entries = new Map<number, string | number>()
    const count = u16(offset)
    for (let i = 0; i < count; i++) {
      const entry = offset + 2 + i * 12
      const tag = u16(entry)
      const type = u16(entry + 2)
      const length = u32(entry + 4)
      if (type === TYPE_LONG && length === 1) entries.set(tag, u32(entry + 8))
      else if (type === TYPE_ASCII) {
        const start = base + (length <= 4 ? entry + 8 : u32(entry + 8))
        // Dates are 20 bytes and offsets 7: a longer string is not one of the values read here.
        if (start >= bytes.length || length > 64) continue
        entries.set(tag, latin1(bytes.subarray(start, start + length)).replace(/\0.*$/s, ''))
      }
    }
    return entries
  }

  const ifd0 = readIfd(u32(4))
  const exifOffset = ifd0.get(TAG_EXIF_IFD)
  const exifIfd = typeof exifOffset === 'number' ? readIfd(exifOffset) : new Map<number, string | number>()
  const candidates: [Map<number, string | number>, number, number][] = [
    [exifIfd, TAG_DATE_TIME_ORIGINAL, TAG_OFFSET_TIME_ORIGINAL],
    [exifIfd, TAG_CREATE_DATE, TAG_OFFSET_TIME_DIGITIZED],
    [ifd0, TAG_DATE_TIME, TAG_OFFSET_TIME],
  ]
  for (const [ifd, dateTag, offsetTag] of candidates) {
    const date = parseExifDate(ifd.get(dateTag))
    if (date === null) continue
    const offset = ifd.get(offsetTag) ?? exifIfd.get(offsetTag)
    return typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? date + offset.trim() : date
  }
  return null
}

const decoder = new TextDecoder('latin1')
function latin1(bytes: Uint8Array): string {
  return decoder.decode(bytes)
}

/** "2020:05:06 07:08:09" -> "2020-05-06T07:08:09"; null for blanks ("0000:00:00 00:00:00") and junk. */
export function parseExifDate(value: unknown): string | null {
  if (typeof value !== 'string') return null
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim())
  if (!m) return null
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number]
  if (y < 1800 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`
}
