import { protocol } from 'electron'
import { APP_SCHEME } from '../security'

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
