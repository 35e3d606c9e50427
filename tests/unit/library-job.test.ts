import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate, openDatabase, type Db } from '../../src/main/db/database'
import { migrations } from '../../src/main/db/migrations'
import { classifierFn } from '../../src/main/inference/classify-files'
import { forModel, type ClassifyFn, type ClassifyResult } from '../../src/main/inference/classify-result'
import { loadModel } from '../../src/main/inference/load-model'
import { createWasmEngine } from '../../src/main/inference/node-ort'
import { JobRunner, jobPhotoIds, type Job } from '../../src/main/jobs'
import { JobsService } from '../../src/main/jobs/jobs-service'
import { addPaths, findPhotoByPath, getRun, listRuns } from '../../src/main/photo-library'
import { photoClassifications, photoPredictions, photoTags } from '../../src/main/tags'
import { acceptTags, rejectTags } from '../../src/main/tags/tags'
import { countEmbeddings, deleteEmbedding, readEmbedding } from '../../src/main/embeddings/embedding-store'
import { pendingCount } from '../../src/main/photo-library/pending'
import { cifarHalfDir, readReferencePredictions, repoRoot } from '../support/shared'

let clockMs = Date.UTC(2025, 0, 1)
const now = (): Date => new Date((clockMs += 1000))

function addModel(db: Db, id: string): void {
  db.prepare(
    `INSERT INTO models (id, name, file, sha256, card, builtin, added_at) VALUES (?, ?, ?, ?, '{}', 0, 'then')`,
  ).run(id, id, `${id}.onnx`, id.padEnd(64, '0').slice(0, 64))
}

async function image(path: string, seed: number): Promise<void> {
  const png = await sharp({
    create: {
      width: 40 + seed,
      height: 30,
      channels: 3,
      background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: 7 },
    },
  })
    .png()
    .toBuffer()
  writeFileSync(path, png)
}

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

/** `fake`, with an embedding of `version` for each photo classified (as an engine with the model's features). */
function withEmbeddings(version: number): ClassifyFn {
  return async function* (files, signal) {
    for await (const result of fake(files, signal)) {
      if ('error' in result) yield result
      else {
        const i = Number(/p(\d+)\.png$/.exec(result.path)![1])
        yield { ...result, embedding: { version, vector: Float32Array.of(Math.cos(i), Math.sin(i)) } }
      }
    }
  }
}

describe("the library job: the library's pending photos on the job runner", () => {
  let dir: string
  let db: Db
  let paths: string[]
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'library-job-'))
    db = openDatabase(join(dir, 'library.db'))
    addModel(db, 'm')
    paths = []
    for (let i = 0; i < 12; i++) {
      const path = join(dir, `p${String(i).padStart(2, '0')}.png`)
      await image(path, i)
      paths.push(path)
    }
    await addPaths([dir], { db, now })
  })
  afterEach(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const libraryJob = (runner: JobRunner, retryFailed = false): Promise<Job> =>
    runner.start(runner.create({ folder: null, modelId: 'm', options: { retryFailed } }).id)

  it('classifies what has no result, records the run, and never classifies a photo twice', async () => {
    const progress: number[] = []
    const runner = new JobRunner({ db, classify: forModel('m', fake), now, onProgress: (p) => progress.push(p.done) })
    expect(pendingCount(db, 'm')).toBe(12)
    const job = await libraryJob(runner)
    expect(job).toMatchObject({ kind: 'library', folder: null, state: 'done', total: 12, classified: 11, failed: 1 })
    expect(runner.errors(job.id)).toMatchObject([
      { stage: 'classify', path: paths[7], reason: 'damaged or truncated image' },
    ])
    expect(progress.at(-1)).toBe(12)
    expect(listRuns(db, { modelId: 'm' })).toMatchObject([{ status: 'finished', total: 12, classified: 11, failed: 1 }])

    const p0 = findPhotoByPath(db, paths[0]!)!
    expect(photoPredictions(db, p0.id, 'm').map((p) => p.label)).toEqual(['class 0', 'class 1'])
    expect(photoTags(db, p0.id)).toMatchObject([{ name: 'class 0', status: 'suggested', score: 0.9, modelId: 'm' }])
    // p01: 0.4 and 0.6, so its second class is the suggestion.
    expect(photoTags(db, findPhotoByPath(db, paths[1]!)!.id).map((t) => t.name)).toEqual(['class 2'])
    expect(photoClassifications(db, findPhotoByPath(db, paths[7]!)!.id)).toMatchObject([
      { modelId: 'm', k: 0, error: 'damaged or truncated image' },
    ])
    // The failed photo is not pending any more, unless asked again.
    expect(pendingCount(db, 'm')).toBe(0)
    expect(pendingCount(db, 'm', { retryFailed: true })).toBe(1)

    const again = await libraryJob(runner)
    expect(again).toMatchObject({ state: 'done', total: 0, classified: 0 })
    const retry = await libraryJob(runner, true)
    expect(retry).toMatchObject({ state: 'done', total: 1, failed: 1 })
    expect(listRuns(db, { modelId: 'm' }).map((r) => r.total)).toEqual([1, 12])
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(22)
  })

  it('takes a copy of a classified photo from its twin, and leaves missing photos alone', async () => {
    const runner = new JobRunner({ db, classify: forModel('m', fake), now })
    await libraryJob(runner)
    const twin = join(dir, 'twin', 'p00.png')
    mkdirSync(join(dir, 'twin'))
    copyFileSync(paths[0]!, twin)
    rmSync(paths[2]!)
    await addPaths([join(dir, 'twin')], { db, now })
    db.prepare("UPDATE photos SET status = 'missing' WHERE path = ?").run(paths[2])
    db.prepare('DELETE FROM classifications WHERE photo_id = ?').run(findPhotoByPath(db, paths[2]!)!.id)
    expect(pendingCount(db, 'm')).toBe(1)
    const job = await libraryJob(runner)
    expect(job).toMatchObject({ total: 1, classified: 0, reused: 1 })
    expect(photoPredictions(db, findPhotoByPath(db, twin)!.id, 'm')[0]).toMatchObject({ label: 'class 0' })
  })

  it('stops when cancelled and resumes with the rest after a restart', async () => {
    let runner: JobRunner | undefined
    let seen = 0
    let jobId = 0
    runner = new JobRunner({
      db,
      classify: forModel('m', fake),
      now,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.phase !== 'scanning' && ++seen === 5) void runner!.close()
      },
    })
    const created = runner.create({ folder: null, modelId: 'm' })
    jobId = created.id
    const stopped = await runner.start(jobId)
    // Closed (a quit): the job stays running, resumed at the next start.
    expect(stopped.state).toBe('running')
    const first = listRuns(db, { modelId: 'm' })[0]!
    expect(first.classified + first.failed).toBeGreaterThan(0)
    expect(first.classified + first.failed).toBeLessThan(12)

    runner = new JobRunner({ db, classify: forModel('m', fake), now })
    const [resumed] = await runner.resumeInterrupted()
    expect(resumed).toMatchObject({ id: jobId, kind: 'library', state: 'done', total: 12, classified: 11, failed: 1 })
    // The classification run of the first session ended with it; the job carried on in a new one.
    expect(getRun(db, first.id)!.status).toBe('cancelled')
    expect(listRuns(db, { modelId: 'm' })).toHaveLength(2)
    expect(jobPhotoIds(db, jobId)).toHaveLength(12)
    expect(db.prepare('SELECT count(DISTINCT photo_id) FROM predictions').pluck().get()).toBe(11)
  })

  it('one library job per model at a time: asking again resumes the unfinished one', async () => {
    const runner = new JobRunner({ db, classify: forModel('m', fake), now })
    const events: string[] = []
    const service = new JobsService({
      db,
      runner,
      models: { activeId: () => 'm', has: (id) => id === 'm', list: () => [{ id: 'm', name: 'Model M' }] },
      emit: (name, payload) => events.push(`${name} ${JSON.stringify(payload)}`),
    })
    const paused = runner.create({ folder: null, modelId: 'm' })
    await runner.pause(paused.id)
    expect(await service.pendingCount()).toBe(12)
    const item = await service.classifyLibrary()
    expect(item).toMatchObject({ id: paused.id, kind: 'library', folder: null, folderName: 'Photo library' })
    await runner.idle()
    expect(runner.get(paused.id)).toMatchObject({ state: 'done', classified: 11 })
    expect(await service.pendingCount()).toBe(0)
    expect(events.some((e) => e.startsWith('library:changed'))).toBe(true)
    await expect(service.classifyLibrary('other')).rejects.toThrow('There is no model "other"')
    await service.close()
  })

  it('classifies again, for its embedding, a photo classified without one or with an older one, keeping its tags', async () => {
    // Classified before embeddings existed: results and suggestions, no embedding.
    await libraryJob(new JobRunner({ db, classify: forModel('m', fake), now }))
    const p0 = findPhotoByPath(db, paths[0]!)!
    const p1 = findPhotoByPath(db, paths[1]!)!
    acceptTags(db, [p0.id], photoTags(db, p0.id)[0]!.tagId, now)
    rejectTags(db, [p1.id], photoTags(db, p1.id)[0]!.tagId, now)
    const decisions = (): unknown => [p0, p1].map((p) => photoTags(db, p.id).map((t) => [t.name, t.source, t.status]))
    const decided = decisions()
    expect(decided).toEqual([[['class 0', 'model', 'accepted']], [['class 2', 'model', 'rejected']]])
    expect(db.prepare('SELECT count(*) FROM embeddings').pluck().get()).toBe(0)

    // The model makes embeddings of version 7: every photo it classified is pending again, not the one it failed on.
    expect(pendingCount(db, 'm')).toBe(0)
    expect(pendingCount(db, 'm', { embeddingVersion: 7 })).toBe(11)
    expect(pendingCount(db, 'm', { embeddingVersion: 7, retryFailed: true })).toBe(12)
    const runner = new JobRunner({
      db,
      classify: forModel('m', withEmbeddings(7)),
      now,
      embeddingVersion: async () => 7,
    })
    const service = new JobsService({
      db,
      runner,
      models: { activeId: () => 'm', has: (id) => id === 'm', list: () => [{ id: 'm', name: 'Model M' }] },
      emit: () => undefined,
      embeddingVersion: async () => 7,
    })
    expect(await service.pendingCount()).toBe(11)

    const job = await libraryJob(runner)
    expect(job).toMatchObject({ state: 'done', total: 11, classified: 11, reused: 0, failed: 0 })
    expect(countEmbeddings(db, 'm', 7)).toBe(11)
    expect(readEmbedding(db, 'm', p0.sha256)).toMatchObject({ version: 7, dims: 2 })
    expect(readEmbedding(db, 'm', findPhotoByPath(db, paths[7]!)!.sha256)).toBeNull()
    expect(pendingCount(db, 'm', { embeddingVersion: 7 })).toBe(0)
    expect(await service.pendingCount()).toBe(0)
    // The results were replaced, not added to: one classification and K predictions a photo, the decisions kept.
    expect(db.prepare("SELECT count(*) FROM classifications WHERE model_id = 'm'").pluck().get()).toBe(12)
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(22)
    expect(photoPredictions(db, p0.id, 'm').map((p) => [p.rank, p.label])).toEqual([
      [1, 'class 0'],
      [2, 'class 1'],
    ])
    expect(decisions()).toEqual(decided)
    expect(db.prepare('SELECT count(*) FROM photo_tags').pluck().get()).toBe(11)
    expect(listRuns(db, { modelId: 'm' })[0]).toMatchObject({ status: 'finished', total: 11, classified: 11 })

    // Nothing left: asking again runs nothing.
    expect(await libraryJob(runner)).toMatchObject({ state: 'done', total: 0, classified: 0 })

    // The profile built again gives another version: the old embeddings do not count.
    expect(pendingCount(db, 'm', { embeddingVersion: 8 })).toBe(11)
    const rebuilt = new JobRunner({
      db,
      classify: forModel('m', withEmbeddings(8)),
      now,
      embeddingVersion: async () => 8,
    })
    expect(await libraryJob(rebuilt)).toMatchObject({ state: 'done', total: 11, classified: 11 })
    expect(countEmbeddings(db, 'm', 8)).toBe(11)
    expect(countEmbeddings(db, 'm', 7)).toBe(0)
    expect(pendingCount(db, 'm', { embeddingVersion: 8 })).toBe(0)
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(22)
    expect(decisions()).toEqual(decided)
  })

  it('copies a result with its embedding, and runs a photo whose content lacks it instead of copying', async () => {
    const runner = new JobRunner({
      db,
      classify: forModel('m', withEmbeddings(7)),
      now,
      embeddingVersion: async () => 7,
    })
    expect(await libraryJob(runner)).toMatchObject({ total: 12, classified: 11, failed: 1 })
    mkdirSync(join(dir, 'twin'))
    const twin0 = join(dir, 'twin', 'p00.png')
    const twin2 = join(dir, 'twin', 'p02.png')
    copyFileSync(paths[0]!, twin0)
    copyFileSync(paths[2]!, twin2)
    await addPaths([join(dir, 'twin')], { db, now })
    const p2 = findPhotoByPath(db, paths[2]!)!
    deleteEmbedding(db, 'm', p2.sha256)
    // Both copies (no result), and p02 (its embedding gone).
    expect(pendingCount(db, 'm', { embeddingVersion: 7 })).toBe(3)
    const job = await libraryJob(runner)
    // p00's copy takes its result and shares its embedding; p02 and its copy go to the model as one.
    expect(job).toMatchObject({ state: 'done', total: 3, classified: 1, reused: 2, failed: 0 })
    expect(readEmbedding(db, 'm', p2.sha256)).toMatchObject({ version: 7 })
    expect(photoPredictions(db, findPhotoByPath(db, twin2)!.id, 'm')[0]).toMatchObject({ label: 'class 2' })
    expect(pendingCount(db, 'm', { embeddingVersion: 7 })).toBe(0)
  })

  it('a folder job classifies again the photos of its folder that lack the embedding; a model without one does not', async () => {
    await libraryJob(new JobRunner({ db, classify: forModel('m', fake), now }))
    // No embedding spec (undefined): classified photos stay as they are.
    const none = new JobRunner({ db, classify: forModel('m', fake), now, embeddingVersion: async () => undefined })
    expect(await none.start(none.create({ folder: dir, modelId: 'm' }).id)).toMatchObject({
      state: 'done',
      total: 12,
      classified: 0,
      reused: 11,
      failed: 1,
    })
    // A version that cannot be told is no version either.
    const broken = new JobRunner({
      db,
      classify: forModel('m', fake),
      now,
      embeddingVersion: () => Promise.reject(new Error('the model file is gone')),
    })
    expect(await libraryJob(broken)).toMatchObject({ state: 'done', total: 0 })

    const runner = new JobRunner({
      db,
      classify: forModel('m', withEmbeddings(7)),
      now,
      embeddingVersion: async () => 7,
    })
    const job = await runner.start(runner.create({ folder: dir, modelId: 'm' }).id)
    expect(job).toMatchObject({ state: 'done', total: 12, classified: 11, reused: 0, failed: 1 })
    expect(countEmbeddings(db, 'm', 7)).toBe(11)
    expect(pendingCount(db, 'm', { embeddingVersion: 7 })).toBe(0)
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
      const runner = new JobRunner({ db, classify: forModel('m', classifierFn(model.classifier, { k: 5 })), now })
      const job = await runner.start(runner.create({ folder: null, modelId: 'm' }).id)
      // The CIFAR files and the plain colour images.
      expect(job).toMatchObject({ state: 'done', classified: rows.length + paths.length, failed: 0 })
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

describe('the migration to library jobs', () => {
  it('keeps every folder job with its photos, errors and organize runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'library-job-migration-'))
    try {
      const file = join(dir, 'library.db')
      const old = new Database(file)
      old.pragma('foreign_keys = ON')
      migrate(
        old,
        migrations.filter((m) => m.version <= 6),
      )
      addModel(old, 'm')
      old.exec(`
        INSERT INTO photos (id, path, size, mtime_ms, sha256, width, height, added_at, seen_at)
          VALUES (1, '/p/a.jpg', 1, 1, '${'a'.repeat(64)}', 32, 32, 'then', 'then');
        INSERT INTO jobs (id, folder, model_id, state, total, classified, created_at, updated_at, finished_at)
          VALUES (4, '/p', 'm', 'done', 1, 1, 'then', 'then', 'then');
        INSERT INTO job_photos (job_id, photo_id, outcome) VALUES (4, 1, 'classified');
        INSERT INTO job_errors (job_id, stage, path, reason, at) VALUES (4, 'scan', '/p/x.txt', 'not an image', 'then');
      `)
      old.close()

      const db = openDatabase(file)
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
        expect(db.prepare('SELECT id, kind, folder, state, classified FROM jobs').all()).toEqual([
          { id: 4, kind: 'folder', folder: '/p', state: 'done', classified: 1 },
        ])
        expect(db.prepare('SELECT count(*) FROM job_photos').pluck().get()).toBe(1)
        expect(db.prepare('SELECT count(*) FROM job_errors').pluck().get()).toBe(1)
        expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
        // Children still follow their job.
        db.prepare('DELETE FROM jobs WHERE id = 4').run()
        expect(db.prepare('SELECT count(*) FROM job_photos').pluck().get()).toBe(0)
        // A folder job needs a folder; a library job has none.
        const insert = db.prepare(
          "INSERT INTO jobs (kind, folder, model_id, created_at, updated_at) VALUES (?, ?, 'm', 'now', 'now')",
        )
        expect(() => insert.run('folder', null)).toThrow(/CHECK/)
        expect(() => insert.run('library', '/p')).toThrow(/CHECK/)
        expect(() => insert.run('library', null)).not.toThrow()
      } finally {
        db.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
