import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  DownloadError,
  downloadVerified,
  partPath,
  type DownloadOptions,
  type DownloadProgress,
} from '../../src/main/models/download/download'
import { sha256File } from '../../src/main/models/model-library'
import { startFixtureServer, type FixtureServer } from '../support/fixture-http-server'
import { sharedPath } from '../support/shared'

const fixture = sharedPath('models', 'reference', 'resnet20-cifar10-ref.onnx')

let sha256: string
let size: number
let server: FixtureServer
let dir: string
let destination: string
let part: string

beforeAll(async () => {
  sha256 = await sha256File(fixture)
  size = statSync(fixture).size
})

beforeEach(async () => {
  server = await startFixtureServer(fixture, { '/model.onnx': { kind: 'normal' } })
  dir = mkdtempSync(join(tmpdir(), 'download-test-'))
  destination = join(dir, 'models', 'resnet20.onnx')
  part = partPath(destination)
})

afterEach(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

function options(path: string, extra: Partial<DownloadOptions> = {}): DownloadOptions {
  return { url: server.url(path), destination, expectedBytes: size, expectedSha256: sha256, ...extra }
}

/** The rejection of a download that must fail, as a DownloadError. */
async function failure(promise: Promise<unknown>): Promise<DownloadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DownloadError)
  return error as DownloadError
}

function expectVerifiedFile(): void {
  expect(readFileSync(destination).equals(server.content)).toBe(true)
  expect(existsSync(part)).toBe(false)
}

describe('downloadVerified', () => {
  it('downloads into .part, verifies and renames into place, with monotonic progress ending at the total', async () => {
    const events: DownloadProgress[] = []
    const result = await downloadVerified(
      options('/model.onnx', { onProgress: (p) => events.push(p), progressIntervalMs: 0 }),
    )
    expect(result).toEqual({ path: destination, bytes: size, sha256, resumedFrom: 0, transferred: size })
    expectVerifiedFile()
    expect(await sha256File(destination)).toBe(sha256)

    expect(events.length).toBeGreaterThan(1)
    for (let i = 1; i < events.length; i++) expect(events[i]!.received).toBeGreaterThanOrEqual(events[i - 1]!.received)
    expect(events.every((e) => e.total === size && e.bytesPerSecond >= 0)).toBe(true)
    expect(events.at(-1)!.received).toBe(size)

    const [request] = server.requests
    expect(request).toMatchObject({ path: '/model.onnx', range: undefined, acceptEncoding: 'identity', status: 200 })
  })

  it('throttles progress reports but always ends with the total', async () => {
    const events: DownloadProgress[] = []
    await downloadVerified(options('/model.onnx', { onProgress: (p) => events.push(p), progressIntervalMs: 60_000 }))
    // The first report (at the start) and the final one.
    expect(events.map((e) => e.received)).toEqual([0, size])
  })

  it('a progress listener that throws does not break the download', async () => {
    const result = await downloadVerified(
      options('/model.onnx', {
        onProgress: () => {
          throw new Error('listener bug')
        },
      }),
    )
    expect(result.bytes).toBe(size)
    expectVerifiedFile()
  })

  it('cancel keeps the .part; the next call resumes with a Range request and transfers only the rest', async () => {
    server.route('/slow.onnx', { kind: 'slow', chunkBytes: 16 * 1024, intervalMs: 10 })
    const controller = new AbortController()
    const error = await failure(
      downloadVerified(
        options('/slow.onnx', {
          signal: controller.signal,
          progressIntervalMs: 0,
          onProgress: (p) => {
            if (p.received >= 128 * 1024) controller.abort()
          },
        }),
      ),
    )
    expect(error.name).toBe('AbortError')
    expect(error.code).toBe('cancelled')
    expect(error.message).toMatch(/cancelled/)
    expect(error.resumable).toBe(true)
    expect(existsSync(destination)).toBe(false)
    const kept = statSync(part).size
    expect(kept).toBeGreaterThanOrEqual(128 * 1024)
    expect(kept).toBeLessThan(size)
    expect(readFileSync(part).equals(server.content.subarray(0, kept))).toBe(true)

    const result = await downloadVerified(options('/model.onnx'))
    expect(result).toMatchObject({ bytes: size, sha256, resumedFrom: kept, transferred: size - kept })
    expectVerifiedFile()
    const [resumed] = server.requestsFor('/model.onnx')
    expect(resumed).toMatchObject({ range: `bytes=${kept}-`, status: 206, bytesSent: size - kept })
    expect(kept).toBeGreaterThan(0)
    // Only the rest went over the wire the second time.
    expect(resumed!.bytesSent).toBeLessThan(size)
  })

  it('rejects at once, without a request, when the signal is already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const error = await failure(downloadVerified(options('/model.onnx', { signal: controller.signal })))
    expect(error.name).toBe('AbortError')
    expect(error.message).toMatch(/cancelled/)
    expect(server.requests).toHaveLength(0)
  })

  it('a dropped connection keeps the .part and says it can resume; a retry resumes and succeeds', async () => {
    server.route('/drop.onnx', { kind: 'drop-after', after: 300_000 })
    const error = await failure(downloadVerified(options('/drop.onnx')))
    expect(error.code).toBe('interrupted')
    expect(error.resumable).toBe(true)
    expect(error.message).toMatch(/can resume/)
    expect(existsSync(destination)).toBe(false)
    const kept = statSync(part).size
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThanOrEqual(300_000)

    const result = await downloadVerified(options('/model.onnx'))
    expect(result).toMatchObject({ resumedFrom: kept, transferred: size - kept })
    expectVerifiedFile()
    expect(server.requestsFor('/model.onnx')[0]!.range).toBe(`bytes=${kept}-`)
  })

  it('a truncated response (Content-Length never reached) fails and leaves no destination file', async () => {
    server.route('/truncated.onnx', { kind: 'truncated', after: 500_000 })
    const error = await failure(downloadVerified(options('/truncated.onnx')))
    expect(error.message).toMatch(/interrupted after \d+ of \d+ bytes/)
    expect(existsSync(destination)).toBe(false)
    // What did arrive is a correct prefix, kept for resuming.
    const kept = readFileSync(part)
    expect(kept.length).toBeLessThanOrEqual(500_000)
    expect(kept.equals(server.content.subarray(0, kept.length))).toBe(true)
  })

  it('a response that ends cleanly but short: "download incomplete", no .part, no destination', async () => {
    server.route('/short.onnx', { kind: 'short', bytes: 400_000, declareLength: false })
    const error = await failure(downloadVerified(options('/short.onnx')))
    expect(error.code).toBe('incomplete')
    expect(error.message).toBe(`download incomplete: got 400000 of ${size} bytes`)
    expect(existsSync(part)).toBe(false)
    expect(existsSync(destination)).toBe(false)
  })

  it('refuses a server that declares another size before writing anything', async () => {
    server.route('/short.onnx', { kind: 'short', bytes: 400_000, declareLength: true })
    const error = await failure(downloadVerified(options('/short.onnx')))
    expect(error.message).toMatch(new RegExp(`download incomplete: the server offers 400000 bytes, expected ${size}`))
    expect(existsSync(part)).toBe(false)
    // Without expectedBytes, the sha256 still catches it.
    const unsized = await failure(downloadVerified(options('/short.onnx', { expectedBytes: undefined })))
    expect(unsized.message).toMatch(/download damaged: sha256 [0-9a-f]{64}, expected/)
    expect(existsSync(part)).toBe(false)
  })

  it('wrong bytes: a sha256 mismatch deletes the .part and never creates the destination', async () => {
    server.route('/wrong.onnx', { kind: 'wrong-bytes' })
    const error = await failure(downloadVerified(options('/wrong.onnx')))
    expect(error.code).toBe('damaged')
    expect(error.message).toMatch(new RegExp(`^download damaged: sha256 [0-9a-f]{64}, expected ${sha256}$`))
    expect(existsSync(destination)).toBe(false)
    expect(existsSync(part)).toBe(false)
  })

  it('never replaces an existing destination file with an unverified one', async () => {
    mkdirSync(join(dir, 'models'), { recursive: true })
    writeFileSync(destination, 'the model that was here before')
    server.route('/wrong.onnx', { kind: 'wrong-bytes' })
    server.route('/drop.onnx', { kind: 'drop-after', after: 100_000 })
    server.route('/missing.onnx', { kind: 'status', status: 404 })
    for (const path of ['/wrong.onnx', '/drop.onnx', '/missing.onnx']) {
      await failure(downloadVerified(options(path)))
      expect(readFileSync(destination, 'utf8')).toBe('the model that was here before')
    }
    // A verified download does replace it.
    rmSync(part, { force: true })
    await downloadVerified(options('/model.onnx'))
    expectVerifiedFile()
  })

  it('a server that ignores Range starts over (200) and the result is still correct', async () => {
    server.route('/norange.onnx', { kind: 'ignore-range' })
    mkdirSync(join(dir, 'models'), { recursive: true })
    writeFileSync(part, Buffer.alloc(200_000, 7)) // not a prefix of the file: must be discarded
    const result = await downloadVerified(options('/norange.onnx'))
    expect(result).toMatchObject({ resumedFrom: 0, transferred: size })
    expectVerifiedFile()
    expect(server.requests[0]).toMatchObject({ range: 'bytes=200000-', status: 200 })
  })

  it('follows relative and absolute redirects, at most 5, and only to http(s)', async () => {
    server.route('/a', { kind: 'redirect', to: '/b', status: 301 })
    server.route('/b', { kind: 'redirect', to: '/model.onnx', status: 307, absolute: true })
    await downloadVerified(options('/a'))
    expectVerifiedFile()
    expect(server.requests.map((r) => [r.path, r.status])).toEqual([
      ['/a', 301],
      ['/b', 307],
      ['/model.onnx', 200],
    ])

    rmSync(destination)
    server.route('/loop', { kind: 'redirect', to: '/loop' })
    const loop = await failure(downloadVerified(options('/loop')))
    expect(loop.message).toMatch(/more than 5 redirects/)
    expect(server.requestsFor('/loop')).toHaveLength(6)

    server.route('/ftp', { kind: 'redirect', to: 'ftp://127.0.0.1/model.onnx' })
    const ftp = await failure(downloadVerified(options('/ftp')))
    expect(ftp.message).toMatch(/unsupported protocol "ftp:"/)
    expect(existsSync(destination)).toBe(false)
  })

  it('keeps the Range header across a redirect', async () => {
    server.route('/moved.onnx', { kind: 'redirect', to: '/model.onnx' })
    mkdirSync(join(dir, 'models'), { recursive: true })
    writeFileSync(part, server.content.subarray(0, 250_000))
    const result = await downloadVerified(options('/moved.onnx'))
    expect(result).toMatchObject({ resumedFrom: 250_000, transferred: size - 250_000 })
    expect(server.requestsFor('/model.onnx')[0]).toMatchObject({ range: 'bytes=250000-', status: 206 })
    expectVerifiedFile()
  })

  it('HTTP errors name the status', async () => {
    server.route('/broken', { kind: 'status', status: 500 })
    const missing = await failure(downloadVerified(options('/nothing-here.onnx')))
    expect(missing.message).toMatch(/HTTP 404 Not Found/)
    expect(missing).toMatchObject({ code: 'http', status: 404, resumable: false })
    const broken = await failure(downloadVerified(options('/broken')))
    expect(broken.message).toMatch(/HTTP 500 Internal Server Error/)
    expect(broken).toMatchObject({ code: 'http', status: 500, resumable: true })
    expect(existsSync(destination)).toBe(false)
  })

  it('a stalled connection times out with a resumable error', async () => {
    server.route('/stall.onnx', { kind: 'stall-after', after: 64 * 1024 })
    const error = await failure(downloadVerified(options('/stall.onnx', { stallTimeoutMs: 300 })))
    expect(error.code).toBe('interrupted')
    expect(error.message).toMatch(/no data for 300 ms.*can resume/)
    expect(statSync(part).size).toBe(64 * 1024)
    expect(existsSync(destination)).toBe(false)

    const result = await downloadVerified(options('/model.onnx'))
    expect(result.resumedFrom).toBe(64 * 1024)
    expectVerifiedFile()
  })

  it('an unreachable server is a clear, resumable error', async () => {
    const url = server.url('/model.onnx')
    await server.close()
    const error = await failure(downloadVerified({ ...options('/model.onnx'), url }))
    expect(error.message).toMatch(/download failed: 127\.0\.0\.1:\d+: cannot reach it .*ECONNREFUSED/)
    expect(error.resumable).toBe(true)
    server = await startFixtureServer(fixture) // for afterEach
  })

  it('a complete .part is verified without a request when the size is known, and after a 416 when not', async () => {
    mkdirSync(join(dir, 'models'), { recursive: true })
    writeFileSync(part, server.content)
    const known = await downloadVerified(options('/model.onnx'))
    expect(known).toMatchObject({ resumedFrom: size, transferred: 0 })
    expect(server.requests).toHaveLength(0)
    expectVerifiedFile()

    rmSync(destination)
    writeFileSync(part, server.content)
    const unknown = await downloadVerified(options('/model.onnx', { expectedBytes: undefined }))
    expect(unknown).toMatchObject({ resumedFrom: size, transferred: 0 })
    expect(server.requests).toEqual([expect.objectContaining({ range: `bytes=${size}-`, status: 416 })])
    expectVerifiedFile()
  })

  it('a stale or oversized .part is discarded and the file downloaded again', async () => {
    mkdirSync(join(dir, 'models'), { recursive: true })
    // Full size but wrong content: checked locally, then replaced.
    writeFileSync(part, Buffer.alloc(size, 1))
    expect(await downloadVerified(options('/model.onnx'))).toMatchObject({ resumedFrom: 0, transferred: size })
    expectVerifiedFile()

    // Longer than the file, size unknown: the server answers 416, the download starts over.
    rmSync(destination)
    writeFileSync(part, Buffer.alloc(size + 10, 1))
    server.requests.length = 0
    const result = await downloadVerified(options('/model.onnx', { expectedBytes: undefined }))
    expect(result).toMatchObject({ resumedFrom: 0, transferred: size })
    expect(server.requests.map((r) => [r.range, r.status])).toEqual([
      [`bytes=${size + 10}-`, 416],
      [undefined, 200],
    ])
    expectVerifiedFile()
  })

  it('rejects bad arguments and a second concurrent download of the same destination', async () => {
    await expect(downloadVerified(options('/model.onnx', { expectedSha256: 'abc' }))).rejects.toThrow(/not a sha256/)
    await expect(downloadVerified({ ...options('/model.onnx'), url: 'file:///etc/passwd' })).rejects.toThrow(
      /unsupported protocol "file:"/,
    )
    await expect(downloadVerified(options('/model.onnx', { expectedBytes: 0 }))).rejects.toThrow(/expectedBytes/)

    server.route('/slow.onnx', { kind: 'slow', chunkBytes: 64 * 1024, intervalMs: 5 })
    const first = downloadVerified(options('/slow.onnx'))
    await expect(downloadVerified(options('/model.onnx'))).rejects.toThrow(/already being downloaded/)
    await first
    expectVerifiedFile()
  })
})
