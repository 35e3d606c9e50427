import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import {
  CSV_COLUMNS,
  csvField,
  exportCsv,
  exportJson,
  exportToFile,
  type ExportRow,
} from '../../src/main/photos/export'

const work = mkdtempSync(join(tmpdir(), 'export-test-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/**
 * A strict RFC 4180 parser: CRLF between records, fields quoted with `"` and `""` inside quotes.
 * Throws on anything malformed (a bare quote, a bare LF, a missing final CRLF), so it also checks
 * the writer's output.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        const quote = text.indexOf('"', i)
        if (quote < 0) throw new Error('unterminated quoted field')
        field += text.slice(i, quote)
        if (text[quote + 1] === '"') {
          field += '"'
          i = quote + 2
        } else {
          i = quote + 1
          break
        }
      }
    } else {
      const end = text.slice(i).search(/[,\r\n"]/)
      const stop = end < 0 ? text.length : i + end
      if (text[stop] === '"') throw new Error(`bare quote at ${stop}`)
      field = text.slice(i, stop)
      i = stop
    }
    record.push(field)
    if (text[i] === ',') {
      i++
      continue
    }
    if (text.startsWith('\r\n', i)) {
      records.push(record)
      record = []
      i += 2
      if (i === text.length) return records
      continue
    }
    throw new Error(`expected , or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 5))}`)
  }
}

/** Collects what is written to a stream. */
function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough()
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') }
}

const AWKWARD_PATH = '/photos/Zoë, "the cat"\non a sofa\r\nfinal,.jpg'

const rows: ExportRow[] = [
  {
    path: AWKWARD_PATH,
    sha256: 'a'.repeat(64),
    width: 4000,
    height: 3000,
    takenAt: new Date('2024-05-01T10:20:30Z'),
    model: 'resnet56-cifar10',
    predictions: [
      { label: 'dog', index: 5, p: 0.1, rank: 2 },
      { label: 'cat', index: 3, p: 0.8123456789012345, rank: 1 },
      { label: 'deer', index: 4, p: 0.05, rank: 3 },
      { label: 'bird', index: 2, p: 0.02, rank: 4 },
      { label: 'frog', index: 6, p: 0.01, rank: 5 },
      { label: 'horse', index: 7, p: 0.005, rank: 6 },
    ],
    tags: [
      { name: 'cat', status: 'accepted', source: 'model', score: 0.81 },
      { name: 'dog', status: 'rejected', source: 'model', score: 0.1 },
      { name: 'sofa; "red", big', status: 'accepted', source: 'user', score: null },
      { name: 'deer', status: 'suggested', source: 'model', score: 0.05 },
    ],
  },
  {
    path: 'C:\\Users\\猫\\IMG_0001.JPG',
    sha256: 'b'.repeat(64),
    width: null,
    height: null,
    takenAt: null,
    model: null,
    predictions: [],
    tags: [],
  },
  {
    path: '=HYPERLINK("http://x")',
    sha256: 'c'.repeat(64),
    width: 32,
    height: 32,
    takenAt: '2023-12-31T23:59:59+01:00',
    model: 'resnet20',
    predictions: [{ label: 'truck, lorry', index: 9, p: 1e-7, rank: 1 }],
    tags: [{ name: 'truck', status: 'accepted', source: 'user', score: null }],
  },
]

describe('exportCsv', () => {
  it('writes RFC 4180 CSV whose awkward values parse back exactly', async () => {
    const out = sink()
    expect(await exportCsv(rows, out.stream)).toBe(3)
    const text = out.text()
    expect(text.endsWith('\r\n')).toBe(true)
    const [header, ...records] = parseCsv(text)
    expect(header).toEqual([...CSV_COLUMNS])
    expect(records).toHaveLength(3)
    const get = (record: string[], column: string) => record[CSV_COLUMNS.indexOf(column)]
    for (const record of records) expect(record).toHaveLength(CSV_COLUMNS.length)

    const [first, second, third] = records as [string[], string[], string[]]
    expect(get(first, 'path')).toBe(AWKWARD_PATH)
    expect(get(first, 'taken_at')).toBe('2024-05-01T10:20:30.000Z')
    expect(get(first, 'width')).toBe('4000')
    // Top-k by rank, whatever the input order; the 6th prediction has no column.
    expect([get(first, 'top1_label'), get(first, 'top1_index'), Number(get(first, 'top1_p'))]).toEqual([
      'cat',
      '3',
      0.8123456789012345,
    ])
    expect(CSV_COLUMNS.filter((c) => c.endsWith('_label')).map((c) => get(first, c))).toEqual([
      'cat',
      'dog',
      'deer',
      'bird',
      'frog',
    ])
    expect(get(first, 'accepted_tags')).toBe('cat; sofa; "red", big')

    expect(get(second, 'path')).toBe('C:\\Users\\猫\\IMG_0001.JPG')
    expect(second.slice(2)).toEqual(Array(CSV_COLUMNS.length - 2).fill(''))

    expect(get(third, 'path')).toBe('=HYPERLINK("http://x")')
    expect(get(third, 'top1_label')).toBe('truck, lorry')
    expect(Number(get(third, 'top1_p'))).toBe(1e-7)
    expect(get(third, 'top2_label')).toBe('')
    expect(get(third, 'taken_at')).toBe('2023-12-31T23:59:59+01:00')
  })

  it('quotes only the fields that need it', () => {
    expect(csvField('plain value')).toBe('plain value')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField('cr\ronly')).toBe('"cr\ronly"')
    expect(csvField(null)).toBe('')
    expect(csvField(Number.NaN)).toBe('')
    expect(csvField(0.25)).toBe('0.25')
  })

  it('can add a BOM for Excel and neutralize formulas', async () => {
    const out = sink()
    await exportCsv(rows.slice(2), out.stream, { bom: true, spreadsheetSafe: true })
    const text = out.text()
    expect(text.startsWith('\uFEFFpath,')).toBe(true)
    const [, record] = parseCsv(text.slice(1))
    expect(record![0]).toBe('\'=HYPERLINK("http://x")')
  })

  it('streams a large async source with backpressure', async () => {
    let written = 0
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length
        setImmediate(callback)
      },
    })
    async function* many(): AsyncGenerator<ExportRow> {
      for (let i = 0; i < 3000; i++) yield { ...rows[0]!, path: `/p/${i}.jpg` }
    }
    expect(await exportCsv(many(), slow)).toBe(3000)
    await new Promise((r) => slow.end(r))
    expect(written).toBeGreaterThan(3000 * 100)
  })

  it('rejects when the stream fails', async () => {
    const broken = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, callback) {
        callback(new Error('EIO: device gone'))
      },
    })
    broken.on('error', () => undefined)
    await expect(exportCsv(rows, broken)).rejects.toThrow('EIO: device gone')
  })
})

describe('exportJson', () => {
  it('writes one JSON document with every row, predictions by rank', async () => {
    const out = sink()
    expect(await exportJson(rows, out.stream)).toBe(3)
    const text = out.text()
    expect(text.split('\n')).toHaveLength(3 + 3) // header, one line per photo, closing line, final newline
    const parsed = JSON.parse(text) as { version: number; photos: Record<string, unknown>[] }
    expect(parsed.version).toBe(1)
    expect(parsed.photos).toHaveLength(3)
    expect(parsed.photos[0]).toEqual({
      ...rows[0],
      takenAt: '2024-05-01T10:20:30.000Z',
      predictions: [...rows[0]!.predictions].sort((a, b) => a.rank - b.rank),
    })
    expect(parsed.photos[1]).toEqual(rows[1])
    expect(parsed.photos[2]).toEqual(rows[2])

    const empty = sink()
    await exportJson([], empty.stream)
    expect(JSON.parse(empty.text())).toEqual({ version: 1, photos: [] })
  })
})

describe('exportToFile', () => {
  it('writes CSV and JSON files', async () => {
    const csvPath = join(work, 'export.csv')
    expect(await exportToFile(csvPath, 'csv', rows)).toEqual({ path: csvPath, rows: 3 })
    expect(parseCsv(readFileSync(csvPath, 'utf8'))).toHaveLength(4)
    const jsonPath = join(work, 'export.json')
    await exportToFile(jsonPath, 'json', rows)
    expect((JSON.parse(readFileSync(jsonPath, 'utf8')) as { photos: unknown[] }).photos).toHaveLength(3)
  })

  it('replaces an existing file only once the export is complete', async () => {
    const folder = mkdtempSync(join(work, 'atomic-'))
    const path = join(folder, 'predictions.csv')
    writeFileSync(path, 'old export\r\n')

    async function* failing(): AsyncGenerator<ExportRow> {
      yield rows[0]!
      throw new Error('database went away')
    }
    await expect(exportToFile(path, 'csv', failing())).rejects.toThrow('database went away')
    expect(readFileSync(path, 'utf8')).toBe('old export\r\n')
    expect(readdirSync(folder)).toEqual(['predictions.csv'])

    const unreachable = join(folder, 'missing-folder', 'temp.csv')
    await expect(exportToFile(path, 'json', rows, { tempPathFor: () => unreachable })).rejects.toThrow(/ENOENT/)
    expect(readFileSync(path, 'utf8')).toBe('old export\r\n')

    await exportToFile(path, 'csv', rows)
    expect(parseCsv(readFileSync(path, 'utf8'))[1]![0]).toBe(AWKWARD_PATH)
    expect(readdirSync(folder)).toEqual(['predictions.csv'])
  })
})
