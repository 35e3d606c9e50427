import type { Page } from 'playwright-core'
import { unwrapReply } from '../../src/shared/ipc/errors'

/**
 * Calls the main process from the page through its `window.api`, as the renderer's `call` does: the reply
 * envelope is unwrapped here, so a failure throws an `IpcError` with its kind and message.
 */
export async function invoke<T>(page: Page, channel: string, input?: unknown): Promise<T> {
  const reply = await page.evaluate(
    ([c, i]) => (window as unknown as { api: { invoke(c: string, i: unknown): Promise<unknown> } }).api.invoke(c, i),
    [channel, input] as const,
  )
  return unwrapReply(reply) as T
}
