import type { Page } from 'playwright-core'
import type { HandlerTable } from '../../src/shared/ipc/contract'
import { dispatch } from '../../src/main/ipc/handlers'

/**
 * The test bridge: gives the page the same `window.api` the preload script gives it in the app,
 * forwarding each call to the main process's handler table running in this (the test's) process.
 * Errors come back as rejected promises with the handler's message, as with ipcRenderer.invoke.
 */
export async function installBridge(page: Page, table: HandlerTable): Promise<void> {
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
    const call = (globalThis as unknown as { __testBridgeInvoke(c: string, i: unknown): Promise<Reply> })
      .__testBridgeInvoke
    Object.defineProperty(globalThis, 'api', {
      value: Object.freeze({
        invoke: async (channel: string, input?: unknown) => {
          const reply = await call(channel, input)
          if (!reply.ok) throw new Error(reply.message)
          return reply.value
        },
      }),
    })
  })
}
