import { z } from 'zod'

/**
 * How a request's failure crosses IPC. Electron's `ipcMain.handle` turns a thrown error into a string
 * ("Error invoking remote method 'x': Error: …") and drops its class, so the main process answers every
 * request with an envelope instead: the value, or the error's kind and its message. The renderer turns a
 * failure back into an `IpcError` whose `kind` says what went wrong without reading the message.
 */

export const IPC_ERROR_KINDS = [
  /** The request does not fit its channel's schema, or names no channel. */
  'invalid-input',
  /** What the request names (a model, a photo, a file) is not there. */
  'not-found',
  /** A file (a photo, a model, a sidecar, a profile) cannot be read as what it should be. */
  'decode',
  /** The engine could not run the model (it failed, or its process or window went away). */
  'engine',
  /** Stopped on request before it finished. */
  'cancelled',
  /** The file system refused: no space, no permission, a read-only or failing disk. */
  'disk',
  /** The request clashes with the current state (a name taken, a destination that exists, a run that cannot). */
  'conflict',
  /** Anything else: a bug, or a failure with no kind of its own (the message says what). */
  'internal',
] as const

export const IpcErrorKindSchema = z.enum(IPC_ERROR_KINDS)
export type IpcErrorKind = z.infer<typeof IpcErrorKindSchema>

export const IpcFailureSchema = z.object({ kind: IpcErrorKindSchema, message: z.string() })
export type IpcFailure = z.infer<typeof IpcFailureSchema>

/** The answer to every request: `value` when it succeeded (checked against the channel's output schema later). */
export const IpcReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: IpcFailureSchema }),
])
export type IpcFailedReply = { ok: false; error: IpcFailure }
export type IpcReply = { ok: true; value: unknown } | IpcFailedReply

/** A request that failed, with its kind; `message` is for people, without any IPC prefix. */
export class IpcError extends Error {
  override name = 'IpcError'
  constructor(
    readonly kind: IpcErrorKind,
    message: string,
  ) {
    super(message)
  }
}

export function failedReply(kind: IpcErrorKind, message: string): IpcFailedReply {
  return { ok: false, error: { kind, message } }
}

/** The value of a reply envelope; throws an `IpcError` for a failure, or for a reply that is no envelope. */
export function unwrapReply(reply: unknown): unknown {
  const parsed = IpcReplySchema.safeParse(reply)
  if (!parsed.success) throw new IpcError('internal', `The reply is not an IPC envelope: ${parsed.error.message}`)
  if (!parsed.data.ok) throw new IpcError(parsed.data.error.kind, parsed.data.error.message)
  return parsed.data.value
}
