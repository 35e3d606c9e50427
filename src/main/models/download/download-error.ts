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
