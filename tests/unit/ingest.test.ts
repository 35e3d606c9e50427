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
import {
  addPaths,
  countPhotos,
  exifTakenAt,
  findPhotoByPath,
  getPhoto,
  refreshLibrary,
  type IngestReport,
} from '../../src/main/photo-library'
import { addTag, photoPredictions, photoTags, recordPredictions } from '../../src/main/tags'
import { sha256Of } from '../support/files'

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
