/**
 * A stand-in for the `electron` module's main-process API, for machines without Electron's binary.
 *
 * It is a contract, kept honest two ways: each object is typed against `electron.d.ts` (a `Pick` of the
 * real interface, so a renamed or retyped Electron API fails the type check), and it enforces what
 * real Electron enforces and what the app's glue could get wrong: privileged schemes registered before
 * `ready` and `protocol.handle` after it, one handler per protocol and per IPC channel, handler replies
 * that must be `Response`s, structured-clone IPC payloads and Electron's "Error invoking remote method"
 * prefix, the sandboxed preload's module allow-list (on the renderer side), a utility process with
 * `process.parentPort` that emits `'error'` on a fatal error before `'exit'`, the quit sequence
 * (`before-quit`, closing windows, `will-quit`, `quit`), the single-instance lock, and folder-only
 * pickers on Windows and Linux when a dialog asks for files and folders.
 *
 * Pages are shown by a renderer side (headless Chromium, see renderer-host.ts) that this module talks to
 * through a `RendererLink`. A custom scheme's pages and every request the app handles are served on a
 * loopback "front" server per origin that calls the app's protocol handlers with the real URL
 * (`app://bundle/...`): the page's URLs are mapped to the front and back (frame URLs, `getURL()`).
 */
import { fork, spawnSync, type ChildProcess, type Serializable } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect, createServer as createNetServer, type Server as NetServer } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { Readable, type Duplex } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { DialogAnswer, DialogRequest, Notice, Platform, ToMain, ToRenderer, WindowSpec } from './wire'

export const ELECTRON_VERSION = '40.10.2'

/** Where the main side sends what the renderer side must do. */
export interface RendererLink {
  post(message: ToRenderer): void
}

export interface StandInOptions {
  /** The app's folder (its package.json names the app and its version). */
  appDir: string
  /** Electron's `appData` (userData is `appData/<name>` unless the app sets it). */
  appData: string
  platform?: Platform
  /** A packaged app: `app.isPackaged`, and `process.resourcesPath` is this. */
  resourcesPath?: string
  /** The command line (`process.argv` in the app's process). */
  argv?: string[]
  /** Ends the process (the app's process: `process.exit`); in the test's process, only records it. */
  exit?: (code: number) => void
}

const here = dirname(fileURLToPath(import.meta.url))
const UTILITY_CHILD = pathToFileURL(join(here, 'utility-child.mjs')).href

type Privileges = Electron.CustomScheme['privileges']
type Handler = (request: Request) => Response | Promise<Response>

/** A preventable Electron event object. */
function preventable(): Electron.Event & { defaultPrevented: boolean } {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true
    },
  }
  return event as unknown as Electron.Event & { defaultPrevented: boolean }
}

/** Electron's structured clone of IPC payloads: what cannot be cloned is refused, as Electron does. */
function cloneForIpc<T>(value: T, what: string): T {
  try {
    return structuredClone(value)
  } catch {
    throw new Error(`${what}: An object could not be cloned.`)
  }
}

// ---------------------------------------------------------------------------------------------
// The instance: one Electron "process"

export class StandIn {
  platform: Platform
  readonly appDir: string
  readonly isPackaged: boolean
  readonly resourcesPath: string
  readonly notices: Notice[] = []
  readonly noticeEvents = new EventEmitter()
  exitCode: number | undefined

  readonly app: StandInApp
  readonly ipcMain: StandInIpcMain
  readonly protocol: StandInProtocol
  readonly dialog: StandInDialog
  readonly session: { defaultSession: StandInSession }
  readonly utilityProcess: { fork: typeof StandInUtilityProcess.fork }
  readonly shell: Pick<Electron.Shell, 'openExternal'>
  readonly net: Pick<Electron.Net, 'fetch'>

  readonly windows = new Map<number, BrowserWindow>()
  readonly utilities = new Set<StandInUtilityProcess>()
  /** Kills or aborts the engine process when the app posts it a message with this `op` (tests). */
  utilityTrap: { op: string; action: 'SIGKILL' | 'fatal' } | undefined
  focusedId: number | undefined

  private nextWindowId = 1
  private nextRequestId = 1
  private readonly dialogs = new Map<number, (answer: DialogAnswer) => void>()
  private readonly fronts = new Map<string, Promise<{ server: Server; base: string }>>()
  private readonly exitFn: (code: number) => void

  constructor(
    readonly link: RendererLink,
    private readonly options: StandInOptions,
  ) {
    this.platform = options.platform ?? (process.platform as Platform)
    this.appDir = options.appDir
    this.isPackaged = options.resourcesPath !== undefined
    this.resourcesPath = options.resourcesPath ?? join(here, 'resources')
    this.exitFn = options.exit ?? ((code) => void (this.exitCode = code))
    this.app = new StandInApp(this, options)
    this.ipcMain = new StandInIpcMain()
    this.protocol = new StandInProtocol(this)
    this.dialog = new StandInDialog(this)
    this.session = { defaultSession: new StandInSession(this.protocol) }
    this.utilityProcess = { fork: (path, args, opts) => StandInUtilityProcess.fork(path, args, opts, this) }
    this.shell = {
      openExternal: async (url) => {
        this.notice('shell.openExternal', url)
      },
    }
    this.net = { fetch: (input, init) => this.fetch(input, init) }
  }

  notice(what: string, detail?: unknown): void {
    const notice = { what, ...(detail !== undefined && { detail }) }
    this.notices.push(notice)
    this.noticeEvents.emit('notice', notice)
    try {
      this.link.post({ kind: 'notice', notice })
    } catch {
      // A notice the renderer side cannot take (not cloneable) is still recorded here.
    }
  }

  exit(code: number): void {
    for (const child of this.utilities) child.kill()
    this.app.releaseSingleInstanceLock()
    for (const front of this.fronts.values()) void front.then(({ server }) => server.close())
    this.exitFn(code)
  }

  newWindowId(): number {
    return this.nextWindowId++
  }

  /** What the renderer side asked or told. */
  receive(message: ToMain): void {
    switch (message.kind) {
      case 'invoke':
        void this.invoke(message)
        break
      case 'ipc-send': {
        const window = this.windows.get(message.windowId)
        if (!window) return
        const event = this.ipcEvent(window, message.frameUrl, message.topFrame)
        this.ipcMain.emit(message.channel, event, ...cloneForIpc(message.args, 'ipcRenderer.send'))
        break
      }
      case 'loaded':
        this.windows.get(message.windowId)?.loaded(message.url)
        break
      case 'load-failed':
        this.windows.get(message.windowId)?.loadFailed(message.error)
        break
      case 'user-close':
        this.windows.get(message.windowId)?.close()
        break
      case 'dialog-answer': {
        const resolve = this.dialogs.get(message.requestId)
        this.dialogs.delete(message.requestId)
        resolve?.(message.answer)
        break
      }
      case 'control':
        void this.control(message.op, message.args).then(
          (value) => this.link.post({ kind: 'control-reply', requestId: message.requestId, ok: true, value }),
          (error: unknown) =>
            this.link.post({ kind: 'control-reply', requestId: message.requestId, ok: false, error: String(error) }),
        )
        break
    }
  }

  askDialog(request: DialogRequest): Promise<DialogAnswer> {
    const requestId = this.nextRequestId++
    return new Promise((resolve) => {
      this.dialogs.set(requestId, resolve)
      this.link.post({ kind: 'dialog', requestId, request })
    })
  }

  /** What tests can make the "person" or the system do. */
  private async control(op: string, args: unknown[]): Promise<unknown> {
    switch (op) {
      case 'quit':
        setImmediate(() => this.app.quit()) // after the reply: the process may end in it
        return undefined
      case 'activate':
        this.app.emit('activate', preventable(), this.windows.size > 0)
        return undefined
      case 'set-platform':
        this.platform = args[0] as Platform
        Object.defineProperty(process, 'platform', { value: this.platform })
        return undefined
      case 'utility-trap':
        this.utilityTrap = args[0] as StandIn['utilityTrap']
        return undefined
      case 'state':
        return {
          windows: [...this.windows.values()].map((w) => ({
            id: w.id,
            url: w.webContents.getURL(),
            visible: w.visible,
          })),
          utilities: [...this.utilities].map((u) => u.pid),
          ipcChannels: this.ipcMain.channels(),
          focusedId: this.focusedId,
        }
      default:
        throw new Error(`unknown control "${op}"`)
    }
  }

  private async invoke(message: Extract<ToMain, { kind: 'invoke' }>): Promise<void> {
    const reply = (ok: boolean, value?: unknown, error?: string): void =>
      this.link.post({
        kind: 'invoke-reply',
        requestId: message.requestId,
        ok,
        value,
        ...(error !== undefined && { error }),
      })
    const window = this.windows.get(message.windowId)
    if (!window) return reply(false, undefined, 'Error: the window is gone')
    const handler = this.ipcMain.handlerFor(message.channel)
    // Electron's renderer adds "Error invoking remote method '<channel>': " to what the main side says.
    if (!handler) return reply(false, undefined, `Error: No handler registered for '${message.channel}'`)
    try {
      const event = this.ipcEvent(window, message.frameUrl, message.topFrame)
      if (process.env.STANDIN_DEBUG) console.error('invoke>', message.channel, JSON.stringify(message.args))
      const value = await handler(event, ...cloneForIpc(message.args, 'ipcRenderer.invoke'))
      if (process.env.STANDIN_DEBUG) console.error('invoke<', message.channel)
      reply(true, cloneForIpc(value, `reply on ${message.channel}`))
    } catch (error) {
      if (process.env.STANDIN_DEBUG) console.error('invoke', message.channel, error)
      reply(false, undefined, String(error))
    }
  }

  private ipcEvent(window: BrowserWindow, frameUrl: string, topFrame: boolean): Electron.IpcMainInvokeEvent {
    const url = this.fromPage(frameUrl)
    const frame = { url, parent: topFrame ? null : { url: '' }, top: null, frameTreeNodeId: 1 }
    const event = {
      ...preventable(),
      type: 'frame',
      frameId: 1,
      processId: window.id,
      sender: window.webContents,
      senderFrame: frame,
      ports: [],
      returnValue: undefined,
      reply: (channel: string, ...args: unknown[]) => window.webContents.send(channel, ...args),
    }
    return event as unknown as Electron.IpcMainInvokeEvent
  }

  // ---- URLs: the page sees loopback fronts; the app sees its own URLs ----

  /** The URL the page loads for an app URL (a front for custom schemes and for http(s) origins). */
  async toPage(url: string): Promise<string> {
    const target = new URL(url)
    if (target.protocol === 'file:' || target.protocol === 'data:' || target.protocol === 'about:') return url
    const scheme = target.protocol.slice(0, -1)
    const builtIn = scheme === 'http' || scheme === 'https'
    if (!builtIn) {
      const privileges = this.protocol.privilegesOf(scheme)
      if (!privileges?.standard || !privileges.secure)
        throw new Error(
          `ERR_UNKNOWN_URL_SCHEME: ${scheme}: is not a standard, secure scheme (registerSchemesAsPrivileged)`,
        )
    }
    // WHATWG URLs give custom schemes an opaque ('null') origin: the front is per scheme and host.
    const front = await this.front(`${target.protocol}//${target.host}`)
    return front.base + target.pathname + target.search + target.hash
  }

  /** The app's URL for a URL the page reports. */
  fromPage(url: string): string {
    for (const [origin, front] of this.frontBases) if (url.startsWith(front)) return origin + url.slice(front.length)
    return url
  }

  private readonly frontBases = new Map<string, string>()

  private front(origin: string): Promise<{ server: Server; base: string }> {
    let front = this.fronts.get(origin)
    if (!front) {
      front = this.startFront(origin)
      this.fronts.set(origin, front)
    }
    return front
  }

  private async startFront(origin: string): Promise<{ server: Server; base: string }> {
    const server = createHttpServer((req, res) =>
      this.serve(origin, req, res).catch((error: unknown) => {
        this.notice('front-error', String(error))
        res.destroy()
      }),
    )
    const builtIn = origin.startsWith('http:') || origin.startsWith('https:')
    // The dev server's hot reload talks over a WebSocket: passed through as it is.
    if (builtIn) server.on('upgrade', (req, socket, head) => upgradeThrough(origin, req, socket, head))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    if (!address || typeof address === 'string') throw new Error('front server has no port')
    const base = `http://127.0.0.1:${address.port}`
    this.frontBases.set(origin, base)
    server.unref()
    return { server, base }
  }

  private async serve(origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (process.env.STANDIN_DEBUG) console.error('front', origin, req.method, req.url)
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (name === 'host' || name === 'connection' || value === undefined) continue
      headers.set(name, Array.isArray(value) ? value.join(', ') : value)
    }
    const method = req.method ?? 'GET'
    const hasBody = method !== 'GET' && method !== 'HEAD'
    const request = new Request(origin + (req.url ?? '/'), {
      method,
      headers,
      ...(hasBody && { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' }),
    } as RequestInit)
    let response: Response
    try {
      response = await this.fetch(request)
    } catch (error) {
      res.writeHead(502, { 'Content-Type': 'text/plain' })
      res.end(String(error))
      return
    }
    const out: Record<string, string> = {}
    response.headers.forEach((value, name) => {
      if (name !== 'content-encoding' && name !== 'transfer-encoding') out[name] = value
    })
    // A fetched response's body is already decoded: its length no longer matches.
    if (response.headers.has('content-encoding')) delete out['content-length']
    res.writeHead(response.status, response.statusText, out)
    if (!response.body || method === 'HEAD') return void res.end()
    Readable.fromWeb(response.body as NodeReadableStream)
      .on('error', () => res.destroy())
      .pipe(res)
  }

  /**
   * `net.fetch`: a scheme with a handler goes to it (Electron's checks on what comes back), unless
   * `bypassCustomProtocolHandlers`; http(s) otherwise goes to the network; file: is read from disk.
   */
  async fetch(
    input: string | Request,
    init?: RequestInit & { bypassCustomProtocolHandlers?: boolean },
  ): Promise<Response> {
    const { bypassCustomProtocolHandlers = false, ...rest } = init ?? {}
    const request = typeof input === 'string' ? new Request(input, rest) : init ? new Request(input, rest) : input
    const scheme = new URL(request.url).protocol.slice(0, -1)
    const handler = bypassCustomProtocolHandlers ? undefined : this.protocol.handlerOf(scheme)
    if (handler) return this.protocol.run(scheme, handler, request)
    if (scheme === 'http' || scheme === 'https') return fetch(request)
    if (scheme === 'file') {
      try {
        return new Response(readFileSync(fileURLToPath(request.url)))
      } catch {
        return new Response(null, { status: 404 })
      }
    }
    throw new Error(`net::ERR_UNKNOWN_URL_SCHEME (${request.url})`)
  }
}

/** Pipes a WebSocket upgrade to the real http origin. */
function upgradeThrough(origin: string, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const target = new URL(origin)
  const upstream = connect(Number(target.port || 80), target.hostname === 'localhost' ? 'localhost' : target.hostname)
  upstream.on('connect', () => {
    const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`]
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!
      lines.push(`${name}: ${name.toLowerCase() === 'host' ? target.host : req.rawHeaders[i + 1]}`)
    }
    upstream.write(lines.join('\r\n') + '\r\n\r\n')
    if (head.length > 0) upstream.write(head)
    socket.pipe(upstream).pipe(socket)
  })
  upstream.on('error', () => socket.destroy())
  socket.on('error', () => upstream.destroy())
}

// ---------------------------------------------------------------------------------------------
// app

type AppApi = Pick<
  Electron.App,
  | 'whenReady'
  | 'isReady'
  | 'quit'
  | 'exit'
  | 'getPath'
  | 'setPath'
  | 'getName'
  | 'getVersion'
  | 'getAppPath'
  | 'isPackaged'
  | 'requestSingleInstanceLock'
  | 'hasSingleInstanceLock'
  | 'releaseSingleInstanceLock'
  | 'focus'
>

class StandInApp extends EventEmitter implements AppApi {
  private ready = false
  private readonly readyPromise: Promise<void>
  private markReady!: () => void
  private readonly paths = new Map<string, string>()
  private readonly name: string
  private readonly version: string
  private quitting = false
  private lock: { file: string; socket: string; server: NetServer } | undefined

  constructor(
    private readonly standIn: StandIn,
    private readonly options: StandInOptions,
  ) {
    super()
    const pkg = JSON.parse(readFileSync(join(options.appDir, 'package.json'), 'utf8')) as {
      name: string
      productName?: string
      version: string
    }
    this.name = pkg.productName ?? pkg.name
    this.version = pkg.version
    this.paths.set('appData', options.appData)
    this.paths.set('home', homedir())
    this.paths.set('temp', tmpdir())
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve))
  }

  get isPackaged(): boolean {
    return this.standIn.isPackaged
  }

  /** Becomes ready on the next turn, after the app's top-level code ran (as Electron does). */
  start(): void {
    setTimeout(() => {
      this.ready = true
      this.emit('will-finish-launching')
      this.emit('ready', preventable(), {})
      this.markReady()
    }, 0)
  }

  whenReady(): Promise<void> {
    return this.readyPromise
  }

  isReady(): boolean {
    return this.ready
  }

  getName(): string {
    return this.name
  }

  getVersion(): string {
    return this.version
  }

  getAppPath(): string {
    return this.options.appDir
  }

  getPath(name: Parameters<Electron.App['getPath']>[0]): string {
    const set = this.paths.get(name)
    if (set) return set
    const appData = this.paths.get('appData')!
    switch (name) {
      case 'userData':
        return join(appData, this.name)
      case 'sessionData':
        return this.getPath('userData')
      case 'logs':
        return join(this.getPath('userData'), 'logs')
      case 'crashDumps':
        return join(this.getPath('userData'), 'Crashpad')
      default:
        throw new Error(`Failed to get '${name}' path (not in the stand-in)`)
    }
  }

  setPath(name: string, path: string): void {
    if (!isAbsolute(path)) throw new Error(`Path must be absolute: ${path}`)
    // Electron: "If you want to change the userData path, call it before the ready event".
    if (this.ready && (name === 'userData' || name === 'sessionData'))
      this.standIn.notice('warning', `app.setPath('${name}') after ready: Chromium already uses the old folder`)
    this.paths.set(name, path)
  }

  focus(): void {
    this.standIn.notice('app.focus')
  }

  // ---- quitting ----

  quit(): void {
    if (this.quitting) return
    const beforeQuit = preventable()
    this.emit('before-quit', beforeQuit)
    if (beforeQuit.defaultPrevented) return
    this.quitting = true
    this.standIn.notice('quit', 'closing windows')
    for (const window of [...this.standIn.windows.values()]) {
      window.close()
      if (!window.isDestroyed()) {
        this.quitting = false // a window refused to close: the quit is cancelled
        return
      }
    }
    this.afterWindowsClosed()
  }

  /** All windows are gone during a quit: will-quit, then quit, then the process ends. */
  private afterWindowsClosed(): void {
    const willQuit = preventable()
    this.emit('will-quit', willQuit)
    if (willQuit.defaultPrevented) {
      this.standIn.notice('quit', 'will-quit prevented')
      this.quitting = false
      return
    }
    this.emit('quit', preventable(), 0)
    this.standIn.notice('quit', 'exit')
    this.standIn.exit(0)
  }

  exit(code = 0): void {
    this.standIn.notice('quit', `app.exit(${code})`)
    this.standIn.exit(code)
  }

  /** Electron's default: with no 'window-all-closed' listener, the app quits when its last window closes. */
  lastWindowClosed(): void {
    if (this.quitting) return
    if (this.listenerCount('window-all-closed') === 0) this.quit()
    else this.emit('window-all-closed')
  }

  // ---- single instance ----

  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean {
    if (this.lock) return true
    const dir = this.getPath('userData')
    const file = join(dir, 'SingletonLock')
    const socket = join(dir, 'SingletonSocket')
    mkdirSync(dir, { recursive: true }) // Electron creates userData when it first needs it
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx')
        writeSync(fd, String(process.pid))
        closeSync(fd)
        rmSync(socket, { force: true })
        const server = createNetServer((connection) => {
          let text = ''
          connection.on('data', (chunk) => (text += chunk.toString()))
          connection.on('end', () => {
            const { argv, cwd, data } = JSON.parse(text) as { argv: string[]; cwd: string; data: unknown }
            this.emit('second-instance', preventable(), argv, cwd, data)
          })
        })
        server.listen(socket)
        server.unref()
        this.lock = { file, socket, server }
        return true
      } catch {
        const owner = Number(readFileSync(file, 'utf8'))
        if (!alive(owner)) {
          rmSync(file, { force: true }) // a stale lock of a crashed instance
          continue
        }
        // Tell the first instance, synchronously (Electron blocks here too), then refuse.
        const message = JSON.stringify({
          argv: this.options.argv ?? process.argv,
          cwd: process.cwd(),
          data: additionalData,
        })
        spawnSync(
          process.execPath,
          [
            '-e',
            'const s=require("net").connect(process.argv[1],()=>s.end(process.argv[2]));s.on("error",()=>{});s.on("close",()=>process.exit(0))',
            socket,
            message,
          ],
          { stdio: 'ignore', timeout: 5000 },
        )
        return false
      }
    }
    return false
  }

  hasSingleInstanceLock(): boolean {
    return this.lock !== undefined
  }

  releaseSingleInstanceLock(): void {
    if (!this.lock) return
    this.lock.server.close()
    rmSync(this.lock.file, { force: true })
    rmSync(this.lock.socket, { force: true })
    this.lock = undefined
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------
// protocol, session, net

type ProtocolApi = Pick<Electron.Protocol, 'handle' | 'unhandle' | 'isProtocolHandled'> & {
  registerSchemesAsPrivileged: (typeof Electron.protocol)['registerSchemesAsPrivileged']
}

class StandInProtocol implements ProtocolApi {
  private readonly privileged = new Map<string, Privileges>()
  private readonly handlers = new Map<string, Handler>()

  constructor(private readonly standIn: StandIn) {}

  registerSchemesAsPrivileged(customSchemes: Electron.CustomScheme[]): void {
    if (this.standIn.app.isReady())
      throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready')
    for (const { scheme, privileges } of customSchemes) this.privileged.set(scheme, privileges ?? {})
  }

  privilegesOf(scheme: string): Privileges | undefined {
    return this.privileged.get(scheme)
  }

  handle(scheme: string, handler: Handler): void {
    if (!this.standIn.app.isReady()) throw new Error('protocol.handle must be called after the app is ready')
    if (this.handlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`)
    this.handlers.set(scheme, handler)
  }

  unhandle(scheme: string): void {
    this.handlers.delete(scheme)
  }

  isProtocolHandled(scheme: string): boolean {
    return this.handlers.has(scheme)
  }

  handlerOf(scheme: string): Handler | undefined {
    return this.handlers.get(scheme)
  }

  /** Runs a handler the way Electron's `protocol.handle` does, with its checks on the reply. */
  async run(scheme: string, handler: Handler, request: Request): Promise<Response> {
    let response: unknown
    try {
      response = await handler(request)
    } catch (error) {
      this.standIn.notice('protocol-error', `${scheme}: the handler threw for ${request.url}: ${String(error)}`)
      return Response.error()
    }
    if (!(response instanceof Response)) {
      this.standIn.notice('protocol-error', `${scheme}: the handler returned no Response for ${request.url}`)
      return new Response('net::ERR_UNEXPECTED', { status: 500 })
    }
    if (response.type === 'error') return new Response('net::ERR_FAILED', { status: 500 })
    return response
  }
}

class StandInSession implements Pick<Electron.Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> {
  permissionRequestHandler: Parameters<Electron.Session['setPermissionRequestHandler']>[0] = null
  permissionCheckHandler: Parameters<Electron.Session['setPermissionCheckHandler']>[0] = null

  constructor(readonly protocol: StandInProtocol) {}

  setPermissionRequestHandler(handler: Parameters<Electron.Session['setPermissionRequestHandler']>[0]): void {
    this.permissionRequestHandler = handler
  }

  setPermissionCheckHandler(handler: Parameters<Electron.Session['setPermissionCheckHandler']>[0]): void {
    this.permissionCheckHandler = handler
  }
}

// ---------------------------------------------------------------------------------------------
// ipcMain

type InvokeHandler = (event: Electron.IpcMainInvokeEvent, ...args: unknown[]) => unknown

class StandInIpcMain extends EventEmitter implements Pick<Electron.IpcMain, 'handle' | 'handleOnce' | 'removeHandler'> {
  private readonly handlers = new Map<string, InvokeHandler>()

  handle(channel: string, listener: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }

  handleOnce(channel: string, listener: InvokeHandler): void {
    this.handle(channel, (event, ...args) => {
      this.removeHandler(channel)
      return listener(event, ...args)
    })
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }

  handlerFor(channel: string): InvokeHandler | undefined {
    return this.handlers.get(channel)
  }

  channels(): string[] {
    return [...this.handlers.keys()]
  }
}

// ---------------------------------------------------------------------------------------------
// BrowserWindow and webContents

type WebContentsApi = Pick<
  Electron.WebContents,
  'id' | 'send' | 'loadURL' | 'getURL' | 'isDestroyed' | 'isLoading' | 'setWindowOpenHandler' | 'focus'
>

class StandInWebContents extends EventEmitter implements WebContentsApi {
  private url = ''
  private loading = false
  destroyed = false
  windowOpenHandler: Parameters<Electron.WebContents['setWindowOpenHandler']>[0] | undefined
  private pendingLoad: { resolve: () => void; reject: (error: Error) => void } | undefined

  constructor(
    private readonly standIn: StandIn,
    readonly id: number,
  ) {
    super()
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed')
    let cloned: unknown[]
    try {
      cloned = structuredClone(args)
    } catch {
      throw new Error('Failed to serialize arguments')
    }
    this.standIn.link.post({ kind: 'send', windowId: this.id, channel, args: cloned })
  }

  async loadURL(url: string): Promise<void> {
    if (this.destroyed) throw new Error('Object has been destroyed')
    this.pendingLoad?.reject(new Error(`ERR_ABORTED (-3) loading '${this.url}'`))
    this.url = url
    this.loading = true
    const done = new Promise<void>((resolve, reject) => (this.pendingLoad = { resolve, reject }))
    let pageUrl: string
    try {
      pageUrl = await this.standIn.toPage(url)
    } catch (error) {
      this.loadFailed(error instanceof Error ? error.message : String(error))
      return done
    }
    this.emit('did-start-loading')
    this.standIn.link.post({ kind: 'load', windowId: this.id, url: pageUrl })
    return done
  }

  loaded(pageUrl: string): void {
    this.url = this.standIn.fromPage(pageUrl)
    this.loading = false
    this.emit('dom-ready', preventable())
    this.emit('did-finish-load', preventable())
    this.emit('did-stop-loading', preventable())
    const pending = this.pendingLoad
    this.pendingLoad = undefined
    pending?.resolve()
  }

  loadFailed(error: string): void {
    this.loading = false
    this.standIn.notice('load-failed', error)
    this.emit('did-fail-load', preventable(), -2, error, this.url, true)
    const pending = this.pendingLoad
    this.pendingLoad = undefined
    pending?.reject(new Error(`${error} loading '${this.url}'`))
  }

  getURL(): string {
    return this.url
  }

  isDestroyed(): boolean {
    return this.destroyed
  }

  isLoading(): boolean {
    return this.loading
  }

  setWindowOpenHandler(handler: Parameters<Electron.WebContents['setWindowOpenHandler']>[0]): void {
    this.windowOpenHandler = handler
  }

  focus(): void {
    this.standIn.link.post({ kind: 'focus', windowId: this.id })
  }
}

type BrowserWindowApi = Pick<
  Electron.BrowserWindow,
  | 'id'
  | 'webContents'
  | 'loadURL'
  | 'show'
  | 'hide'
  | 'close'
  | 'destroy'
  | 'focus'
  | 'isDestroyed'
  | 'isVisible'
  | 'isMinimized'
  | 'restore'
>

let current: StandIn | undefined

/** The Electron "process" the module-level API works on: one per app process; tests may switch it. */
export function activate(standIn: StandIn | undefined): void {
  current = standIn
}

export function currentStandIn(): StandIn {
  if (!current) throw new Error('The Electron stand-in is not started (tests/electron/stand-in).')
  return current
}

export class BrowserWindow extends EventEmitter implements BrowserWindowApi {
  readonly id: number
  readonly webContents: Electron.WebContents
  private readonly contents: StandInWebContents
  private readonly standIn: StandIn
  visible: boolean
  private destroyed = false
  private shownOnce = false

  constructor(options: Electron.BrowserWindowConstructorOptions = {}) {
    super()
    const standIn = currentStandIn()
    if (!standIn.app.isReady()) throw new Error('Cannot create BrowserWindow before app is ready')
    this.standIn = standIn
    this.id = standIn.newWindowId()
    this.contents = new StandInWebContents(standIn, this.id)
    this.webContents = this.contents as unknown as Electron.WebContents
    this.visible = options.show !== false
    const prefs = options.webPreferences ?? {}
    const sandbox = prefs.sandbox ?? (prefs.nodeIntegration ? false : true)
    const contextIsolation = prefs.contextIsolation ?? true
    if (prefs.preload !== undefined) {
      if (!isAbsolute(prefs.preload)) throw new Error(`The preload path must be absolute: ${prefs.preload}`)
      if (!existsSync(prefs.preload)) standIn.notice('preload-error', `Unable to load preload script: ${prefs.preload}`)
    }
    const spec: WindowSpec = {
      windowId: this.id,
      sandbox,
      contextIsolation,
      ...(prefs.preload !== undefined && existsSync(prefs.preload) && { preload: prefs.preload }),
    }
    standIn.windows.set(this.id, this)
    standIn.link.post({ kind: 'open', window: spec })
    this.contents.on('dom-ready', () => {
      if (this.shownOnce) return
      this.shownOnce = true
      this.emit('ready-to-show', preventable())
    })
  }

  static getAllWindows(): BrowserWindow[] {
    return [...currentStandIn().windows.values()]
  }

  static getFocusedWindow(): BrowserWindow | null {
    const standIn = currentStandIn()
    return standIn.focusedId !== undefined ? (standIn.windows.get(standIn.focusedId) ?? null) : null
  }

  static fromWebContents(webContents: Electron.WebContents): BrowserWindow | null {
    return currentStandIn().windows.get(webContents.id) ?? null
  }

  static fromId(id: number): BrowserWindow | null {
    return currentStandIn().windows.get(id) ?? null
  }

  loadURL(url: string): Promise<void> {
    return this.contents.loadURL(url)
  }

  loaded(url: string): void {
    this.contents.loaded(url)
  }

  loadFailed(error: string): void {
    this.contents.loadFailed(error)
  }

  show(): void {
    this.visible = true
    this.focus()
  }

  hide(): void {
    this.visible = false
  }

  focus(): void {
    if (this.destroyed) return
    this.standIn.focusedId = this.id
    this.standIn.notice('window.focus', this.id)
    this.standIn.link.post({ kind: 'focus', windowId: this.id })
  }

  isVisible(): boolean {
    return this.visible
  }

  isMinimized(): boolean {
    return false
  }

  restore(): void {
    this.visible = true
  }

  isDestroyed(): boolean {
    return this.destroyed
  }

  /** A person (or `close()`) closes the window: 'close' may prevent it; then it is destroyed. */
  close(): void {
    if (this.destroyed) return
    const event = preventable()
    this.emit('close', event)
    if (event.defaultPrevented) return
    this.destroy()
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.contents.destroyed = true
    this.standIn.windows.delete(this.id)
    if (this.standIn.focusedId === this.id) this.standIn.focusedId = undefined
    this.standIn.link.post({ kind: 'close', windowId: this.id })
    this.contents.emit('destroyed')
    this.emit('closed')
    this.standIn.notice('window.closed', this.id)
    if (this.standIn.windows.size === 0) this.standIn.app.lastWindowClosed()
  }
}

// ---------------------------------------------------------------------------------------------
// dialog

type DialogApi = Pick<Electron.Dialog, 'showOpenDialog' | 'showSaveDialog' | 'showMessageBox' | 'showErrorBox'>

class StandInDialog implements DialogApi {
  readonly errorBoxes: { title: string; content: string }[] = []

  constructor(private readonly standIn: StandIn) {}

  showOpenDialog(
    ...args: [Electron.BaseWindow, Electron.OpenDialogOptions] | [Electron.OpenDialogOptions]
  ): Promise<Electron.OpenDialogReturnValue> {
    const options = args.length === 2 ? args[1] : args[0]
    return this.open(options)
  }

  private async open(options: Electron.OpenDialogOptions): Promise<Electron.OpenDialogReturnValue> {
    const { platform } = this.standIn
    this.standIn.notice('dialog.open', options)
    const answer = (await this.standIn.askDialog({ type: 'open', options, platform })) as Electron.OpenDialogReturnValue
    if (answer.canceled) return answer
    // What the picker lets a person choose: on Windows and Linux a dialog that asks for folders shows
    // folders only, even with 'openFile' (Electron's docs); macOS offers both.
    const props = options.properties ?? ['openFile']
    const files = props.includes('openFile') || !props.includes('openDirectory')
    const folders = props.includes('openDirectory')
    const choosable = (path: string): boolean => {
      let isDir: boolean
      try {
        isDir = statSync(path).isDirectory()
      } catch {
        return false
      }
      if (platform === 'darwin') return isDir ? folders : files
      return folders ? isDir : !isDir && files
    }
    let filePaths = answer.filePaths.filter(choosable)
    if (!props.includes('multiSelections')) filePaths = filePaths.slice(0, 1)
    return { canceled: filePaths.length === 0, filePaths }
  }

  showSaveDialog(
    ...args: [Electron.BaseWindow, Electron.SaveDialogOptions] | [Electron.SaveDialogOptions]
  ): Promise<Electron.SaveDialogReturnValue> {
    const options = args.length === 2 ? args[1] : args[0]
    this.standIn.notice('dialog.save', options)
    return this.standIn.askDialog({
      type: 'save',
      options,
      platform: this.standIn.platform,
    }) as Promise<Electron.SaveDialogReturnValue>
  }

  showMessageBox(
    ...args: [Electron.BaseWindow, Electron.MessageBoxOptions] | [Electron.MessageBoxOptions]
  ): Promise<Electron.MessageBoxReturnValue> {
    const options = args.length === 2 ? args[1] : args[0]
    this.standIn.notice('dialog.message', options)
    return this.standIn.askDialog({
      type: 'message',
      options,
      platform: this.standIn.platform,
    }) as Promise<Electron.MessageBoxReturnValue>
  }

  showErrorBox(title: string, content: string): void {
    this.errorBoxes.push({ title, content })
    this.standIn.notice('dialog.errorBox', { title, content })
  }
}

// ---------------------------------------------------------------------------------------------
// utilityProcess

type UtilityApi = Pick<Electron.UtilityProcess, 'postMessage' | 'kill' | 'pid'>

export class StandInUtilityProcess extends EventEmitter implements UtilityApi {
  pid: number | undefined
  private exited = false

  private constructor(
    private readonly child: ChildProcess,
    private readonly standIn: StandIn,
  ) {
    super()
    this.pid = child.pid
    child.on('spawn', () => this.emit('spawn'))
    child.on('message', (message: unknown) => this.emit('message', message))
    child.on('exit', (code, signal) => {
      this.exited = true
      standIn.utilities.delete(this)
      standIn.notice('utility.exit', { pid: this.pid, code, signal })
      // A fatal V8 error (out of memory, say) aborts the child: Electron emits 'error', then 'exit'.
      if (signal === 'SIGABRT') this.emit('error', 'FatalError', 'v8::internal::V8::FatalProcessOutOfMemory', '{}')
      this.pid = undefined
      this.emit('exit', code ?? (signal === 'SIGKILL' ? 9 : signal === 'SIGABRT' ? 6 : 15))
    })
  }

  static fork(
    modulePath: string,
    args: string[] = [],
    options: Electron.ForkOptions = {},
    standIn: StandIn = currentStandIn(),
  ): StandInUtilityProcess {
    if (!standIn.app.isReady()) throw new Error('utilityProcess cannot be forked before the app is ready')
    if (!existsSync(modulePath)) throw new Error(`utilityProcess: no such module ${modulePath}`)
    const stdio = options.stdio === 'inherit' ? 'inherit' : 'pipe'
    const child = fork(modulePath, args, {
      execArgv: ['--import', UTILITY_CHILD],
      serialization: 'advanced',
      stdio: stdio === 'inherit' ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe', 'ipc'],
      ...(options.env && { env: options.env as NodeJS.ProcessEnv }),
      ...(options.cwd && { cwd: options.cwd }),
    })
    const utility = new StandInUtilityProcess(child, standIn)
    standIn.utilities.add(utility)
    standIn.notice('utility.spawn', { pid: child.pid, modulePath, serviceName: options.serviceName })
    return utility
  }

  postMessage(message: unknown): void {
    if (this.exited) return
    let cloned: unknown
    try {
      cloned = structuredClone(message)
    } catch {
      throw new Error('An object could not be cloned.')
    }
    this.child.send(cloned as Serializable)
    const op = typeof message === 'object' && message !== null ? (message as { op?: unknown }).op : undefined
    const trap = this.standIn.utilityTrap
    if (trap && op === trap.op) {
      this.standIn.utilityTrap = undefined
      this.standIn.notice('utility.trap', { pid: this.pid, op, action: trap.action })
      this.child.kill(trap.action === 'fatal' ? 'SIGABRT' : 'SIGKILL')
    }
  }

  kill(): boolean {
    if (this.exited) return false
    return this.child.kill('SIGTERM')
  }
}

// ---------------------------------------------------------------------------------------------
// The module's exports: Electron's main-process API, on the active instance

function forward<T extends object>(target: () => T): T {
  return new Proxy({} as T, {
    get(_, key) {
      const object = target()
      const value = Reflect.get(object, key, object) as unknown
      if (value === undefined && !(key in object) && typeof key === 'string')
        throw new Error(`The Electron stand-in has no ${key} here: add it to tests/electron/stand-in/electron.ts`)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value
    },
  })
}

export const app = forward(() => currentStandIn().app)
export const ipcMain = forward(() => currentStandIn().ipcMain)
export const protocol = forward(() => currentStandIn().protocol)
export const session = forward(() => currentStandIn().session)
export const dialog = forward(() => currentStandIn().dialog)
export const shell = forward(() => currentStandIn().shell)
export const net = forward(() => currentStandIn().net)
export const utilityProcess = forward(() => currentStandIn().utilityProcess)
export const webContents = forward(() => ({
  getAllWebContents: () => [...currentStandIn().windows.values()].map((w) => w.webContents),
  fromId: (id: number) => currentStandIn().windows.get(id)?.webContents,
}))

export default { app, ipcMain, protocol, session, dialog, shell, net, utilityProcess, webContents, BrowserWindow }
