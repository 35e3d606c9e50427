import { contract, isChannel, type Channel } from './contract'
import { failedReply, type IpcFailedReply } from './errors'

export type ParsedRequest = { ok: true; channel: Channel; input: unknown } | IpcFailedReply

/**
 * Checks a request against the contract: its channel must be one, and its input is parsed with the channel's
 * schema. The preload checks before a request leaves the page, the main process again when it arrives; a
 * refusal is the failure reply either side answers with.
 */
export function parseRequest(channel: unknown, input: unknown): ParsedRequest {
  if (!isChannel(channel)) return failedReply('invalid-input', `Unknown IPC channel: ${String(channel)}`)
  const parsed = contract[channel].input.safeParse(input)
  if (!parsed.success) return failedReply('invalid-input', `Invalid request on ${channel}: ${parsed.error.message}`)
  return { ok: true, channel, input: parsed.data }
}
