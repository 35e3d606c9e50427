import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/**
 * A loopback HTTP server (127.0.0.1, a free port) that serves one fixture file in the ways real
 * servers misbehave, for download tests. Each path gets a mode; unknown paths answer 404. Every
 * request is recorded with its Range header and the body bytes sent back.
 */

export type FixtureMode =
  /** Honours `Range: bytes=N-` with 206 + Content-Range (416 past the end). */
  | { kind: 'normal' }
  /** Always 200 with the whole file, whatever the Range header says. */
  | { kind: 'ignore-range' }
  /** Declares the full Content-Length, sends `after` bytes, then ends the connection. */
  | { kind: 'truncated'; after: number }
  /** Sends `after` bytes of the (ranged) body, then destroys the socket. */
  | { kind: 'drop-after'; after: number }
  /** Sends only the first `bytes` bytes and ends cleanly: chunked, or with a Content-Length that says so. */
  | { kind: 'short'; bytes: number; declareLength: boolean }
  /** Same size, different content (the last bytes flipped): a sha256 mismatch. */
  | { kind: 'wrong-bytes' }
  /** Redirects to another path (relative Location unless `absolute`). */
  | { kind: 'redirect'; to: string; status?: 301 | 302 | 303 | 307 | 308; absolute?: boolean }
  /** Answers with this status and a short text body. */
  | { kind: 'status'; status: number }
  /** Honours Range, but sends `chunkBytes` every `intervalMs` (for cancel tests). */
  | { kind: 'slow'; chunkBytes: number; intervalMs: number }
  /** Honours Range, sends `after` bytes, then nothing (the connection stays open). */
  | { kind: 'stall-after'; after: number }

export interface RecordedRequest {
  method: string
  path: string
  /** The Range header, if the client sent one. */
  range: string | undefined
  acceptEncoding: string | undefined
  status: number
  /** Body bytes written to the socket for this request (so far). */
  bytesSent: number
}

export interface FixtureServer {
  /** `http://127.0.0.1:<port><path>`. */
  url(path: string): string
  route(path: string, mode: FixtureMode): void
  /** The fixture's bytes, as served in `normal` mode. */
  readonly content: Buffer
  readonly requests: RecordedRequest[]
  /** Requests for one path. */
  requestsFor(path: string): RecordedRequest[]
  close(): Promise<void>
}

const LOOPBACK = '127.0.0.1'

/** `bytes=N-` or `bytes=N-M`; undefined for anything else (served as a whole). */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header?.match(/^bytes=(\d+)-(\d*)$/)
  if (!match) return undefined
  const start = Number(match[1])
  const end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1
  if (start >= size || end < start) return 'unsatisfiable'
  return { start, end }
}

export async function startFixtureServer(
  file: string,
  routes: Record<string, FixtureMode> = {},
): Promise<FixtureServer> {
  const content = readFileSync(file)
  const size = content.length
  const modes = new Map<string, FixtureMode>(Object.entries(routes))
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let port = 0

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      fn()
    }, ms)
    timers.add(timer)
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', `http://${LOOPBACK}`).pathname
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      range: req.headers.range,
      acceptEncoding: req.headers['accept-encoding'],
      status: 0,
      bytesSent: 0,
    }
    requests.push(record)
    const send = (chunk: Buffer, done?: () => void): void => {
      record.bytesSent += chunk.length
      res.write(chunk, done)
    }
    const head = (status: number, headers: Record<string, string | number> = {}): void => {
      record.status = status
      res.writeHead(status, { 'Accept-Ranges': 'bytes', ...headers })
    }
    const text = (status: number, body: string): void => {
      head(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) })
      res.end(body)
    }

    const mode = modes.get(path)
    if (!mode) return text(404, 'not found')
    if (req.method !== 'GET') return text(405, 'method not allowed')

    /** Status line and headers for the (possibly ranged) whole file; the body part to send, or undefined. */
    const ranged = (honourRange: boolean): Buffer | undefined => {
      const range = honourRange ? parseRange(req.headers.range, size) : undefined
      if (range === 'unsatisfiable') {
        head(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 })
        res.end()
        return undefined
      }
      if (range) {
        head(206, {
          'Content-Type': 'application/octet-stream',
          'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
          'Content-Length': range.end - range.start + 1,
        })
        return content.subarray(range.start, range.end + 1)
      }
      head(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size })
      return content
    }

    /** Sends `body` in chunks of `chunkBytes`, `intervalMs` apart, until done or the client leaves. */
    const trickle = (body: Buffer, chunkBytes: number, intervalMs: number, then: () => void): void => {
      let at = 0
      const step = (): void => {
        if (res.destroyed) return
        if (at >= body.length) return then()
        const chunk = body.subarray(at, at + chunkBytes)
        at += chunk.length
        send(chunk)
        later(intervalMs, step)
      }
      step()
    }

    switch (mode.kind) {
      case 'normal':
      case 'ignore-range': {
        const body = ranged(mode.kind === 'normal')
        if (body) {
          send(body)
          res.end()
        }
        return
      }
      case 'truncated':
      case 'drop-after': {
        const body = ranged(true)
        if (!body) return
        // Flushed to the socket before it goes: the client sees these bytes, then the connection end.
        send(body.subarray(0, Math.min(mode.after, body.length)), () => {
          if (mode.kind === 'truncated') res.socket?.end()
          else res.socket?.destroy()
        })
        return
      }
      case 'short': {
        const body = content.subarray(0, Math.min(mode.bytes, size))
        head(200, {
          'Content-Type': 'application/octet-stream',
          ...(mode.declareLength && { 'Content-Length': body.length }),
        })
        send(body)
        res.end()
        return
      }
      case 'wrong-bytes': {
        const wrong = Buffer.from(content)
        for (let i = Math.max(0, size - 16); i < size; i++) wrong[i] = wrong[i]! ^ 0xff
        const range = parseRange(req.headers.range, size)
        if (range && range !== 'unsatisfiable') {
          head(206, {
            'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
            'Content-Length': range.end - range.start + 1,
          })
          send(wrong.subarray(range.start, range.end + 1))
        } else {
          head(200, { 'Content-Length': size })
          send(wrong)
        }
        res.end()
        return
      }
      case 'redirect': {
        const location = mode.absolute ? `http://${LOOPBACK}:${port}${mode.to}` : mode.to
        head(mode.status ?? 302, { Location: location, 'Content-Length': 0 })
        res.end()
        return
      }
      case 'status':
        return text(mode.status, `status ${mode.status}`)
      case 'slow': {
        const body = ranged(true)
        if (body) trickle(body, mode.chunkBytes, mode.intervalMs, () => res.end())
        return
      }
      case 'stall-after': {
        const body = ranged(true)
        if (body) send(body.subarray(0, Math.min(mode.after, body.length)))
        return
      }
    }
  }

  const server = createServer(handle)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, LOOPBACK, () => resolve())
  })
  port = (server.address() as AddressInfo).port

  return {
    url: (path) => `http://${LOOPBACK}:${port}${path}`,
    route: (path, mode) => void modes.set(path, mode),
    content,
    requests,
    requestsFor: (path) => requests.filter((r) => r.path === path),
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
