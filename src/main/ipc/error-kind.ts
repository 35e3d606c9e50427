import { engineChannels, type Channel } from '../../shared/ipc/contract'
import type { IpcErrorKind } from '../../shared/ipc/errors'
import { ProfileError } from '../../shared/knowledge/profile'
import { IpcInputError } from './input-error'
import { WindowGoneError } from '../engine/renderer-route'
import { WorkerGoneError } from '../engine/worker-engine'
import { DownloadError } from '../models/download/download-error'
import { ImportError } from '../models/import-model'
import { ModelNotFoundError } from '../models/model-library'
import { GraphError } from '../onnx/errors'
import { DestinationTaken, StepError } from '../organize/fs-ops'
import { ThumbnailError } from '../photos/thumbnails'
import { XmpFormatError } from '../photos/xmp-packet'
import { TagError } from '../tags/tags'

/**
 * The kind an error crosses IPC with, decided here, in one place, from the services' error classes (which
 * know nothing of IPC) and Node's error codes. An error of no known class is `internal`, except on the
 * engine's channels, where whatever the engine throws is an engine failure.
 */
export function errorKindOf(error: unknown, channel?: Channel): IpcErrorKind {
  return (
    kindByClass(error) ??
    kindByCode(error) ??
    (channel && Object.hasOwn(engineChannels, channel) ? 'engine' : 'internal')
  )
}

const KINDS_BY_CLASS: readonly (readonly [abstract new (...args: never[]) => Error, IpcErrorKind])[] = [
  [IpcInputError, 'invalid-input'],
  [ModelNotFoundError, 'not-found'],
  [GraphError, 'decode'],
  [ImportError, 'decode'],
  [ThumbnailError, 'decode'],
  [XmpFormatError, 'decode'],
  [ProfileError, 'decode'],
  [WorkerGoneError, 'engine'],
  [WindowGoneError, 'engine'],
  [TagError, 'conflict'],
  [DestinationTaken, 'conflict'],
  [StepError, 'conflict'],
]

function kindByClass(error: unknown): IpcErrorKind | undefined {
  if (error instanceof DownloadError) return error.code === 'cancelled' ? 'cancelled' : undefined
  if (error instanceof Error && error.name === 'AbortError') return 'cancelled'
  return KINDS_BY_CLASS.find(([type]) => error instanceof type)?.[1]
}

const KINDS_BY_CODE: Readonly<Record<string, IpcErrorKind>> = {
  ENOENT: 'not-found',
  ENOTDIR: 'not-found',
  EEXIST: 'conflict',
  ENOSPC: 'disk',
  EDQUOT: 'disk',
  EACCES: 'disk',
  EPERM: 'disk',
  EROFS: 'disk',
  EIO: 'disk',
  EMFILE: 'disk',
  ENFILE: 'disk',
  EBUSY: 'disk',
}

/** Node's system errors (`code: 'ENOSPC'`…), on the error or on the error it was caused by. */
function kindByCode(error: unknown): IpcErrorKind | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = (cause as NodeJS.ErrnoException).code
    if (typeof code === 'string' && Object.hasOwn(KINDS_BY_CODE, code)) return KINDS_BY_CODE[code]
  }
  return undefined
}
