import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/main/db/database'
import { readReferencePredictions, repoRoot } from '../support/shared'
import { copyCifar } from '../crash/organize-helpers'

/** Must match tests/crash/ingest-child.ts. */
const K = 5
/** 40 CIFAR images per class: enough for two processes to share the work; the count is not what is tested. */
const PER_CLASS = 40
const PHOTOS = 10 * PER_CLASS
const MODEL = 'resnet56-cifar10'
/** Photos recorded when the child is killed, in the middle of recording the next one. */
const KILL_AFTER = 160

interface Child {
  process: ChildProcess
  stdout: string
  stderr: string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function startChild(dbFile: string, folder: string, env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/crash/ingest-child.ts', dbFile, folder], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  const state: Child = {
    process: child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve, reject) => {
      child.on('error', reject)
      child.on('exit', (code, signal) => resolve({ code, signal }))
    }),
  }
  child.stdout.on('data', (d: Buffer) => (state.stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (state.stderr += d.toString()))
  return state
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Photos with predictions, read from a second connection while the child writes. */
function classifiedSoFar(dbFile: string): number {
  if (!existsSync(dbFile)) return 0
  let reader: Database.Database | undefined
  try {
    reader = new Database(dbFile, { readonly: true, fileMustExist: true })
    return reader.prepare('SELECT count(*) FROM classifications WHERE k > 0').pluck().get() as number
  } catch {
    return 0 // the schema is not there yet
  } finally {
    reader?.close()
  }
}

const count = (db: Db, sql: string, ...params: unknown[]): number =>
  db
    .prepare(sql)
    .pluck()
    .get(...params) as number

/** Every photo recorded has its predictions and suggestions complete, or none at all. */
function expectWholeOrAbsent(db: Db): void {
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
  expect(db.pragma('foreign_key_check')).toEqual([])
  // A classification row has exactly k predictions, ranks 1..k.
  expect(
    db
      .prepare(
        `SELECT c.photo_id FROM classifications c
         LEFT JOIN predictions p ON p.photo_id = c.photo_id AND p.model_id = c.model_id
         GROUP BY c.photo_id, c.model_id
         HAVING count(p.rank) <> c.k OR c.k <> ? OR min(p.rank) <> 1 OR max(p.rank) <> c.k
           OR count(DISTINCT p.rank) <> c.k`,
      )
      .all(K),
  ).toEqual([])
  // Predictions only with their classification row; suggestions only on classified photos.
  expect(
    count(
      db,
      `SELECT count(*) FROM predictions p WHERE NOT EXISTS
         (SELECT 1 FROM classifications c WHERE c.photo_id = p.photo_id AND c.model_id = p.model_id)`,
    ),
  ).toBe(0)
  expect(
    count(
      db,
      `SELECT count(*) FROM photo_tags pt WHERE NOT EXISTS
         (SELECT 1 FROM classifications c WHERE c.photo_id = pt.photo_id AND c.model_id = pt.model_id AND c.k > 0)`,
    ),
  ).toBe(0)
  // The suggestions are exactly the predictions at or above the default threshold (0.5).
  expect(
    count(
      db,
      `SELECT count(*) FROM predictions p JOIN tags t ON t.name = p.label
       WHERE p.probability >= 0.5 AND NOT EXISTS (SELECT 1 FROM photo_tags pt WHERE pt.photo_id = p.photo_id
         AND pt.tag_id = t.id AND pt.status = 'suggested' AND pt.model_id = p.model_id AND pt.score = p.probability)`,
    ),
  ).toBe(0)
  expect(
    count(
      db,
      `SELECT count(*) FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE NOT EXISTS (SELECT 1 FROM predictions p
         WHERE p.photo_id = pt.photo_id AND p.model_id = pt.model_id AND p.label = t.name AND p.probability >= 0.5)`,
    ),
  ).toBe(0)
  // Each run's count was written with the predictions it counts.
  for (const run of db.prepare('SELECT id, classified FROM runs').all() as { id: number; classified: number }[]) {
    expect(count(db, 'SELECT count(*) FROM classifications WHERE run_id = ? AND k > 0', run.id)).toBe(run.classified)
  }
}

describe('crash safety of the photo library', () => {
  let dir: string
  let folder: string
  /** The copied photos, as paths relative to `folder` (the reference CSV's form). */
  let copied: Set<string>
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tag-store-crash-'))
    folder = join(dir, 'photos')
    copied = new Set(copyCifar(folder, PER_CLASS))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('a batch killed with SIGKILL while writing predictions leaves whole photos, and a rerun finishes exactly', async () => {
    const dbFile = join(dir, 'library.db')

    // The child stops inside the transaction of photo KILL_AFTER + 1 and is killed there.
    const marker = join(dir, 'paused')
    const first = startChild(dbFile, folder, { CRASH_PAUSE_AFTER: String(KILL_AFTER), CRASH_MARKER: marker })
    let exited = false
    void first.exit.then(() => (exited = true))
    while (!exited && !existsSync(marker)) await sleep(25)
    expect(exited, `the child ended before it could be killed:\n${first.stdout}\n${first.stderr}`).toBe(false)
    // Another connection sees the photos committed so far, not the one being written.
    expect(classifiedSoFar(dbFile)).toBe(KILL_AFTER)
    first.process.kill('SIGKILL')
    expect(await first.exit).toEqual({ code: null, signal: 'SIGKILL' })

    const afterKill = openDatabase(dbFile)
    try {
      expectWholeOrAbsent(afterKill)
      // The photo half written when the process died is absent, not partial.
      expect(count(afterKill, 'SELECT count(*) FROM classifications')).toBe(KILL_AFTER)
      expect(count(afterKill, 'SELECT count(*) FROM predictions')).toBe(KILL_AFTER * K)
      expect(count(afterKill, 'SELECT count(*) FROM photos')).toBe(PHOTOS)
      expect(afterKill.prepare('SELECT status, finished_at AS finishedAt FROM runs').all()).toEqual([
        { status: 'running', finishedAt: null },
      ])
    } finally {
      afterKill.close()
    }

    const second = startChild(dbFile, folder)
    const { code } = await second.exit
    expect(code, second.stderr).toBe(0)
    const events = second.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { stage: string; added?: number; unchanged?: number; run?: { total: number } })
    expect(events[0]).toMatchObject({ stage: 'added', added: 0, unchanged: PHOTOS })

    const db = openDatabase(dbFile)
    try {
      expectWholeOrAbsent(db)
      expect(count(db, 'SELECT count(*) FROM photos')).toBe(PHOTOS)
      expect(count(db, 'SELECT count(*) FROM predictions WHERE model_id = ?', MODEL)).toBe(PHOTOS * K)
      expect(count(db, 'SELECT count(*) FROM classifications WHERE model_id = ? AND k = ?', MODEL, K)).toBe(PHOTOS)
      expect(count(db, 'SELECT count(*) FROM (SELECT DISTINCT photo_id, tag_id FROM photo_tags)')).toBe(
        count(db, 'SELECT count(*) FROM photo_tags'),
      )
      // Nothing classified twice: the second run took exactly what the first had not done.
      const runs = db.prepare('SELECT status, total, classified, failed FROM runs ORDER BY id').all() as {
        status: string
        total: number
        classified: number
        failed: number
      }[]
      expect(runs.map((r) => r.status)).toEqual(['interrupted', 'finished'])
      expect(runs[0]!.classified + runs[1]!.classified).toBe(PHOTOS)
      expect(runs[1]).toMatchObject({ total: runs[1]!.classified, failed: 0 })
      expect(events.at(-1)).toMatchObject({ stage: 'done', run: { total: runs[1]!.total } })

      // And the predictions are the model's: top-1 as PyTorch's reference.
      const top1 = new Map(
        (
          db
            .prepare(
              `SELECT ph.path, p.class_index AS classIndex FROM predictions p JOIN photos ph ON ph.id = p.photo_id
               WHERE p.rank = 1`,
            )
            .all() as { path: string; classIndex: number }[]
        ).map((r) => [r.path, r.classIndex]),
      )
      const reference = readReferencePredictions().filter((row) => copied.has(row.path))
      expect(reference).toHaveLength(PHOTOS)
      const agree = reference.filter((row) => top1.get(join(folder, row.path)) === row.resnet56).length
      expect(agree / reference.length).toBeGreaterThan(0.995)
    } finally {
      db.close()
    }
  }, 240_000)
})
