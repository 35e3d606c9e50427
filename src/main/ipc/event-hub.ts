import { events, type EmitEvent, type EventName, type EventPayload } from '../../shared/ipc/contract'

type Sink = (event: EventName, payload: unknown) => void

interface Subscription {
  sink: Sink
  listensTo: (event: EventName) => boolean
}

/**
 * Main → renderer events: services emit, and whoever shows the app subscribes (a window's page in the
 * app, through `forwardEvents`; the test bridge in tests). A subscriber may take only some events (a
 * page takes those it has listeners for), so "does a window listen to `engine:classifyBatch`" is known
 * here, and nothing is sent to a window that is gone or has not subscribed yet. Payloads are checked
 * against the contract.
 */
export class EventHub {
  private readonly subscriptions = new Set<Subscription>()
  private readonly changeListeners = new Set<() => void>()

  /** Adds a subscriber (for every event, or those `listensTo` accepts); returns the unsubscribe function. */
  subscribe(sink: Sink, listensTo: (event: EventName) => boolean = () => true): () => void {
    const subscription = { sink, listensTo }
    this.subscriptions.add(subscription)
    this.changed()
    return () => {
      if (this.subscriptions.delete(subscription)) this.changed()
    }
  }

  /** Whether anyone listens (to this event): a window is open and its page has subscribed. */
  hasSubscribers(event?: EventName): boolean {
    for (const { listensTo } of this.subscriptions) if (event === undefined || listensTo(event)) return true
    return false
  }

  /** Called whenever who listens may have changed (a window subscribed, unsubscribed or closed). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  /** A subscriber's `listensTo` answers differently now. */
  changed(): void {
    for (const listener of this.changeListeners) listener()
  }

  readonly emit: EmitEvent = <E extends EventName>(event: E, payload: EventPayload<E>) => {
    const checked = events[event].parse(payload)
    for (const { sink, listensTo } of this.subscriptions) if (listensTo(event)) sink(event, checked)
  }
}
