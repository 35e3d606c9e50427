import type { ModelClassifyFn } from '../inference/classify-result'

/**
 * The engine batch jobs run on: the engine selected for the job's model (native CPU in a separate
 * process or thread, or the renderer's WebGPU on a hardware adapter), never on the main thread.
 */
export interface BatchEngine {
  /** Classifies a job's files with the model the job names, loading it on first use. */
  classify: ModelClassifyFn
  /** Stops the engine's worker; jobs in flight end with an error for their remaining files. */
  close(): Promise<void>
}
