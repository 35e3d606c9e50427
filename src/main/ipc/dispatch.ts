import { contract, type Channel, type HandlerTable } from '../../shared/ipc/contract'
import { failedReply, type IpcReply } from '../../shared/ipc/errors'
import { parseRequest } from '../../shared/ipc/request'
import { errorKindOf } from './error-kind'
import { IpcInputError } from './input-error'

export { IpcInputError }

/**
 * Answers a request from the page: parses it with its channel's schema, runs the handler and checks the
 * reply. Never throws: the reply is the value, or the error's kind and message (`IpcReply`), which the
 * renderer's `call` turns back into an `IpcError`. Electron's `ipcMain.handle` and the tests' bridges
 * both answer with it.
 */
export async function dispatch(table: HandlerTable, channel: unknown, input: unknown): Promise<IpcReply> {
  const request = parseRequest(channel, input)
  if (!request.ok) return request
  try {
    return { ok: true, value: await run(table, request.channel, request.input) }
  } catch (error) {
    const kind = errorKindOf(error, request.channel)
    // Electron logged every handler's error; one of a known kind is the page's to show, the rest are logged here.
    if (kind === 'internal') console.error(`Error in the handler for '${request.channel}':`, error)
    return failedReply(kind, error instanceof Error ? error.message : String(error))
  }
}

/** `dispatch` without the envelope, for tests that drive the handler table: the value, or the handler's error. */
export async function invokeHandler(table: HandlerTable, channel: unknown, input: unknown): Promise<unknown> {
  const request = parseRequest(channel, input)
  if (!request.ok) throw new IpcInputError(request.error.message)
  return run(table, request.channel, request.input)
}

async function run(table: HandlerTable, channel: Channel, input: unknown): Promise<unknown> {
  const handler = table[channel] as (input: unknown) => unknown
  return contract[channel].output.parse(await handler(input))
}
