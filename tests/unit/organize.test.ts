import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, sep } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/main/db/database'
import { JobRunner } from '../../src/main/jobs'
import {
  assignFolderNames,
  buildPlan,
  executeOrganize,
  interruptedOrganizeRuns,
  isReserved,
  organizeSteps,
  resumeOrganize,
  rollbackOrganize,
  safeFolderName,
  undoOrganize,
  type OrganizeDeps,
  type OrganizeMode,
} from '../../src/main/organize'
import { addPaths, findPhotoByPath } from '../../src/main/photo-library'
import { cifarHalfDir, repoRoot } from '../support/shared'
import {
  CIFAR_CLASSES,
  census,
  copyCifar,
  folders,
  loadModelFile,
  openLibrary,
  snapshot,
} from '../crash/organize-helpers'
import { sha256Of } from '../support/files'
import { eachPath, forModel, type ModelClassifyFn } from '../../src/main/inference/classify-result'
import { classifierFn } from '../../src/main/inference/classify-files'

const HOSTILE = ['../../etc', 'a/b', 'a\\b', 'CON', 'con.txt', '', 'x'.repeat(300), '..', ' . ', '猫 🐱 été'] as const

const encoder = new TextEncoder()

/** Labels by folder name, p 0.9 (or 0.3 for names containing "unsure"); fails names containing "bad". */
const fakeClassify: ModelClassifyFn = async function* (_model, paths) {
  for await (const path of eachPath(paths)) {
    const label = basename(dirname(path))
    const index = Math.max(0, CIFAR_CLASSES.indexOf(label as (typeof CIFAR_CLASSES)[number]))
    if (basename(path).includes('bad')) yield { path, error: 'damaged or truncated image (test)' }
    else yield { path, top: [{ index, label, p: basename(path).includes('unsure') ? 0.3 : 0.9 }] }
  }
}

async function classifyFolder(db: Db, modelId: string, folder: string, classify: ModelClassifyFn = fakeClassify) {
  const runner = new JobRunner({ db, classify })
  const job = await runner.start(runner.create({ folder, modelId }).id)
  expect(job.state).toBe('done')
  return job
}

let root: string
let dir: string
let db: Db
let modelId: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'organize-test-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))
beforeEach(async (context) => {
  dir = join(root, context.task.id)
  mkdirSync(join(dir, 'db'), { recursive: true })
  ;({ db, modelId } = await openLibrary(join(dir, 'db', 'library.db')))
})
afterEach(() => db.close())

describe('safe folder names', () => {
  it('keeps every hostile label to one plain, portable name', () => {
    const names = HOSTILE.map((label) => safeFolderName(label))
    expect(names).toEqual([
      '_.._etc',
      'a_b',
      'a_b',
      '_CON',
      '_con.txt',
      '_unnamed',
      'x'.repeat(100),
      '_unnamed',
      '_unnamed',
      '猫 🐱 été',
    ])
    const more = [
      'nul',
      'Com1',
      'LPT9.jpg',
      'aux .png',
      'COM¹',
      'prn.',
      'cat.',
      'dog  ',
      '  bird',
      '.hidden',
      'tab\there',
      'bell\u0007\u0000',
      'rtl\u202eevil',
      'a:b*c?"d<e>f|g',
      'é'.repeat(300),
      '👨‍👩‍👧‍👦'.repeat(20),
      '.',
      '/',
      '\\',
      '\u0000',
    ]
    for (const label of [...HOSTILE, ...more]) {
      const name = safeFolderName(label)
      // eslint-disable-next-line no-control-regex
      expect(name, JSON.stringify(label)).not.toMatch(/[/\\:*?"<>|\u0000-\u001f\u007f\u202e]/)
      expect(name).not.toMatch(/^[. ]|[. ]$/)
      expect(['', '.', '..']).not.toContain(name)
      expect(isReserved(name), name).toBe(false)
      expect(encoder.encode(name).length).toBeLessThanOrEqual(100)
      expect(name.normalize('NFC')).toBe(name)
    }
    expect(safeFolderName('nul')).toBe('_nul')
    expect(safeFolderName('LPT9.jpg')).toBe('_LPT9.jpg')
    expect(safeFolderName('cat.')).toBe('cat')
    expect(safeFolderName('.hidden')).toBe('hidden')
    expect(safeFolderName('bell\u0007\u0000')).toBe('bell')
    expect(safeFolderName('é'.repeat(300))).toBe('é'.repeat(50))
    // Cut between characters: a family emoji (one grapheme, 25 bytes) is never split.
    expect(safeFolderName('👨‍👩‍👧‍👦'.repeat(20))).toBe('👨‍👩‍👧‍👦'.repeat(4))
    expect(safeFolderName('e\u0301te\u0301')).toBe('été') // NFC
  })

  it('keeps distinct labels apart, whatever they sanitize to, case-insensitively', () => {
    const folders = assignFolderNames([
      'a/b',
      'a\\b',
      'a:b',
      'Cat',
      'cat',
      '',
      '..',
      '_uncertain',
      'x'.repeat(300),
      'x'.repeat(301),
    ])
    expect([...folders.values()]).toEqual([
      'a_b',
      'a_b (2)',
      'a_b (3)',
      'Cat',
      'cat (2)',
      '_unnamed',
      '_unnamed (2)',
      '_uncertain (2)',
      'x'.repeat(100),
      `${'x'.repeat(96)} (2)`,
    ])
    expect(new Set([...folders.values()].map((n) => n.toLowerCase())).size).toBe(folders.size)
    expect(assignFolderNames(['cat', 'dog'], { taken: (n) => n === 'dog' }).get('dog')).toBe('dog (2)')
  })
})

describe('organize with a model whose labels are hostile', () => {
  /** The bundled model under another name, with a card whose labels are the hostile strings. */
  function hostileModel(): string {
    const models = join(dir, 'db', 'models')
    mkdirSync(models, { recursive: true })
    const file = join(models, 'hostile.onnx')
    copyFileSync(join(repoRoot, 'resources', 'models', 'resnet56-cifar10.onnx'), file)
    const card = JSON.parse(readFileSync(join(repoRoot, 'resources', 'models', 'resnet56-cifar10.card.json'), 'utf8'))
    const hostileCard = { ...card, id: 'hostile', name: 'Hostile', file: 'hostile.onnx', labels: [...HOSTILE] }
    writeFileSync(join(models, 'hostile.card.json'), JSON.stringify(hostileCard))
    // One row per model file (sha256): this library has the hostile card instead of the bundled one.
    db.prepare('DELETE FROM models').run()
    db.prepare(
      `INSERT INTO models (id, name, file, sha256, card, builtin, origin, file_bytes, added_at)
       VALUES ('hostile', 'Hostile', 'hostile.onnx', ?, ?, 0, 'imported', 0, ?)`,
    ).run(card.sha256, JSON.stringify(hostileCard), new Date().toISOString())
    return file
  }

  for (const mode of ['copy', 'move'] as const) {
    it(`${mode}: nothing is written outside the output folder; undo restores the tree exactly`, async () => {
      const model = await loadModelFile(hostileModel())
      expect(model.card.labels).toEqual([...HOSTILE])
      const work = join(dir, 'work')
      const source = join(work, 'deep', 'photos')
      copyCifar(source, 4)
      const out = join(work, 'deep', 'sorted')
      const before = snapshot(dir, [dir])
      const foldersBefore = folders(dir)
      try {
        const job = await classifyFolder(db, 'hostile', source, forModel('hostile', classifierFn(model.classifier)))
        expect(job).toMatchObject({ total: 40, classified: 40, failed: 0 })
        const plan = await buildPlan(db, { jobId: job.id, modelId: 'hostile', out, threshold: 0.6, mode })
        expect(plan.steps).toHaveLength(40)
        expect(plan.groups.reduce((n, g) => n + g.count, 0)).toBe(40)
        // Every hostile label that won a photo has a plain folder right under out/.
        for (const group of plan.groups) {
          expect(group.folder).not.toMatch(/[/\\]/)
          expect(['.', '..', '']).not.toContain(group.folder)
        }
        expect(new Set(plan.groups.map((g) => g.label)).size).toBe(plan.groups.length)
        // These 40 photos give every label a folder: each its own, in class order for the suffixes.
        expect(new Map(plan.groups.map((g) => [g.label, g.folder]))).toEqual(
          new Map([
            ['../../etc', '_.._etc'],
            ['a/b', 'a_b'],
            ['a\\b', 'a_b (2)'],
            ['CON', '_CON'],
            ['con.txt', '_con.txt'],
            ['', '_unnamed'],
            ['x'.repeat(300), 'x'.repeat(100)],
            ['..', '_unnamed (2)'],
            [' . ', '_unnamed (3)'],
            ['猫 🐱 été', '猫 🐱 été'],
          ]),
        )

        const report = await executeOrganize(db, plan)
        expect(report.problems).toEqual([])
        expect(report.run).toMatchObject({ state: 'done', total: 40, steps: { done: 40 } })

        // Whatever was written, was written under out/; the rest of the tree is as it was (a move
        // empties the source folders of their files, nothing else).
        const after = snapshot(dir, [dir])
        const dbFiles = (p: string): boolean => p.startsWith('db/')
        const added = [...after.keys()].filter((p) => !before.has(p) && !dbFiles(p))
        expect(added).toHaveLength(40)
        for (const p of added) expect(p.startsWith('work/deep/sorted/'), p).toBe(true)
        for (const p of added) expect(p.split('/')).toHaveLength(5) // work/deep/sorted/<folder>/<file>
        const removed = [...before.keys()].filter((p) => !after.has(p) && !dbFiles(p))
        expect(removed).toHaveLength(mode === 'move' ? 40 : 0)
        for (const p of [...before.keys()].filter((p) => after.has(p) && !dbFiles(p))) {
          expect(after.get(p)).toBe(before.get(p))
        }
        const newFolders = folders(dir).filter((f) => !foldersBefore.includes(f) && !f.startsWith('db'))
        for (const f of newFolders) expect(f === 'work/deep/sorted' || f.startsWith('work/deep/sorted/'), f).toBe(true)
        expect(existsSync(join(work, 'etc'))).toBe(false)
        expect(existsSync(join(dir, 'etc'))).toBe(false)
        // Same bytes: every file that went in came out (copy: the copies; move: the whole tree).
        const files = (m: Map<string, string>, keep: (p: string) => boolean) => new Map([...m].filter(([p]) => keep(p)))
        expect(
          census(files(after, (p) => !dbFiles(p) && (mode === 'move' || p.startsWith('work/deep/sorted/')))),
        ).toEqual(census(files(before, (p) => !dbFiles(p))))
        for (const step of organizeSteps(db, report.run.id)) {
          expect(relative(out, step.dest).split(sep)).toHaveLength(2)
          expect(sha256Of(step.dest)).toBe(step.sha256)
          expect(lstatSync(dirname(step.dest)).isDirectory()).toBe(true)
        }
        // A move: the library follows the files.
        if (mode === 'move') {
          const step = organizeSteps(db, report.run.id)[0]!
          expect(findPhotoByPath(db, step.dest)?.id).toBe(step.photoId)
          expect(findPhotoByPath(db, step.source)).toBeUndefined()
        }

        const undone = await undoOrganize(db, report.run.id)
        expect(undone.problems).toEqual([])
        expect(undone.run).toMatchObject({ state: 'undone', steps: { undone: 40 } })
        const restored = snapshot(dir, [dir])
        expect([...restored].filter(([p]) => !dbFiles(p))).toEqual([...before].filter(([p]) => !dbFiles(p)))
        expect(folders(dir).filter((f) => !f.startsWith('db'))).toEqual(
          foldersBefore.filter((f) => !f.startsWith('db')),
        )
        expect(existsSync(out)).toBe(false)
        if (mode === 'move') {
          const step = organizeSteps(db, report.run.id)[0]!
          expect(findPhotoByPath(db, step.source)?.id).toBe(step.photoId)
        }
      } finally {
        await model.classifier.release()
      }
    }, 60_000)
  }
})

describe('organize plans and conflicts', () => {
  it('groups by class, sends the unsure to _uncertain, skips what it cannot place, needs a finished job', async () => {
    const source = join(dir, 'photos')
    copyCifar(source, 3, ['cat', 'dog'])
    copyFileSync(join(cifarHalfDir(), 'cat', '0006.jpg'), join(source, 'cat', 'unsure.jpg'))
    writeFileSync(
      join(source, 'cat', 'bad.jpg'),
      Buffer.concat([readFileSync(join(source, 'dog', '0000.jpg')), Buffer.from('!')]),
    )
    const job = await classifyFolder(db, modelId, source)
    const out = join(dir, 'out')
    const plan = await buildPlan(db, { jobId: job.id, modelId, out, threshold: 0.5, mode: 'copy' })
    expect(plan.groups).toEqual([
      { folder: 'cat', label: 'cat', kind: 'class', count: 3 },
      { folder: 'dog', label: 'dog', kind: 'class', count: 3 },
      { folder: '_uncertain', label: null, kind: 'uncertain', count: 1 },
    ])
    expect(plan.steps.find((s) => s.source.endsWith('unsure.jpg'))).toMatchObject({
      dest: join(out, '_uncertain', 'unsure.jpg'),
      label: null,
      kind: 'uncertain',
      p: 0.3,
    })
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        path: join(source, 'cat', 'bad.jpg'),
        reason: expect.stringMatching(/^could not be classified/),
      }),
    ])
    // Threshold 0: nothing is uncertain. By folder instead of job: the same plan.
    const byFolder = await buildPlan(db, { folder: source, modelId, out, threshold: 0, mode: 'copy' })
    expect(byFolder.groups.map((g) => [g.folder, g.count])).toEqual([
      ['cat', 4],
      ['dog', 3],
    ])
    expect(byFolder.jobId).toBeNull()

    await expect(buildPlan(db, { folder: source, modelId, out: source, threshold: 0, mode: 'copy' })).rejects.toThrow(
      /must not be the folder/,
    )
    await expect(buildPlan(db, { folder: source, modelId, out, threshold: 2, mode: 'copy' })).rejects.toThrow(
      RangeError,
    )
    const runner = new JobRunner({ db, classify: fakeClassify })
    const queued = runner.create({ folder: source, modelId })
    await expect(buildPlan(db, { jobId: queued.id, modelId, out, threshold: 0, mode: 'copy' })).rejects.toThrow(
      /only a finished job/,
    )
    // Nothing was touched by planning.
    expect(existsSync(out)).toBe(false)
  })

  it('never overwrites: names taken on disk or earlier in the plan get a suffix; undo leaves what was there', async () => {
    const parent = join(dir, 'src')
    copyCifar(join(parent, 'x'), 2, ['cat', 'dog', 'ship'])
    mkdirSync(join(parent, 'y', 'cat'), { recursive: true })
    // Same name as x/cat/0000.jpg, other content; and a name that differs from x/cat/0002.jpg by case.
    const cat0 = readFileSync(join(parent, 'x', 'cat', '0000.jpg'))
    writeFileSync(join(parent, 'y', 'cat', '0000.jpg'), Buffer.concat([cat0, Buffer.from('y')]))
    copyFileSync(join(cifarHalfDir(), 'cat', '0004.jpg'), join(parent, 'y', 'cat', '0002.JPG'))
    const job = await classifyFolder(db, modelId, parent)

    const out = join(dir, 'out')
    mkdirSync(join(out, 'cat'), { recursive: true })
    writeFileSync(join(out, 'cat', '0000.jpg'), 'already here')
    writeFileSync(join(out, 'dog'), 'a file named like a class folder')
    const elsewhere = join(dir, 'elsewhere')
    mkdirSync(elsewhere)
    symlinkSync(elsewhere, join(out, 'ship'))
    const before = snapshot(dir, [out, parent])

    const plan = await buildPlan(db, { jobId: job.id, modelId, out, threshold: 0, mode: 'copy' })
    const dests = plan.steps.map((s) => relative(out, s.dest).split(sep).join('/')).sort()
    expect(dests).toEqual([
      'cat/0000 (2).jpg',
      'cat/0000 (3).jpg',
      'cat/0002 (2).JPG',
      'cat/0002.jpg',
      'dog (2)/0000.jpg',
      'dog (2)/0002.jpg',
      'ship (2)/0000.jpg',
      'ship (2)/0002.jpg',
    ])
    // A name taken between the plan and its execution is not overwritten either.
    mkdirSync(join(out, 'dog (2)'))
    writeFileSync(join(out, 'dog (2)', '0000.jpg'), 'squatter')

    const report = await executeOrganize(db, plan)
    expect(report.problems).toEqual([])
    expect(readFileSync(join(out, 'cat', '0000.jpg'), 'utf8')).toBe('already here')
    expect(readFileSync(join(out, 'dog'), 'utf8')).toBe('a file named like a class folder')
    expect(readFileSync(join(out, 'dog (2)', '0000.jpg'), 'utf8')).toBe('squatter')
    expect(readdirSync(elsewhere)).toEqual([])
    const moved = organizeSteps(db, report.run.id).find((s) => s.source === join(parent, 'x', 'dog', '0000.jpg'))!
    expect(moved.dest).toBe(join(out, 'dog (2)', '0000 (2).jpg'))
    expect(sha256Of(moved.dest)).toBe(moved.sha256)
    for (const step of organizeSteps(db, report.run.id)) expect(sha256Of(step.dest)).toBe(sha256Of(step.source))

    await undoOrganize(db, report.run.id)
    // What was there before stays (the squatter too: it is not the run's); the run's files are gone.
    const after = snapshot(dir, [out, parent])
    expect(after).toEqual(new Map([...before, ['out/dog (2)/0000.jpg', sha256Of(join(out, 'dog (2)', '0000.jpg'))]]))
    expect(existsSync(join(out, 'ship (2)'))).toBe(false)
    expect(existsSync(join(out, 'cat'))).toBe(true)
  })

  it('undo keeps a copy that was changed since, and refuses to undo under a later run', async () => {
    const source = join(dir, 'photos')
    copyCifar(source, 2, ['frog'])
    const job = await classifyFolder(db, modelId, source)
    const out = join(dir, 'out')
    const first = await executeOrganize(
      db,
      await buildPlan(db, { jobId: job.id, modelId, out, threshold: 0, mode: 'move' }),
    )
    expect(first.run.state).toBe('done')
    // Moved on again, by folder: the first run cannot be undone before the second.
    const out2 = join(dir, 'out2')
    const second = await executeOrganize(
      db,
      await buildPlan(db, { folder: out, modelId, out: out2, threshold: 0, mode: 'copy' }),
    )
    expect(second.run.steps.done).toBe(2)
    await expect(undoOrganize(db, first.run.id)).rejects.toThrow(/Undo organize run 2 first/)
    writeFileSync(join(out2, 'frog', '0000.jpg'), 'edited')
    const undone = await undoOrganize(db, second.run.id)
    expect(undone.run.steps).toMatchObject({ undone: 1, kept: 1 })
    expect(undone.problems).toEqual([expect.objectContaining({ reason: expect.stringMatching(/changed since/) })])
    expect(readFileSync(join(out2, 'frog', '0000.jpg'), 'utf8')).toBe('edited')
    expect((await undoOrganize(db, first.run.id)).run.state).toBe('undone')
    expect(readdirSync(join(source, 'frog')).sort()).toEqual(['0000.jpg', '0002.jpg'])
    await expect(undoOrganize(db, first.run.id)).rejects.toThrow(/only a finished run/)
  })

  for (const [mode, forceCopy] of [
    ['copy', false],
    ['move', false],
    ['move', true],
  ] as [OrganizeMode, boolean][]) {
    it(`${mode}${forceCopy ? ' across devices' : ''}: a stopped run resumes or rolls back exactly`, async () => {
      const source = join(dir, 'photos')
      copyCifar(source, 3, ['cat', 'dog', 'ship', 'truck'])
      const job = await classifyFolder(db, modelId, source)
      const out = join(dir, 'out')
      const original = snapshot(dir, [source, out])
      const plan = await buildPlan(db, { jobId: job.id, modelId, out, threshold: 0, mode })

      for (const ending of ['resume', 'rollback'] as const) {
        const controller = new AbortController()
        const deps: OrganizeDeps = {
          forceCopy,
          signal: controller.signal,
          probe: (point, seq) => {
            if (point === 'done' && seq === 5) controller.abort()
          },
        }
        const stopped = await executeOrganize(db, plan, deps)
        expect(stopped.cancelled).toBe(true)
        expect(stopped.run).toMatchObject({ state: 'running', steps: { done: 5, pending: 7 } })
        expect(interruptedOrganizeRuns(db).map((r) => r.id)).toEqual([stopped.run.id])
        if (ending === 'resume') {
          const finished = await resumeOrganize(db, stopped.run.id, { forceCopy })
          expect(finished).toMatchObject({
            processed: 7,
            cancelled: false,
            run: { state: 'done', steps: { done: 12 } },
          })
          const organized = snapshot(dir, [source, out])
          expect(census(new Map([...organized].filter(([p]) => mode === 'move' || p.startsWith('out/'))))).toEqual(
            census(original),
          )
          await expect(rollbackOrganize(db, stopped.run.id)).rejects.toThrow(/undo it instead/)
          await undoOrganize(db, stopped.run.id, { forceCopy })
        } else {
          const back = await rollbackOrganize(db, stopped.run.id, { forceCopy })
          expect(back.run).toMatchObject({ state: 'rolled-back', steps: { undone: 5, pending: 7 } })
        }
        expect(snapshot(dir, [source, out])).toEqual(original)
        expect(existsSync(out)).toBe(false)
        expect(interruptedOrganizeRuns(db)).toEqual([])
      }
    })
  }

  it('a moved photo stays the same photo for the library: rescanning the output finds nothing new', async () => {
    const source = join(dir, 'photos')
    copyCifar(source, 2, ['horse', 'deer'])
    const job = await classifyFolder(db, modelId, source)
    const out = join(dir, 'out')
    await executeOrganize(db, await buildPlan(db, { jobId: job.id, modelId, out, threshold: 0, mode: 'move' }))
    const rescan = await addPaths([out, source], { db })
    expect(rescan).toMatchObject({ added: 0, moved: 0, unchanged: 4, missing: 0 })
    expect(db.prepare('SELECT count(*) FROM photos').pluck().get()).toBe(4)
  })
})
