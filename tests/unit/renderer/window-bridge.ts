import { vi } from 'vitest'
import { dispatch } from '../../../src/main/ipc/dispatch'
import type { Bridge, HandlerTable } from '../../../src/shared/ipc/contract'
import { parseRequest } from '../../../src/shared/ipc/request'
import type { TestServices } from '../../support/services'

/**
 * Gives the renderer's modules a `window.api` over the main process's real handler table and event hub, as
 * the preload does in the app: each request is checked against the contract and answered by the real
 * `dispatch` (its envelope unwrapped by the renderer's `call`), what crosses is cloned, and events arrive
 * later, as IPC delivers them. Undo with `vi.unstubAllGlobals()`.
 */
export function installWindowApi(services: TestServices, table: HandlerTable = services.handlers): Bridge {
  const api: Bridge = {
    async invoke(channel, input) {
      const request = parseRequest(channel, input)
      if (!request.ok) return request
      return structuredClone(await dispatch(table, request.channel, structuredClone(request.input)))
    },
    on(event, listener) {
      return services.events.subscribe(
        (name, payload) => {
          if (name === event) setTimeout(() => listener(structuredClone(payload)), 0)
        },
        (name) => name === event,
      )
    },
    pathForFile: () => '',
  }
  vi.stubGlobal('window', { api })
  return api
}

/** Waits until `check` holds (the renderer's state follows IPC replies and events asynchronously). */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * A `window.api` whose `models:active` fails (the library database is locked) until `allow()`; the main
 * process's log of that failure is kept out of the test's output until then.
 */
export function installLockedActiveModel(services: TestServices): { allow(): void } {
  let locked = true
  const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
  installWindowApi(services, {
    ...services.handlers,
    'models:active': () => {
      if (locked) throw new Error('The library database is locked.')
      return services.handlers['models:active'](undefined)
    },
  })
  return {
    allow() {
      locked = false
      logged.mockRestore()
    },
  }
}
