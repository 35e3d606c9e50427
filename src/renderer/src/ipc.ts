import {
  contract,
  events,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
  type EventName,
  type EventPayload,
} from '../../shared/ipc/contract'

/** Raised when the bridge is missing or a reply does not match its channel's schema. */
export class IpcError extends Error {
  override name = 'IpcError'
}

function bridge(): Window['api'] {
  const api = (window as Partial<Window>).api
  if (!api || typeof api.invoke !== 'function') {
    throw new IpcError('The app bridge (window.api) is missing: the page was not opened by ResNet Lens.')
  }
  return api
}

/**
 * Calls the main process over `window.api` and parses the reply with the channel's output schema,
 * so the renderer never trusts an unchecked shape.
 */
export async function call<C extends Channel>(
  channel: C,
  ...args: ChannelInput<C> extends undefined ? [input?: undefined] : [input: ChannelInput<C>]
): Promise<ChannelOutput<C>> {
  const reply = await bridge().invoke(channel, args[0])
  const parsed = contract[channel].output.safeParse(reply)
  if (!parsed.success) {
    throw new IpcError(`The reply on "${channel}" has an unexpected shape: ${parsed.error.message}`)
  }
  return parsed.data as ChannelOutput<C>
}

/**
 * Listens to a main-process event; each payload is parsed with the event's schema and one that does
 * not match is dropped (and logged), never handed on. Returns the unsubscribe function.
 */
export function subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  const api = bridge()
  if (typeof api.on !== 'function') throw new IpcError('The app bridge (window.api) cannot deliver events.')
  return api.on(event, (payload) => {
    const parsed = events[event].safeParse(payload)
    if (!parsed.success) {
      console.error(`The "${event}" event has an unexpected shape: ${parsed.error.message}`)
      return
    }
    listener(parsed.data as EventPayload<E>)
  })
}

/** The message of an error thrown over IPC, without Electron's "Error invoking remote method …:" prefix. */
export function ipcMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error)
  return raw.replace(/^Error invoking remote method '[^']+': (?:\w*Error: )?/, '')
}

/** The path of a file dropped from the file manager; '' where the bridge cannot tell (a plain browser). */
export function pathForFile(file: File): string {
  const api = (window as Partial<Window>).api
  if (!api || typeof api.pathForFile !== 'function') return ''
  try {
    return api.pathForFile(file)
  } catch {
    return ''
  }
}
