import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { planLines } from '../../src/cli/organize-format'
import { migrate, openDatabase, type Db } from '../../src/main/db/database'
import { migrations } from '../../src/main/db/migrations'
import { JobRunner } from '../../src/main/jobs'
import { FolderGrants } from '../../src/main/fs/file-grants'
import { OrganizeService } from '../../src/main/organize/organize-service'
import { buildPlan, executeOrganize, undoOrganize, UNCERTAIN_FOLDER, UNKNOWN_FOLDER } from '../../src/main/organize'
import { countPhotos, findPhotoByPath, listPhotos, reviewGroups, reviewQueue } from '../../src/main/photo-library'
import {
  acceptTags,
  applySuggestionThreshold,
  findTag,
  photoClassifications,
  photoLevels,
  photoTags,
  photoVerdict,
  recordClassificationError,
  recordPredictions,
  rejectTags,
  type ScoredClass,
} from '../../src/main/tags'
import { PhotoLibraryService } from '../../src/main/photo-library/library-service'
import { OrganizePlanPreviewSchema, PhotoItemSchema, ClassificationResultSchema } from '../../src/shared/ipc/contract'
import type { LevelScore } from '../../src/shared/knowledge/levels'
import type { Verdict } from '../../src/shared/knowledge/verdict'
import { filesUnder, sha256Of } from '../support/files'
import { cifarHalfDir } from '../support/shared'
import { addModel, addNumberedPhoto } from '../support/tag-store'
import { eachPath, type ModelClassifyFn } from '../../src/main/inference/classify-result'

const MODEL = 'resnet'
const OTHER = 'other'
let clockMs = Date.UTC(2025, 0, 1)
const now = (): Date => new Date((clockMs += 1000))

const KNOWN: Verdict = { unknown: false, ood: 1.5, source: 'profile' }
const UNKNOWN: Verdict = { unknown: true, ood: 9.25, source: 'profile' }

const photo = (db: Db, n: number): number => addNumberedPhoto(db, n, now)

const top = (...classes: [string, number][]): ScoredClass[] => classes.map(([label, p], index) => ({ index, label, p }))

/** Tag names suggested to a photo (with their scores), by name. */
function suggested(db: Db, photoId: number): Record<string, number> {
  return Object.fromEntries(
    photoTags(db, photoId)
      .filter((t) => t.status === 'suggested')
      .map((t) => [t.name, t.score!]),
  )
}

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'unknown-verdict-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('the migration to verdicts', () => {
  it('upgrades a database from before verdicts: old results stay known, with no score', () => {
    const file = join(root, 'previous.db')
    const old = new Database(file)
    const previous = 5
    migrate(
      old,
      migrations.filter((m) => m.version <= previous),
    )
    expect(old.pragma('user_version', { simple: true })).toBe(previous)
    addModel(old, MODEL)
    old
      .prepare(
        `INSERT INTO photos (id, path, size, mtime_ms, sha256, width, height, added_at, seen_at)
         VALUES (1, '/p/a.jpg', 1, 1, ?, 32, 32, 'then', 'then'), (2, '/p/b.jpg', 1, 1, ?, 32, 32, 'then', 'then')`,
      )
      .run('a'.repeat(64), 'b'.repeat(64))
    old
      .prepare(
        `INSERT INTO classifications (photo_id, model_id, k, top_class, top_p, error, classified_at)
         VALUES (1, ?, 1, 3, 0.9, NULL, 'then'), (2, ?, 0, NULL, NULL, 'damaged', 'then')`,
      )
      .run(MODEL, MODEL)
    old
      .prepare(
        `INSERT INTO predictions (photo_id, model_id, rank, class_index, label, probability) VALUES (1, ?, 1, 3, 'cat', 0.9)`,
      )
      .run(MODEL)
    old.close()

    const db = openDatabase(file)
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
    expect(
      db.prepare('SELECT photo_id, top_p, ood, unknown, ood_source FROM classifications ORDER BY photo_id').all(),
    ).toEqual([
      { photo_id: 1, top_p: 0.9, ood: null, unknown: 0, ood_source: null },
      { photo_id: 2, top_p: null, ood: null, unknown: 0, ood_source: null },
    ])
    expect(photoVerdict(db, 1, MODEL)).toEqual({ unknown: false, ood: null, source: null })
    expect(photoVerdict(db, 2, MODEL)).toBeUndefined()
    expect(photoClassifications(db, 1)[0]!.verdict).toEqual({ unknown: false, ood: null, source: null })
    // The new columns are checked.
    expect(() => db.prepare('UPDATE classifications SET unknown = 2 WHERE photo_id = 1').run()).toThrow(/CHECK/)
    expect(() => db.prepare("UPDATE classifications SET ood_source = 'guess' WHERE photo_id = 1").run()).toThrow(
      /CHECK/,
    )
    expect(() => db.prepare("UPDATE classifications SET ood = 'high' WHERE photo_id = 1").run()).toThrow(
      /cannot store TEXT value in REAL column/,
    )
    // The old result is found by the filters as known, never as unknown.
    expect(countPhotos(db, { modelId: MODEL, verdict: 'unknown' })).toBe(0)
    expect(countPhotos(db, { modelId: MODEL, verdict: 'known' })).toBe(1)
    db.close()
  })
})

describe('recording verdicts and levels', () => {
  let db: Db
  beforeEach((context) => {
    db = openDatabase(join(root, `${context.task.id}.db`))
    addModel(db, MODEL)
    addModel(db, OTHER)
  })
  afterEach(() => db.close())

  it('an unknown photo gets no suggestion; the earlier ones are withdrawn, decisions kept', () => {
    const id = photo(db, 1)
    recordPredictions(
      db,
      { photoId: id, modelId: MODEL, top: top(['cat', 0.7], ['dog', 0.6], ['ship', 0.55]), verdict: KNOWN },
      now,
    )
    expect(suggested(db, id)).toEqual({ cat: 0.7, dog: 0.6, ship: 0.55 })
    acceptTags(db, [id], findTag(db, 'dog')!.id, now)
    rejectTags(db, [id], findTag(db, 'ship')!.id, now)

    const result = recordPredictions(
      db,
      { photoId: id, modelId: MODEL, top: top(['cat', 0.8], ['dog', 0.1]), verdict: UNKNOWN, threshold: 0.5 },
      now,
    )
    expect(result.suggestedTagIds).toEqual([])
    expect(suggested(db, id)).toEqual({})
    expect(Object.fromEntries(photoTags(db, id).map((t) => [t.name, t.status]))).toEqual({
      dog: 'accepted',
      ship: 'rejected',
    })
    expect(photoVerdict(db, id, MODEL)).toEqual({ unknown: true, ood: 9.25, source: 'profile' })
    expect(db.prepare('SELECT unknown, ood, ood_source FROM classifications WHERE photo_id = ?').get(id)).toEqual({
      unknown: 1,
      ood: 9.25,
      ood_source: 'profile',
    })

    // Known again: suggested again. An error result has no verdict (known, no score).
    recordPredictions(db, { photoId: id, modelId: MODEL, top: top(['cat', 0.8]), verdict: KNOWN }, now)
    expect(suggested(db, id)).toEqual({ cat: 0.8 })
    recordClassificationError(db, { photoId: id, modelId: MODEL, error: 'damaged' }, now)
    expect(db.prepare('SELECT unknown, ood, ood_source FROM classifications WHERE photo_id = ?').get(id)).toEqual({
      unknown: 0,
      ood: null,
      ood_source: null,
    })
  })

  it('a missing verdict is known; a bad verdict or level is refused and nothing is written', () => {
    const id = photo(db, 2)
    recordPredictions(db, { photoId: id, modelId: MODEL, top: top(['cat', 0.9]) }, now)
    expect(suggested(db, id)).toEqual({ cat: 0.9 })
    expect(photoVerdict(db, id, MODEL)).toEqual({ unknown: false, ood: null, source: null })
    const bad = [
      { verdict: { unknown: true, ood: Number.NaN, source: 'profile' } as Verdict },
      { verdict: { unknown: true, ood: 1, source: 'guess' } as unknown as Verdict },
      { levels: [{ label: 'dog', path: ['dog'], p: 1.5 }] },
      { levels: [{ label: 'dog', path: [], p: 0.5 }] },
    ]
    for (const extra of bad) {
      expect(() =>
        recordPredictions(db, { photoId: id, modelId: MODEL, top: top(['dog', 0.9]), ...extra }, now),
      ).toThrow(RangeError)
    }
    expect(suggested(db, id)).toEqual({ cat: 0.9 })
  })

  it('backs off to the most specific sure level when the top class is unsure', () => {
    const levels: LevelScore[] = [
      { label: 'animal', path: ['animal'], p: 0.97 },
      { label: 'dog', path: ['animal', 'dog'], p: 0.87 },
      { label: 'terrier', path: ['animal', 'dog', 'terrier'], p: 0.45 },
      { label: 'toy dog', path: ['animal', 'toy dog'], p: 0.6 },
    ]
    const unsure = top(['Norfolk terrier', 0.31], ['Norwich terrier', 0.14], ['cairn', 0.1])
    const id = photo(db, 3)
    const { suggestedTagIds } = recordPredictions(
      db,
      { photoId: id, modelId: MODEL, top: unsure, verdict: KNOWN, levels, threshold: 0.5 },
      now,
    )
    // "dog 87 %" rather than "Norfolk terrier 31 %": deepest at or over the threshold, then the highest p.
    expect(suggested(db, id)).toEqual({ dog: 0.87 })
    expect(suggestedTagIds).toEqual([findTag(db, 'dog')!.id])
    expect(photoLevels(db, id, MODEL).map((l) => [l.label, l.path.length, l.p])).toEqual([
      ['terrier', 3, 0.45],
      ['dog', 2, 0.87],
      ['toy dog', 2, 0.6],
      ['animal', 1, 0.97],
    ])
    // A sure top class is suggested itself; the levels are not.
    const sure = photo(db, 4)
    recordPredictions(
      db,
      { photoId: sure, modelId: MODEL, top: top(['Norfolk terrier', 0.8]), verdict: KNOWN, levels, threshold: 0.5 },
      now,
    )
    expect(suggested(db, sure)).toEqual({ 'Norfolk terrier': 0.8 })
    // Unknown: no level either.
    const unknown = photo(db, 5)
    recordPredictions(
      db,
      { photoId: unknown, modelId: MODEL, top: unsure, verdict: UNKNOWN, levels, threshold: 0.5 },
      now,
    )
    expect(suggested(db, unknown)).toEqual({})
    // No level is sure enough: nothing.
    const none = photo(db, 6)
    recordPredictions(db, { photoId: none, modelId: MODEL, top: unsure, verdict: KNOWN, levels, threshold: 0.99 }, now)
    expect(suggested(db, none)).toEqual({})

    // A new threshold re-derives by the same rule: nothing for the unknown photo, the level when the
    // class falls under it, the class (not the level) when it reaches it.
    applySuggestionThreshold(db, 0.25, now)
    expect(suggested(db, unknown)).toEqual({})
    expect(suggested(db, id)).toEqual({ 'Norfolk terrier': 0.31 })
    expect(suggested(db, none)).toEqual({ 'Norfolk terrier': 0.31 })
    applySuggestionThreshold(db, 0.9, now)
    expect(suggested(db, unknown)).toEqual({})
    expect(suggested(db, id)).toEqual({ animal: 0.97 })
    expect(suggested(db, sure)).toEqual({ animal: 0.97 })
    applySuggestionThreshold(db, 0.5, now)
    expect(suggested(db, id)).toEqual({ dog: 0.87 })
    expect(suggested(db, sure)).toEqual({ 'Norfolk terrier': 0.8 })
    expect(suggested(db, unknown)).toEqual({})
  })

  it('the library filter finds the photos a model does not know; the grid and detail carry the verdict', () => {
    const ids = [1, 2, 3, 4, 5].map((n) => photo(db, 10 + n))
    const [a, b, c, d, e] = ids as [number, number, number, number, number]
    recordPredictions(db, { photoId: a, modelId: MODEL, top: top(['automobile', 0.6]), verdict: UNKNOWN }, now)
    recordPredictions(db, { photoId: b, modelId: MODEL, top: top(['cat', 0.9]), verdict: KNOWN }, now)
    recordPredictions(db, { photoId: c, modelId: MODEL, top: top(['ship', 0.4]), verdict: UNKNOWN }, now)
    recordPredictions(db, { photoId: d, modelId: OTHER, top: top(['truck', 0.7]), verdict: UNKNOWN }, now)
    recordPredictions(db, { photoId: d, modelId: MODEL, top: top(['truck', 0.7]) }, now)
    void e // never classified

    const page = (filter: Parameters<typeof listPhotos>[1]) => listPhotos(db, filter).photos.map((p) => p.id)
    expect(page({ modelId: MODEL, verdict: 'unknown' })).toEqual([a, c])
    expect(countPhotos(db, { modelId: MODEL, verdict: 'unknown' })).toBe(2)
    expect(page({ modelId: MODEL, verdict: 'known' })).toEqual([b, d])
    expect(page({ modelId: OTHER, verdict: 'unknown' })).toEqual([d])
    // Without a model: unknown to any model.
    expect(page({ verdict: 'unknown' })).toEqual([a, c, d])
    // With the other filters (AND), and paged.
    expect(page({ modelId: MODEL, verdict: 'unknown', minProbability: 0.5 })).toEqual([a])
    expect(listPhotos(db, { modelId: MODEL, verdict: 'unknown' }, { limit: 1 })).toMatchObject({ nextAfter: a })
    expect(page({ modelId: MODEL, verdict: 'unknown', needsReview: true })).toEqual([])

    const library = new PhotoLibraryService({ db, thumbsDir: join(root, 'thumbs'), emit: () => undefined })
    const grid = library.page({ modelId: MODEL, verdict: 'unknown' }, null, 10)
    expect(grid.total).toBe(2)
    for (const item of grid.photos) PhotoItemSchema.parse(item)
    expect(grid.photos[0]!.verdicts).toEqual([
      { modelId: MODEL, unknown: true, ood: 9.25, source: 'profile', closest: { label: 'automobile', p: 0.6 } },
    ])
    expect(grid.photos[0]!.tags).toEqual([])
    const both = library.page({}, null, 10).photos.find((p) => p.id === d)!
    expect(both.verdicts.map((v) => [v.modelId, v.unknown, v.ood])).toEqual([
      [OTHER, true, 9.25],
      [MODEL, false, null],
    ])
    const detail = library.photo(a)
    expect(detail.predictions).toEqual([
      expect.objectContaining({ modelId: MODEL, verdict: { unknown: true, ood: 9.25, source: 'profile' }, levels: [] }),
    ])
  })

  it('a library job records the verdict and levels the engine gives (validated by the contract)', async () => {
    const [a, b, c] = [photo(db, 21), photo(db, 22), photo(db, 23)]
    const results = new Map(
      [
        { photoId: a, top: top(['cat', 0.2], ['dog', 0.1]), verdict: UNKNOWN },
        {
          photoId: b,
          top: top(['Norfolk terrier', 0.3]),
          verdict: KNOWN,
          levels: [{ label: 'dog', path: ['animal', 'dog'], p: 0.8 }],
        },
        { photoId: c, top: top(['cat', 0.9]) },
      ].map((r) => [r.photoId, ClassificationResultSchema.parse(r)]),
    )
    expect(() =>
      ClassificationResultSchema.parse({ photoId: a, top: top(['cat', 0.2]), verdict: { unknown: 'yes', ood: 1 } }),
    ).toThrow()
    const engine: ModelClassifyFn = async function* (_model, paths) {
      for await (const path of eachPath(paths)) {
        const result = results.get(findPhotoByPath(db, path)!.id)!
        yield 'error' in result ? { path, error: result.error } : { ...result, path }
      }
    }
    const runner = new JobRunner({ db, classify: engine, now })
    const job = await runner.start(runner.create({ folder: null, modelId: MODEL }).id)
    expect(job).toMatchObject({ state: 'done', classified: 3, failed: 0 })
    expect(suggested(db, a)).toEqual({})
    expect(suggested(db, b)).toEqual({ dog: 0.8 })
    expect(suggested(db, c)).toEqual({ cat: 0.9 })
    expect(photoVerdict(db, a, MODEL)?.unknown).toBe(true)
  })

  it('the review queue skips photos unknown to the model, even with suggestions left from before', () => {
    const a = photo(db, 31)
    const b = photo(db, 32)
    const c = photo(db, 33)
    for (const id of [a, b, c]) {
      recordPredictions(db, { photoId: id, modelId: MODEL, top: top(['cat', 0.8]), verdict: KNOWN }, now)
    }
    const reviewed = (): number[] => reviewQueue(db).items.map((i) => i.photoId)
    expect(reviewed()).toEqual([a, b, c])
    // Classified again as unknown: its suggestion goes.
    recordPredictions(db, { photoId: b, modelId: MODEL, top: top(['cat', 0.8]), verdict: UNKNOWN }, now)
    expect(reviewed()).toEqual([a, c])
    // A suggestion left on a photo now marked unknown (as by an older version) never reaches the queue.
    db.prepare('UPDATE classifications SET unknown = 1, ood = 7, ood_source = ? WHERE photo_id = ?').run('energy', c)
    expect(suggested(db, c)).toEqual({ cat: 0.8 })
    expect(reviewed()).toEqual([a])
    expect(reviewGroups(db)).toEqual([expect.objectContaining({ name: 'cat', count: 1 })])
    expect(reviewQueue(db, { tagId: findTag(db, 'cat')!.id }).items.map((i) => i.photoId)).toEqual([a])
    // ...and a new threshold withdraws it.
    applySuggestionThreshold(db, 0.5, now)
    expect(suggested(db, c)).toEqual({})
  })
})

// ---------------------------------------------------------------------------------------------
// Folder jobs and organize, with real files.

/** Verdicts by file name: "unk…" unknown, "unsure…" known at 0.3, the rest known at 0.9 (label: the folder). */
const fakeClassify: ModelClassifyFn = async function* (_model, paths) {
  for await (const path of eachPath(paths)) {
    const name = basename(path)
    const label = basename(dirname(path))
    const unknown = name.startsWith('unk')
    const p = unknown ? 0.62 : name.startsWith('unsure') ? 0.3 : 0.9
    yield {
      path,
      top: [
        { index: 0, label, p },
        { index: 1, label: 'frog', p: (1 - p) / 2 },
      ],
      verdict: { unknown, ood: unknown ? 12 : 2, source: 'energy' },
      levels: [{ label: 'animal', path: ['animal'], p: 0.95 }],
    }
  }
}

/** Copies CIFAR images: `spec` maps `<folder>/<name>` to a source image `<class>/<file>` of the test half. */
function makeFolder(dest: string, spec: Record<string, string>): void {
  for (const [to, from] of Object.entries(spec)) {
    mkdirSync(dirname(join(dest, to)), { recursive: true })
    copyFileSync(join(cifarHalfDir(), from), join(dest, to))
  }
}

function tree(dir: string): Map<string, string> {
  return new Map(filesUnder(dir).map((p) => [p, sha256Of(join(dir, p))]))
}

function folderTree(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(e.parentPath, e.name))
    .sort()
}

const SPEC = {
  'cat/0000.jpg': 'cat/0000.jpg',
  'cat/0002.jpg': 'cat/0002.jpg',
  'cat/unk-car.jpg': 'automobile/0000.jpg',
  'dog/0000.jpg': 'dog/0000.jpg',
  'dog/unsure.jpg': 'dog/0002.jpg',
  'dog/unk-ship.jpg': 'ship/0000.jpg',
  'ship/unsure-2.jpg': 'ship/0002.jpg',
}

describe('folder jobs and organize with unknown photos', () => {
  let dir: string
  let db: Db
  beforeEach((context) => {
    dir = join(root, context.task.id)
    mkdirSync(dir, { recursive: true })
    db = openDatabase(join(dir, 'library.db'))
    addModel(db, MODEL)
  })
  afterEach(() => db.close())

  it('a job records the verdicts, and copies them with the results it reuses by content', async () => {
    makeFolder(join(dir, 'a'), SPEC)
    const runner = new JobRunner({ db, classify: fakeClassify })
    const first = await runner.start(runner.create({ folder: join(dir, 'a'), modelId: MODEL }).id)
    expect(first).toMatchObject({ state: 'done', classified: 7, reused: 0 })
    const unk = findPhotoByPath(db, join(dir, 'a', 'cat', 'unk-car.jpg'))!
    expect(photoVerdict(db, unk.id, MODEL)).toEqual({ unknown: true, ood: 12, source: 'energy' })
    expect(suggested(db, unk.id)).toEqual({})
    const unsure = findPhotoByPath(db, join(dir, 'a', 'dog', 'unsure.jpg'))!
    expect(suggested(db, unsure.id)).toEqual({ animal: 0.95 })

    // The same contents in another folder: no model run, the verdict and levels come along.
    makeFolder(join(dir, 'b'), { 'x/unk-copy.jpg': 'automobile/0000.jpg', 'x/unsure-copy.jpg': 'dog/0002.jpg' })
    const asked: string[] = []
    const never: ModelClassifyFn = async function* (_model, paths) {
      for await (const path of eachPath(paths)) {
        asked.push(path)
        yield { path, error: 'should not be classified again' }
      }
    }
    const second = new JobRunner({ db, classify: never })
    const job = await second.start(second.create({ folder: join(dir, 'b'), modelId: MODEL }).id)
    expect(job).toMatchObject({ state: 'done', classified: 0, reused: 2 })
    expect(asked).toEqual([])
    const copy = findPhotoByPath(db, join(dir, 'b', 'x', 'unk-copy.jpg'))!
    expect(photoVerdict(db, copy.id, MODEL)).toEqual({ unknown: true, ood: 12, source: 'energy' })
    expect(suggested(db, copy.id)).toEqual({})
    const unsureCopy = findPhotoByPath(db, join(dir, 'b', 'x', 'unsure-copy.jpg'))!
    expect(photoLevels(db, unsureCopy.id, MODEL)).toEqual([{ label: 'animal', path: ['animal'], p: 0.95 }])
    expect(suggested(db, unsureCopy.id)).toEqual({ animal: 0.95 })
    expect(reviewQueue(db).items.map((i) => i.photoId)).not.toContain(copy.id)
  })

  for (const mode of ['copy', 'move'] as const) {
    it(`${mode}: unknown photos go to _unknown/, unsure ones to _uncertain/; undo restores every byte`, async () => {
      const source = join(dir, 'photos')
      makeFolder(source, SPEC)
      // The output folder the person picked (a dialog grants only existing folders).
      const out = join(dir, 'sorted')
      mkdirSync(out)
      const before = tree(source)
      const foldersBefore = folderTree(dir)
      const runner = new JobRunner({ db, classify: fakeClassify })
      const job = await runner.start(runner.create({ folder: source, modelId: MODEL }).id)
      expect(job.state).toBe('done')

      // The preview the Jobs screen shows, through the service and the contract.
      const service = new OrganizeService({ db, jobs: runner, folders: new FolderGrants(), emit: () => undefined })
      const { token } = service.grantOut(out)
      const preview = OrganizePlanPreviewSchema.parse(
        await service.plan({ jobId: job.id, outToken: token, threshold: 0.5, mode }),
      )
      expect(preview.groups).toEqual([
        { folder: UNCERTAIN_FOLDER, label: null, kind: 'uncertain', count: 2 },
        { folder: UNKNOWN_FOLDER, label: null, kind: 'unknown', count: 2 },
        { folder: 'cat', label: 'cat', kind: 'class', count: 2 },
        { folder: 'dog', label: 'dog', kind: 'class', count: 1 },
      ])
      expect(preview.steps.find((s) => s.source.endsWith('unk-car.jpg'))).toEqual({
        source: 'cat/unk-car.jpg',
        dest: '_unknown/unk-car.jpg',
        folder: UNKNOWN_FOLDER,
        label: null,
        kind: 'unknown',
        p: 0.62,
      })

      const plan = await buildPlan(db, { jobId: job.id, modelId: MODEL, out, threshold: 0.5, mode })
      // The CLI's dry run says how many the model does not know.
      const lines = planLines(plan)
      expect(lines).toContain("Unknown to the model: 2 photos → _unknown (not one of the model's classes)")
      expect(
        lines.some((l) =>
          /unk-car\.jpg → _unknown\/unk-car\.jpg {2}\(unknown to the model, closest: cat 62\.0%\)/.test(l),
        ),
      ).toBe(true)
      // Even with threshold 0, unknown photos stay out of the class folders.
      const loose = await buildPlan(db, { jobId: job.id, modelId: MODEL, out, threshold: 0, mode })
      expect(loose.groups.map((g) => [g.folder, g.kind, g.count])).toEqual([
        [UNKNOWN_FOLDER, 'unknown', 2],
        ['cat', 'class', 2],
        ['dog', 'class', 2],
        ['ship', 'class', 1],
      ])

      const report = await executeOrganize(db, plan)
      expect(report.problems).toEqual([])
      const sorted = tree(out)
      expect([...sorted.keys()]).toEqual([
        '_uncertain/unsure-2.jpg',
        '_uncertain/unsure.jpg',
        '_unknown/unk-car.jpg',
        '_unknown/unk-ship.jpg',
        'cat/0000.jpg',
        'cat/0002.jpg',
        'dog/0000.jpg',
      ])
      for (const [rel, hash] of sorted) {
        const from = Object.entries(SPEC).find(([, src]) => sha256Of(join(cifarHalfDir(), src)) === hash)
        expect(from, rel).toBeDefined()
        expect(basename(from![0])).toBe(basename(rel))
      }
      expect(filesUnder(source)).toHaveLength(mode === 'move' ? 0 : 7)

      const undone = await undoOrganize(db, report.run.id)
      expect(undone.problems).toEqual([])
      expect(undone.run.state).toBe('undone')
      expect(tree(source)).toEqual(before)
      expect(filesUnder(out)).toEqual([])
      expect(folderTree(dir)).toEqual(foldersBefore)
      // The library follows the files back.
      expect(findPhotoByPath(db, join(source, 'cat', 'unk-car.jpg'))).toBeDefined()
    })
  }

  it('a file named _unknown in the output folder stops the plan; a label "_unknown" gets another folder', async () => {
    const source = join(dir, 'photos')
    makeFolder(source, { '_unknown/a.jpg': 'cat/0000.jpg', '_unknown/unk-b.jpg': 'dog/0000.jpg' })
    const runner = new JobRunner({ db, classify: fakeClassify })
    const job = await runner.start(runner.create({ folder: source, modelId: MODEL }).id)
    const out = join(dir, 'out')
    const plan = await buildPlan(db, { jobId: job.id, modelId: MODEL, out, threshold: 0.5, mode: 'copy' })
    expect(plan.groups.map((g) => [g.folder, g.label, g.kind])).toEqual([
      [UNKNOWN_FOLDER, null, 'unknown'],
      ['_unknown (2)', '_unknown', 'class'],
    ])
    mkdirSync(out)
    copyFileSync(join(cifarHalfDir(), 'cat', '0000.jpg'), join(out, UNKNOWN_FOLDER))
    await expect(buildPlan(db, { jobId: job.id, modelId: MODEL, out, threshold: 0.5, mode: 'copy' })).rejects.toThrow(
      /_unknown exists and is not a folder/,
    )
  })
})
