/** A task run once after a delay, for bursts of events or keys: one refresh for many changes. */
export class DeferredTask {
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly task: () => void) {}

  /** Runs the task after `delay` ms; a call while one waits joins it. */
  schedule(delay: number): void {
    if (this.timer !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.task()
    }, delay)
  }

  /** Runs the task `delay` ms after the last call (search as you type). */
  restart(delay: number): void {
    this.cancel()
    this.schedule(delay)
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}
