import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/main/db/database'
import type { BatchEngine } from '../../src/main/engine/batch-engine'
import { jobsHandlersOn } from '../support/jobs-handlers'
import { buildPlan } from '../../src/main/organize'
import { journalPlan } from '../../src/main/organize/journal'
import { calibrationModelKey, machineKey } from '../../src/main/engine/calibration'
import { openApp, type AppSession } from '../support/app-session'
import { waitForProvider } from '../support/cards'
import { filesUnder, sha256Of } from '../support/files'
import { createInProcessEngine } from '../support/in-process-engine'
import { importCifarModel, RESNET20 } from '../support/import-model'
import { cifarHalfDir, readReferenceColumn, readReferencePredictions } from '../support/shared'

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
const PER_CLASS = 6
const PHOTOS = CLASSES.length * PER_CLASS
const THRESHOLD = 0.4

/** A model's top-1 class for each photo under `folder`, by '/'-separated path relative to it. */
function topOneByPath(db: Db, modelId: string, folder: string): Map<string, number> {
  const rows = db
    .prepare(
      `SELECT p.path, pr.class_index AS top FROM photos p
         JOIN predictions pr ON pr.photo_id = p.id AND pr.model_id = ? AND pr.rank = 1`,
    )
    .all(modelId) as { path: string; top: number }[]
  return new Map(rows.map((p) => [relative(folder, p.path).split(sep).join('/'), p.top]))
}

describe('Jobs: classify a folder, organize it, undo', () => {
  let app: AppSession
  let root: string
  let folder: string
  let out: string
  let jobs: { close(): Promise<void> } | undefined
  let engine: BatchEngine | undefined
  const sources = new Map<string, string>() // file name → sha256

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'resnet-lens-jobs-'))
    folder = join(root, 'camera dump')
    out = join(root, 'sorted')
    mkdirSync(folder)
    mkdirSync(out)
    for (const name of CLASSES) {
      for (const file of readdirSync(join(cifarHalfDir(), name)).sort().slice(0, PER_CLASS)) {
        copyFileSync(join(cifarHalfDir(), name, file), join(folder, `${name}-${file}`))
        sources.set(`${name}-${file}`, sha256Of(join(folder, `${name}-${file}`)))
      }
    }
    writeFileSync(join(folder, 'notes.txt'), 'not a photo')
    // The jobs channels run on the real model, slowed to 40 ms a photo so a pause lands mid-job.
    app = await openApp({
      handlers: jobsHandlersOn(
        (services) => (engine = createInProcessEngine(services.library, { delayMs: 40 })).classify,
        (service) => (jobs = service),
      ),
    })
  })
  afterAll(async () => {
    await jobs?.close()
    await engine?.close()
    await app?.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('runs a job from the folder dialog, pauses and resumes it, and lists its errors', async () => {
    const { page } = app
    await page.keyboard.press('Control+6')
    await page.getByTestId('jobs-screen').waitFor()
    await page.getByTestId('jobs-empty').waitFor()

    // Cancelling the dialog starts nothing.
    await page.getByTestId('jobs-new').first().click()
    await expect.poll(() => page.getByTestId('jobs-new').first().isEnabled()).toBe(true)
    expect(await page.getByTestId('job-card').count()).toBe(0)

    app.services.dialogAnswers.folder.push(folder)
    await page.getByTestId('jobs-new').first().click()
    const card = page.getByTestId('job-card')
    await card.waitFor()
    expect(await card.getByTestId('job-folder').textContent()).toBe('camera dump')
    expect(await card.getByTestId('job-model').textContent()).toBe('ResNet-56 (CIFAR-10)')
    const progress = card.getByTestId('job-progress')
    await expect
      .poll(
        async () =>
          (await progress.getAttribute('data-phase')) === 'classifying' &&
          Number(await progress.getAttribute('data-done')),
        {
          timeout: 30_000,
        },
      )
      .toBeGreaterThanOrEqual(5)
    expect(await progress.getAttribute('data-total')).toBe(String(PHOTOS))
    await expect.poll(() => card.getByTestId('job-rate').textContent()).toMatch(/img\/s$/)
    expect(await card.getByTestId('job-current').textContent()).toMatch(/^[a-z]+-\d{4}\.jpg$/)
    expect(await card.getByTestId('job-resume').isDisabled()).toBe(true)

    // Pause (keyboard): it stops after the photo in flight.
    await card.getByTestId('job-pause').focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => card.getAttribute('data-state')).toBe('paused')
    const jobId = Number(await card.getAttribute('data-job-id'))
    const row = () =>
      app.services.db.prepare('SELECT state, classified FROM jobs WHERE id = ?').get(jobId) as {
        state: string
        classified: number
      }
    const pausedAt = row()
    expect(pausedAt.state).toBe('paused')
    expect(pausedAt.classified).toBeGreaterThanOrEqual(5)
    expect(pausedAt.classified).toBeLessThan(PHOTOS)
    expect(await card.getByTestId('job-pause').isDisabled()).toBe(true)
    expect(Number(await progress.getAttribute('data-done'))).toBe(pausedAt.classified)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(row().classified).toBe(pausedAt.classified) // nothing runs while paused

    await card.getByTestId('job-resume').focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('done')
    expect(row()).toEqual({ state: 'done', classified: PHOTOS })
    expect(await card.getByTestId('job-counts').textContent()).toMatch(/^60 photos · 60 classified · 1 file skipped/)

    // The file the scan could not take, with the reason.
    await card.getByTestId('job-errors-toggle').click()
    const error = card.getByTestId('job-error')
    await error.waitFor()
    expect(await error.getAttribute('data-path')).toBe(join(folder, 'notes.txt'))
    expect(await error.textContent()).toMatch(/not an image file/)
  })

  it('previews the plan by class, copies the files, and undoes the copy', async () => {
    const { page } = app
    const card = page.getByTestId('job-card')
    const jobId = Number(await card.getAttribute('data-job-id'))
    await card.getByTestId('job-organize').click()
    const dialog = page.getByTestId('organize-dialog')
    await dialog.waitFor()
    expect(await dialog.getByTestId('organize-preview').isDisabled()).toBe(true) // no output folder yet

    app.services.dialogAnswers.folder.push(out)
    await dialog.getByTestId('organize-pick-out').click()
    await expect.poll(() => dialog.getByTestId('organize-out').textContent()).toBe(out)
    // 50 % → 40 % with the keyboard.
    await dialog.getByTestId('organize-threshold').focus()
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowLeft')
    expect(await dialog.getByTestId('organize-threshold-value').textContent()).toBe('40 %')
    expect(await dialog.getByTestId('organize-mode-copy').isChecked()).toBe(true)

    await dialog.getByTestId('organize-preview').click()
    const plan = dialog.getByTestId('organize-plan')
    await plan.waitFor()
    expect(await plan.getAttribute('data-total-steps')).toBe(String(PHOTOS))
    const groups = Object.fromEntries(
      await dialog
        .getByTestId('plan-group')
        .evaluateAll((nodes) =>
          nodes.map((n) => [n.getAttribute('data-folder') ?? '', Number(n.getAttribute('data-count'))]),
        ),
    ) as Record<string, number>
    // The database's top-1 classes, those under the threshold in _uncertain, those unknown to the model in _unknown.
    const expected = app.services.db
      .prepare(
        `SELECT CASE WHEN c.unknown = 1 THEN '_unknown' WHEN pr.probability >= ? THEN pr.label ELSE '_uncertain' END
           AS folder, count(*) AS n
         FROM job_photos jp JOIN predictions pr ON pr.photo_id = jp.photo_id AND pr.rank = 1
           JOIN classifications c ON c.photo_id = pr.photo_id AND c.model_id = pr.model_id
         WHERE jp.job_id = ? GROUP BY 1`,
      )
      .all(THRESHOLD, jobId) as { folder: string; n: number }[]
    expect(groups).toEqual(Object.fromEntries(expected.map((r) => [r.folder, r.n])))
    expect(Object.keys(groups).length).toBeGreaterThan(5)
    expect(filesUnder(out)).toEqual([]) // a preview touches nothing

    const execute = dialog.getByTestId('organize-execute')
    expect(await execute.textContent()).toBe('Copy files')
    await execute.click()
    const running = dialog.getByTestId('organize-running')
    await expect.poll(() => running.getAttribute('data-state'), { timeout: 30_000 }).toBe('done')
    expect(await dialog.getByTestId('organize-result').textContent()).toBe(`Copied 60 files into ${out}.`)

    // On disk: every photo once, in its class folder, byte for byte; the originals stay.
    const copied = filesUnder(out)
    expect(copied).toHaveLength(PHOTOS)
    const perFolder: Record<string, number> = {}
    for (const file of copied) {
      const [sub, name] = file.split('/') as [string, string]
      perFolder[sub] = (perFolder[sub] ?? 0) + 1
      expect(sha256Of(join(out, file))).toBe(sources.get(name))
    }
    expect(perFolder).toEqual(groups)
    expect(filesUnder(folder)).toHaveLength(PHOTOS + 1)

    await dialog.getByTestId('organize-close').click()
    await dialog.waitFor({ state: 'detached' })
    const run = card.getByTestId('organize-run')
    await expect.poll(() => run.getAttribute('data-state')).toBe('done')
    expect(await run.getByTestId('run-summary').textContent()).toBe(`Copied 60 files into ${out}`)

    // Undo asks first; Cancel leaves everything.
    await run.getByTestId('run-undo').click()
    const confirm = page.getByTestId('run-action-dialog')
    await confirm.waitFor()
    expect(await confirm.textContent()).toMatch(/60 files it copied/)
    await page.keyboard.press('Escape')
    await confirm.waitFor({ state: 'detached' })
    expect(filesUnder(out)).toHaveLength(PHOTOS)

    await run.getByTestId('run-undo').click()
    await page.getByTestId('run-action-confirm').click()
    await expect.poll(() => run.getAttribute('data-state'), { timeout: 30_000 }).toBe('undone')
    expect(await run.getByTestId('run-summary').textContent()).toBe('Undone: removed 60 files copied')
    expect(filesUnder(out)).toEqual([])
    expect(readdirSync(out)).toEqual([]) // the class folders it made are gone
    expect(filesUnder(folder)).toHaveLength(PHOTOS + 1)
  })

  it('offers an organize run a crash left half done, and rolls it back', async () => {
    const { page } = app
    const jobId = Number(await page.getByTestId('job-card').getAttribute('data-job-id'))
    const { db } = app.services
    // Journaled whole, then stopped before its first file: what a crash right after the start leaves.
    const runId = journalPlan(
      db,
      await buildPlan(db, { jobId, modelId: 'resnet56-cifar10', out, threshold: THRESHOLD, mode: 'copy' }),
    )
    await page.keyboard.press('Control+1')
    await page.keyboard.press('Control+6')
    const banner = page.getByTestId('organize-interrupted')
    await banner.waitFor()
    expect(await banner.textContent()).toMatch(/An organize run was interrupted/)
    expect(await banner.getByTestId('interrupted-run').getAttribute('data-run-id')).toBe(String(runId))

    await banner.getByTestId('interrupted-rollback').click()
    await page.getByTestId('run-action-confirm').click()
    await banner.waitFor({ state: 'detached' })
    await expect
      .poll(() => db.prepare('SELECT state FROM organize_runs WHERE id = ?').pluck().get(runId))
      .toBe('rolled-back')
    expect(filesUnder(out)).toEqual([])
    expect(app.consoleErrors).toEqual([])
  })

  it("lists a job's errors a page at a time", async () => {
    const { page } = app
    const messy = join(root, 'messy')
    mkdirSync(messy)
    for (let i = 0; i < 205; i++) writeFileSync(join(messy, `notes-${String(i).padStart(3, '0')}.txt`), 'not a photo')
    copyFileSync(join(folder, 'cat-0002.jpg'), join(messy, 'cat.jpg'))
    app.services.dialogAnswers.folder.push(messy)
    await page.getByTestId('jobs-new').first().click()
    const card = page.locator('[data-testid="job-card"]', { has: page.getByText('messy', { exact: true }) })
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('done')

    await card.getByTestId('job-errors-toggle').click()
    const errors = card.getByTestId('job-error')
    await expect.poll(() => errors.count()).toBe(200)
    const more = card.getByTestId('job-errors-more')
    expect(await more.textContent()).toBe('Show 5 more')
    await more.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => errors.count()).toBe(205)
    await more.waitFor({ state: 'detached' })
    const paths = await errors.evaluateAll((items) => items.map((item) => item.getAttribute('data-path')))
    expect(new Set(paths).size).toBe(205)
  })
})

describe('Jobs screen on the app engine (the engine worker, the engine chosen for the model)', () => {
  let app: AppSession
  let root: string
  const rows = readReferencePredictions().filter((_, i) => i % 25 === 0) // 200 photos, every class

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'jobs-engine-e2e-'))
    for (const row of rows) {
      mkdirSync(join(root, 'photos', row.path.split('/')[0]!), { recursive: true })
      copyFileSync(join(cifarHalfDir(), row.path), join(root, 'photos', row.path))
    }
    app = await openApp()
  })
  afterAll(async () => {
    await app?.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('classifies a folder in the engine worker as PyTorch does, and the model card names the engine and why', async () => {
    const { page, services } = app
    await waitForProvider(page, /^WASM/) // the job measures the engines: not while the window's engine loads
    await page.keyboard.press('Control+6')
    await page.getByTestId('jobs-screen').waitFor()
    services.dialogAnswers.folder.push(join(root, 'photos'))
    await page.getByTestId('jobs-new').first().click()
    const card = page.getByTestId('job-card')
    await card.waitFor()
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')

    const byPath = topOneByPath(services.db, 'resnet56-cifar10', join(root, 'photos'))
    expect(byPath.size).toBe(rows.length)
    for (const row of rows) expect(byPath.get(row.path), row.path).toBe(row.resnet56)

    await page.keyboard.press('Control+2')
    const engine = page.locator('[data-model-id="resnet56-cifar10"] [data-testid="batch-engine"]')
    await expect.poll(() => engine.getAttribute('data-engine'), { timeout: 30_000 }).toBe('native')
    expect(await engine.getByTestId('batch-engine-reason').textContent()).toMatch(
      /^native CPU: [\d.]+ img\/s; WASM [\d.]+ img\/s; WebGPU: no WebGPU \(.+\)$/,
    )
  })

  it('runs a job with a model other than the active one, chosen on the Jobs screen', async () => {
    const { page, services } = app
    await page.keyboard.press('Control+2')
    const resnet20 = await importCifarModel(app, RESNET20(), 'ResNet-20 reference')
    expect(services.library.activeId()).toBe('resnet56-cifar10')

    await page.keyboard.press('Control+6')
    const select = page.getByTestId('job-model-select')
    expect(await select.inputValue()).toBe('resnet56-cifar10') // the active model until another is chosen
    await select.selectOption(resnet20.id)
    services.dialogAnswers.folder.push(join(root, 'photos'))
    await page.getByTestId('jobs-new').first().click()
    const card = page.getByTestId('job-card').first() // the newest job comes first
    await expect.poll(() => card.getByTestId('job-model').textContent()).toBe('ResNet-20 reference')
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    expect(services.library.activeId()).toBe('resnet56-cifar10')

    const byPath = topOneByPath(services.db, resnet20.id, join(root, 'photos'))
    const reference = readReferenceColumn('resnet20_ref')
    expect(byPath.size).toBe(rows.length)
    for (const row of rows) expect(byPath.get(row.path), row.path).toBe(reference.get(row.path))
  })
})

describe('Jobs on WebGPU: batches go through the window (SwiftShader standing in for a GPU)', () => {
  let app: AppSession
  let root: string
  // The first photo of two classes, one chunk for the window: what the job's route needs (SwiftShader takes
  // about 2.5 s a photo of the bundled card's six views; WebGPU's agreement with the other engines and with
  // PyTorch is classify-screen.test.ts's).
  const rows = readReferencePredictions()
    .filter((_, i) => i % 500 === 0)
    .slice(0, 2)

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'jobs-webgpu-e2e-'))
    for (const row of rows) {
      mkdirSync(join(root, 'photos', row.path.split('/')[0]!), { recursive: true })
      copyFileSync(join(cifarHalfDir(), row.path), join(root, 'photos', row.path))
    }
    app = await openApp({ webgpu: true, engine: 'webgpu' })
  })
  afterAll(async () => {
    await app?.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('runs a job on the window engine when WebGPU measured fastest, with PyTorch labels', async () => {
    const { page, services } = app
    await waitForProvider(page, /^WebGPU/)
    // A software adapter is never measured as available: these figures stand for a hardware GPU's.
    const sha = calibrationModelKey(services.library.card('resnet56-cifar10'))
    const insert = services.db.prepare(
      `INSERT INTO engine_calibrations (model_sha256, machine, engine, images_per_second, note, measured_at)
       VALUES (?, ?, ?, ?, NULL, '2026-11-27T00:00:00.000Z')`,
    )
    for (const [engine, rate] of [
      ['webgpu', 5000],
      ['native', 100],
      ['wasm', 50],
    ] as const)
      insert.run(sha, machineKey(), engine, rate)
    const batches: number[] = []
    const unsubscribe = services.events.subscribe((event, payload) => {
      if (event === 'engine:classifyBatch') batches.push((payload as { photos: unknown[] }).photos.length)
    })
    try {
      await page.keyboard.press('Control+6')
      services.dialogAnswers.folder.push(join(root, 'photos'))
      await page.getByTestId('jobs-new').first().click()
      const card = page.getByTestId('job-card')
      await card.waitFor()
      await expect.poll(() => card.getAttribute('data-state'), { timeout: 120_000 }).toBe('done')
    } finally {
      unsubscribe()
    }
    expect(batches.reduce((sum, n) => sum + n, 0)).toBe(rows.length)

    const byPath = topOneByPath(services.db, 'resnet56-cifar10', join(root, 'photos'))
    for (const row of rows) expect(byPath.get(row.path), row.path).toBe(row.resnet56)

    await page.keyboard.press('Control+2')
    const engine = page.locator('[data-model-id="resnet56-cifar10"] [data-testid="batch-engine"]')
    await expect.poll(() => engine.getAttribute('data-engine'), { timeout: 30_000 }).toBe('webgpu')
    expect(await engine.getByTestId('batch-engine-reason').textContent()).toBe(
      'WebGPU: 5000 img/s; native CPU 100 img/s; WASM 50.0 img/s',
    )
  })
})
