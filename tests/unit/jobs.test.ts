import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/main/db/database'
import { JobRunner, type JobProgress } from '../../src/main/jobs'
import { addPaths, findPhotoByPath } from '../../src/main/photo-library'
import { photoPredictions } from '../../src/main/tags'
import { readReferencePredictions } from '../support/shared'
import { copyCifar, loadBundledModel, openLibrary, CIFAR_CLASSES } from '../crash/organize-helpers'
import {
  eachPath,
  forModel,
  pathStream,
  type ModelClassifyFn,
  type ClassifyResult,
} from '../../src/main/inference/classify-result'
import { classifierFn } from '../../src/main/inference/classify-files'

const count = (db: Db, sql: string, ...params: unknown[]): number =>
  db
    .prepare(sql)
    .pluck()
    .get(...params) as number

/**
 * A classifier that calls each image by its folder's name (p 0.9), fails on names containing "bad",
 * records every path it was asked for, and can wait between results.
 */
function fakeClassifier(options: { delayMs?: number; onYield?: (path: string) => void } = {}) {
  const asked: string[] = []
  const classify: ModelClassifyFn = async function* (_modelId, paths, signal) {
    for await (const path of eachPath(paths)) {
      if (signal?.aborted) return
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs))
      asked.push(path)
      options.onYield?.(path)
      const label = basename(dirname(path))
      const index = Math.max(0, CIFAR_CLASSES.indexOf(label as (typeof CIFAR_CLASSES)[number]))
      const result: ClassifyResult = basename(path).includes('bad')
        ? { path, error: 'damaged or truncated image (test)' }
        : {
            path,
            top: [
              { index, label, p: 0.9 },
              { index: (index + 1) % 10, label: CIFAR_CLASSES[(index + 1) % 10]!, p: 0.05 },
            ],
          }
      yield result
    }
  }
  return { classify, asked }
}

let root: string
let dir: string
let db: Db
let modelId: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'jobs-test-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

beforeEach(async (context) => {
  dir = join(root, context.task.id)
  mkdirSync(dir)
  ;({ db, modelId } = await openLibrary(join(dir, 'library.db')))
})
afterEach(() => db.close())

describe('JobRunner', () => {
  it('scans recursively, classifies each photo once, records results, counts and errors', async () => {
    const folder = join(dir, 'photos')
    copyCifar(folder, 4, ['cat', 'dog', 'ship'])
    mkdirSync(join(folder, 'deep', 'er', 'cat'), { recursive: true })
    copyFileSync(join(folder, 'cat', '0000.jpg'), join(folder, 'deep', 'er', 'cat', 'bad.jpg'))
    writeFileSync(join(folder, 'notes.txt'), 'not a photo')
    writeFileSync(
      join(folder, 'broken.jpg'),
      Uint8Array.from({ length: 500 }, (_, i) => (i * 31) % 256),
    )

    const fake = fakeClassifier({ delayMs: 25 })
    const events: JobProgress[] = []
    const runner = new JobRunner({
      db,
      classify: fake.classify,
      onProgress: (p) => events.push(p),
      progressIntervalMs: 0,
    })
    const created = runner.create({ folder, modelId, options: { suggestionThreshold: 0.5 } })
    expect(created).toMatchObject({ state: 'queued', total: 0, folder })
    const job = await runner.start(created.id)

    // 12 photos + deep/er/cat/bad.jpg, a copy of cat/0000.jpg: the content goes through the model once
    // (as cat/0000.jpg, first by path), the copy gets its result.
    expect(job).toMatchObject({ state: 'done', total: 13, skipped: 2, message: null })
    expect(job.classified + job.failed + job.reused).toBe(13)
    expect(job.finishedAt).not.toBeNull()
    // Same content (cat/0000.jpg and deep/er/cat/bad.jpg) goes through the model once.
    expect(new Set(fake.asked).size).toBe(fake.asked.length)
    expect(fake.asked).toHaveLength(12)
    expect(job).toMatchObject({ classified: 12, reused: 1, failed: 0 })
    expect(count(db, 'SELECT count(*) FROM classifications WHERE model_id = ? AND k = 2', modelId)).toBe(13)
    const dog = findPhotoByPath(db, join(folder, 'dog', '0000.jpg'))!
    expect(photoPredictions(db, dog.id, modelId)[0]).toMatchObject({ rank: 1, label: 'dog', probability: 0.9 })
    // The suggested tags landed in the same store.
    expect(count(db, "SELECT count(*) FROM photo_tags WHERE status = 'suggested' AND model_id = ?", modelId)).toBe(13)

    const errors = runner.errors(job.id)
    expect(errors.map((e) => [e.stage, basename(e.path)]).sort()).toEqual([
      ['scan', 'broken.jpg'],
      ['scan', 'notes.txt'],
    ])
    expect(errors.find((e) => e.path.endsWith('notes.txt'))!.reason).toBe('not an image file (.txt)')

    // Progress: scanning, then classifying up to 13/13, done with a rate and the current file.
    expect(events[0]).toMatchObject({ jobId: job.id, phase: 'scanning', state: 'running' })
    const classifying = events.filter((e) => e.phase === 'classifying')
    expect(classifying.length).toBeGreaterThan(5)
    for (let i = 1; i < classifying.length; i++)
      expect(classifying[i]!.done).toBeGreaterThanOrEqual(classifying[i - 1]!.done)
    expect(events.at(-1)).toMatchObject({ phase: 'finished', state: 'done', done: 13, total: 13, eta: 0, errors: 2 })
    expect(events.at(-1)!.current).toMatch(/\.jpg$/)
    expect(classifying.some((e) => e.rate > 0)).toBe(true)
  })

  it('never runs a photo the model classified before, nor the same content at another path', async () => {
    const folder = join(dir, 'a')
    copyCifar(folder, 3, ['cat', 'ship'])
    const first = fakeClassifier()
    const runner = new JobRunner({ db, classify: first.classify })
    const job1 = await runner.start(runner.create({ folder, modelId }).id)
    expect(job1).toMatchObject({ state: 'done', total: 6, classified: 6, reused: 0 })

    // Again: nothing goes to the model.
    const again = fakeClassifier()
    const runner2 = new JobRunner({ db, classify: again.classify })
    const job2 = await runner2.start(runner2.create({ folder, modelId }).id)
    expect(job2).toMatchObject({ state: 'done', total: 6, classified: 0, reused: 6 })
    expect(again.asked).toEqual([])

    // The same files copied elsewhere (other paths, same content): their results are copied, not recomputed.
    const other = join(dir, 'b')
    copyCifar(other, 3, ['cat', 'ship'])
    copyCifar(join(other, 'more'), 4, ['cat'])
    const third = fakeClassifier()
    const runner3 = new JobRunner({ db, classify: third.classify })
    const job3 = await runner3.start(runner3.create({ folder: other, modelId }).id)
    expect(job3).toMatchObject({ state: 'done', total: 10, classified: 1, reused: 9 })
    expect(third.asked).toEqual([join(other, 'more', 'cat', '0006.jpg')])
    // Each photo's predictions are its content's.
    const copy = findPhotoByPath(db, join(other, 'ship', '0002.jpg'))!
    const original = findPhotoByPath(db, join(folder, 'ship', '0002.jpg'))!
    expect(photoPredictions(db, copy.id, modelId)).toEqual(photoPredictions(db, original.id, modelId))
    // One model run per distinct content over the three jobs.
    expect(count(db, 'SELECT sum(classified) FROM runs')).toBe(7)
  })

  it('keeps an earlier failure (unless retryFailed) and reports it', async () => {
    const folder = join(dir, 'photos')
    copyCifar(folder, 2, ['cat'])
    copyFileSync(join(folder, 'cat', '0000.jpg'), join(folder, 'cat', 'bad-one.jpg'))
    writeFileSync(join(folder, 'cat', 'bad-one.jpg'), Buffer.concat([Buffer.from('x'), Buffer.alloc(10)]), {
      flag: 'a',
    })
    const fake = fakeClassifier()
    const runner = new JobRunner({ db, classify: fake.classify })
    const job = await runner.start(runner.create({ folder, modelId }).id)
    expect(job).toMatchObject({ state: 'done', total: 3, classified: 2, failed: 1 })
    expect(runner.errors(job.id)).toMatchObject([
      { stage: 'classify', path: join(folder, 'cat', 'bad-one.jpg'), reason: 'damaged or truncated image (test)' },
    ])
    const again = fakeClassifier()
    const runner2 = new JobRunner({ db, classify: again.classify })
    const job2 = await runner2.start(runner2.create({ folder, modelId }).id)
    expect(job2).toMatchObject({ classified: 0, reused: 2, failed: 1 })
    expect(again.asked).toEqual([])
    expect(runner2.errors(job2.id)).toHaveLength(1)
    const retry = await runner2.start(runner2.create({ folder, modelId, options: { retryFailed: true } }).id)
    expect(retry).toMatchObject({ classified: 0, reused: 2, failed: 1 })
    expect(again.asked).toEqual([join(folder, 'cat', 'bad-one.jpg')])
  })

  it('pauses after the result in flight, resumes where it stopped, cancels for good', async () => {
    const folder = join(dir, 'photos')
    copyCifar(folder, 10, ['cat', 'dog'])
    const fake = fakeClassifier({ delayMs: 5 })
    let paused: Promise<unknown> | undefined
    const events: JobProgress[] = []
    const runner: JobRunner = new JobRunner({
      db,
      classify: fake.classify,
      progressIntervalMs: 0,
      onProgress: (p) => {
        events.push(p)
        if (p.phase === 'classifying' && p.done >= 7 && !paused) paused = runner.pause(p.jobId)
      },
    })
    const id = runner.create({ folder, modelId }).id
    const stopped = await runner.start(id)
    expect(stopped.state).toBe('paused')
    expect(stopped.finishedAt).toBeNull()
    const partial = stopped.classified
    expect(partial).toBeGreaterThanOrEqual(7)
    expect(partial).toBeLessThan(20)
    expect(await paused).toMatchObject({ state: 'paused' })
    expect(count(db, 'SELECT count(*) FROM job_photos WHERE job_id = ? AND outcome IS NOT NULL', id)).toBe(partial)

    const resumed = await runner.resume(id)
    expect(resumed).toMatchObject({ state: 'done', total: 20, classified: 20 })
    // No photo went to the model twice.
    expect(fake.asked).toHaveLength(20)
    expect(new Set(fake.asked).size).toBe(20)

    // Cancel: from queued, and while running.
    const other = runner.create({ folder, modelId })
    expect(await runner.cancel(other.id)).toMatchObject({ state: 'cancelled' })
    expect(await runner.start(other.id)).toMatchObject({ state: 'cancelled' })
    const slow = fakeClassifier({ delayMs: 20 })
    copyCifar(join(dir, 'more'), 10, ['ship'])
    const r2 = new JobRunner({ db, classify: slow.classify })
    const third = r2.create({ folder: join(dir, 'more'), modelId })
    const running = r2.start(third.id)
    while (slow.asked.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    const cancelled = await r2.cancel(third.id)
    expect(cancelled.state).toBe('cancelled')
    expect(cancelled.finishedAt).not.toBeNull()
    expect(await running).toMatchObject({ state: 'cancelled' })
    expect(cancelled.classified).toBeLessThan(10)
  })

  it('runs jobs one at a time and resumes the ones a quit left running', async () => {
    const a = join(dir, 'a')
    const b = join(dir, 'b')
    const all = [
      ...copyCifar(a, 5, ['cat']).map((f) => join(a, f)),
      ...copyCifar(b, 5, ['frog']).map((f) => join(b, f)),
    ]
    const fake = fakeClassifier({ delayMs: 10 })
    const runner = new JobRunner({ db, classify: fake.classify })
    const jobA = runner.create({ folder: a, modelId })
    const jobB = runner.create({ folder: b, modelId })
    const doneA = runner.start(jobA.id)
    const doneB = runner.start(jobB.id)
    expect(runner.get(jobB.id)!.state).toBe('queued')
    while (fake.asked.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    // Quit: the running job stays 'running', the queued one 'queued'.
    await runner.close()
    expect(runner.get(jobA.id)!.state).toBe('running')
    expect(runner.get(jobB.id)!.state).toBe('queued')
    void doneA
    void doneB

    const restarted = fakeClassifier()
    const next = new JobRunner({ db, classify: restarted.classify })
    const jobs = await next.resumeInterrupted()
    expect(jobs.map((j) => [j.id, j.state, j.classified])).toEqual([
      [jobA.id, 'done', 5],
      [jobB.id, 'done', 5],
    ])
    // What the first session recorded is not asked again: each photo went to the model once.
    expect([...fake.asked, ...restarted.asked].sort()).toEqual(all.sort())
    expect(db.prepare('SELECT status FROM runs ORDER BY id').pluck().all()).toEqual([
      'cancelled',
      'finished',
      'finished',
    ])
  })

  it('holds no result it has not recorded (back-pressure): each is written before the next is asked for', async () => {
    const folder = join(dir, 'photos')
    copyCifar(folder, 8, ['horse'])
    let jobId = 0
    const lag: number[] = []
    let yielded = 0
    const fake = fakeClassifier({
      onYield: () => {
        lag.push(yielded - count(db, 'SELECT count(*) FROM job_photos WHERE job_id = ? AND outcome IS NOT NULL', jobId))
        yielded++
      },
    })
    const runner = new JobRunner({ db, classify: fake.classify })
    jobId = runner.create({ folder, modelId }).id
    await runner.start(jobId)
    expect(lag).toEqual(Array(8).fill(0))
  })

  it('fails with a reason: a folder that is not there, a classifier that throws; resume then works', async () => {
    const runner = new JobRunner({ db, classify: fakeClassifier().classify })
    const missing = await runner.start(runner.create({ folder: join(dir, 'nope'), modelId }).id)
    expect(missing).toMatchObject({ state: 'failed', message: `${join(dir, 'nope')}: folder not found` })

    const folder = join(dir, 'photos')
    copyCifar(folder, 3, ['deer'])
    let calls = 0
    const flaky: ModelClassifyFn = async function* (model, paths, signal) {
      if (calls++ === 0) throw new Error('the model could not be loaded')
      yield* fakeClassifier().classify(model, paths, signal)
    }
    const runner2 = new JobRunner({ db, classify: flaky })
    const id = runner2.create({ folder, modelId }).id
    expect(await runner2.start(id)).toMatchObject({ state: 'failed', message: 'the model could not be loaded' })
    expect(await runner2.resume(id)).toMatchObject({ state: 'done', classified: 3, message: null })
    expect(() => forModel('other', classifierFn({} as never))('x', pathStream([]))).toThrow(
      /No classifier for the model "x"/,
    )
  })
})

describe('JobRunner with the bundled model', () => {
  it('classifies real photos (top-1 as PyTorch), through the same store as the library', async () => {
    const folder = join(dir, 'photos')
    const files = copyCifar(folder, 3)
    await addPaths([join(folder, 'cat')], { db }) // part of the folder is in the library already
    const model = await loadBundledModel()
    try {
      const runner = new JobRunner({ db, classify: forModel(modelId, classifierFn(model.classifier, { k: 5 })) })
      const job = await runner.start(runner.create({ folder, modelId }).id)
      expect(job).toMatchObject({ state: 'done', total: 30, classified: 30, failed: 0 })
      const reference = new Map(readReferencePredictions().map((r) => [r.path, r.resnet56]))
      for (const file of files) {
        const photo = findPhotoByPath(db, join(folder, file))!
        expect(photoPredictions(db, photo.id, modelId)[0]!.classIndex, file).toBe(reference.get(file))
      }
      expect(count(db, 'SELECT count(*) FROM photos')).toBe(30)
    } finally {
      await model.classifier.release()
    }
  })
})
