import {
  contract,
  events,
  type Bridge,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
  type EventName,
  type EventPayload,
} from '../../shared/ipc/contract'
import { IpcError, unwrapReply } from '../../shared/ipc/errors'

/**
 * What a failed call throws: its `kind` says what went wrong (a decode error, an engine failure, a file not
 * found…), its message is for people. Also thrown when the bridge is missing or a reply is malformed.
 */
export { IpcError }
export type { IpcErrorKind } from '../../shared/ipc/errors'

function bridge(): Bridge {
  const api = (window as { api?: Bridge }).api
  if (!api || typeof api.invoke !== 'function') {
    throw new IpcError('internal', 'The app bridge (window.api) is missing: the page was not opened by ResNet Lens.')
  }
  return api
}

/**
 * Calls the main process over `window.api`, unwraps its reply envelope (a failure is thrown as an
 * `IpcError` with the error's kind) and parses the value with the channel's output schema, so the
 * renderer never trusts an unchecked shape.
 */
export async function call<C extends Channel>(
  channel: C,
  ...args: ChannelInput<C> extends undefined ? [input?: undefined] : [input: ChannelInput<C>]
): Promise<ChannelOutput<C>> {
  const api = bridge()
  let reply: unknown
  try {
    reply = await api.invoke(channel, args[0])
  } catch (error) {
    // The request never got an answer (refused by Electron, or the bridge failed).
    throw new IpcError('internal', ipcMessage(error))
  }
  const parsed = contract[channel].output.safeParse(unwrapReply(reply))
  if (!parsed.success) {
    throw new IpcError('internal', `The reply on "${channel}" has an unexpected shape: ${parsed.error.message}`)
  }
  return parsed.data as ChannelOutput<C>
}

/**
 * Listens to a main-process event; each payload is parsed with the event's schema and one that does
 * not match is dropped (and logged), never handed on. Returns the unsubscribe function.
 */
export function subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  const api = bridge()
  if (typeof api.on !== 'function') throw new IpcError('internal', 'The app bridge (window.api) cannot deliver events.')
  return api.on(event, (payload) => {
    const parsed = events[event].safeParse(payload)
    if (!parsed.success) {
      console.error(`The "${event}" event has an unexpected shape: ${parsed.error.message}`)
      return
    }
    listener(parsed.data as EventPayload<E>)
  })
}

/**
 * The message of an error, for people: an `IpcError`'s as it is, another's without Electron's "Error invoking
 * remote method …:" prefix (which only a request Electron itself refused still carries).
 */
export function ipcMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error)
  return raw.replace(/^Error invoking remote method '[^']+': (?:\w*Error: )?/, '')
}

/** The path of a file dropped from the file manager; '' where the bridge cannot tell (a plain browser). */
export function pathForFile(file: File): string {
  const api = (window as { api?: Bridge }).api
  if (!api || typeof api.pathForFile !== 'function') return ''
  try {
    return api.pathForFile(file)
  } catch {
    return ''
  }
}
