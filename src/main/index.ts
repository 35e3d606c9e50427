import { join } from 'node:path'
import { app, BrowserWindow, dialog, session } from 'electron'
import { createServices } from './create-services'
import { appPaths } from './paths'
import { createAppRequestHandler } from './protocol/app-protocol'
import { electronDialogs } from './electron/dialogs'
import { spawnUtilityEngine } from './electron/engine-process'
import { forwardEvents, registerIpc } from './electron/ipc'
import { handleAppProtocol, registerAppScheme } from './electron/protocol'
import { createMainWindow, denyAllPermissions } from './electron/window'

// Thin Electron glue: every service below is a plain module tested without Electron.
registerAppScheme()

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined

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
  app.on('will-quit', () => void services.close())

  denyAllPermissions(session.defaultSession)
  handleAppProtocol(
    createAppRequestHandler({
      rendererDir: paths.rendererDir,
      resolveModelFile: (id, artifact) => services.artifacts.file(id, artifact),
      resolvePhotoFile: (id, kind, size) => services.photos.file(id, kind, size),
    }),
  )
  registerIpc(services.handlers, devServerUrl)
  forwardEvents(services.events)

  const preload = join(__dirname, '..', 'preload', 'index.cjs')
  const window = createMainWindow({ preload, devServerUrl })
  // Jobs a quit or a crash left running carry on once the page is there to show their progress.
  window.webContents.once('did-finish-load', () => void services.jobs.resumeInterrupted())
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow({ preload, devServerUrl })
  })
}

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
