import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { app, BrowserWindow, dialog, session } from 'electron'
import { openDatabase } from './db/database'
import { createHandlers } from './ipc/handlers'
import { ModelLibrary } from './library/model-library'
import { appPaths } from './paths'
import { createAppRequestHandler } from './protocol/app-protocol'
import { registerIpc } from './electron/ipc'
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
  mkdirSync(paths.modelsDir, { recursive: true })

  const db = openDatabase(paths.databaseFile)
  app.on('will-quit', () => db.close())
  const library = new ModelLibrary(db, {
    builtinModelsDir: join(paths.resourcesDir, 'models'),
    modelsDir: paths.modelsDir,
  })
  await library.registerBuiltins()

  denyAllPermissions(session.defaultSession)
  handleAppProtocol(
    createAppRequestHandler({ rendererDir: paths.rendererDir, resolveModelFile: (id) => library.resolveFile(id) }),
  )
  registerIpc(
    createHandlers({
      appInfo: { name: app.getName(), version: app.getVersion(), platform: process.platform, dataDir: paths.dataDir },
      library,
    }),
    devServerUrl,
  )

  const preload = join(__dirname, '..', 'preload', 'index.cjs')
  createMainWindow({ preload, devServerUrl })
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
