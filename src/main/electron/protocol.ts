import { net, protocol } from 'electron'
import { APP_SCHEME } from '../security/policy'

/** Must run before the app is ready: makes `app://` a secure, standard origin that can fetch and stream. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
    },
  ])
}

export function handleAppProtocol(handler: (request: Request) => Promise<Response>): void {
  protocol.handle(APP_SCHEME, handler)
}

/**
 * In development the page comes from Vite's dev server, so its relative `/library/models/…` and
 * `/library/photos/…` URLs (src/shared/ipc/routes.ts) go to that server, which would answer them with
 * its index page. They are answered by the app's own handler instead; everything else goes on to Vite.
 */
export function routeLibraryOnDevServer(devServerUrl: string, handler: (request: Request) => Promise<Response>): void {
  const dev = new URL(devServerUrl)
  protocol.handle(dev.protocol.slice(0, -1), (request) => {
    const url = new URL(request.url)
    if (url.origin === dev.origin && url.pathname.startsWith('/library/')) return handler(request)
    return net.fetch(request, { bypassCustomProtocolHandlers: true })
  })
}
