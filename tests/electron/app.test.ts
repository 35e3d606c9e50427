/**
 * The built app (out/main/index.js, out/preload/index.cjs, out/main/engine-worker.js) running against
 * the Electron stand-in in a process of its own: the real glue of src/main/index.ts and
 * src/main/electron/, its window in headless Chromium, its engine in a (stand-in) utility process.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DialogRequest } from './stand-in/wire'
import { invoke } from '../support/page-ipc'
import { launchApp, type LaunchedApp } from '../support/electron-app'
import { cifarHalfDir, sharedPath } from '../support/shared'

interface JobItem {
  id: number
  state: string
  total: number
  classified: number
  failed: number
  message: string | null
}

let scratch: string

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'resnet-lens-electron-'))
})

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true })
})

/** A folder of `count` CIFAR test images (a few of each class), from the `skip`-th of each class on. */
function cifarFolder(name: string, count: number, skip = 0): string {
  const dir = join(scratch, name)
  mkdirSync(dir, { recursive: true })
  const classes = readdirSync(cifarHalfDir()).filter((entry) => !entry.includes('.'))
  for (let i = 0; i < count; i++) {
    const label = classes[i % classes.length]!
    const file = readdirSync(join(cifarHalfDir(), label)).sort()[skip + Math.floor(i / classes.length)]!
    copyFileSync(join(cifarHalfDir(), label, file), join(dir, `${label}-${file}`))
  }
  return dir
}

/** Answers the folder dialogs with these folders, in order, and message boxes with `button`. */
function answering(
  folders: string[][],
  button = 0,
): (request: DialogRequest) => Electron.OpenDialogReturnValue | Electron.MessageBoxReturnValue {
  return (request) => {
    if (request.type === 'message') return { response: button, checkboxChecked: false }
    const next = folders.shift()
    return next ? { canceled: false, filePaths: next } : { canceled: true, filePaths: [] }
  }
}

/** Starts a job on the next folder the dialog answers and waits for it to stop. */
async function runJob(page: Page, timeoutMs = 120_000): Promise<JobItem> {
  const picked = await invoke<{ token: string }>(page, 'jobs:pickFolder')
  const job = await invoke<JobItem>(page, 'jobs:start', { folderToken: picked.token })
  return waitForJob(page, job.id, timeoutMs)
}

async function waitForJob(
  page: Page,
  id: number,
  timeoutMs = 120_000,
  states = ['done', 'failed', 'cancelled'],
): Promise<JobItem> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const jobs = await invoke<JobItem[]>(page, 'jobs:list')
    const job = jobs.find((j) => j.id === id)
    if (job && states.includes(job.state)) return job
    if (Date.now() > deadline) throw new Error(`job ${id} did not stop: ${JSON.stringify(job)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

function errorBoxes(app: LaunchedApp): unknown[] {
  return app.host.notices.filter((n) => n.what === 'dialog.errorBox').map((n) => n.detail)
}

describe('the built app on the Electron stand-in', () => {
  // Each defect's check is soft: a build without one fix still shows whether the others hold.
  describe('one app from its start to its quit', () => {
    let app: LaunchedApp
    let page: Page
    beforeAll(async () => {
      const jobFolder = cifarFolder('job', 12)
      app = await launchApp({ dialogs: answering([[jobFolder], [sharedPath('photos', 'chelsea.png')]]) })
      page = await app.page()
    })
    afterAll(async () => {
      await app?.close()
    })

    it('opens its window, answers IPC, and runs a folder job in the engine process', async () => {
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true)
      // The app's data lives in a folder of its own when it runs from the checkout (defect 10).
      const info = await invoke<{ dataDir: string }>(page, 'app:info')
      expect.soft(info.dataDir).toBe(join(app.appData, 'ResNet Lens Dev'))

      const job = await runJob(page)
      expect(job).toMatchObject({ state: 'done', total: 12, classified: 12, failed: 0 })
      expect(app.host.notices).toContainEqual({
        what: 'utility.spawn',
        detail: expect.objectContaining({ modulePath: expect.stringMatching(/out\/main\/engine-worker\.js$/) }),
      })

      // "Add photos…" on Linux: a person can pick a photo, not only folders (defect 7).
      const report = await invoke<{ added: number } | null>(page, 'library:pickFolders')
      const asked = app.host.notices
        .filter((n) => n.what === 'dialog.open')
        .map((n) => n.detail as Electron.OpenDialogOptions)
      expect.soft(asked.at(-1)?.properties).not.toEqual(expect.arrayContaining(['openFile', 'openDirectory']))
      expect.soft(report).toMatchObject({ added: 1 })

      // A handler's error reaches the page in the reply envelope with its kind and its own message, no prefix.
      await expect(invoke(page, 'models:setActive', { id: 'no-such-model' })).rejects.toMatchObject({
        name: 'IpcError',
        kind: 'not-found',
        message: 'No model "no-such-model" in the library.',
      })
    })

    it('runs one instance per data folder: a second start shows the first window and quits', async () => {
      const since = app.host.notices.length
      const second = await launchApp({ appData: app.appData })
      try {
        expect(await second.exited).toEqual({ code: 0, signal: null })
        expect(second.host.notices.some((n) => n.what === 'utility.spawn')).toBe(false)
        expect(second.host.windowIds()).toEqual([])
        await app.host.waitForNotice((n) => n.what === 'window.focus' && app.host.notices.indexOf(n) >= since, 10_000)
      } finally {
        await second.close()
      }
      expect(app.child.exitCode).toBeNull()
    })

    it('quits after closing its database', async () => {
      const info = await invoke<{ dataDir: string }>(page, 'app:info')
      // Quit waits for the services to close: the database is checkpointed and closed (defect 8).
      expect(await app.quit()).toEqual({ code: 0, signal: null })
      const userData = info.dataDir // where this build keeps its data, right or wrong
      expect.soft(existsSync(join(userData, 'library.db'))).toBe(true)
      expect.soft(existsSync(join(userData, 'library.db-wal'))).toBe(false)
      expect(errorBoxes(app)).toEqual([])
    })
  })

  it('carries on when the engine process is killed during its first calibration, or dies of a fatal error', async () => {
    const first = cifarFolder('killed', 60)
    const second = cifarFolder('fatal', 60, 10) // other photos: nothing is reused
    const app = await launchApp({ dialogs: answering([[first], [second]]) })
    try {
      const page = await app.page()
      // Killed while it measures the engines (defect 9): the new process loads the model again.
      await app.host.control('utility-trap', { op: 'calibrate', action: 'SIGKILL' })
      const killed = await runJob(page)
      expect(app.host.notices.some((n) => n.what === 'utility.trap')).toBe(true)
      expect(killed).toMatchObject({ state: 'done', total: 60, classified: 60, failed: 0 })

      // A fatal V8 error in the engine process (defect 5): Electron emits 'error' before 'exit'; the
      // glue handles it (no uncaught exception in the main process), the job stops with the reason, and
      // resuming it starts a new engine process that finishes it.
      await app.host.control('utility-trap', { op: 'classify', action: 'fatal' })
      const fatal = await runJob(page)
      expect(app.host.notices.filter((n) => n.what === 'utility.trap')).toHaveLength(2)
      expect(fatal).toMatchObject({
        state: 'failed',
        message: expect.stringMatching(/engine process failed \(FatalError/),
      })
      expect(errorBoxes(app)).toEqual([])
      await invoke(page, 'jobs:resume', { jobId: fatal.id })
      expect(await waitForJob(page, fatal.id)).toMatchObject({ state: 'done', classified: 60, failed: 0 })
    } finally {
      await app.close()
    }
  })
})
