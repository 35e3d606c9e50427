import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'

export interface RunningServer {
  url: string
  close(): Promise<void>
}

/**
 * Serves a fetch-style handler (the app protocol's, `(Request) => Response`) over HTTP on
 * 127.0.0.1, the way Electron's `protocol.handle` serves it in the app.
 */
export async function serveOnLoopback(handler: (request: Request) => Promise<Response>): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    const url = `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`
    handler(new Request(url, { method: req.method ?? 'GET' }))
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers))
        if (!response.body || req.method === 'HEAD') return void res.end()
        Readable.fromWeb(response.body as NodeReadableStream).pipe(res)
      })
      .catch((error: unknown) => {
        res.writeHead(500)
        res.end(String(error))
      })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
