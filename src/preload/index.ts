import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { isEventName, type Bridge } from '../shared/ipc/contract'
import { APP_EVENT_CHANNEL, APP_LISTEN_CHANNEL } from '../shared/ipc/event-channel'
import { parseRequest } from '../shared/ipc/request'

/**
 * `window.api`, built from the IPC contract: only the contract's channels can be invoked, and each
 * request is checked against its schema before it leaves the page (the main process checks again).
 * `invoke` passes the main process's reply envelope through as it is (a refused request gets the same
 * envelope): errors crossing the context bridge would lose everything but their message.
 */
const api: Bridge = {
  invoke(channel, input) {
    const request = parseRequest(channel, input)
    if (!request.ok) return Promise.resolve(request)
    return ipcRenderer.invoke(request.channel, request.input) as Promise<unknown>
  },
  on(event, listener) {
    if (!isEventName(event)) throw new Error(`Unknown event: ${String(event)}`)
    const forward = (_: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload)
    }
    ipcRenderer.on(APP_EVENT_CHANNEL, forward)
    // The main process sends this page only the events it has listeners for (and counts them).
    ipcRenderer.send(APP_LISTEN_CHANNEL, event, true)
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      ipcRenderer.removeListener(APP_EVENT_CHANNEL, forward)
      ipcRenderer.send(APP_LISTEN_CHANNEL, event, false)
    }
  },
  pathForFile(file) {
    return webUtils.getPathForFile(file as File)
  },
}

contextBridge.exposeInMainWorld('api', api)
