import type { Page } from 'playwright-core'
import type { HandlerTable } from '../../src/shared/ipc/contract'
import { dispatch } from '../../src/main/ipc/handlers'
import type { EventHub } from '../../src/main/ipc/event-hub'

/**
 * The test bridge: gives the page the same `window.api` the preload script gives it in the app,
 * forwarding each call to the main process's handler table running in this (the test's) process,
 * and the hub's events back to the page. Errors come back as rejected promises with the handler's
 * message, as with ipcRenderer.invoke.
 */
export async function installBridge(page: Page, table: HandlerTable, events?: EventHub): Promise<void> {
  await page.exposeFunction('__testBridgeInvoke', async (channel: unknown, input: unknown) => {
    try {
      return { ok: true, value: await dispatch(table, channel, input) }
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) }
    }
  })
  // Page functions compiled by esbuild (tsx) with keepNames call its __name helper.
  await page.addInitScript('globalThis.__name ??= (f) => f')
  await page.addInitScript(() => {
    type Reply = { ok: true; value: unknown } | { ok: false; message: string }
    type Listener = (payload: unknown) => void
    const scope = globalThis as unknown as {
      __testBridgeInvoke(c: string, i: unknown): Promise<Reply>
      __testBridgeEmit?: (event: string, payload: unknown) => void
    }
    const listeners = new Map<string, Set<Listener>>()
    scope.__testBridgeEmit = (event, payload) => listeners.get(event)?.forEach((listener) => listener(payload))
    Object.defineProperty(globalThis, 'api', {
      value: Object.freeze({
        invoke: async (channel: string, input?: unknown) => {
          const reply = await scope.__testBridgeInvoke(channel, input)
          if (!reply.ok) throw new Error(reply.message)
          return reply.value
        },
        // A plain page has no file paths; tests name the paths of files they drop in __testDropPaths.
        pathForFile: (file: { name?: string }) =>
          (globalThis as unknown as { __testDropPaths?: Record<string, string> }).__testDropPaths?.[file.name ?? ''] ??
          '',
        on: (event: string, listener: Listener) => {
          const set = listeners.get(event) ?? new Set<Listener>()
          set.add(listener)
          listeners.set(event, set)
          return () => set.delete(listener)
        },
      }),
    })
  })
  if (events) {
    const unsubscribe = events.subscribe((event, payload) => {
      page
        .evaluate(
          ([name, data]) =>
            (globalThis as unknown as { __testBridgeEmit?: (e: string, p: unknown) => void }).__testBridgeEmit?.(
              name as string,
              data,
            ),
          [event, payload] as const,
        )
        .catch(() => undefined) // the page may be navigating or closed
    })
    page.once('close', unsubscribe)
  }
}
