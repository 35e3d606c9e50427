/**
 * Requests the main process sends to the window as events, each answered later over IPC by its id.
 * A request the window does not answer within the time limit gets the `unanswered` value.
 */
export class WindowRequests<Answer> {
  private nextId = 1
  private readonly waiting = new Map<number, (answer: Answer) => void>()

  constructor(
    private readonly timeoutMs: number,
    private readonly unanswered: () => Answer,
  ) {}

  /** Sends a request (`send` emits it with its id) and resolves with the window's answer. */
  ask(send: (requestId: number) => void): Promise<Answer> {
    const requestId = this.nextId++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId)
        resolve(this.unanswered())
      }, this.timeoutMs)
      this.waiting.set(requestId, (answer) => {
        clearTimeout(timer)
        resolve(answer)
      })
      send(requestId)
    })
  }

  /** Answers every request still waiting with `answer`: the window that would answer is gone. */
  abandonAll(answer: Answer): void {
    for (const [requestId, resolve] of [...this.waiting]) {
      this.waiting.delete(requestId)
      resolve(answer)
    }
  }

  /** The window's answer; false when nothing waits for it (late, or unknown). */
  answer(requestId: number, answer: Answer): boolean {
    const resolve = this.waiting.get(requestId)
    if (!resolve) return false
    this.waiting.delete(requestId)
    resolve(answer)
    return true
  }
}
