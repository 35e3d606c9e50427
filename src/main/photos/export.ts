import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Writable } from 'node:stream'

/**
 * Export of predictions and tags, one record per photo, as CSV (RFC 4180) or JSON.
 *
 * CSV: a header line, then one line per photo; CRLF line ends; a field is quoted when it holds a
 * comma, a double quote, CR or LF, and quotes inside are doubled. Columns: see CSV_COLUMNS. Top-k
 * columns come from the predictions sorted by rank (empty when a photo has fewer); `accepted_tags`
 * joins the names of tags with status `accepted`, in the given order, with `; `. Numbers are
 * written in full precision (JavaScript's shortest round-trip form); a missing value is an empty
 * field. `takenAt` is written as given, or as ISO 8601 when it is a Date.
 *
 * JSON: `{"version":1,"photos":[…]}` with one photo per line, each the row as given (predictions
 * sorted by rank, `takenAt` as ISO 8601).
 *
 * Rows can be an array or any (async) iterable, so a large library streams from the database; the
 * writers respect the stream's backpressure and do not end it.
 */

export interface ExportPrediction {
  label: string
  index: number
  /** Probability (softmax), 0..1. */
  p: number
  /** 1 for the top prediction. */
  rank: number
}

export interface ExportTag {
  name: string
  /** `accepted` tags are the ones joined into the CSV's `accepted_tags`; others: `suggested`, `rejected`, … */
  status: string
  /** Who proposed it: `model`, `user`, … */
  source: string
  score: number | null
}

export interface ExportRow {
  path: string
  sha256: string
  width: number | null
  height: number | null
  /** When the photo was taken (ISO 8601 string or Date), null when unknown. */
  takenAt: string | Date | null
  /** The model that made the predictions, null when none ran. */
  model: string | null
  predictions: readonly ExportPrediction[]
  tags: readonly ExportTag[]
}

export type ExportFormat = 'csv' | 'json'
export type ExportRows = Iterable<ExportRow> | AsyncIterable<ExportRow>

export interface CsvOptions {
  /** Start with a UTF-8 byte order mark, which Excel needs to read UTF-8. Default false. */
  bom?: boolean
  /**
   * Prefix `'` to text fields that start with `=`, `+`, `-`, `@`, tab or CR, so a spreadsheet does
   * not run them as formulas (a file named `=HYPERLINK(…).jpg`). Changes those values; default false.
   */
  spreadsheetSafe?: boolean
}

export interface ExportToFileOptions extends CsvOptions {
  /** Where to write before the rename; default a hidden file beside the target (same disk). */
  tempPathFor?: (target: string) => string
}

export const TOP_K = 5
export const CSV_COLUMNS: readonly string[] = [
  'path',
  'sha256',
  'width',
  'height',
  'taken_at',
  'model',
  ...Array.from({ length: TOP_K }, (_, i) => [`top${i + 1}_label`, `top${i + 1}_index`, `top${i + 1}_p`]).flat(),
  'accepted_tags',
]
export const ACCEPTED_TAG_SEPARATOR = '; '

/** One CSV field, quoted only when RFC 4180 needs it. */
export function csvField(value: string | number | null | undefined, spreadsheetSafe = false): string {
  if (value === null || value === undefined) return ''
  let text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value
  if (spreadsheetSafe && typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One CSV record with its CRLF. */
export function csvRecord(values: readonly (string | number | null | undefined)[], spreadsheetSafe = false): string {
  return values.map((v) => csvField(v, spreadsheetSafe)).join(',') + '\r\n'
}

/** The CSV fields of one photo, in CSV_COLUMNS order. */
export function csvValues(row: ExportRow): (string | number | null)[] {
  const ranked = sortedPredictions(row.predictions)
  const top = Array.from({ length: TOP_K }, (_, i) => {
    const p = ranked[i]
    return p === undefined ? [null, null, null] : [p.label, p.index, p.p]
  }).flat()
  const accepted = [...new Set(row.tags.filter((t) => t.status === 'accepted').map((t) => t.name))]
  return [
    row.path,
    row.sha256,
    row.width,
    row.height,
    isoTime(row.takenAt),
    row.model,
    ...top,
    accepted.join(ACCEPTED_TAG_SEPARATOR),
  ]
}

/** Writes the rows as CSV to `writable` (without ending it). Returns the number of photos written. */
export async function exportCsv(rows: ExportRows, writable: Writable, options: CsvOptions = {}): Promise<number> {
  const safe = options.spreadsheetSafe ?? false
  await write(writable, (options.bom === true ? '\uFEFF' : '') + csvRecord(CSV_COLUMNS))
  let count = 0
  for await (const row of rows) {
    await write(writable, csvRecord(csvValues(row), safe))
    count++
  }
  return count
}

/** Writes the rows as JSON to `writable` (without ending it). Returns the number of photos written. */
export async function exportJson(rows: ExportRows, writable: Writable): Promise<number> {
  await write(writable, '{"version":1,"photos":[')
  let count = 0
  for await (const row of rows) {
    await write(writable, (count === 0 ? '\n' : ',\n') + JSON.stringify(jsonRow(row)))
    count++
  }
  await write(writable, count === 0 ? ']}\n' : '\n]}\n')
  return count
}

/**
 * Writes the export to `path` atomically: into a temporary file beside it, flushed to disk, then
 * renamed over `path`. On any failure the temporary file is removed and an existing `path` is
 * left as it was.
 */
export async function exportToFile(
  path: string,
  format: ExportFormat,
  rows: ExportRows,
  options: ExportToFileOptions = {},
): Promise<{ path: string; rows: number }> {
  const temp =
    options.tempPathFor?.(path) ??
    join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx')
  // The stream writes through the handle and leaves it open when it finishes (autoClose off), for the
  // fsync. destroy() then closes the handle; handle.close() after it waits for that close.
  const stream = handle.createWriteStream({ autoClose: false, highWaterMark: 1 << 16 })
  let streamError: unknown
  stream.on('error', (error) => (streamError ??= error))
  let count: number
  try {
    count = format === 'csv' ? await exportCsv(rows, stream, options) : await exportJson(rows, stream)
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject)
      stream.end(resolve) // 'finish': every chunk is in the file
    })
    await handle.sync()
  } catch (error) {
    stream.destroy()
    await handle.close().catch(() => undefined)
    await rm(temp, { force: true }).catch(() => undefined)
    throw streamError ?? error
  }
  stream.destroy()
  try {
    await handle.close()
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined)
    throw error
  }
  return { path, rows: count }
}

function jsonRow(row: ExportRow): object {
  return {
    path: row.path,
    sha256: row.sha256,
    width: row.width,
    height: row.height,
    takenAt: isoTime(row.takenAt),
    model: row.model,
    predictions: sortedPredictions(row.predictions).map((p) => ({
      label: p.label,
      index: p.index,
      p: p.p,
      rank: p.rank,
    })),
    tags: row.tags.map((t) => ({ name: t.name, status: t.status, source: t.source, score: t.score })),
  }
}

function sortedPredictions(predictions: readonly ExportPrediction[]): ExportPrediction[] {
  return [...predictions].sort((a, b) => a.rank - b.rank)
}

function isoTime(value: string | Date | null): string | null {
  if (value === null) return null
  if (typeof value === 'string') return value
  return Number.isNaN(value.getTime()) ? null : value.toISOString()
}

/** Writes a chunk, waiting for 'drain' when the stream's buffer is full; rethrows the stream's error. */
async function write(writable: Writable, chunk: string): Promise<void> {
  if (writable.errored) throw writable.errored
  if (writable.destroyed || writable.writableEnded) throw new Error('The export stream is closed.')
  if (writable.write(chunk)) return
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: unknown): void => {
      writable.off('drain', onDrain).off('error', onError).off('close', onClose)
      if (error === undefined) resolve()
      else reject(error instanceof Error ? error : new Error(String(error)))
    }
    const onDrain = (): void => settle()
    const onError = (error: unknown): void => settle(error)
    const onClose = (): void =>
      settle(writable.errored ?? new Error('The export stream closed before the export ended.'))
    writable.on('drain', onDrain).on('error', onError).on('close', onClose)
  })
}
