import { contextBridge, ipcRenderer } from 'electron'
import { contract, isChannel, type Bridge } from '../shared/ipc/contract'

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
}

contextBridge.exposeInMainWorld('api', api)
