import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { HandlerTable } from '../../src/shared/ipc/contract'
import { createAppRequestHandler } from '../../src/main/protocol/app-protocol'
import { forwardEvents, registerIpc } from '../../src/main/electron/ipc'
import { handleAppProtocol, registerAppScheme } from '../../src/main/electron/protocol'
import { createMainWindow } from '../../src/main/electron/window'
import { APP_ORIGIN } from '../../src/main/security/policy'
import { activate, StandIn } from '../electron/stand-in/electron'
import { RendererHost } from '../electron/stand-in/renderer-host'
import type { RunningServer } from './app-server'
import { launchChromium } from './browser'
import { createTestServices, type TestServices } from './services'
import { repoRoot } from './shared'

/**
 * The built app in headless Chromium, its main-process services running in the test's process and
 * wired to the page by the app's real Electron glue on the Electron stand-in: `handleAppProtocol` serves
 * the app protocol, `createMainWindow` opens the window with the built preload (out/preload/index.cjs,
 * which gives the page `window.api`), `registerIpc` answers its calls from the handler table and
 * `forwardEvents` sends it the services' events.
 */
export interface AppSession {
  services: TestServices
  /** Where the page's `app://bundle` origin is served (the stand-in's loopback front). */
  server: RunningServer
  browser: Browser
  context: BrowserContext
  page: Page
  /** The Electron stand-in the glue runs on (its windows, dialogs, notices). */
  electron: StandIn
  host: RendererHost
  /** What the page printed to its console, and uncaught page errors. */
  consoleErrors: string[]
  close(): Promise<void>
}

export interface OpenAppOptions {
  /** Start Chromium with a (software) WebGPU adapter. */
  webgpu?: boolean
  /** Replace some handlers, e.g. to make the main process fail (the services are the session's). */
  handlers?: (real: HandlerTable, services: TestServices) => HandlerTable
  /** The engine preference stored before the page loads. */
  engine?: 'auto' | 'webgpu' | 'wasm'
}

/**
 * The app as the e2e tests open it: the built page with the built preload (out/preload/index.cjs), its
 * calls and events through the real registerIpc and forwardEvents on the Electron stand-in.
 */
export async function openApp(options: OpenAppOptions = {}): Promise<AppSession> {
  const services = await createTestServices()
  const browser = await launchChromium(options)
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  const consoleErrors: string[] = []
  // The two sides of the stand-in in one process: messages are cloned and delivered later, as IPC is.
  const sides: { host?: RendererHost } = {}
  const electron = new StandIn(
    { post: (message) => queueMicrotask(() => sides.host?.receive(structuredClone(message))) },
    { appDir: repoRoot, appData: join(services.dataDir, 'appData') },
  )
  const host = new RendererHost(
    context,
    (message) => queueMicrotask(() => electron.receive(structuredClone(message))),
    {
      async preparePage(page) {
        page.on('console', (message) => {
          if (message.type() === 'error') consoleErrors.push(message.text())
        })
        page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`))
        if (options.engine)
          await page.addInitScript((e) => localStorage.setItem('resnet-lens.engine', e), options.engine)
      },
    },
  )
  activate(electron)
  registerAppScheme()
  sides.host = host
  electron.app.start()
  await electron.app.whenReady()
  activate(electron) // the latest session's, for glue that reaches the module at run time
  handleAppProtocol(
    createAppRequestHandler({
      rendererDir: join(repoRoot, 'out', 'renderer'),
      resolveModelFile: (id, artifact) => services.artifacts.file(id, artifact),
      resolvePhotoFile: (id, kind, size) => services.photos.file(id, kind, size),
    }),
  )
  registerIpc(options.handlers ? options.handlers(services.handlers, services) : services.handlers)
  forwardEvents(services.events)
  createMainWindow({ preload: join(repoRoot, 'out', 'preload', 'index.cjs') })
  const page = await host.page()
  // The window is ready once React has drawn the sidebar (its keyboard shortcuts listen from then on).
  await page.getByTestId('nav-classify').waitFor()
  const base = new URL(await electron.toPage(`${APP_ORIGIN}/`)).origin
  return {
    services,
    server: { url: base, close: async () => undefined },
    browser,
    context,
    page,
    electron,
    host,
    consoleErrors,
    async close() {
      await browser.close()
      electron.exit(0)
      await services.dispose()
    },
  }
}
