import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { contract, isChannel, isEventName, type Bridge } from '../shared/ipc/contract'
import { APP_EVENT_CHANNEL, APP_LISTEN_CHANNEL } from '../shared/ipc/event-channel'

/**
 * `window.api`, built from the IPC contract: only the contract's channels can be invoked, and each
 * request is checked against its schema before it leaves the page (the main process checks again).
 */
const api: Bridge = {
  invoke(channel, input) {
    if (!isChannel(channel)) return Promise.reject(new Error(`Unknown IPC channel: ${String(channel)}`))
    const parsed = contract[channel].input.safeParse(input)
    if (!parsed.success) return Promise.reject(new Error(`Invalid request on ${channel}: ${parsed.error.message}`))
    return ipcRenderer.invoke(channel, parsed.data) as Promise<unknown>
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
