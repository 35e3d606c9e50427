import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/main/db/database'
import { loadModel } from '../../src/main/engine/load-model'
import { createWasmEngine } from '../../src/main/engine/node-ort'
import {
  addPaths,
  addTag,
  classifierFn,
  classifyPending,
  countPhotos,
  exifTakenAt,
  findPhotoByPath,
  getPhoto,
  getRun,
  listRuns,
  photoClassifications,
  photoPredictions,
  photoTags,
  recordPredictions,
  refreshLibrary,
  type ClassifyFn,
  type ClassifyResult,
  type IngestReport,
} from '../../src/main/tags'
import { sha256Of } from '../support/files'
import { cifarHalfDir, readReferencePredictions, repoRoot } from '../support/shared'

let clockMs = Date.UTC(2025, 0, 1)
const now = (): Date => new Date((clockMs += 1000))

async function image(
  path: string,
  format: 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif',
  seed: number,
): Promise<void> {
  const base = sharp({
    create: {
      width: 40 + seed,
      height: 30,
      channels: 3,
      background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: 7 },
    },
  })
  writeFileSync(path, await base.toFormat(format).toBuffer())
}

function counts(report: IngestReport): Record<string, number> {
  const { added, moved, updated, restored, unchanged, missing } = report
  return { added, moved, updated, restored, unchanged, missing }
}

function addModel(db: Db, id: string): void {
  db.prepare(
    `INSERT INTO models (id, name, file, sha256, card, builtin, added_at) VALUES (?, ?, ?, ?, '{}', 0, 'then')`,
  ).run(id, id, `${id}.onnx`, id.padEnd(64, '0').slice(0, 64))
}

describe('ingest', () => {
  let dir: string
  let photos: string
  let db: Db
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ingest-'))
    photos = join(dir, 'photos')
    mkdirSync(join(photos, 'sub', 'deep'), { recursive: true })
    await image(join(photos, 'a.jpg'), 'jpeg', 1)
    await image(join(photos, 'b.PNG'), 'png', 2)
    await image(join(photos, 'sub', 'c.webp'), 'webp', 3)
    await image(join(photos, 'sub', 'd.gif'), 'gif', 4)
    await image(join(photos, 'sub', 'deep', 'e.tiff'), 'tiff', 5)
    await image(join(photos, 'sub', 'deep', 'f.avif'), 'avif', 6)
    // Taken 2020-05-06 07:08:09 +02:00, stored 40×30 and turned a quarter (EXIF orientation 6).
    writeFileSync(
      join(photos, 'sub', 'dated.jpeg'),
      await sharp({ create: { width: 40, height: 30, channels: 3, background: 'white' } })
        .jpeg()
        .withExif({
          IFD0: { DateTime: '2021:01:02 03:04:05' },
          IFD2: { DateTimeOriginal: '2020:05:06 07:08:09', OffsetTimeOriginal: '+02:00' },
        })
        .withMetadata({ orientation: 6 })
        .toBuffer(),
    )
    writeFileSync(join(photos, 'notes.txt'), 'not a photo')
    writeFileSync(join(photos, 'fake.jpg'), 'not a photo either')
    writeFileSync(join(photos, '.hidden.jpg'), 'ignored')
    symlinkSync(join(dir, 'nowhere.jpg'), join(photos, 'dangling.jpg'))
    db = openDatabase(join(dir, 'library.db'))
  })
  afterEach(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('adds a folder recursively: hash, size, EXIF date; lists what it skipped and why', async () => {
    const progress: number[] = []
    const report = await addPaths([photos, join(dir, 'absent')], {
      db,
      now,
      onProgress: (p) => progress.push(p.done),
    })
    expect(counts(report)).toEqual({ added: 7, moved: 0, updated: 0, restored: 0, unchanged: 0, missing: 0 })
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { path: join(dir, 'absent'), reason: 'file not found' },
        { path: join(photos, 'notes.txt'), reason: 'not an image file (.txt)' },
        { path: join(photos, 'fake.jpg'), reason: 'not an image or unsupported format' },
        { path: join(photos, 'dangling.jpg'), reason: 'file not found' },
      ]),
    )
    expect(report.skipped).toHaveLength(4)
    expect(progress.at(-1)).toBe(9)
    expect(report.photoIds).toHaveLength(7)

    const a = findPhotoByPath(db, join(photos, 'a.jpg'))!
    expect(a).toMatchObject({
      width: 41,
      height: 30,
      takenAt: null,
      status: 'present',
      sha256: sha256Of(join(photos, 'a.jpg')),
    })
    expect(a.size).toBe(readFileSync(join(photos, 'a.jpg')).length)
    expect(findPhotoByPath(db, join(photos, 'sub', 'dated.jpeg'))).toMatchObject({
      width: 30,
      height: 40,
      takenAt: '2020-05-06T07:08:09+02:00',
    })
    for (const name of ['b.PNG', 'sub/c.webp', 'sub/d.gif', 'sub/deep/e.tiff', 'sub/deep/f.avif']) {
      expect(findPhotoByPath(db, join(photos, name)), name).toBeDefined()
    }
  })

  it('is idempotent: adding again changes nothing and does not read unchanged files', async () => {
    const first = await addPaths([photos], { db, now })
    const again = await addPaths([photos, join(photos, 'a.jpg')], { db, now })
    expect(counts(again)).toEqual({ added: 0, moved: 0, updated: 0, restored: 0, unchanged: 7, missing: 0 })
    expect(again.photoIds).toEqual(first.photoIds)
    expect(countPhotos(db)).toBe(7)

    // A touched file (new mtime, same bytes) is read again, found unchanged, its mtime noted.
    utimesSync(join(photos, 'a.jpg'), new Date('2030-01-01'), new Date('2030-01-01'))
    const touched = await addPaths([photos], { db, now })
    expect(counts(touched)).toMatchObject({ unchanged: 7, updated: 0 })
    expect(findPhotoByPath(db, join(photos, 'a.jpg'))!.mtimeMs).toBe(Date.parse('2030-01-01'))
  })

  it('finds a moved or renamed photo again by its content, keeping its id and tags', async () => {
    await addPaths([photos], { db, now })
    const a = findPhotoByPath(db, join(photos, 'a.jpg'))!
    addTag(db, [a.id], 'holiday', now)

    renameSync(join(photos, 'a.jpg'), join(photos, 'sub', 'renamed.jpg'))
    const report = await addPaths([photos], { db, now })
    expect(counts(report)).toEqual({ added: 0, moved: 1, updated: 0, restored: 0, unchanged: 6, missing: 0 })
    expect(getPhoto(db, a.id)).toMatchObject({ path: join(photos, 'sub', 'renamed.jpg'), status: 'present' })
    expect(photoTags(db, a.id).map((t) => t.name)).toEqual(['holiday'])

    // Moved out of the folder, to a folder added on its own.
    const elsewhere = join(dir, 'elsewhere')
    mkdirSync(elsewhere)
    renameSync(join(photos, 'sub', 'renamed.jpg'), join(elsewhere, 'x.jpg'))
    expect(counts(await addPaths([elsewhere], { db, now }))).toMatchObject({ moved: 1, added: 0 })
    expect(getPhoto(db, a.id)!.path).toBe(join(elsewhere, 'x.jpg'))

    // A copy while the original is still there is a photo of its own.
    copyFileSync(join(elsewhere, 'x.jpg'), join(elsewhere, 'copy.jpg'))
    expect(counts(await addPaths([elsewhere], { db, now }))).toMatchObject({ moved: 0, added: 1, unchanged: 1 })
    expect(countPhotos(db)).toBe(8)
  })

  it('marks photos whose file is gone missing (tags kept), and present again when it is back', async () => {
    await addPaths([photos], { db, now })
    const b = findPhotoByPath(db, join(photos, 'b.PNG'))!
    addTag(db, [b.id], 'keep me', now)
    const saved = readFileSync(b.path)
    rmSync(b.path)

    const refreshed = await refreshLibrary({ db, now })
    expect(refreshed).toMatchObject({ checked: 7, missing: 1, restored: 0, updated: 0, unchanged: 6, skipped: [] })
    expect(getPhoto(db, b.id)!.status).toBe('missing')
    expect(photoTags(db, b.id).map((t) => t.name)).toEqual(['keep me'])
    expect(countPhotos(db, { status: 'missing' })).toBe(1)
    expect((await refreshLibrary({ db, now })).missing).toBe(0)

    writeFileSync(b.path, saved)
    utimesSync(b.path, new Date(b.mtimeMs), new Date(b.mtimeMs))
    expect(await refreshLibrary({ db, now })).toMatchObject({ missing: 0, restored: 1 })
    expect(getPhoto(db, b.id)!.status).toBe('present')

    // Rescanning the folder also notices a file that went.
    rmSync(b.path)
    const rescan = await addPaths([photos], { db, now })
    expect(counts(rescan)).toMatchObject({ missing: 1, unchanged: 6 })
    // ...and finds it again under a new name, by its content.
    writeFileSync(join(photos, 'b-again.png'), saved)
    expect(counts(await addPaths([photos], { db, now }))).toMatchObject({ moved: 1, added: 0 })
    expect(getPhoto(db, b.id)).toMatchObject({ status: 'present', path: join(photos, 'b-again.png') })
  })

  it('re-reads a changed file: model results dropped, the person tags kept', async () => {
    addModel(db, 'm')
    await addPaths([photos], { db, now })
    const a = findPhotoByPath(db, join(photos, 'a.jpg'))!
    recordPredictions(db, { photoId: a.id, modelId: 'm', top: [{ index: 3, label: 'cat', p: 0.9 }] }, now)
    addTag(db, [a.id], 'mine', now)
    await image(join(photos, 'a.jpg'), 'jpeg', 20)

    const report = await addPaths([photos], { db, now })
    expect(counts(report)).toMatchObject({ updated: 1, unchanged: 6 })
    expect(getPhoto(db, a.id)).toMatchObject({ width: 60, sha256: sha256Of(join(photos, 'a.jpg')) })
    expect(photoPredictions(db, a.id, 'm')).toEqual([])
    expect(photoTags(db, a.id).map((t) => `${t.name}:${t.status}`)).toEqual(['mine:accepted'])

    await image(join(photos, 'a.jpg'), 'jpeg', 21)
    expect(await refreshLibrary({ db, now })).toMatchObject({ updated: 1 })
    expect(getPhoto(db, a.id)!.width).toBe(61)
  })

  it('stops between batches when cancelled, keeping what was done', async () => {
    const controller = new AbortController()
    controller.abort()
    const report = await addPaths([photos], { db, now, signal: controller.signal })
    expect(report.cancelled).toBe(true)
    expect(countPhotos(db)).toBe(0)
  })
})

describe('exif dates', () => {
  it('reads DateTimeOriginal, falls back to DateTime, ignores blanks and junk', async () => {
    const exifOf = async (exif: Record<string, Record<string, string>>): Promise<Buffer | undefined> =>
      (
        await sharp(
          await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } })
            .jpeg()
            .withExif(exif)
            .toBuffer(),
        ).metadata()
      ).exif
    expect(exifTakenAt(await exifOf({ IFD0: { DateTime: '2021:01:02 03:04:05' } }))).toBe('2021-01-02T03:04:05')
    expect(exifTakenAt(await exifOf({ IFD2: { DateTimeOriginal: '0000:00:00 00:00:00' } }))).toBeNull()
    expect(exifTakenAt(await exifOf({ IFD0: { Make: 'Canon' } }))).toBeNull()
    expect(exifTakenAt(undefined)).toBeNull()
    expect(exifTakenAt(Buffer.from('Exif\0\0II*\0\xff\xff\xff\xff', 'latin1'))).toBeNull()
  })
})

describe('classifyPending', () => {
  let dir: string
  let db: Db
  let paths: string[]
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'classify-pending-'))
    db = openDatabase(join(dir, 'library.db'))
    addModel(db, 'm')
    paths = []
    for (let i = 0; i < 12; i++) {
      const path = join(dir, `p${String(i).padStart(2, '0')}.png`)
      await image(path, 'png', i)
      paths.push(path)
    }
    await addPaths([dir], { db, now })
  })
  afterEach(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Class i % 10 with p 0.9 for even i, 0.4 for odd; p07 fails; results in reverse order. */
  const fake: ClassifyFn = async function* (files) {
    for (const path of [...files].reverse()) {
      const i = Number(/p(\d+)\.png$/.exec(path)![1])
      const p = i % 2 === 0 ? 0.9 : 0.4
      const result: ClassifyResult =
        i === 7
          ? { path, error: 'damaged or truncated image' }
          : {
              path,
              top: [
                { index: i % 10, label: `class ${i % 10}`, p },
                { index: (i + 1) % 10, label: `class ${(i + 1) % 10}`, p: 1 - p },
              ],
            }
      yield result
    }
  }

  it('classifies what has no predictions, records the run, and does not classify anything twice', async () => {
    const progress: number[] = []
    const report = await classifyPending({
      db,
      modelId: 'm',
      classify: fake,
      now,
      onProgress: (p) => progress.push(p.classified + p.failed),
    })
    expect(report.cancelled).toBe(false)
    expect(report.run).toMatchObject({ modelId: 'm', status: 'finished', total: 12, classified: 11, failed: 1 })
    expect(report.run.finishedAt).not.toBeNull()
    expect(report.errors).toEqual([
      { photoId: findPhotoByPath(db, paths[7]!)!.id, path: paths[7], error: 'damaged or truncated image' },
    ])
    expect(progress).toHaveLength(12)

    const p0 = findPhotoByPath(db, paths[0]!)!
    expect(photoPredictions(db, p0.id, 'm').map((p) => p.label)).toEqual(['class 0', 'class 1'])
    expect(photoTags(db, p0.id)).toMatchObject([{ name: 'class 0', status: 'suggested', score: 0.9, modelId: 'm' }])
    // p01: 0.4 and 0.6, so its second class is the suggestion.
    expect(photoTags(db, findPhotoByPath(db, paths[1]!)!.id).map((t) => t.name)).toEqual(['class 2'])
    const failed = findPhotoByPath(db, paths[7]!)!
    expect(photoClassifications(db, failed.id)).toMatchObject([
      { modelId: 'm', k: 0, error: 'damaged or truncated image' },
    ])

    const again = await classifyPending({ db, modelId: 'm', classify: fake, now })
    expect(again.run).toMatchObject({ total: 0, classified: 0, status: 'finished' })
    const retry = await classifyPending({ db, modelId: 'm', classify: fake, now, retryFailed: true })
    expect(retry.run).toMatchObject({ total: 1, failed: 1 })
    expect(listRuns(db, { modelId: 'm' }).map((r) => r.total)).toEqual([1, 0, 12])
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(22)
  })

  it('stops when cancelled and resumes with the rest; a dead run is marked interrupted', async () => {
    const controller = new AbortController()
    let seen = 0
    const report = await classifyPending({
      db,
      modelId: 'm',
      classify: fake,
      now,
      signal: controller.signal,
      onProgress: () => {
        if (++seen === 5) controller.abort()
      },
    })
    expect(report.cancelled).toBe(true)
    // Results come last file first: p11 to p08 classified, then p07 failed.
    expect(report.run).toMatchObject({ status: 'cancelled', total: 12, classified: 4, failed: 1 })

    // A run a crashed process left behind.
    db.prepare("INSERT INTO runs (model_id, started_at) VALUES ('m', 'then')").run()
    const stale = db.prepare('SELECT max(id) FROM runs').pluck().get() as number
    const rest = await classifyPending({ db, modelId: 'm', classify: fake, now })
    expect(rest.run).toMatchObject({ status: 'finished', total: 7, classified: 7, failed: 0 })
    expect(getRun(db, stale)!.status).toBe('interrupted')
    expect(db.prepare('SELECT count(DISTINCT photo_id) FROM predictions').pluck().get()).toBe(11)
  })

  it('classifies with the bundled model through classifyFiles, as the CLI does', async () => {
    const half = cifarHalfDir()
    const rows = readReferencePredictions().filter((_, i) => i % 250 === 0)
    const local = join(dir, 'cifar')
    mkdirSync(local)
    for (const row of rows) copyFileSync(join(half, row.path), join(local, row.path.replace('/', '-')))
    await addPaths([local], { db, now })
    const engine = createWasmEngine(1)
    const model = await loadModel(
      engine,
      join(repoRoot, 'resources', 'models', 'resnet56-cifar10.onnx'),
      join(repoRoot, 'resources', 'labels'),
    )
    try {
      const report = await classifyPending({
        db,
        modelId: 'm',
        classify: classifierFn(model.classifier, { k: 5 }),
        now,
      })
      // The CIFAR files and the plain colour images of the other tests.
      expect(report.run).toMatchObject({ classified: rows.length + paths.length, failed: 0 })
    } finally {
      await model.classifier.release()
    }
    for (const row of rows) {
      const photo = findPhotoByPath(db, join(local, row.path.replace('/', '-')))!
      const predictions = photoPredictions(db, photo.id, 'm')
      expect(predictions.map((p) => p.rank)).toEqual([1, 2, 3, 4, 5])
      expect(predictions[0]!.classIndex, row.path).toBe(row.resnet56)
      expect(predictions[0]!.probability).toBeCloseTo(row.resnet56P, 2)
    }
  })
})
