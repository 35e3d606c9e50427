import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron'
import { channelNames, type HandlerTable } from '../../shared/ipc/contract'
import { APP_EVENT_CHANNEL } from '../../shared/ipc/event-channel'
import type { EventHub } from '../ipc/event-hub'
import { dispatch } from '../ipc/handlers'
import { isAllowedNavigation } from '../security'

/** Registers the handler table with ipcMain, answering only the app's own top-level page. */
export function registerIpc(table: HandlerTable, devServerUrl?: string): void {
  for (const channel of channelNames) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, input: unknown) => {
      const frame = event.senderFrame
      if (!frame || frame.parent !== null || !isAllowedNavigation(frame.url, devServerUrl)) {
        throw new Error(`IPC refused from ${frame?.url ?? 'an unknown frame'}`)
      }
      return dispatch(table, channel, input)
    })
  }
}

/** Sends the services' events to every window. */
export function forwardEvents(events: EventHub): void {
  events.subscribe((event, payload) => {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(APP_EVENT_CHANNEL, event, payload)
  })
}
