import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/main/db/database'
import { readReferencePredictions, repoRoot } from '../support/shared'
import { copyCifar, prng } from '../crash/organize-helpers'

/** 30 images per class, 5 of them also copied under dups/ (same content, other paths). */
const PER_CLASS = 30
const DISTINCT = 10 * PER_CLASS
const DUPLICATES = 5
const K = 5
/**
 * Deterministic seeds; each draws where the job is killed. One per distinct moment: 23 while scanning,
 * 11 after 128 results (before the duplicates under dups/ are reached, so the restart reuses the killed
 * process's results), 37 after 240 (the duplicates already reused by the killed process). More seeds
 * drew kills in these same phases.
 */
const SEEDS = [23, 11, 37]

interface Child {
  process: ChildProcess
  stdout: string
  stderr: string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/crash/jobs-child.ts', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
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
  child.stdout!.on('data', (d: Buffer) => (state.stdout += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (state.stderr += d.toString()))
  return state
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Reads the child's progress from a second connection while it writes. */
function peek(dbFile: string): { jobs: number; recorded: number } {
  if (!existsSync(dbFile)) return { jobs: 0, recorded: 0 }
  let reader: Database.Database | undefined
  try {
    reader = new Database(dbFile, { readonly: true, fileMustExist: true })
    return {
      jobs: reader.prepare('SELECT count(*) FROM jobs').pluck().get() as number,
      recorded: reader.prepare('SELECT count(*) FROM job_photos WHERE outcome IS NOT NULL').pluck().get() as number,
    }
  } catch {
    return { jobs: 0, recorded: 0 } // the schema is not there yet
  } finally {
    reader?.close()
  }
}

const count = (db: Db, sql: string, ...params: unknown[]): number =>
  db
    .prepare(sql)
    .pluck()
    .get(...params) as number

/** The job's counts agree with its photos' outcomes and with the store, whatever moment it died at. */
function expectConsistent(db: Db): void {
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
  expect(db.pragma('foreign_key_check')).toEqual([])
  for (const job of db.prepare('SELECT id, classified, failed, reused FROM jobs').all() as {
    id: number
    classified: number
    failed: number
    reused: number
  }[]) {
    const outcome = (o: string): number =>
      count(db, 'SELECT count(*) FROM job_photos WHERE job_id = ? AND outcome = ?', job.id, o)
    expect([job.classified, job.failed, job.reused]).toEqual([
      outcome('classified'),
      outcome('failed'),
      outcome('reused'),
    ])
  }
  // A photo has an outcome exactly when it has the model's result (whole: K predictions).
  expect(
    count(
      db,
      `SELECT count(*) FROM job_photos jp LEFT JOIN classifications c ON c.photo_id = jp.photo_id
       WHERE (jp.outcome IS NULL) <> (c.photo_id IS NULL)`,
    ),
  ).toBe(0)
  expect(
    count(
      db,
      `SELECT count(*) FROM classifications c WHERE c.k <> ? OR c.k <> (SELECT count(*) FROM predictions p
         WHERE p.photo_id = c.photo_id AND p.model_id = c.model_id)`,
      K,
    ),
  ).toBe(0)
  // Model runs counted with their results: one per content the model went through.
  expect(count(db, 'SELECT coalesce(sum(classified), 0) FROM runs')).toBe(
    count(db, "SELECT count(*) FROM job_photos WHERE outcome = 'classified'"),
  )
}

describe('crash safety of folder jobs (SIGKILL at random points)', () => {
  let root: string
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'jobs-crash-'))
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it(
    `${SEEDS.length} runs: killed, then resumed, each photo is classified exactly once`,
    { timeout: 120_000 },
    async () => {
      const reference = new Map(readReferencePredictions().map((r) => [r.path, r.resnet56]))
      const summary: string[] = []
      for (const seed of SEEDS) {
        const random = prng(seed)
        const dir = join(root, `seed-${seed}`)
        const folder = join(dir, 'photos')
        const files = copyCifar(folder, PER_CLASS)
        mkdirSync(join(folder, 'dups'))
        for (const file of files.slice(0, DUPLICATES))
          copyFileSync(join(folder, file), join(folder, 'dups', file.replace('/', '-')))
        writeFileSync(join(folder, 'readme.txt'), 'not a photo')
        const dbFile = join(dir, 'library.db')

        // Where to kill: while scanning (seed's first draw < 0.2), else after a drawn number of results.
        const duringScan = random() < 0.2
        // (Not too near the end: the kill must land before the job finishes.)
        const target = duringScan ? 0 : 1 + Math.floor(random() * DISTINCT * 0.8)
        const first = startChild([dbFile, 'start', folder])
        let exited = false
        void first.exit.then(() => (exited = true))
        let killedAt = -1
        while (!exited) {
          const { jobs, recorded } = peek(dbFile)
          if (jobs > 0 && recorded >= target) {
            if (duringScan) await sleep(Math.floor(random() * 40))
            first.process.kill('SIGKILL')
            killedAt = recorded
            break
          }
          await sleep(duringScan ? 2 : 5)
        }
        const end = await first.exit
        expect(end, `seed ${seed}: the child ended before it was killed:\n${first.stdout}\n${first.stderr}`).toEqual({
          code: null,
          signal: 'SIGKILL',
        })

        const afterKill = openDatabase(dbFile)
        let recordedBefore: number
        try {
          expectConsistent(afterKill)
          // Killed between creating the job and starting it, it is still 'queued': resumed all the same.
          expect(afterKill.prepare('SELECT state FROM jobs').pluck().all()).toEqual([
            duringScan ? expect.stringMatching(/^(queued|running)$/) : 'running',
          ])
          recordedBefore = count(afterKill, 'SELECT count(*) FROM job_photos WHERE outcome IS NOT NULL')
        } finally {
          afterKill.close()
        }

        const second = startChild([dbFile, 'resume'])
        expect((await second.exit).code, second.stderr).toBe(0)
        const db = openDatabase(dbFile)
        try {
          expectConsistent(db)
          const job = db.prepare('SELECT * FROM jobs').get() as Record<string, unknown>
          expect(job).toMatchObject({ state: 'done', total: DISTINCT + DUPLICATES, failed: 0, skipped: 1 })
          expect(Number(job.classified) + Number(job.reused)).toBe(DISTINCT + DUPLICATES)
          // Nothing classified twice: each distinct content went through the model once, over both processes.
          expect(job.classified).toBe(DISTINCT)
          expect(count(db, 'SELECT sum(classified) FROM runs')).toBe(DISTINCT)
          // The killed process's model run (if it got that far) is marked interrupted by the restart; the
          // restart's own run finished (it has none when the first process had recorded everything).
          const statuses = db.prepare('SELECT status FROM runs ORDER BY id').pluck().all() as string[]
          const left = DISTINCT + DUPLICATES - recordedBefore
          expect(statuses.filter((s) => s === 'finished')).toHaveLength(left > 0 ? 1 : 0)
          expect(statuses.filter((s) => s !== 'finished').every((s) => s === 'interrupted')).toBe(true)
          expect(count(db, 'SELECT count(*) FROM classifications WHERE k = ?', K)).toBe(DISTINCT + DUPLICATES)
          // And the results are the model's.
          const top1 = db
            .prepare(
              `SELECT ph.path, p.class_index AS classIndex FROM predictions p JOIN photos ph ON ph.id = p.photo_id
             WHERE p.rank = 1`,
            )
            .all() as { path: string; classIndex: number }[]
          const agree = top1.filter(
            (r) =>
              !r.path.includes(`${join(folder, 'dups')}`) &&
              reference.get(r.path.slice(folder.length + 1)) === r.classIndex,
          ).length
          expect(agree / DISTINCT).toBeGreaterThan(0.99)
          summary.push(
            `seed ${seed}: killed ${duringScan ? 'while scanning' : `at ${killedAt} results (target ${target})`}, ${recordedBefore} kept`,
          )
        } finally {
          db.close()
        }
      }
      console.log(`jobs-crash: ${summary.join('; ')}`)
    },
  )
})
