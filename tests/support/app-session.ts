import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { HandlerTable } from '../../src/shared/ipc/contract'
import { createAppRequestHandler } from '../../src/main/protocol/app-protocol'
import { serveOnLoopback, type RunningServer } from './app-server'
import { launchChromium } from './browser'
import { installBridge } from './bridge'
import { createTestServices, type TestServices } from './services'
import { repoRoot } from './shared'

/** The built app in headless Chromium, its main-process services running in the test's process. */
export interface AppSession {
  services: TestServices
  server: RunningServer
  browser: Browser
  context: BrowserContext
  page: Page
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

export async function openApp(options: OpenAppOptions = {}): Promise<AppSession> {
  const services = await createTestServices()
  const server = await serveOnLoopback(
    createAppRequestHandler({
      rendererDir: join(repoRoot, 'out', 'renderer'),
      resolveModelFile: (id, artifact) => services.artifacts.file(id, artifact),
      resolvePhotoFile: (id, kind, size) => services.photos.file(id, kind, size),
    }),
  )
  const browser = await launchChromium(options)
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  const page = await context.newPage()
  const consoleErrors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text())
  })
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`))
  await installBridge(
    page,
    options.handlers ? options.handlers(services.handlers, services) : services.handlers,
    services.events,
  )
  if (options.engine) await page.addInitScript((e) => localStorage.setItem('resnet-lens.engine', e), options.engine)
  await page.goto(server.url + '/')
  // The window is ready once React has drawn the sidebar (its keyboard shortcuts listen from then on).
  await page.getByTestId('nav-classify').waitFor()
  return {
    services,
    server,
    browser,
    context,
    page,
    consoleErrors,
    async close() {
      await browser.close()
      await server.close()
      await services.dispose()
    },
  }
}
