import type { ClientRequest, IncomingMessage } from 'node:http'

/**
 * Aborts the current request or response when the signal fires or no data arrives for `stallMs`,
 * and remembers which of the two it was (the stream itself only reports a closed socket).
 */
export class Watchdog {
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
