/**
 * The inference engine: a dedicated Web Worker that owns the onnxruntime session, decodes photos,
 * preprocesses them with the shared module, batches them and runs the model, so the UI thread never
 * blocks on a photo or a model. This entry only sets onnxruntime up for the worker and hands each
 * request to the handler (`request-handler.ts`), which runs in Node too.
 */
import * as ort from 'onnxruntime-web'
// ORT's WebAssembly build (WASM and WebGPU/JSEP in one file) and its Emscripten loader, served from
// the app's own assets: the app is offline and never reaches a CDN.
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url'
import ortLoaderUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url'
import { decodePhoto } from './decode'
import type { WorkerReply, WorkerRequest } from './messages'
import { planThreads } from './providers'
import { createRequestHandler } from './request-handler'

interface WorkerScope {
  postMessage(message: WorkerReply, transfer?: Transferable[]): void
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void
  crossOriginIsolated: boolean
  location: Location
  navigator: Navigator
}
const scope = self as unknown as WorkerScope

const threads = planThreads(scope.crossOriginIsolated, scope.navigator.hardwareConcurrency)
ort.env.wasm.numThreads = threads.threads
ort.env.wasm.wasmPaths = {
  wasm: new URL(ortWasmUrl, scope.location.href).href,
  mjs: new URL(ortLoaderUrl, scope.location.href).href,
}
ort.env.logLevel = 'error'

const handle = createRequestHandler({
  ort,
  threads,
  gpu: scope.navigator.gpu,
  decode: decodePhoto,
  post: (reply, transfer = []) => scope.postMessage(reply, transfer),
})

scope.addEventListener('message', (event) => handle(event.data))
