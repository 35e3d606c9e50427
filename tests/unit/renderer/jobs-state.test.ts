import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { BatchEngine } from '../../../src/main/engine/batch-engine'
import { createInProcessEngine } from '../../support/in-process-engine'
import { jobsHandlersOn } from '../../support/jobs-handlers'
import { createTestServices, type TestServices } from '../../support/services'
import { cifarHalfDir } from '../../support/shared'
import { installWindowApi, until } from './window-bridge'

/**
 * The Jobs screen's state against the main process's real jobs and organize services (on an engine in the
 * test's process) over a real database: a folder job from the dialog to its end with its progress events and
 * errors, then organizing its photos into class folders.
 */
describe('the Jobs state', () => {
  let services: TestServices
  let engine: BatchEngine | undefined
  let jobs: { close(): Promise<void> } | undefined
  let root: string

  async function renderer() {
    vi.resetModules()
    const actions = await import('../../../src/renderer/src/jobs/jobs-actions')
    actions.startJobs()
    return {
      actions,
      organize: await import('../../../src/renderer/src/jobs/organize-actions'),
      jobs: (await import('../../../src/renderer/src/jobs/jobs-store')).useJobsStore,
    }
  }

  beforeAll(async () => {
    services = await createTestServices()
    const table = jobsHandlersOn(
      (s) => (engine = createInProcessEngine(s.library, { delayMs: 20 })).classify,
      (service) => (jobs = service),
    )(services.handlers, services)
    installWindowApi(services, table)
    root = mkdtempSync(join(tmpdir(), 'resnet-lens-jobs-state-'))
    const photos = join(root, 'camera dump')
    mkdirSync(photos)
    for (const name of ['cat', 'ship']) {
      for (const file of readdirSync(join(cifarHalfDir(), name)).slice(0, 3)) {
        copyFileSync(join(cifarHalfDir(), name, file), join(photos, `${name}-${file}`))
      }
    }
    writeFileSync(join(photos, 'broken.jpg'), 'not a jpeg')
  })
  afterAll(async () => {
    vi.unstubAllGlobals()
    await jobs?.close()
    await engine?.close()
    await services.dispose()
    rmSync(root, { recursive: true, force: true })
  })

  it('starts a job on a picked folder, follows it to its end and lists what it could not take', async () => {
    const { actions, jobs: store } = await renderer()
    await until(() => store.getState().jobs.status === 'ready', 'the job list')
    services.dialogAnswers.folder.push(join(root, 'camera dump'))
    await actions.newJob()

    const listed = (): { id: number; state: string; folderName: string }[] => {
      const { jobs } = store.getState()
      return jobs.status === 'ready' ? jobs.data : []
    }
    expect(listed()).toHaveLength(1)
    const job = listed()[0]!
    expect(job.folderName).toBe('camera dump')
    await until(() => listed()[0]?.state === 'done', 'the job to finish', 30_000)
    // The progress events reached the store on the way.
    expect(store.getState().progress[job.id]).toMatchObject({ jobId: job.id, done: 6, total: 6, errors: 1 })

    actions.toggleErrors(job.id)
    await until(() => store.getState().errors[job.id]?.state.status === 'ready', 'the errors panel')
    const panel = store.getState().errors[job.id]!.state
    expect(panel.status === 'ready' && panel.data.errors.map((e) => e.path)).toEqual([
      join(root, 'camera dump', 'broken.jpg'),
    ])
    actions.toggleErrors(job.id)
    expect(store.getState().errors[job.id]).toBeUndefined()
  })

  it('organizes a finished job into class folders from the dialog, then undoes it', async () => {
    const { organize, jobs: store } = await renderer()
    await until(() => store.getState().jobs.status === 'ready', 'the job list')
    const { jobs: list } = store.getState()
    const job = list.status === 'ready' ? list.data[0]! : undefined
    if (!job) throw new Error('no job from the test before')

    organize.openOrganize(job.id)
    const out = join(root, 'sorted')
    mkdirSync(out)
    services.dialogAnswers.folder.push(out)
    await organize.pickOrganizeOut()
    expect(store.getState().organize).toMatchObject({ out: { name: 'sorted' }, mode: 'copy', thresholdPercent: 50 })
    await organize.previewPlan()
    const plan = store.getState().organize?.plan
    expect(plan?.status).toBe('ready')

    await organize.executePlan()
    const runId = store.getState().organize?.runId
    expect(runId).toEqual(expect.any(Number))
    const run = () => {
      const { runs } = store.getState()
      return runs.status === 'ready' ? runs.data.find((r) => r.id === runId) : undefined
    }
    await until(() => run()?.state === 'done', 'the organize run', 30_000)
    expect(organize.runSummary(run()!)).toBe(`Copied 6 files into ${out}`)

    organize.requestRunAction({ runId: runId!, action: 'undo' })
    await organize.confirmRunAction()
    await until(() => run()?.state === 'undone', 'the undo', 30_000)
    expect(organize.runSummary(run()!)).toBe('Undone: removed 6 files copied')
  })
})
