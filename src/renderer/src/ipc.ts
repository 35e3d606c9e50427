import { contract, type Channel, type ChannelInput, type ChannelOutput } from '../../shared/ipc/contract'

/** Raised when the bridge is missing or a reply does not match its channel's schema. */
export class IpcError extends Error {
  override name = 'IpcError'
}

/**
 * Calls the main process over `window.api` and parses the reply with the channel's output schema,
 * so the renderer never trusts an unchecked shape.
 */
export async function call<C extends Channel>(
  channel: C,
  ...args: ChannelInput<C> extends undefined ? [input?: undefined] : [input: ChannelInput<C>]
): Promise<ChannelOutput<C>> {
  const api = (window as Partial<Window>).api
  if (!api || typeof api.invoke !== 'function') {
    throw new IpcError('The app bridge (window.api) is missing: the page was not opened by ResNet Lens.')
  }
  const reply = await api.invoke(channel, args[0])
  const parsed = contract[channel].output.safeParse(reply)
  if (!parsed.success) {
    throw new IpcError(`The reply on "${channel}" has an unexpected shape: ${parsed.error.message}`)
  }
  return parsed.data as ChannelOutput<C>
}
