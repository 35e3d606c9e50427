import { contract, isChannel, type AppInfo, type Channel, type HandlerTable } from '../../shared/ipc/contract'
import type { ModelLibrary } from '../library/model-library'
import { modelUrlPath } from '../protocol/app-protocol'

export interface Services {
  appInfo: AppInfo
  library: ModelLibrary
}

/** The one handler table: Electron's ipcMain registers it in the app, tests serve it to a page. */
export function createHandlers(services: Services): HandlerTable {
  return {
    'app:info': () => services.appInfo,
    'models:list': () => services.library.list(),
    'models:active': () => {
      const id = services.library.activeId()
      return { card: services.library.card(id), modelUrl: modelUrlPath(id) }
    },
  }
}

export class IpcInputError extends Error {
  override name = 'IpcInputError'
}

/** Parses the request with its channel's schema, runs the handler, and checks the reply. */
export async function dispatch(table: HandlerTable, channel: unknown, input: unknown): Promise<unknown> {
  if (!isChannel(channel)) throw new IpcInputError(`Unknown IPC channel: ${String(channel)}`)
  const spec = contract[channel]
  const parsed = spec.input.safeParse(input)
  if (!parsed.success) throw new IpcInputError(`Invalid request on ${channel}: ${parsed.error.message}`)
  const handler = table[channel] as (input: unknown) => unknown
  return spec.output.parse(await handler(parsed.data))
}

export type { Channel }
