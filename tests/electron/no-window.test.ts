/**
 * The main process knows when no window listens (defect 4): the built app on the Electron stand-in,
 * emulating macOS, where closing the window leaves the app running. What the main process asked the
 * window ends when the window closes, not at its time limit.
 */
import { describe, expect, it } from 'vitest'
import type { ToRenderer } from './stand-in/wire'
import { invoke } from '../support/page-ipc'
import { launchApp } from '../support/electron-app'

interface Measurement {
  engine: string
  imagesPerSecond: number | null
  note: string | null
  measuredAt: string
}

describe('the built app with no window open (macOS)', () => {
  it('ends a WebGPU measurement the closed window was asked for at once, and keeps running', async () => {
    const app = await launchApp({
      platform: 'darwin',
      // The page's WebGPU measurement never ends (a real GPU's takes seconds): only the main process's
      // knowing that the window closed can end it before its 30 s limit.
      async preparePage(page) {
        await page.addInitScript(() => {
          Object.defineProperty(Navigator.prototype, 'gpu', {
            configurable: true,
            get: () => ({ requestAdapter: () => new Promise(() => undefined) }),
          })
        })
      },
    })
    try {
      const page = await app.page()
      const { card } = await invoke<{ card: { id: string } }>(page, 'models:active')
      // The window is asked to measure WebGPU when the measurement starts.
      const asked = new Promise<void>((resolve) => {
        const receive = app.host.receive.bind(app.host)
        app.host.receive = (message: ToRenderer) => {
          if (message.kind === 'send' && message.args[0] === 'engine:measureWebgpu') resolve()
          receive(message)
        }
      })
      void page
        .evaluate(
          (id) =>
            (window as unknown as { api: { invoke(c: string, i: unknown): Promise<unknown> } }).api
              .invoke('engine:measure', { id })
              .catch(() => undefined),
          card.id,
        )
        .catch(() => undefined) // the page closes before the answer
      await asked

      const [windowId] = app.host.windowIds()
      app.host.userClose(windowId!)
      await app.host.waitForNotice((n) => n.what === 'window.closed')
      const closedAt = Date.now()
      // macOS: the app runs on with no window.
      await new Promise((resolve) => setTimeout(resolve, 1000))
      expect(app.child.exitCode).toBeNull()
      expect(app.host.notices.filter((n) => n.what === 'quit')).toEqual([])

      // The Dock icon: a new window, whose page reads what was measured.
      await app.host.control('activate')
      const again = await app.page()
      let webgpu: Measurement | undefined
      await expect
        .poll(
          async () => {
            const view = await invoke<{ choice: { measurements: Measurement[] } | null }>(again, 'engine:choice', {
              id: card.id,
            })
            webgpu = view.choice?.measurements.find((m) => m.engine === 'webgpu')
            return webgpu !== undefined
          },
          { timeout: 90_000, interval: 500 },
        )
        .toBe(true)
      expect(webgpu).toMatchObject({ imagesPerSecond: null, note: expect.stringMatching(/window closed|no window/) })
      expect(Date.parse(webgpu!.measuredAt) - closedAt).toBeLessThan(10_000)
      expect(await app.quit()).toEqual({ code: 0, signal: null })
    } finally {
      await app.close()
    }
  })
})
