/**
 * The engine worker's message loop: every request from the page goes to the part that answers it. All of
 * the worker's state lives in the objects made here, one set per handler.
 */
import { SerialQueue } from '../lib/serial-queue'
import { Benchmarks } from './benchmark'
import { ClassifyQueue } from './classify-queue'
import { LoadedEngine } from './loaded-engine'
import type { WorkerRequest } from './messages'
import { ModelFiles } from './model-files'
import { PhotoActivations } from './photo-activations'
import { Sessions } from './sessions'
import { TappedSessions } from './tapped-sessions'
import type { WorkerRuntime } from './worker-runtime'

export function createRequestHandler(runtime: WorkerRuntime): (request: WorkerRequest | undefined) => void {
  // Work that touches a session runs one at a time, in order: loads, batches, benchmarks and activations.
  const lane = new SerialQueue()
  const models = new ModelFiles()
  const sessions = new Sessions(runtime)
  const tapped = new TappedSessions(sessions)
  // The tapped session follows the plain one's model and provider: it is opened again on demand.
  const engine = new LoadedEngine(runtime, lane, sessions, models, () => tapped.release())
  const photos = new ClassifyQueue(runtime, lane, engine)
  const benchmarks = new Benchmarks(runtime, sessions, models)
  const activations = new PhotoActivations(runtime, lane, engine, tapped)

  return (request) => {
    switch (request?.type) {
      case 'load':
        engine.load(request)
        break
      case 'classify':
        photos.add(request)
        break
      case 'benchmark':
        void lane.run(() => benchmarks.run(request))
        break
      case 'cancel-benchmark':
        benchmarks.cancel(request.id)
        break
      case 'activations':
        void activations.handle(request)
        break
      default:
        break
    }
  }
}
