/**
 * One HTTP request of a download (redirects followed), streamed into the `.part` file: what came back, or the
 * error that says why not and whether the download can resume.
 */
import { open, rm } from 'node:fs/promises'
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { DownloadError } from './download-error'
import type { ProgressReporter } from './progress'
import type { Watchdog } from './watchdog'

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

/** For messages: no query string (signed CDN URLs carry tokens there). */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`
}

export function parseUrl(value: string, base?: URL): URL {
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

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`
}

function describeError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException
  return code && !message.includes(code) ? `${message}, ${code}` : message
}

/** One download's settings and helpers, shared by its requests. */
export interface TransferContext {
  url: URL
  part: string
  expectedBytes: number | undefined
  maxRedirects: number
  stallMs: number
  watchdog: Watchdog
  progress: ProgressReporter
}

/** Sends one GET (following redirects) and resolves with the final response's headers. */
async function get(ctx: TransferContext, offset: number): Promise<{ response: IncomingMessage; url: URL }> {
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
function interruption(ctx: TransferContext, failure: unknown, progress: string | undefined): DownloadError {
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

export type Outcome =
  /** The .part file should now hold the whole download (still to be verified). */
  | { kind: 'complete'; resumedFrom: number; transferred: number }
  /** The .part file cannot be continued: delete it and download from the start. */
  | { kind: 'restart' }

/** One request (after redirects): appends to, or rewrites, the .part file. */
export async function transfer(ctx: TransferContext, offset: number): Promise<Outcome> {
  try {
    return await transferOnce(ctx, offset)
  } finally {
    // No stall timeout while verifying (hashing a large file can take a while).
    ctx.watchdog.idle()
  }
}

async function transferOnce(ctx: TransferContext, offset: number): Promise<Outcome> {
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
