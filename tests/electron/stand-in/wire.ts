/**
 * The messages between the stand-in's main side (the `electron` module the app imports) and its renderer
 * side (headless Chromium driven by the test). In one process they are handed over directly; between the
 * app's process and the test's they travel over a local socket, each frame a length and a V8-serialized
 * value (what Electron's own IPC carries: structured-clone data).
 */
import type { Socket } from 'node:net'
import { deserialize, serialize } from 'node:v8'

export type Platform = 'linux' | 'darwin' | 'win32'

/** What a dialog asked; the renderer side (the test) answers it. */
export type DialogRequest =
  | { type: 'open'; options: Electron.OpenDialogOptions; platform: Platform }
  | { type: 'save'; options: Electron.SaveDialogOptions; platform: Platform }
  | { type: 'message'; options: Electron.MessageBoxOptions; platform: Platform }

export type DialogAnswer =
  Electron.OpenDialogReturnValue | Electron.SaveDialogReturnValue | Electron.MessageBoxReturnValue

/** Something the main side did that tests look at: error boxes, utility processes, quit steps. */
export interface Notice {
  what: string
  detail?: unknown
}

export interface WindowSpec {
  windowId: number
  /** The preload script's path (absolute), if any. */
  preload?: string
  sandbox: boolean
  contextIsolation: boolean
}

/** Main side → renderer side. */
export type ToRenderer =
  | { kind: 'open'; window: WindowSpec }
  | { kind: 'load'; windowId: number; url: string }
  | { kind: 'send'; windowId: number; channel: string; args: unknown[] }
  | { kind: 'close'; windowId: number }
  | { kind: 'focus'; windowId: number }
  | { kind: 'invoke-reply'; requestId: number; ok: boolean; value?: unknown; error?: string }
  | { kind: 'dialog'; requestId: number; request: DialogRequest }
  | { kind: 'control-reply'; requestId: number; ok: boolean; value?: unknown; error?: string }
  | { kind: 'notice'; notice: Notice }

/** Renderer side → main side. */
export type ToMain =
  | {
      kind: 'invoke'
      requestId: number
      windowId: number
      frameUrl: string
      topFrame: boolean
      channel: string
      args: unknown[]
    }
  | { kind: 'ipc-send'; windowId: number; frameUrl: string; topFrame: boolean; channel: string; args: unknown[] }
  | { kind: 'loaded'; windowId: number; url: string }
  | { kind: 'load-failed'; windowId: number; error: string }
  | { kind: 'user-close'; windowId: number }
  | { kind: 'dialog-answer'; requestId: number; answer: DialogAnswer }
  | { kind: 'control'; requestId: number; op: string; args: unknown[] }

/** Writes and reads length-prefixed V8-serialized frames on a socket. */
export function frameSocket<In>(socket: Socket, onMessage: (message: In) => void): (message: unknown) => void {
  let buffered: Buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
    while (buffered.length >= 4) {
      const size = buffered.readUInt32LE(0)
      if (buffered.length < 4 + size) break
      const frame = buffered.subarray(4, 4 + size)
      buffered = buffered.subarray(4 + size)
      onMessage(deserialize(frame) as In)
    }
  })
  return (message) => {
    const body = serialize(message)
    const head = Buffer.alloc(4)
    head.writeUInt32LE(body.length, 0)
    socket.write(Buffer.concat([head, body]))
  }
}
