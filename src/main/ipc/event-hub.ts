import { events, type EmitEvent, type EventName, type EventPayload } from '../../shared/ipc/contract'

type Sink = (event: EventName, payload: unknown) => void

/**
 * Main → renderer events: services emit, and whoever shows the app subscribes (Electron's
 * webContents in the app, the test bridge in tests). Payloads are checked against the contract.
 */
export class EventHub {
  private readonly sinks = new Set<Sink>()

  subscribe(sink: Sink): () => void {
    this.sinks.add(sink)
    return () => this.sinks.delete(sink)
  }

  /** Whether anyone listens (a window is open). */
  hasSubscribers(): boolean {
    return this.sinks.size > 0
  }

  readonly emit: EmitEvent = <E extends EventName>(event: E, payload: EventPayload<E>) => {
    const checked = events[event].parse(payload)
    for (const sink of this.sinks) sink(event, checked)
  }
}
