import { randomUUID } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchEngine } from '../../src/main/engine/batch-engine'
import { invokeHandler, IpcInputError } from '../../src/main/ipc/dispatch'
import { createJobsHandlers } from '../../src/main/ipc/jobs-handlers'
import { JobsService } from '../../src/main/jobs/jobs-service'
import { JobRunner } from '../../src/main/jobs/runner'
import { buildPlan } from '../../src/main/organize'
import { OrganizeService } from '../../src/main/organize/organize-service'
import { journalPlan } from '../../src/main/organize/journal'
import {
  contract,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
  type EventPayload,
  type HandlerTable,
} from '../../src/shared/ipc/contract'
import { waitForEvent } from '../support/events'
import { filesUnder, sha256Of } from '../support/files'
import { createTestServices, type TestServices } from '../support/services'
import { cifarHalfDir } from '../support/shared'
import { eachPath } from '../../src/main/inference/classify-result'

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
const PER_CLASS = 2

describe('folder jobs and organize over IPC', () => {
  let services: TestServices
  let folder: string
  let out: string
  const sources = new Map<string, string>() // file name → sha256
  const call = async <C extends Channel>(channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>> =>
    contract[channel].output.parse(await invokeHandler(services.handlers, channel, input)) as ChannelOutput<C>

  beforeAll(async () => {
    services = await createTestServices()
    folder = join(services.dataDir, 'dump')
    out = join(services.dataDir, 'sorted')
    mkdirSync(folder)
    mkdirSync(out)
    for (const name of CLASSES) {
      for (const file of readdirSync(join(cifarHalfDir(), name)).sort().slice(0, PER_CLASS)) {
        const to = join(folder, `${name}-${file}`)
        copyFileSync(join(cifarHalfDir(), name, file), to)
        sources.set(`${name}-${file}`, sha256Of(to))
      }
    }
    writeFileSync(join(folder, 'notes.txt'), 'not a photo')
  })
  afterAll(() => services?.dispose())

  it('never takes a path from the renderer: folders come from the dialog, behind tokens', async () => {
    await expect(invokeHandler(services.handlers, 'jobs:start', { folderToken: folder })).rejects.toThrow(IpcInputError)
    await expect(invokeHandler(services.handlers, 'jobs:start', { folder })).rejects.toThrow(IpcInputError)
    await expect(call('jobs:start', { folderToken: randomUUID() })).rejects.toThrow(/no longer available/)
    await expect(
      invokeHandler(services.handlers, 'organize:plan', { jobId: 1, out, threshold: 0.5, mode: 'copy' }),
    ).rejects.toThrow(IpcInputError)
    await expect(invokeHandler(services.handlers, 'organize:execute', { plan: { out } })).rejects.toThrow(IpcInputError)

    // Cancelled dialogs answer null.
    expect(await call('jobs:pickFolder')).toBeNull()
    expect(await call('organize:pickOut')).toBeNull()

    // A token picked for a job's folder cannot name an organize output.
    services.dialogAnswers.folder.push(folder)
    const picked = (await call('jobs:pickFolder'))!
    expect(picked).toMatchObject({ name: 'dump', path: folder })
    await expect(
      call('organize:plan', { jobId: 1, outToken: picked.token, threshold: 0.5, mode: 'copy' }),
    ).rejects.toThrow(/no longer available/)
    // A file is not a folder.
    services.dialogAnswers.folder.push(join(folder, 'notes.txt'))
    await expect(call('jobs:pickFolder')).rejects.toThrow(/not a folder/)
    expect(await call('jobs:list')).toEqual([])
  })

  let jobId: number
  it('classifies a picked folder with the active model, with progress, errors and a done job', async () => {
    services.dialogAnswers.folder.push(folder)
    const picked = (await call('jobs:pickFolder'))!
    const progress: EventPayload<'jobs:progress'>[] = []
    const unsubscribe = services.events.subscribe((event, payload) => {
      if (event === 'jobs:progress') progress.push(payload as EventPayload<'jobs:progress'>)
    })
    const done = waitForEvent(services.events, 'jobs:changed', (e) => e.state === 'done')
    const job = await call('jobs:start', { folderToken: picked.token })
    jobId = job.id
    expect(job).toMatchObject({
      folder,
      folderName: 'dump',
      modelId: 'resnet56-cifar10',
      modelName: 'ResNet-56 (CIFAR-10)',
    })
    expect(['queued', 'running']).toContain(job.state)
    // The token is used up: a second job needs the dialog again.
    await expect(call('jobs:start', { folderToken: picked.token })).rejects.toThrow(/no longer available/)

    expect(await done).toEqual({ jobId, state: 'done' })
    unsubscribe()
    const total = CLASSES.length * PER_CLASS
    const [listed] = await call('jobs:list')
    expect(listed).toMatchObject({ id: jobId, state: 'done', total, classified: total, failed: 0, skipped: 1 })
    expect(progress.some((p) => p.phase === 'classifying')).toBe(true)
    expect(progress.at(-1)).toMatchObject({ jobId, phase: 'finished', state: 'done', done: total, total, errors: 1 })

    const errors = await call('jobs:errors', { jobId })
    expect(errors.total).toBe(1)
    expect(errors.errors[0]).toMatchObject({ stage: 'scan', path: join(folder, 'notes.txt') })
    expect(errors.errors[0]!.reason).toMatch(/not an image file/)
    expect((await call('jobs:errors', { jobId, offset: 1 })).errors).toEqual([])

    // Pausing or resuming a finished job changes nothing.
    expect(await call('jobs:pause', { jobId })).toMatchObject({ state: 'done' })
    expect(await call('jobs:resume', { jobId })).toMatchObject({ state: 'done' })
    await expect(call('jobs:cancel', { jobId: 999 })).rejects.toThrow(/no job 999/)
  })

  it('plans, copies into class folders, and undoes the copy', async () => {
    services.dialogAnswers.folder.push(out)
    const outPick = (await call('organize:pickOut'))!
    const plan = await call('organize:plan', { jobId, outToken: outPick.token, threshold: 0.5, mode: 'copy' })
    const total = CLASSES.length * PER_CLASS
    expect(plan).toMatchObject({ jobId, folder, out, mode: 'copy', threshold: 0.5, totalSteps: total, skippedCount: 0 })
    expect(plan.groups.reduce((sum, g) => sum + g.count, 0)).toBe(total)
    expect(plan.steps).toHaveLength(total)

    // The groups are the database's top-1 labels, under the threshold in _uncertain, unknown to the model in _unknown.
    const rows = services.db
      .prepare(
        `SELECT CASE WHEN c.unknown = 1 THEN '_unknown' WHEN pr.probability >= 0.5 THEN pr.label ELSE '_uncertain' END
           AS folder, count(*) AS n
         FROM job_photos jp JOIN predictions pr ON pr.photo_id = jp.photo_id AND pr.rank = 1
           JOIN classifications c ON c.photo_id = pr.photo_id AND c.model_id = pr.model_id
         WHERE jp.job_id = ? GROUP BY 1`,
      )
      .all(jobId) as { folder: string; n: number }[]
    expect(Object.fromEntries(plan.groups.map((g) => [g.folder, g.count]))).toEqual(
      Object.fromEntries(rows.map((r) => [r.folder, r.n])),
    )
    expect(filesUnder(out)).toEqual([]) // a plan touches nothing

    const started = waitForEvent(services.events, 'organize:changed', (e) => e.busy)
    const finished = waitForEvent(services.events, 'organize:changed', (e) => !e.busy)
    const { runId } = await call('organize:execute', { planId: plan.planId })
    expect(await started).toMatchObject({ runId, jobId, action: 'organize', state: 'running', busy: true })
    expect(await finished).toEqual({ runId, jobId, action: 'organize', state: 'done', busy: false })
    // A plan is carried out once.
    await expect(call('organize:execute', { planId: plan.planId })).rejects.toThrow(/no longer available/)

    const copied = filesUnder(out)
    expect(copied).toHaveLength(total)
    expect(copied.map((f) => f.split('/')[0]).sort()).toEqual(
      plan.groups.flatMap((g) => Array<string>(g.count).fill(g.folder)).sort(),
    )
    for (const file of copied) {
      const name = file.split('/')[1]!
      expect(sha256Of(join(out, file))).toBe(sources.get(name))
      expect(existsSync(join(folder, name))).toBe(true) // a copy leaves the original
    }
    const [run] = await call('organize:runs', { jobId })
    expect(run).toMatchObject({ id: runId, state: 'done', mode: 'copy', out, busy: null, interrupted: false })
    expect(run!.steps).toMatchObject({ done: total, failed: 0 })
    expect(run!.problems).toEqual([])
    expect(await call('organize:runs', {})).toHaveLength(1)

    // Only a finished run is undone; a running one is rolled back.
    await expect(call('organize:rollback', { runId })).rejects.toThrow(/only an unfinished run/)
    const undone = waitForEvent(services.events, 'organize:changed', (e) => !e.busy && e.action === 'undo')
    expect(await call('organize:undo', { runId })).toEqual({ runId })
    expect(await undone).toMatchObject({ runId, state: 'undone' })
    expect(filesUnder(out)).toEqual([])
    expect(readdirSync(out)).toEqual([]) // the class folders it made are gone too
    expect(filesUnder(folder)).toHaveLength(total + 1)
    expect((await call('organize:runs', { jobId }))[0]).toMatchObject({ state: 'undone', steps: { undone: total } })
    await expect(call('organize:undo', { runId })).rejects.toThrow(/only a finished run/)
  })

  it('offers a run a crash left half done, and finishes or rolls it back', async () => {
    // A run journaled whole and then interrupted before its first file (as a crash would leave it).
    const interrupted = async (): Promise<number> =>
      journalPlan(
        services.db,
        await buildPlan(services.db, { jobId, modelId: 'resnet56-cifar10', out, threshold: 0.9, mode: 'copy' }),
      )
    const first = await interrupted()
    expect((await call('organize:runs', {}))[0]).toMatchObject({ id: first, state: 'running', interrupted: true })

    const rolledBack = waitForEvent(services.events, 'organize:changed', (e) => !e.busy && e.runId === first)
    await call('organize:rollback', { runId: first })
    expect(await rolledBack).toMatchObject({ action: 'rollback', state: 'rolled-back' })
    expect(filesUnder(out)).toEqual([])

    const second = await interrupted()
    const finished = waitForEvent(services.events, 'organize:changed', (e) => !e.busy && e.runId === second)
    await call('organize:resume', { runId: second })
    expect(await finished).toMatchObject({ action: 'organize', state: 'done' })
    expect(filesUnder(out)).toHaveLength(CLASSES.length * PER_CLASS)
    expect((await call('organize:runs', { jobId }))[0]).toMatchObject({ id: second, interrupted: false })
    await expect(call('organize:resume', { runId: second })).rejects.toThrow(/nothing to finish/)
    expect(await call('organize:cancel', { runId: second })).toEqual({ cancelled: false })
  })
})

describe('pausing, resuming and cancelling a job over IPC', () => {
  let services: TestServices
  let jobs: JobsService
  let organize: OrganizeService
  let handlers: HandlerTable
  let folder: string
  const asked: string[] = []
  /** Calls every photo a cat, one every 20 ms. */
  const slowEngine: BatchEngine = {
    classify: async function* (_modelId, paths, signal) {
      for await (const path of eachPath(paths)) {
        if (signal?.aborted) return
        await new Promise((resolve) => setTimeout(resolve, 20))
        asked.push(path)
        yield { path, top: [{ index: 3, label: 'cat', p: 0.8 }] }
      }
    },
    close: async () => undefined,
  }
  const call = async <C extends Channel>(channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>> =>
    contract[channel].output.parse(await invokeHandler(handlers, channel, input)) as ChannelOutput<C>
  const pickJobFolder = async (): Promise<string> => {
    services.dialogAnswers.folder.push(folder)
    return (await call('jobs:pickFolder'))!.token
  }

  beforeAll(async () => {
    services = await createTestServices()
    // The app's table, with the jobs channels served by a runner on the slow engine.
    const runner = new JobRunner({
      db: services.db,
      classify: slowEngine.classify,
      onProgress: (p) => services.events.emit('jobs:progress', p),
    })
    jobs = new JobsService({ db: services.db, runner, models: services.library, emit: services.events.emit })
    organize = new OrganizeService({ db: services.db, jobs: runner, folders: jobs.folders, emit: services.events.emit })
    handlers = {
      ...services.handlers,
      ...createJobsHandlers({
        jobs,
        organize,
        pickFolder: async () => services.dialogAnswers.folder.shift() ?? null,
      }),
    }
    folder = join(services.dataDir, 'cats')
    mkdirSync(folder)
    for (const file of readdirSync(join(cifarHalfDir(), 'cat')).sort().slice(0, 40)) {
      copyFileSync(join(cifarHalfDir(), 'cat', file), join(folder, file))
    }
  })
  afterAll(async () => {
    await organize?.close()
    await jobs?.close()
    await services?.dispose()
  })

  it('pauses after the image in flight, resumes where it stopped, and cancels for good', async () => {
    const someDone = waitForEvent(services.events, 'jobs:progress', (p) => p.phase === 'classifying' && p.done >= 5)
    const job = await call('jobs:start', { folderToken: await pickJobFolder() })
    await someDone
    const paused = await call('jobs:pause', { jobId: job.id })
    expect(paused.state).toBe('paused')
    expect(paused.classified).toBeGreaterThanOrEqual(5)
    expect(paused.classified).toBeLessThan(40)
    const askedBefore = asked.length
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(asked).toHaveLength(askedBefore) // nothing runs while paused

    const done = waitForEvent(services.events, 'jobs:changed', (e) => e.jobId === job.id && e.state === 'done')
    expect((await call('jobs:resume', { jobId: job.id })).state).toMatch(/queued|running/)
    await done
    expect((await call('jobs:list'))[0]).toMatchObject({ id: job.id, state: 'done', total: 40, classified: 40 })
    expect(new Set(asked).size).toBe(40) // each photo once

    // A job's folder cannot be its output.
    services.dialogAnswers.folder.push(folder)
    const out = (await call('organize:pickOut'))!
    await expect(
      call('organize:plan', { jobId: job.id, outToken: out.token, threshold: 0.5, mode: 'move' }),
    ).rejects.toThrow(/must not be the folder being organized/)

    // Cancelled while it scans: stopped for good, and not organized.
    const scanning = waitForEvent(services.events, 'jobs:progress', (p) => p.phase === 'scanning')
    const again = await call('jobs:start', { folderToken: await pickJobFolder() })
    await scanning
    expect(await call('jobs:cancel', { jobId: again.id })).toMatchObject({ id: again.id, state: 'cancelled' })
    expect(await call('jobs:resume', { jobId: again.id })).toMatchObject({ state: 'cancelled' })
    await expect(
      call('organize:plan', { jobId: again.id, outToken: out.token, threshold: 0.5, mode: 'copy' }),
    ).rejects.toThrow(/only a finished job/)
  })
})
