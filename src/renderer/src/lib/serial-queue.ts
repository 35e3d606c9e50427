/**
 * Runs tasks one after the other, in the order they were asked for, whether the one before succeeded or
 * not: a quick decision then its undo reach the main process in that order.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task)
    this.tail = next.catch(() => undefined)
    return next
  }
}
