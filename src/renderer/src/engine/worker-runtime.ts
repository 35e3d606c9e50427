/**
 * What the engine worker's code needs from the place it runs in: the Web Worker in the app (`worker.ts`), or a
 * test's own process. Nothing below the entry reads `self`, so the whole request handling runs in Node too.
 */
import type * as Ort from 'onnxruntime-web'
import type { DecodedImage } from '../../../shared/preprocess/preprocess'
import type { FailedReply, FailureKind, WorkerReply } from './messages'
import type { ThreadPlan } from './providers'

/** The parts of onnxruntime-web the worker uses (sessions, tensors, and its WebGPU settings). */
export type OrtWeb = Pick<typeof Ort, 'InferenceSession' | 'Tensor' | 'env'>

export interface WorkerRuntime {
  /** onnxruntime-web, already configured (WASM files, `threads`) by whoever made the runtime. */
  ort: OrtWeb
  /** The WASM thread count set on `ort`, and why not more. */
  threads: ThreadPlan
  /** WebGPU's entry point; undefined where there is none. */
  gpu: GPULike | undefined
  /** A photo's upright RGBA pixels; rejects with a `DecodeError` when it is not an image. */
  decode(file: Blob): Promise<DecodedImage>
  /** Sends a reply to the page, transferring `transfer`. */
  post(reply: WorkerReply, transfer?: Transferable[]): void
}

export function failure(id: number, kind: FailureKind, message: string): FailedReply {
  return { type: 'failed', id, kind, message }
}

/** One line of an error, for people. */
export function messageOf(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error)
  const line = raw.split('\n').find((l) => l.trim() !== '') ?? 'unknown error'
  return line.length > 300 ? `${line.slice(0, 297)}…` : line
}

export function joinNotes(...notes: string[]): string {
  return notes.filter((n) => n !== '').join('; ')
}
