import { join } from 'node:path'
import { app, BrowserWindow, dialog, session } from 'electron'
import { createServices, type AppServices } from './create-services'
import { appPaths } from './paths'
import { createAppRequestHandler } from './protocol/app-protocol'
import { electronDialogs } from './electron/dialogs'
import { spawnUtilityEngine } from './electron/engine-process'
import { forwardEvents, registerIpc } from './electron/ipc'
import { handleAppProtocol, registerAppScheme, routeLibraryOnDevServer } from './electron/protocol'
import { createMainWindow, denyAllPermissions } from './electron/window'

// Thin Electron glue: every service below is a plain module tested without Electron.
registerAppScheme()

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined

// A build run from the checkout (npm start, npm run dev) keeps its own data: its database migrations
// must never reach the library of the installed app, which would then refuse to open it.
if (!app.isPackaged) app.setPath('userData', `${app.getPath('userData')} Dev`)

// One instance per data folder: two would share library.db, resume the same job, download into the
// same folder. A second start shows the first one's window instead.
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    const window = BrowserWindow.getAllWindows()[0]
    if (!window) return
    if (window.isMinimized()) window.restore()
    window.show()
    window.focus()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox('ResNet Lens could not start', error instanceof Error ? error.message : String(error))
      app.exit(1)
    })
}

async function start(): Promise<void> {
  const paths = appPaths({
    resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources'),
    rendererDir: join(__dirname, '..', 'renderer'),
    dataDir: app.getPath('userData'),
  })
  const services = await createServices({
    paths,
    appInfo: { name: app.getName(), version: app.getVersion(), platform: process.platform },
    dialogs: electronDialogs,
    spawnEngine: () => spawnUtilityEngine(join(__dirname, 'engine-worker.js')),
  })
  quitAfterClosing(services)

  denyAllPermissions(session.defaultSession)
  const handler = createAppRequestHandler({
    rendererDir: paths.rendererDir,
    resolveModelFile: (id, artifact) => services.artifacts.file(id, artifact),
    resolvePhotoFile: (id, kind, size) => services.photos.file(id, kind, size),
  })
  handleAppProtocol(handler)
  if (devServerUrl) routeLibraryOnDevServer(devServerUrl, handler)
  registerIpc(services.handlers, devServerUrl)
  forwardEvents(services.events, devServerUrl)

  // Jobs a quit or a crash left running carry on now, window or not: their progress reaches a page
  // once it listens, and WebGPU (the window's) is used only while a page listens for batches.
  void services.jobs.resumeInterrupted()

  const preload = join(__dirname, '..', 'preload', 'index.cjs')
  createMainWindow({ preload, devServerUrl })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow({ preload, devServerUrl })
  })
}

/** Quitting waits for the services to close (the job in flight stops, the database is closed). */
function quitAfterClosing(services: AppServices): void {
  let closing: Promise<void> | undefined
  let closed = false
  app.on('will-quit', (event) => {
    if (closed) return
    event.preventDefault()
    closing ??= services
      .close()
      .catch((error: unknown) => console.error('Closing the services failed:', error))
      .finally(() => {
        closed = true
        app.quit()
      })
  })
}
