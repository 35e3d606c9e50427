import * as ort from 'onnxruntime-node'
import type { OrtModule } from '../../shared/engine/classifier'
import { defaultThreadCount, type NodeEngine } from './node-ort'

/**
 * onnxruntime-node's CPU backend (N-API: one binary serves Node and Electron). The thread count is
 * per session, so unlike the WASM engine it can be created more than once.
 */
export function createNativeEngine(threads = defaultThreadCount()): NodeEngine {
  return {
    // onnxruntime-node and onnxruntime-web share onnxruntime-common's InferenceSession and Tensor API.
    ort: ort as unknown as OrtModule,
    sessionOptions: {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // Idle inference threads sleep instead of spinning: spinning threads would take the cores the
      // decoders and the main process's event loop need between batches.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    },
    provider: `native CPU, ${threads} thread${threads === 1 ? '' : 's'}`,
  }
}
