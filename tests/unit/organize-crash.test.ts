import { spawn } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/main/db/database'
import { JobRunner } from '../../src/main/jobs'
import type { OrganizePoint, OrganizeRun } from '../../src/main/organize'
import { repoRoot } from '../support/shared'
import { census, copyCifar, loadBundledModel, openLibrary, prng, snapshot } from '../crash/organize-helpers'
import { forModel } from '../../src/main/inference/classify-result'
import { classifierFn } from '../../src/main/inference/classify-files'

/** 10 images per class: each seed draws its kill steps among these; more steps only repeat the same points. */
const PER_CLASS = 10
const DUPLICATES = 5
const STEPS = 10 * PER_CLASS + DUPLICATES
/**
 * Deterministic seeds, one run each: runs take turns at every kind of point (a same-device move, a
 * copy-verify-delete move), at ending with resume + undo or with rollback; each seed draws the step
 * killed and whether (and where) the resume, rollback or undo is killed too.
 */
const SEEDS = [3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26]

/** The points each kind of step passes through (a kill at any of them must be recoverable). */
const MOVE_POINTS: OrganizePoint[] = ['started', 'linked', 'placed', 'done']
const COPY_MOVE_POINTS: OrganizePoint[] = ['started', 'temp-written', 'linked', 'placed', 'source-removed', 'done']
const UNDO_POINTS: OrganizePoint[] = ['undo-started', 'undo-linked', 'undone']
const COPY_UNDO_POINTS: OrganizePoint[] = ['undo-started', 'undo-placed', 'undone']

interface Ended {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * tests/crash/organize-child.ts bundled by esbuild (the compiler tsx runs on) into `dir`: the test starts
 * the child 40-odd times, and the bundle starts without tsx's loader, about a second sooner each time.
 * `dir` lies under node_modules so that the bundle's imports of packages (better-sqlite3) resolve.
 */
async function bundleChild(dir: string): Promise<string> {
  const outfile = join(dir, 'organize-child.mjs')
  await build({
    entryPoints: [join(repoRoot, 'tests', 'crash', 'organize-child.ts')],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  })
  return outfile
}

function runChild(script: string, args: string[], env: Record<string, string> = {}): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

function run(dbFile: string): OrganizeRun['steps'] & { state: string } {
  const db = openDatabase(dbFile)
  try {
    const state = db.prepare('SELECT state FROM organize_runs WHERE id = 1').pluck().get() as string
    const steps = Object.fromEntries(
      (
        db.prepare('SELECT state, count(*) AS n FROM organize_steps GROUP BY state').all() as {
          state: string
          n: number
        }[]
      ).map((r) => [r.state, r.n]),
    )
    return { pending: 0, started: 0, done: 0, failed: 0, undoing: 0, undone: 0, kept: 0, ...steps, state }
  } finally {
    db.close()
  }
}

describe('crash safety of a move organize (SIGKILL at every kind of point)', () => {
  let root: string
  let template: string
  let bundleDir: string
  let childScript: string
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'organize-crash-'))
    const cache = join(repoRoot, 'node_modules', '.cache')
    mkdirSync(cache, { recursive: true })
    bundleDir = mkdtempSync(join(cache, 'organize-crash-'))
    childScript = await bundleChild(bundleDir)
    template = join(root, 'template')
    const src = join(template, 'src')
    const files = copyCifar(src, PER_CLASS)
    mkdirSync(join(src, 'dups'))
    for (const file of files.slice(0, DUPLICATES))
      copyFileSync(join(src, file), join(src, 'dups', file.replace('/', '-')))
    const { db, modelId } = await openLibrary(join(template, 'library.db'))
    const model = await loadBundledModel()
    try {
      const runner = new JobRunner({ db, classify: forModel(modelId, classifierFn(model.classifier)) })
      const job = await runner.start(runner.create({ folder: src, modelId }).id)
      expect(job).toMatchObject({ state: 'done', total: STEPS })
      db.pragma('wal_checkpoint(TRUNCATE)')
    } finally {
      await model.classifier.release()
      db.close()
    }
  }, 60_000)
  afterAll(() => {
    rmSync(root, { recursive: true, force: true })
    rmSync(bundleDir, { recursive: true, force: true })
  })

  /** A fresh copy of the classified folder and its database, paths pointing at the copy. */
  function freshCopy(name: string): { dir: string; src: string; out: string; dbFile: string } {
    const dir = join(root, name)
    const src = join(dir, 'src')
    cpSync(join(template, 'src'), src, { recursive: true })
    copyFileSync(join(template, 'library.db'), join(dir, 'library.db'))
    const db: Db = openDatabase(join(dir, 'library.db'))
    const from = join(template, 'src')
    db.prepare('UPDATE photos SET path = ? || substr(path, ?)').run(src, from.length + 1)
    db.prepare('UPDATE jobs SET folder = ?').run(src)
    db.close()
    return { dir, src, out: join(dir, 'sorted'), dbFile: join(dir, 'library.db') }
  }

  it(
    `${SEEDS.length} runs: killed, resumed (or rolled back), undone: nothing lost or duplicated`,
    { timeout: 150_000 },
    async () => {
      const summary: string[] = []
      for (const [i, seed] of SEEDS.entries()) {
        const random = prng(seed)
        const forceCopy = i % 2 === 1
        const env: Record<string, string> = forceCopy ? { FORCE_COPY: '1' } : {}
        const { dir, src, out, dbFile } = freshCopy(`seed-${seed}`)
        const original = snapshot(dir, [src, out])
        const before = census(original)
        /** No file lost at any moment: every original content is still somewhere (maybe twice, mid-step). */
        const expectNothingLost = (): void => {
          const now = new Set(census(snapshot(dir, [src, out])).map((entry) => entry.split('×')[0]))
          for (const entry of before) expect(now.has(entry.split('×')[0])).toBe(true)
        }
        const killed = async (args: string[], point: OrganizePoint, seq: number): Promise<void> => {
          const ended = await runChild(childScript, [dbFile, ...args], { ...env, CRASH_AT: `${point}:${seq}` })
          expect(ended.signal, `seed ${seed} ${args[0]} ${point}:${seq}\n${ended.stdout}\n${ended.stderr}`).toBe(
            'SIGKILL',
          )
          expectNothingLost()
        }
        const finished = async (args: string[]): Promise<void> => {
          const ended = await runChild(childScript, [dbFile, ...args], env)
          expect(ended.code, `seed ${seed} ${args[0]}\n${ended.stderr}`).toBe(0)
          expect(JSON.parse(ended.stdout).problems).toEqual([])
        }

        const turn = i >> 1
        const points = forceCopy ? COPY_MOVE_POINTS : MOVE_POINTS
        const point = points[turn % points.length]!
        const undoPoints = forceCopy ? COPY_UNDO_POINTS : UNDO_POINTS
        const seq = 1 + Math.floor(random() * STEPS)
        await killed(['organize', out, 'move'], point, seq)
        const afterKill = run(dbFile)
        expect(afterKill.state).toBe('running')
        expect(afterKill.done).toBe(point === 'done' ? seq : seq - 1)
        const story = [`seed ${seed}${forceCopy ? ' (copy+delete)' : ''}: killed at ${point}:${seq}`]

        if (i % 3 === 2) {
          // Roll back, killed once on the way for half of these.
          if (random() < 0.5 && seq > 1) {
            const back = 1 + Math.floor(random() * seq)
            const at = undoPoints[turn % undoPoints.length]!
            await killed(['rollback', '1'], at, back)
            story.push(`rollback killed at ${at}:${back}`)
          }
          await finished(['rollback', '1'])
          story.push('rolled back')
          expect(run(dbFile).state).toBe('rolled-back')
        } else {
          // Resume, killed once more on the way for half of these.
          if (random() < 0.5 && seq < STEPS) {
            const later = seq + 1 + Math.floor(random() * (STEPS - seq))
            const at = points[(turn + 1) % points.length]!
            await killed(['resume', '1'], at, later)
            story.push(`resume killed at ${at}:${later}`)
          }
          await finished(['resume', '1'])
          const done = run(dbFile)
          expect(done).toMatchObject({ state: 'done', done: STEPS, pending: 0, started: 0, failed: 0 })
          // Moved, every file once: the multiset of hashes is the original's, the source holds no file.
          const organized = snapshot(dir, [src, out])
          expect(census(organized)).toEqual(before)
          expect([...organized.keys()].filter((p) => p.startsWith('src/'))).toEqual([])
          expect([...organized.keys()].filter((p) => p.includes('.rl-organize-'))).toEqual([])
          const db = openDatabase(dbFile)
          try {
            // The library follows the moved files.
            expect(
              db
                .prepare(
                  'SELECT count(*) FROM organize_steps s JOIN photos p ON p.id = s.photo_id WHERE p.path = s.dest',
                )
                .pluck()
                .get(),
            ).toBe(STEPS)
          } finally {
            db.close()
          }
          story.push('resumed')

          // Undo, killed once on the way for half of these.
          if (random() < 0.5) {
            const at = undoPoints[turn % undoPoints.length]!
            const back = 1 + Math.floor(random() * STEPS)
            await killed(['undo', '1'], at, back)
            expect(run(dbFile).state).toBe('undoing')
            story.push(`undo killed at ${at}:${back}`)
          }
          await finished(['undo', '1'])
          expect(run(dbFile)).toMatchObject({ state: 'undone', undone: STEPS })
          story.push('undone')
        }
        // Exactly the original tree: same paths, same bytes, the output folder gone.
        expect(snapshot(dir, [src, out])).toEqual(original)
        expect(existsSync(out)).toBe(false)
        summary.push(story.join(', '))
      }
      console.log(`organize-crash: ${summary.join('; ')}`)
    },
  )
})
