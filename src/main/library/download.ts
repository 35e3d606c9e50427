import { open, mkdir, rename, rm, stat } from 'node:fs/promises'
import http, { type IncomingMessage, type ClientRequest } from 'node:http'
import https from 'node:https'
import { dirname, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { sha256File } from './model-library'

/**
 * Verified, resumable downloads of model files: the bytes stream into `<destination>.part` (never
 * held in memory), a later call resumes from what is there with an HTTP Range request, and only a
 * file whose size and sha256 match is renamed into place. A failed download never leaves or replaces
 * a file at `destination`.
 */

export interface DownloadProgress {
  /** Bytes in the partial file, including those kept from an earlier, interrupted download. */
  received: number
  /** The file's full size: `expectedBytes`, else what the server declared; 0 while unknown. */
  total: number
  /** Recent transfer speed (over the last few seconds); 0 until there is a measurement. */
  bytesPerSecond: number
}

export interface DownloadOptions {
  /** http: or https: (redirects are followed, at most `maxRedirects`, never from https to http). */
  url: string
  /** The final file; the download is written to `<destination>.part` beside it. */
  destination: string
  /** The exact size, when known: a server offering something else is refused early. */
  expectedBytes?: number
  /** 64 hex digits. */
  expectedSha256: string
  /** Cancels; the partial file is kept so that the next call resumes. */
  signal?: AbortSignal
  onProgress?: (progress: DownloadProgress) => void
  /** Give up when no data arrives for this long (connecting or mid-file). Default 30 s. */
  stallTimeoutMs?: number
  /** Least time between two progress reports (a last one always follows the last byte). Default 100 ms. */
  progressIntervalMs?: number
  /** Default 5. */
  maxRedirects?: number
}

export interface DownloadResult {
  /** `destination`, now holding the verified file. */
  path: string
  bytes: number
  sha256: string
  /** Bytes taken from an existing `.part` file instead of the network. */
  resumedFrom: number
  /** Bytes received over the network by this call. */
  transferred: number
}

export type DownloadErrorCode =
  /** Cancelled by the signal; `.part` kept. */
  | 'cancelled'
  /** The connection broke or stalled; `.part` kept, a new call resumes. */
  | 'interrupted'
  /** The server answered with an HTTP error status. */
  | 'http'
  /** Size or sha256 wrong: `.part` deleted. */
  | 'damaged'
  /** Fewer bytes than expected in a response that ended normally: `.part` deleted. */
  | 'incomplete'
  /** Bad URL, redirect loop, unsupported protocol, bad arguments. */
  | 'invalid'

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    /** True when a later call can continue from the kept `.part` file. */
    readonly resumable = false,
    /** The HTTP status, for `code === 'http'`. */
    readonly status?: number,
  ) {
    super(message)
    // Cancellation reads like fetch's: callers can test `error.name === 'AbortError'`.
    this.name = code === 'cancelled' ? 'AbortError' : 'DownloadError'
  }
}

export function isDownloadCancelled(error: unknown): boolean {
  return error instanceof DownloadError && error.code === 'cancelled'
}

const DEFAULT_STALL_TIMEOUT_MS = 30_000
const DEFAULT_PROGRESS_INTERVAL_MS = 100
const DEFAULT_MAX_REDIRECTS = 5
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
const SPEED_WINDOW_MS = 3_000

/** Destinations being downloaded by this process: two downloads must not share a `.part` file. */
const active = new Set<string>()

export function partPath(destination: string): string {
  return `${destination}.part`
}

/** For messages: no query string (signed CDN URLs carry tokens there). */
function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`
}

function parseUrl(value: string, base?: URL): URL {
  let url: URL
  try {
    url = new URL(value, base)
  } catch {
    throw new DownloadError('invalid', `download failed: "${value}" is not a valid URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DownloadError('invalid', `download failed: unsupported protocol "${url.protocol}" in ${displayUrl(url)}`)
  }
  return url
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw error
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`
}

function describeError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException
  return code && !message.includes(code) ? `${message}, ${code}` : message
}

/**
 * Aborts the current request or response when the signal fires or no data arrives for `stallMs`,
 * and remembers which of the two it was (the stream itself only reports a closed socket).
 */
class Watchdog {
  reason: 'cancelled' | 'stalled' | undefined
  private current: ClientRequest | IncomingMessage | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly onAbort = (): void => this.fire('cancelled')

  constructor(
    private readonly stallMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  watch(target: ClientRequest | IncomingMessage): void {
    this.current = target
    if (this.reason !== undefined) target.destroy()
    else this.arm()
  }

  /** Data arrived: restart the stall timer. */
  arm(): void {
    if (this.timer) this.timer.refresh()
    else this.timer = setTimeout(() => this.fire('stalled'), this.stallMs)
  }

  /** Between requests: no stall timeout. */
  idle(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private fire(reason: 'cancelled' | 'stalled'): void {
    this.reason ??= reason
    this.current?.destroy()
  }

  checkCancelled(): void {
    if (this.signal?.aborted) this.reason ??= 'cancelled'
  }

  dispose(): void {
    this.idle()
    this.signal?.removeEventListener('abort', this.onAbort)
  }
}

class ProgressReporter {
  private lastEmit = -Infinity
  private readonly samples: { at: number; received: number }[] = []

  constructor(
    private readonly callback: DownloadOptions['onProgress'],
    private readonly intervalMs: number,
  ) {}

  report(received: number, total: number, final = false): void {
    if (!this.callback) return
    const now = performance.now()
    if (!final && now - this.lastEmit < this.intervalMs) return
    this.lastEmit = now
    this.samples.push({ at: now, received })
    while (this.samples.length > 2 && now - this.samples[1]!.at >= SPEED_WINDOW_MS) this.samples.shift()
    const first = this.samples[0]!
    const seconds = (now - first.at) / 1000
    const bytesPerSecond = seconds > 0 ? Math.max(0, (received - first.received) / seconds) : 0
    try {
      this.callback({ received, total, bytesPerSecond })
    } catch {
      // A failing progress listener must not break the download.
    }
  }

  /** A new response starts: the speed is measured afresh. */
  reset(): void {
    this.samples.length = 0
  }
}

interface Context {
  url: URL
  part: string
  expectedBytes: number | undefined
  maxRedirects: number
  stallMs: number
  watchdog: Watchdog
  progress: ProgressReporter
}

/** Sends one GET (following redirects) and resolves with the final response's headers. */
async function get(ctx: Context, offset: number): Promise<{ response: IncomingMessage; url: URL }> {
  let url = ctx.url
  for (let redirects = 0; ; redirects++) {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const headers: Record<string, string> = {
        'User-Agent': 'ResNet-Lens',
        // Byte counts and Range offsets refer to the file itself, never to a compressed form of it.
        'Accept-Encoding': 'identity',
      }
      if (offset > 0) headers.Range = `bytes=${offset}-`
      const request = (url.protocol === 'https:' ? https : http).request(url, { headers, agent: false })
      request.on('response', resolve)
      // Stays attached: errors after the response (a destroyed socket) must not go unhandled.
      request.on('error', reject)
      ctx.watchdog.watch(request)
      request.end()
    })
    const status = response.statusCode ?? 0
    if (!REDIRECT_STATUSES.has(status)) return { response, url }
    const location = response.headers.location
    response.destroy()
    if (location === undefined) {
      throw new DownloadError('http', `download failed: HTTP ${status} without a Location from ${displayUrl(url)}`)
    }
    if (redirects >= ctx.maxRedirects) {
      throw new DownloadError(
        'invalid',
        `download failed: more than ${ctx.maxRedirects} redirects from ${displayUrl(ctx.url)}`,
      )
    }
    const next = parseUrl(location, url)
    if (url.protocol === 'https:' && next.protocol === 'http:') {
      throw new DownloadError('invalid', `download failed: refusing a redirect from https to ${displayUrl(next)}`)
    }
    url = next
  }
}

/** `bytes a-b/c` gives {start: a, total: c}; `bytes *\/c` gives {total: c}. */
function parseContentRange(value: string | undefined): { start?: number; total?: number } {
  const match = value?.match(/^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)\s*$/i)
  if (!match) return {}
  return {
    start: match[1] === undefined ? undefined : Number(match[1]),
    total: match[2] === undefined || match[2] === '*' ? undefined : Number(match[2]),
  }
}

/** Turns what broke a request into the error to report (the .part file stays for resuming). */
function interruption(ctx: Context, failure: unknown, progress: string | undefined): DownloadError {
  ctx.watchdog.checkCancelled()
  if (ctx.watchdog.reason === 'cancelled') {
    return new DownloadError(
      'cancelled',
      `download cancelled${progress ? ` (${progress} kept, it can resume)` : ''}`,
      true,
    )
  }
  if (failure instanceof DownloadError) return failure
  if (progress === undefined) {
    const why =
      ctx.watchdog.reason === 'stalled'
        ? `no answer for ${formatSeconds(ctx.stallMs)}`
        : `cannot reach it (${describeError(failure)})`
    return new DownloadError('interrupted', `download failed: ${ctx.url.host}: ${why}; try again later`, true)
  }
  const why =
    ctx.watchdog.reason === 'stalled'
      ? `no data for ${formatSeconds(ctx.stallMs)}`
      : `the connection was lost (${describeError(failure)})`
  return new DownloadError(
    'interrupted',
    `download interrupted after ${progress}: ${why}; the partial file is kept and the download can resume`,
    true,
  )
}

type Outcome =
  /** The .part file should now hold the whole download (still to be verified). */
  | { kind: 'complete'; resumedFrom: number; transferred: number }
  /** The .part file cannot be continued: delete it and download from the start. */
  | { kind: 'restart' }

/** One request (after redirects): appends to, or rewrites, the .part file. */
async function transfer(ctx: Context, offset: number): Promise<Outcome> {
  try {
    return await transferOnce(ctx, offset)
  } finally {
    // No stall timeout while verifying (hashing a large file can take a while).
    ctx.watchdog.idle()
  }
}

async function transferOnce(ctx: Context, offset: number): Promise<Outcome> {
  let got: { response: IncomingMessage; url: URL }
  try {
    got = await get(ctx, offset)
  } catch (error) {
    throw interruption(ctx, error, undefined)
  }
  const { response, url } = got
  const status = response.statusCode ?? 0
  const where = displayUrl(url)

  if (status === 416 && offset > 0) {
    response.destroy()
    // Nothing past the end: the .part may be the whole file already (verified next), else start over.
    const total = ctx.expectedBytes ?? parseContentRange(response.headers['content-range']).total
    return total === undefined || total === offset
      ? { kind: 'complete', resumedFrom: offset, transferred: 0 }
      : { kind: 'restart' }
  }
  if (status !== 200 && status !== 206) {
    response.destroy()
    const text = response.statusMessage ? ` ${response.statusMessage}` : ''
    throw new DownloadError('http', `download failed: HTTP ${status}${text} from ${where}`, status >= 500, status)
  }

  let start = 0
  let declaredTotal: number | undefined
  if (status === 206) {
    const range = parseContentRange(response.headers['content-range'])
    if (range.start !== offset) {
      // Not the part that was asked for: rather than guess, fetch the whole file.
      response.destroy()
      return { kind: 'restart' }
    }
    start = offset
    declaredTotal = range.total
  } else {
    const length = response.headers['content-length']
    if (length !== undefined && /^\d+$/.test(length)) declaredTotal = Number(length)
  }

  const expected = ctx.expectedBytes
  if (expected !== undefined && declaredTotal !== undefined && declaredTotal !== expected) {
    response.destroy()
    await rm(ctx.part, { force: true })
    const problem = declaredTotal < expected ? 'incomplete' : 'damaged'
    throw new DownloadError(
      problem,
      `download ${problem}: the server offers ${declaredTotal} bytes, expected ${expected} (${where})`,
    )
  }
  const total = expected ?? declaredTotal ?? 0

  // 206 continues the .part file; 200 is the whole file, so whatever was there goes.
  const handle = await open(ctx.part, start > 0 ? 'a' : 'w')
  let received = start
  let failure: unknown
  try {
    ctx.progress.reset()
    ctx.progress.report(received, total)
    ctx.watchdog.watch(response)
    for await (const chunk of response as AsyncIterable<Buffer>) {
      ctx.watchdog.arm()
      if (expected !== undefined && received + chunk.length > expected) {
        throw new DownloadError('damaged', `download damaged: the server sent more than the expected ${expected} bytes`)
      }
      await handle.write(chunk)
      received += chunk.length
      ctx.progress.report(received, total)
    }
    // A body cut short does not always raise an error: check that the whole response arrived.
    if (!response.complete || ctx.watchdog.reason !== undefined) throw new Error('the response ended early')
    await handle.sync()
  } catch (error) {
    failure = error
  } finally {
    await handle.close()
  }

  if (failure !== undefined) {
    if (failure instanceof DownloadError && failure.code === 'damaged') await rm(ctx.part, { force: true })
    throw interruption(ctx, failure, `${received} of ${total || '?'} bytes`)
  }
  ctx.progress.report(received, total || received, true)
  return { kind: 'complete', resumedFrom: start, transferred: received - start }
}

async function inspect(part: string): Promise<{ bytes: number; sha256: string }> {
  return { bytes: await fileSize(part), sha256: await sha256File(part) }
}

/** Makes a rename durable where the platform allows syncing a folder (not on Windows). */
async function syncFolder(folder: string): Promise<void> {
  let handle
  try {
    handle = await open(folder, 'r')
    await handle.sync()
  } catch {
    // Best effort.
  } finally {
    await handle?.close()
  }
}

/**
 * Downloads `url` to `destination`, checking it against `expectedSha256` (and `expectedBytes`).
 * Resumes from `<destination>.part` when there is one. Rejects with a `DownloadError`.
 */
export async function downloadVerified(options: DownloadOptions): Promise<DownloadResult> {
  const expectedSha256 = options.expectedSha256.toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(expectedSha256)) {
    throw new DownloadError('invalid', `download failed: "${options.expectedSha256}" is not a sha256 (64 hex digits)`)
  }
  const { expectedBytes, destination } = options
  if (expectedBytes !== undefined && !(Number.isSafeInteger(expectedBytes) && expectedBytes > 0)) {
    throw new DownloadError(
      'invalid',
      `download failed: expectedBytes must be a positive integer, not ${expectedBytes}`,
    )
  }
  const url = parseUrl(options.url)
  if (options.signal?.aborted) throw new DownloadError('cancelled', 'download cancelled before it started', true)
  const key = resolve(destination)
  if (active.has(key)) throw new DownloadError('invalid', `download failed: ${destination} is already being downloaded`)

  active.add(key)
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS
  const ctx: Context = {
    url,
    part: partPath(destination),
    expectedBytes,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    stallMs,
    watchdog: new Watchdog(stallMs, options.signal),
    progress: new ProgressReporter(options.onProgress, options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS),
  }
  try {
    await mkdir(dirname(destination), { recursive: true })
    let found: { bytes: number; sha256: string } | undefined
    let resumedFrom = 0
    let transferred = 0
    for (let attempt = 0; found === undefined; attempt++) {
      let offset = await fileSize(ctx.part)
      if (expectedBytes !== undefined && offset > expectedBytes) {
        await rm(ctx.part, { force: true })
        offset = 0
      }
      let outcome: Outcome
      if (expectedBytes !== undefined && offset === expectedBytes) {
        // The whole file from an earlier run (say, cancelled while verifying): no request needed.
        ctx.progress.report(offset, expectedBytes, true)
        outcome = { kind: 'complete', resumedFrom: offset, transferred: 0 }
      } else {
        outcome = await transfer(ctx, offset)
      }
      if (outcome.kind === 'restart') {
        if (attempt > 0) {
          throw new DownloadError('invalid', `download failed: ${displayUrl(url)} answered a range request wrongly`)
        }
      } else {
        resumedFrom = outcome.resumedFrom
        transferred = outcome.transferred
        const candidate = await inspect(ctx.part)
        const sizeOk = expectedBytes === undefined || candidate.bytes === expectedBytes
        if (sizeOk && candidate.sha256 === expectedSha256) {
          found = candidate
          continue
        }
        if (attempt > 0 || transferred > 0) {
          await rm(ctx.part, { force: true })
          if (!sizeOk) {
            throw new DownloadError(
              'incomplete',
              `download incomplete: got ${candidate.bytes} of ${expectedBytes} bytes`,
            )
          }
          throw new DownloadError('damaged', `download damaged: sha256 ${candidate.sha256}, expected ${expectedSha256}`)
        }
        // Nothing new was downloaded and the old .part is wrong: replace it rather than report it.
      }
      await rm(ctx.part, { force: true })
    }

    ctx.watchdog.checkCancelled()
    if (ctx.watchdog.reason === 'cancelled') {
      throw new DownloadError('cancelled', 'download cancelled (the complete file is kept, it can resume)', true)
    }
    await rename(ctx.part, destination)
    await syncFolder(dirname(destination))
    return { path: destination, ...found, resumedFrom, transferred }
  } finally {
    ctx.watchdog.dispose()
    active.delete(key)
  }
}
