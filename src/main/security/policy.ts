/**
 * The window's security settings, kept in a plain module so tests can check them without Electron.
 */

/** The custom scheme the renderer and the library's files are served from. */
export const APP_SCHEME = 'app'
export const APP_HOST = 'bundle'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/**
 * Content-Security-Policy for every page: only the app's own code, WebAssembly compilation for
 * onnxruntime-web, workers from the app (onnxruntime's thread pool may start from a blob: URL),
 * images from the app or from object URLs of dropped photos. No network, no inline script.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data:",
  "img-src 'self' blob: data:",
  "style-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')

/** Cross-origin isolation, which SharedArrayBuffer and so onnxruntime's WASM threads need. */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

/** Headers on every response of the app's protocol. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  ...CROSS_ORIGIN_ISOLATION_HEADERS,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
}

/** BrowserWindow `webPreferences` (the preload path is added by the caller). */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const

/** A navigation is allowed only within the app's own origin (or the dev server in development). */
export function isAllowedNavigation(url: string, devServerUrl?: string): boolean {
  try {
    const target = new URL(url)
    if (target.origin === APP_ORIGIN || (target.protocol === `${APP_SCHEME}:` && target.host === APP_HOST)) return true
    return devServerUrl !== undefined && target.origin === new URL(devServerUrl).origin
  } catch {
    return false
  }
}
