/**
 * `npm run classify -- DIR --similar PHOTO` and `DIR --duplicates` (issue #12), the real CLI in a child process
 * over its own temp database: a folder of CIFAR photos of three classes and seven near-duplicates of one photo.
 */
import { runCliScript, type CliRun } from '../support/run-cli'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCliArgs, UsageError } from '../../src/cli/args'
import { cifarHalfDir, sharedPath } from '../support/shared'
import { makeVariants } from '../support/variants'

const CLASSES = ['cat', 'ship', 'frog'] as const
const PER_CLASS = 10

let work: string
/** The folder asked about: `<class>-<file>.jpg` photos, `chelsea.png` and its six variants. */
let dir: string
/** Another folder in the same database, holding a copy of chelsea.png and a cat: never in DIR's answers. */
let other: string
/** A cat of the data set outside both folders. */
let outsideCat: string

type Run = CliRun

function runCli(args: string[]): Promise<Run> {
  return runCliScript('classify.ts', args, {
    cwd: work,
    env: { ...process.env, RESNET_LENS_CLI_DB: join(work, 'cli.db') },
  })
}

const jsonLines = <T>(run: Run): T[] =>
  run.stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T)

/** A file's class in DIR: its name's prefix (`cat-0002.jpg` → cat; chelsea's copies → chelsea). */
const classOf = (path: string): string => basename(path).split(/[-.]/)[0]!

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'resnet-lens-own-tags-cli-'))
  dir = join(work, 'photos')
  other = join(work, 'elsewhere')
  mkdirSync(dir)
  mkdirSync(other)
  const cifar = cifarHalfDir()
  for (const cls of CLASSES) {
    const files = readdirSync(join(cifar, cls)).sort()
    for (const file of files.slice(0, PER_CLASS)) copyFileSync(join(cifar, cls, file), join(dir, `${cls}-${file}`))
    if (cls === 'cat') {
      copyFileSync(join(cifar, cls, files[PER_CLASS]!), join(other, 'cat.jpg'))
      outsideCat = join(cifar, cls, files[PER_CLASS + 1]!)
    }
  }
  const chelsea = sharedPath('photos', 'chelsea.png')
  copyFileSync(chelsea, join(dir, 'chelsea.png'))
  copyFileSync(chelsea, join(other, 'chelsea-copy.png'))
  await makeVariants(chelsea, dir)
  writeFileSync(join(work, 'notes.txt'), 'not a photo\n')
})

afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

describe('classify CLI --duplicates and --similar (spawned)', { timeout: 60_000 }, () => {
  it('--duplicates --json: the seven copies of chelsea in one group, the ×2 copy kept, nothing from elsewhere', async () => {
    // The other folder goes into the database first: DIR's answer must leave it out.
    const first = await runCli([other, '--duplicates', '--json'])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toBe('') // one chelsea there: no group

    const run = await runCli([dir, '--duplicates', '--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/Hashing: \d+\/\d+/)
    const groups = jsonLines<{ group: string[]; keep: string }>(run)
    const chelsea = groups.filter((g) => g.group.some((path) => classOf(path) === 'chelsea'))
    expect(chelsea).toHaveLength(1)
    expect(chelsea[0]!.group.map((path) => basename(path)).sort()).toEqual(
      [
        'chelsea.png',
        'chelsea-half.png',
        'chelsea-double.png',
        'chelsea-jpeg-q50.jpg',
        'chelsea-exif-rotated.jpg',
        'chelsea-crop.png',
        'chelsea-format.jpg',
      ].sort(),
    )
    expect(chelsea[0]!.keep).toBe(join(dir, 'chelsea-double.png'))
    expect(chelsea[0]!.group[0]).toBe(chelsea[0]!.keep)
    for (const { group, keep } of groups) {
      expect(group.length).toBeGreaterThanOrEqual(2)
      expect(group).toContain(keep)
      expect(new Set(group.map(classOf)).size, group.join(', ')).toBe(1)
      for (const path of group) expect(path.startsWith(dir + sep), path).toBe(true)
    }

    // Readable: a paragraph per group, the copy to keep marked.
    const human = await runCli([dir, '--duplicates'])
    expect(human.code, human.stderr).toBe(0)
    const paragraphs = human.stdout.trim().split('\n\n')
    expect(paragraphs).toHaveLength(groups.length)
    const chelseaLines = paragraphs.find((p) => p.includes('chelsea'))!.split('\n')
    expect(chelseaLines[0]).toBe(`keep  ${join(dir, 'chelsea-double.png')}`)
    expect(chelseaLines.slice(1).every((line) => /^ {6}\S/.test(line))).toBe(true)
    expect(human.stderr).toMatch(/near-duplicates among \d+ photos of /)
  })

  it('--similar PHOTO --top 5 --json: five photos of the folder, best first, not the photo itself', async () => {
    const query = join(dir, 'cat-' + readdirSync(join(cifarHalfDir(), 'cat')).sort()[0]!)
    const run = await runCli([dir, '--similar', query, '--top', '5', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const lines = jsonLines<{ path: string; score: number }>(run)
    expect(lines).toHaveLength(5)
    for (const [i, line] of lines.entries()) {
      expect(line.path).not.toBe(query)
      expect(line.path.startsWith(dir + sep), line.path).toBe(true)
      expect(line.score).toBeGreaterThan(-1)
      expect(line.score).toBeLessThanOrEqual(1)
      if (i > 0) expect(line.score).toBeLessThanOrEqual(lines[i - 1]!.score)
    }

    // A photo outside the folder is classified too; the answer stays inside the folder (10 by default).
    const outside = await runCli([dir, '--similar', outsideCat])
    expect(outside.code, outside.stderr).toBe(0)
    const rows = outside.stdout.trim().split('\n')
    expect(rows).toHaveLength(10)
    for (const row of rows) expect(row).toMatch(new RegExp(`^\\d\\.\\d{3}  ${escape(dir + sep)}`))
  })

  it('exits 1 for a photo that is missing or not an image, and for a folder that is not one', async () => {
    const missing = await runCli([dir, '--similar', join(work, 'nope.jpg')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/error: .*nope\.jpg: file not found/)
    const text = await runCli([dir, '--similar', join(work, 'notes.txt'), '--json'])
    expect(text.code).toBe(1)
    expect(text.stderr).toMatch(/error: .*notes\.txt: not an image/)
    expect(text.stdout).toBe('')
    const notFolder = await runCli([join(work, 'notes.txt'), '--duplicates'])
    expect(notFolder.code).toBe(1)
    expect(notFolder.stderr).toMatch(/error: .*notes\.txt is not a folder/)
  })

  it('exits 2 with the usage for --similar with --duplicates or --organize', async () => {
    const both = await runCli([dir, '--similar', join(dir, 'chelsea.png'), '--duplicates'])
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/^error: --similar and --duplicates cannot be combined\n\nUsage:/)
    const organize = await runCli([dir, '--duplicates', '--organize', 'copy', '--out', join(work, 'out')])
    expect(organize.code).toBe(2)
    expect(organize.stderr).toMatch(/^error: --duplicates and --organize cannot be combined/)
  })
})

describe('parseCliArgs: --similar and --duplicates', () => {
  it('reads them, --top defaulting to 10 for --similar', () => {
    expect(parseCliArgs(['d', '--similar', 'p.jpg'])).toMatchObject({
      options: { inputs: ['d'], ownTags: { action: 'similar', photo: 'p.jpg', top: 10 } },
    })
    expect(parseCliArgs(['d', '--similar', 'p.jpg', '-k', '3', '--json'])).toMatchObject({
      options: { json: true, ownTags: { action: 'similar', photo: 'p.jpg', top: 3 } },
    })
    expect(parseCliArgs(['d', '--duplicates', '--db', 'x.db'])).toMatchObject({
      options: { db: 'x.db', ownTags: { action: 'duplicates' } },
    })
    // A plain run has no ownTags.
    expect(parseCliArgs(['d'])).not.toHaveProperty('options.ownTags')
  })

  it('refuses bad combinations with a UsageError', () => {
    for (const args of [
      ['d', '--similar', 'p', '--duplicates'],
      ['d', '--similar', 'p', '--organize', 'copy', '--out', 'o'],
      ['--similar', 'p', '--undo'],
      ['--duplicates', '--resume'],
      ['--similar', 'p'],
      ['--duplicates'],
      ['d', 'e', '--duplicates'],
      ['d', '--similar', ''],
      ['d', '--similar'],
      ['d', '--duplicates', '--top', '3'],
      ['d', '--similar', 'p', '--top', '0'],
    ]) {
      expect(() => parseCliArgs(args), args.join(' ')).toThrow(UsageError)
    }
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
