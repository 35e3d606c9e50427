import { extname, isAbsolute, relative, sep } from 'node:path'

/** Where photos the model knows but whose top probability is under the threshold go. */
export const UNCERTAIN_FOLDER = '_uncertain'
/** Where photos the model does not know (none of its classes, whatever their top probability) go. */
export const UNKNOWN_FOLDER = '_unknown'
/** Folder names no label ever gets. */
export const RESERVED_FOLDERS: readonly string[] = [UNCERTAIN_FOLDER, UNKNOWN_FOLDER]
/** The folder of a label that sanitizes to nothing. */
export const UNNAMED_FOLDER = '_unnamed'
/** Folder names are cut to this many UTF-8 bytes (file systems allow 255; paths stay short). */
export const MAX_FOLDER_BYTES = 100
/** Most file systems allow 255 bytes per name. */
export const MAX_FILE_BYTES = 255

// C0 and C1 controls, the zero-width space, direction marks, bidirectional overrides and isolates,
// invisible operators, the BOM. (Zero-width joiners stay: emoji sequences and some scripts need them.)
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g
// Path separators and the other characters Windows refuses in a name.
const FORBIDDEN = /[/\\:*?"<>|]/g
// CON, PRN, AUX, NUL, COM0-9, LPT0-9 (and the superscript digits Windows also reserves).
const RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i

const encoder = new TextEncoder()
const byteLength = (s: string): number => encoder.encode(s).length

/** Case- and normalization-insensitive identity of a name (as macOS and Windows compare them). */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase()
}

/**
 * A folder name that is safe on every common file system, from a model's label: no path separators
 * or characters Windows refuses, no control or invisible characters, not `.` or `..`, no leading or
 * trailing dots and spaces, not a Windows device name (CON, con.txt, COM1, ...), at most `maxBytes`
 * of UTF-8 (cut between characters). What is left of an empty or hostile label may be `_unnamed`.
 */
export function safeFolderName(label: string, maxBytes = MAX_FOLDER_BYTES): string {
  let name = label.normalize('NFC').replace(INVISIBLE, '').replace(FORBIDDEN, '_').replace(/\s+/g, ' ')
  name = trimEnds(name)
  if (isReserved(name)) name = `_${name}`
  name = trimEnds(truncateUtf8(name, maxBytes))
  return name === '' ? UNNAMED_FOLDER : name
}

/** A Windows device name, with or without an extension (`CON`, `con.txt`, `Com1 .jpg`). */
export function isReserved(name: string): boolean {
  return RESERVED.test(name.split('.')[0]!.trimEnd())
}

function trimEnds(name: string): string {
  return name.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '')
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that ends between two characters. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text
  let out = ''
  let bytes = 0
  for (const { segment } of new Intl.Segmenter('und', { granularity: 'grapheme' }).segment(text)) {
    const size = byteLength(segment)
    if (bytes + size > maxBytes) break
    out += segment
    bytes += size
  }
  return out
}

/** `name (n)` for a folder, `stem (n).ext` for a file, shortened to stay within `maxBytes`. */
export function withSuffix(name: string, n: number, options: { file?: boolean; maxBytes?: number } = {}): string {
  const { file = false, maxBytes = file ? MAX_FILE_BYTES : MAX_FOLDER_BYTES } = options
  const ext = file ? extname(name) : ''
  const stem = name.slice(0, name.length - ext.length)
  const suffix = ` (${n})${ext}`
  const room = Math.max(1, maxBytes - byteLength(suffix))
  return `${trimEnds(truncateUtf8(stem, room)) || '_'}${suffix}`
}

/**
 * Gives each label its folder: distinct labels never share one, even when they sanitize to the same
 * name or differ only by case (`Cat`, `cat`, `a/b`, `a\b`); the later label gets a suffix. Names in
 * `reserved` (compared case-insensitively) and names for which `taken` says true are never used.
 */
export function assignFolderNames(
  labels: readonly string[],
  options: { reserved?: readonly string[]; taken?: (name: string) => boolean } = {},
): Map<string, string> {
  const { reserved = RESERVED_FOLDERS, taken = () => false } = options
  const used = new Set(reserved.map(nameKey))
  const folders = new Map<string, string>()
  for (const label of labels) {
    if (folders.has(label)) continue
    const base = safeFolderName(label)
    let name = base
    for (let n = 2; used.has(nameKey(name)) || taken(name); n++) name = withSuffix(base, n)
    used.add(nameKey(name))
    folders.set(label, name)
  }
  return folders
}

/** True when `path` is `folder` itself or lies below it (lexically, after both are resolved). */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path)
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`))
}
