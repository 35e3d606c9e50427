import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { RendererHost, type DialogResponder } from '../electron/stand-in/renderer-host'
import { frameSocket, type Platform, type ToMain, type ToRenderer } from '../electron/stand-in/wire'
import { launchChromium } from './browser'
import { repoRoot } from './shared'

/** The stand-in's "Electron binary" (what ELECTRON_EXEC_PATH names for electron-vite). */
export const STAND_IN_ELECTRON = join(repoRoot, 'tests', 'electron', 'stand-in', 'bin', 'electron')

/**
 * The app folder tests run by default: this checkout (its built out/main/index.js), or STANDIN_APP_DIR,
 * e.g. another checkout with its own `out/` (to see a test fail on an older build of the glue).
 */
export const DEFAULT_APP_DIR = process.env.STANDIN_APP_DIR || repoRoot

export interface LaunchOptions {
  /** The app's folder (default: DEFAULT_APP_DIR, running its built out/main/index.js). */
  appDir?: string
  /** Electron's appData folder; a fresh temp folder by default (removed by close()). */
  appData?: string
  /** A packaged app's resources folder (the app itself in `resources/app`). */
  resourcesPath?: string
  /** Emulate another platform for the glue's checks (e.g. 'darwin': closing the window keeps the app). */
  platform?: Platform
  /** Answers the app's file dialogs (default: cancelled). */
  dialogs?: DialogResponder
  webgpu?: boolean
  env?: Record<string, string>
  /**
   * Runs instead of the stand-in binary (e.g. electron-vite dev, which starts it via ELECTRON_EXEC_PATH),
   * in `cwd` (default: this checkout).
   */
  command?: { file: string; args: string[]; cwd?: string }
  /** Runs for each window's page before it loads. */
  preparePage?: (page: Page) => Promise<void>
}

/** The built app running in its own process against the Electron stand-in, its windows in Chromium. */
export interface LaunchedApp {
  host: RendererHost
  child: ChildProcess
  appData: string
  /** The first window's page once it has loaded the app (drawn its sidebar within `timeoutMs`). */
  page(timeoutMs?: number): Promise<Page>
  /** What the app's process printed. */
  output(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Quits as a person would (Cmd+Q / the last window's close button) and waits for the process to end. */
  quit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  close(): Promise<void>
}

export async function launchApp(options: LaunchOptions = {}): Promise<LaunchedApp> {
  const scratch = mkdtempSync(join(tmpdir(), 'resnet-lens-standin-'))
  const appData = options.appData ?? join(scratch, 'appData')
  const socketPath = join(scratch, 'standin.sock')
  const browser: Browser = await launchChromium({ ...(options.webgpu && { webgpu: true }) })
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  let post: (message: unknown) => void = () => {
    throw new Error('the app has not connected')
  }
  const host = new RendererHost(context, (message: ToMain) => post(message), {
    ...(options.dialogs && { dialogs: options.dialogs }),
    ...(options.preparePage && { preparePage: options.preparePage }),
  })
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    // An app process that dies resets its end; its exit is what the tests check, not the socket's error.
    socket.on('error', () => socket.destroy())
    post = frameSocket<ToRenderer>(socket, (message) => host.receive(message))
  })
  await new Promise<void>((resolve) => server.listen(socketPath, resolve))

  const appDir = options.appDir ?? DEFAULT_APP_DIR
  const command = options.command ?? { file: STAND_IN_ELECTRON, args: [appDir] }
  let output = ''
  const child = spawn(command.file, command.args, {
    // A command (electron-vite) runs in this checkout; the stand-in's binary in the app's folder.
    cwd: options.command ? (options.command.cwd ?? repoRoot) : appDir,
    env: {
      ...process.env,
      STANDIN_SOCKET: socketPath,
      STANDIN_APPDATA: appData,
      ...(options.resourcesPath && { STANDIN_RESOURCES_PATH: options.resourcesPath }),
      ...(options.platform && { STANDIN_PLATFORM: options.platform }),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  if (process.env.STANDIN_VERBOSE) child.stderr!.pipe(process.stderr)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )

  return {
    host,
    child,
    appData,
    async page(timeoutMs = 60_000) {
      const page = await Promise.race([
        host.page(),
        exited.then(({ code }) => {
          throw new Error(`the app exited (${code}) before opening a window:\n${output}`)
        }),
      ])
      await page.getByTestId('nav-classify').waitFor({ timeout: timeoutMs })
      return page
    },
    output: () => output,
    exited,
    async quit() {
      await Promise.race([host.control('quit'), exited])
      return exited
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        // A command (electron-vite) passes SIGTERM on to the app it started and ends with it.
        if (options.command) {
          child.kill('SIGTERM')
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
        }
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        await exited
      }
      // The app's end of the socket closes with ours: an app process still running exits (code 70).
      for (const socket of sockets) socket.destroy()
      await browser.close()
      server.close()
      rmSync(scratch, { recursive: true, force: true })
    },
  }
}
