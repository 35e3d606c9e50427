/**
 * The Electron stand-in's renderer side, in the test's process: each BrowserWindow is a page of headless
 * Chromium. The window's preload script (the built `out/preload/index.cjs`) runs in the page before the
 * page's own scripts, as Electron's sandboxed preload does: wrapped as CommonJS with a `require` that
 * knows only what a sandboxed preload may require (`electron`: contextBridge, ipcRenderer, webUtils;
 * `events`, `timers`, `url`), and an `ipcRenderer` whose messages go to the main side's `ipcMain` with
 * the sending frame's URL, structured-cloned, with Electron's "Error invoking remote method" prefix on
 * a handler's error.
 */
import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import type { BrowserContext, Page } from 'playwright-core'
import type { DialogAnswer, DialogRequest, Notice, ToMain, ToRenderer, WindowSpec } from './wire'

export type DialogResponder = (request: DialogRequest) => DialogAnswer | Promise<DialogAnswer>

export interface RendererHostOptions {
  /** Answers the main side's dialogs (default: the person cancels). */
  dialogs?: DialogResponder
  /** Runs for each new page before it loads (init scripts, listeners). */
  preparePage?: (page: Page) => Promise<void>
}

interface HostedWindow {
  spec: WindowSpec
  page: Promise<Page>
  /** Messages for this window, in order. */
  queue: Promise<unknown>
  closing: boolean
}

type BindingRequest =
  { type: 'invoke'; channel: string; args: unknown[] } | { type: 'send'; channel: string; args: unknown[] }

export class RendererHost {
  readonly notices: Notice[] = []
  readonly events = new EventEmitter()
  private readonly windows = new Map<number, HostedWindow>()
  private nextRequestId = 1
  private readonly invokes = new Map<number, (reply: Extract<ToRenderer, { kind: 'invoke-reply' }>) => void>()
  private readonly controls = new Map<number, (reply: Extract<ToRenderer, { kind: 'control-reply' }>) => void>()
  dialogs: DialogResponder

  constructor(
    private readonly context: BrowserContext,
    private readonly toMain: (message: ToMain) => void,
    private readonly options: RendererHostOptions = {},
  ) {
    this.dialogs = options.dialogs ?? (() => ({ canceled: true, filePaths: [] }))
  }

  receive(message: ToRenderer): void {
    switch (message.kind) {
      case 'open':
        this.open(message.window)
        break
      case 'load':
        this.inWindow(message.windowId, async (page) => {
          try {
            await page.goto(message.url)
            this.toMain({ kind: 'loaded', windowId: message.windowId, url: page.url() })
          } catch (error) {
            this.toMain({ kind: 'load-failed', windowId: message.windowId, error: String(error) })
          }
        })
        break
      case 'send':
        if (process.env.STANDIN_DEBUG) console.error('send', JSON.stringify(message.args).slice(0, 150))
        this.inWindow(message.windowId, (page) => {
          // Not awaited in the queue: a page busy loading takes it when it can, as Chromium would.
          void page
            .evaluate(
              ([channel, args]) =>
                (globalThis as unknown as { __standInDeliver?: (c: string, a: unknown[]) => void }).__standInDeliver?.(
                  channel,
                  args,
                ),
              [message.channel, message.args] as const,
            )
            .catch(() => undefined) // the page is navigating or closed: the message is lost, as in Electron
        })
        break
      case 'close': {
        const window = this.windows.get(message.windowId)
        if (!window) return
        window.closing = true
        this.windows.delete(message.windowId)
        void window.page.then((page) => page.close()).catch(() => undefined)
        this.events.emit('window-closed', message.windowId)
        break
      }
      case 'focus':
        this.inWindow(message.windowId, (page) => page.bringToFront())
        break
      case 'invoke-reply':
        this.invokes.get(message.requestId)?.(message)
        this.invokes.delete(message.requestId)
        break
      case 'control-reply':
        this.controls.get(message.requestId)?.(message)
        this.controls.delete(message.requestId)
        break
      case 'dialog':
        void Promise.resolve(this.dialogs(message.request)).then((answer) =>
          this.toMain({ kind: 'dialog-answer', requestId: message.requestId, answer }),
        )
        break
      case 'notice':
        this.notices.push(message.notice)
        this.events.emit('notice', message.notice)
        break
    }
  }

  /** The page of a window (the first one opened by default), once it exists. */
  async page(windowId?: number): Promise<Page> {
    const id = windowId ?? [...this.windows.keys()][0]
    if (id === undefined) {
      const opened = await new Promise<number>((resolve) => this.events.once('window-opened', resolve))
      return this.page(opened)
    }
    const window = this.windows.get(id)
    if (!window) throw new Error(`no window ${id}`)
    return window.page
  }

  windowIds(): number[] {
    return [...this.windows.keys()]
  }

  /** A person closes the window (the close button). */
  userClose(windowId: number): void {
    this.toMain({ kind: 'user-close', windowId })
  }

  /** Asks the main side to do what a person or the system would (quit, activate, ...). */
  control(op: string, ...args: unknown[]): Promise<unknown> {
    const requestId = this.nextRequestId++
    return new Promise((resolve, reject) => {
      this.controls.set(requestId, (reply) => (reply.ok ? resolve(reply.value) : reject(new Error(reply.error))))
      this.toMain({ kind: 'control', requestId, op, args })
    })
  }

  /** Resolves with the first notice (past or coming) that matches. */
  waitForNotice(match: (notice: Notice) => boolean, timeoutMs = 60_000): Promise<Notice> {
    const found = this.notices.find(match)
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('notice', listener)
        reject(new Error('the expected notice did not come'))
      }, timeoutMs)
      const listener = (notice: Notice): void => {
        if (!match(notice)) return
        clearTimeout(timer)
        this.events.off('notice', listener)
        resolve(notice)
      }
      this.events.on('notice', listener)
    })
  }

  private inWindow(windowId: number, work: (page: Page) => unknown): void {
    const window = this.windows.get(windowId)
    if (!window) return
    window.queue = window.queue.then(() => window.page).then(work, () => undefined)
  }

  private open(spec: WindowSpec): void {
    const page = this.createPage(spec)
    const window: HostedWindow = { spec, page, queue: page.catch(() => undefined), closing: false }
    this.windows.set(spec.windowId, window)
    void page.then(() => this.events.emit('window-opened', spec.windowId))
  }

  private async createPage(spec: WindowSpec): Promise<Page> {
    const page = await this.context.newPage()
    await page.exposeBinding('__standInIpc', async ({ frame }, request: BindingRequest) => {
      const frameUrl = frame.url()
      const topFrame = frame.parentFrame() === null
      if (request.type === 'send') {
        this.toMain({
          kind: 'ipc-send',
          windowId: spec.windowId,
          frameUrl,
          topFrame,
          channel: request.channel,
          args: request.args,
        })
        return undefined
      }
      const requestId = this.nextRequestId++
      const reply = await new Promise<Extract<ToRenderer, { kind: 'invoke-reply' }>>((resolve) => {
        this.invokes.set(requestId, resolve)
        this.toMain({
          kind: 'invoke',
          requestId,
          windowId: spec.windowId,
          frameUrl,
          topFrame,
          channel: request.channel,
          args: request.args,
        })
      })
      return reply.ok ? { ok: true, value: reply.value } : { ok: false, error: reply.error }
    })
    if (spec.preload) await page.addInitScript(preloadRunner(readFileSync(spec.preload, 'utf8'), spec))
    if (process.env.STANDIN_DEBUG) page.on('console', (m) => console.error('page:', m.type(), m.text()))
    await this.options.preparePage?.(page)
    page.on('close', () => {
      const window = this.windows.get(spec.windowId)
      if (window && !window.closing) this.userClose(spec.windowId)
    })
    return page
  }
}

/**
 * The page side: a sandboxed preload's world. The script runs in the page (not an isolated world:
 * the harness has none), so `contextBridge.exposeInMainWorld` defines a frozen copy on `window`.
 */
function preloadRunner(source: string, spec: WindowSpec): string {
  if (!spec.sandbox) throw new Error('The stand-in runs sandboxed preloads only (the app must use sandbox: true).')
  if (/^\s*(import|export)\s/m.test(source))
    throw new Error('Unable to load preload script: a sandboxed preload must be CommonJS, not an ES module.')
  return `(() => {
  if (window.top !== window) return
  const binding = globalThis.__standInIpc
  const listeners = new Map()
  const cloneArgs = (args) => {
    try { return structuredClone(args) } catch { throw new Error('An object could not be cloned.') }
  }
  // What the harness drives through the DevTools protocol (the test's page.evaluate, the messages the
  // main side sends) runs where the page's CSP does not apply to eval; what the page does itself runs
  // under it. So a message reaches the page as a task of its own, as Electron's IPC does, and a reply
  // is taken in one: the preload's code never runs on the harness's stack.
  const pageTask = () => new Promise((resolve) => setTimeout(resolve, 0))
  const ipcRenderer = {
    async invoke(channel, ...args) {
      const reply = await binding({ type: 'invoke', channel: String(channel), args: cloneArgs(args) })
      await pageTask()
      if (!reply.ok) throw new Error("Error invoking remote method '" + channel + "': " + reply.error)
      return reply.value
    },
    send(channel, ...args) {
      void binding({ type: 'send', channel: String(channel), args: cloneArgs(args) })
    },
    on(channel, listener) {
      const set = listeners.get(channel) ?? new Set()
      set.add(listener)
      listeners.set(channel, set)
      return ipcRenderer
    },
    once(channel, listener) {
      const once = (...a) => { ipcRenderer.removeListener(channel, once); listener(...a) }
      return ipcRenderer.on(channel, once)
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener)
      return ipcRenderer
    },
    off(channel, listener) { return ipcRenderer.removeListener(channel, listener) },
    removeAllListeners(channel) {
      if (channel === undefined) listeners.clear(); else listeners.delete(channel)
      return ipcRenderer
    },
    listenerCount(channel) { return listeners.get(channel)?.size ?? 0 },
  }
  Object.defineProperty(globalThis, '__standInDeliver', {
    value: (channel, args) => {
      setTimeout(() => {
        for (const listener of [...(listeners.get(channel) ?? [])]) listener({ sender: ipcRenderer, senderId: 0, ports: [] }, ...args)
      }, 0)
    },
  })
  const copyForBridge = (value) => {
    if (typeof value === 'function') {
      return (...args) => {
        const result = value(...args)
        // A rejection crosses the bridge as a plain Error with the message.
        return result instanceof Promise ? result.catch((e) => { throw new Error(e instanceof Error ? e.message : String(e)) }) : result
      }
    }
    if (value === null || typeof value !== 'object') return value
    if (Array.isArray(value)) return Object.freeze(value.map(copyForBridge))
    const copy = {}
    for (const key of Object.keys(value)) copy[key] = copyForBridge(value[key])
    return Object.freeze(copy)
  }
  const contextBridge = {
    exposeInMainWorld(key, api) {
      if (!${JSON.stringify(spec.contextIsolation)}) throw new Error('contextBridge API can only be used when contextIsolation is enabled')
      Object.defineProperty(globalThis, key, { value: copyForBridge(api), enumerable: true })
    },
  }
  const webUtils = {
    // A page of the harness has no file paths: tests name them in __testDropPaths (file name -> path).
    getPathForFile: (file) => (globalThis.__testDropPaths ?? {})[file?.name ?? ''] ?? '',
  }
  const webFrame = { setZoomFactor() {}, getZoomFactor: () => 1 }
  const modules = {
    electron: Object.freeze({ contextBridge, ipcRenderer, webUtils, webFrame }),
    timers: Object.freeze({ setTimeout, clearTimeout, setInterval, clearInterval }),
    url: Object.freeze({ URL, URLSearchParams }),
    events: Object.freeze({ EventEmitter: class EventEmitter extends EventTarget {} }),
  }
  const sandboxRequire = (id) => {
    if (Object.prototype.hasOwnProperty.call(modules, id)) return modules[id]
    throw new Error('module not found: ' + id)
  }
  const sandboxProcess = Object.freeze({
    type: 'renderer', sandboxed: true, contextIsolated: ${JSON.stringify(spec.contextIsolation)},
    platform: navigator.platform.startsWith('Mac') ? 'darwin' : navigator.platform.startsWith('Win') ? 'win32' : 'linux',
    env: {}, argv: [], execPath: '', versions: Object.freeze({ electron: '40.10.2' }),
    on() {}, once() {}, removeListener() {},
  })
  // No string is evaluated as code in the preload, wherever it is called from: the page's CSP forbids
  // eval, and a test's call (the DevTools protocol's stack, which bypasses it) must not let a library
  // decide once that eval works (zod caches that) and then fail on the page's own calls.
  const NoEval = function Function() {
    throw new EvalError("Evaluating a string as JavaScript violates the following Content Security Policy directive because 'unsafe-eval' is not an allowed source of script (the preload's world)")
  }
  const module = { exports: {} }
  ;(function (require, module, exports, process, Buffer, global, Function) {
${source}
  })(sandboxRequire, module, module.exports, sandboxProcess, undefined, globalThis, NoEval)
})()
//# sourceURL=preload-standin.js`
}
