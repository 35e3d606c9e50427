import { BrowserWindow, shell, type Session } from 'electron'
import { APP_ORIGIN, SECURE_WEB_PREFERENCES, isAllowedNavigation } from '../security/policy'

/** Denies every permission request (camera, notifications, geolocation, ...) and check. */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}

export function createMainWindow(options: { preload: string; devServerUrl?: string }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'ResNet Lens',
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: options.preload },
  })
  const { webContents } = window
  webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, options.devServerUrl)) event.preventDefault()
  })
  webContents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, options.devServerUrl)) event.preventDefault()
  })
  webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the system browser; the app never opens windows of its own.
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  webContents.on('will-attach-webview', (event) => event.preventDefault())
  window.once('ready-to-show', () => window.show())
  void window.loadURL(options.devServerUrl ?? `${APP_ORIGIN}/index.html`)
  return window
}
