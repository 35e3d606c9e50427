import type { EventHub } from '../../src/main/ipc/event-hub'
import type { EventName, EventPayload } from '../../src/shared/ipc/contract'

/** Resolves with the first event of that name the predicate accepts. */
export function waitForEvent<E extends EventName>(
  events: EventHub,
  name: E,
  accept: (payload: EventPayload<E>) => boolean,
  timeoutMs = 60_000,
): Promise<EventPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`No matching "${name}" event within ${timeoutMs} ms`))
    }, timeoutMs)
    const unsubscribe = events.subscribe((event, payload) => {
      if (event !== name || !accept(payload as EventPayload<E>)) return
      clearTimeout(timer)
      unsubscribe()
      resolve(payload as EventPayload<E>)
    })
  })
}
