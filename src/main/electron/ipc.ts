import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { channelNames, isEventName, type EventName, type HandlerTable } from '../../shared/ipc/contract'
import { APP_EVENT_CHANNEL, APP_LISTEN_CHANNEL } from '../../shared/ipc/event-channel'
import type { EventHub } from '../ipc/event-hub'
import { dispatch } from '../ipc/dispatch'
import { isAllowedNavigation } from '../security/policy'

/** Whether an IPC message comes from the app's own top-level page. */
function fromAppPage(event: IpcMainInvokeEvent | IpcMainEvent, devServerUrl?: string): boolean {
  const frame = event.senderFrame
  return !!frame && frame.parent === null && isAllowedNavigation(frame.url, devServerUrl)
}

/**
 * Registers the handler table with ipcMain, answering only the app's own top-level page. Each request is
 * answered with `dispatch`'s envelope, so a handler's error reaches the page with its kind; a frame that is
 * not the app's page is refused with a plain error.
 */
export function registerIpc(table: HandlerTable, devServerUrl?: string): void {
  for (const channel of channelNames) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, input: unknown) => {
      if (!fromAppPage(event, devServerUrl)) {
        throw new Error(`IPC refused from ${event.senderFrame?.url ?? 'an unknown frame'}`)
      }
      return dispatch(table, channel, input)
    })
  }
}

/** Removes what `registerIpc` and `forwardEvents` registered (tests that start the glue more than once). */
export function unregisterIpc(): void {
  for (const channel of channelNames) ipcMain.removeHandler(channel)
  ipcMain.removeAllListeners(APP_LISTEN_CHANNEL)
}

/**
 * Sends the services' events to the windows whose page listens to them. Each page says which events it
 * listens to (the preload sends APP_LISTEN_CHANNEL as its listeners come and go); a page is subscribed
 * to the hub from its first listener until it navigates away, reloads or its window closes. So the hub
 * knows when no window listens (a window closed on macOS, or one whose page has not subscribed yet) and
 * no event is sent to a page before it listens.
 */
export function forwardEvents(events: EventHub, devServerUrl?: string): void {
  const pages = new Map<WebContents, { listening: Map<EventName, number>; unsubscribe: () => void }>()
  const forget = (contents: WebContents): void => {
    const page = pages.get(contents)
    if (!page) return
    pages.delete(contents)
    page.unsubscribe()
  }
  ipcMain.on(APP_LISTEN_CHANNEL, (event: IpcMainEvent, name: unknown, listening: unknown) => {
    if (!fromAppPage(event, devServerUrl) || !isEventName(name) || typeof listening !== 'boolean') return
    const contents = event.sender
    let page = pages.get(contents)
    if (!page) {
      const listening = new Map<EventName, number>()
      const unsubscribe = events.subscribe(
        (eventName, payload) => {
          if (!contents.isDestroyed()) contents.send(APP_EVENT_CHANNEL, eventName, payload)
        },
        (eventName) => (listening.get(eventName) ?? 0) > 0,
      )
      page = { listening, unsubscribe }
      pages.set(contents, page)
      contents.once('destroyed', () => forget(contents))
      contents.on('render-process-gone', () => forget(contents))
      contents.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) forget(contents)
      })
    }
    const count = Math.max(0, (page.listening.get(name) ?? 0) + (listening ? 1 : -1))
    if (count === 0) page.listening.delete(name)
    else page.listening.set(name, count)
    events.changed()
  })
}
