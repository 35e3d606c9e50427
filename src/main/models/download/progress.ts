import { performance } from 'node:perf_hooks'

export interface DownloadProgress {
  /** Bytes in the partial file, including those kept from an earlier, interrupted download. */
  received: number
  /** The file's full size: `expectedBytes`, else what the server declared; 0 while unknown. */
  total: number
  /** Recent transfer speed (over the last few seconds); 0 until there is a measurement. */
  bytesPerSecond: number
}

const SPEED_WINDOW_MS = 3_000

/** Reports a download's progress to a listener, at most every `intervalMs`, with its recent speed. */
export class ProgressReporter {
  private lastEmit = -Infinity
  private readonly samples: { at: number; received: number }[] = []

  constructor(
    private readonly callback: ((progress: DownloadProgress) => void) | undefined,
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
