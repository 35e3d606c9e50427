import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fsyncDir } from '../../fs/durable'
import { sha256File } from '../../fs/hash'
import { DownloadError } from './download-error'
import { displayUrl, parseUrl, transfer, type Outcome, type TransferContext } from './http-transfer'
import { ProgressReporter, type DownloadProgress } from './progress'
import { Watchdog } from './watchdog'

/**
 * Verified, resumable downloads of model files: the bytes stream into `<destination>.part` (never
 * held in memory), a later call resumes from what is there with an HTTP Range request, and only a
 * file whose size and sha256 match is renamed into place. A failed download never leaves or replaces
 * a file at `destination`.
 */

export { DownloadError, isDownloadCancelled, type DownloadErrorCode } from './download-error'
export type { DownloadProgress } from './progress'

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

const DEFAULT_STALL_TIMEOUT_MS = 30_000
const DEFAULT_PROGRESS_INTERVAL_MS = 100
const DEFAULT_MAX_REDIRECTS = 5

/** Destinations being downloaded by this process: two downloads must not share a `.part` file. */
const active = new Set<string>()

export function partPath(destination: string): string {
  return `${destination}.part`
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw error
  }
}

async function inspect(part: string): Promise<{ bytes: number; sha256: string }> {
  return { bytes: await fileSize(part), sha256: await sha256File(part) }
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
  const ctx: TransferContext = {
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
    await fsyncDir(dirname(destination))
    return { path: destination, ...found, resumedFrom, transferred }
  } finally {
    ctx.watchdog.dispose()
    active.delete(key)
  }
}
