import type { Db } from '../db/database'
import { ENGINE_KINDS, type EngineKind } from '../../shared/engine/engine-kind'
import type { ModelLibrary } from '../library/model-library'
import type { ClassifyResult } from '../tags/classify-pending'
import { deleteSetting, readSetting, writeSetting } from '../db/settings'
import type { BatchEngine } from './batch-engine'
import type { ChooseOptions, EngineChoice } from './calibration'
import type { SpawnEnginePort } from './engine-port'
import { EngineSelector, type EngineModel, type WebgpuMeasurement } from './engine-selector'
import type { RendererRoute } from './renderer-route'
import { WorkerEngine } from './worker-engine'

const ENGINE_SETTING = 'batch_engine'

/** The engine worker's engines: batch jobs can always run on them. */
export const BATCH_ENGINES: readonly EngineKind[] = ['native', 'wasm']

export interface AppBatchEngine extends BatchEngine {
  /** The engine batch jobs use for a model and why (measures the engines on first use). */
  choice(modelId: string): Promise<EngineChoice>
  /** What is known without measuring; undefined before the first measurement. */
  knownChoice(modelId: string): EngineChoice | undefined
  /** The person's choice in settings; undefined: the fastest. */
  override(): EngineKind | undefined
  setOverride(engine: EngineKind | undefined): void
  /** Measures the engines again for a model. */
  recalibrate(modelId: string): Promise<EngineChoice>
}

export interface AppBatchEngineDeps {
  db: Db
  library: ModelLibrary
  /** A utility process in the app, a worker thread in the tests. */
  spawn: SpawnEnginePort
  /** WebGPU's figure for a model, measured by the window. */
  measureWebgpu: (model: EngineModel) => Promise<WebgpuMeasurement>
  /** Batches for WebGPU go through the window's engine. */
  route: RendererRoute
}

/**
 * Batch jobs' engine in the app: the engine selected per model (measured once per machine). The CPU
 * engines run in the engine worker; WebGPU (a hardware adapter, measured by the window) runs in the
 * window's engine, which holds the active model: so WebGPU can take a job for the active model while
 * a window is open. Either way the main process's event loop only routes files and records results.
 */
export function createAppBatchEngine(deps: AppBatchEngineDeps): AppBatchEngine {
  const { db, library } = deps
  const worker = new WorkerEngine(deps.spawn)
  const selector = new EngineSelector({
    db,
    worker,
    measureWebgpu: deps.measureWebgpu,
  })
  const model = (modelId: string): EngineModel => {
    const file = library.resolveFile(modelId)
    if (file === undefined) throw new Error(`The model "${modelId}" has no file in the library.`)
    return { id: modelId, file, card: library.card(modelId) }
  }
  const readOverride = (): EngineKind | undefined => {
    const value = readSetting(db, ENGINE_SETTING)
    return ENGINE_KINDS.find((kind) => kind === value)
  }
  const options = (modelId: string): ChooseOptions => {
    const override = readOverride()
    const why = !deps.route.available()
      ? 'no window open'
      : library.activeId() !== modelId
        ? 'the window runs the active model only'
        : undefined
    return {
      ...(override && { override }),
      ...(why && { eligible: BATCH_ENGINES, ineligibleNote: why }),
    }
  }

  return {
    async *classify(modelId, paths, signal): AsyncGenerator<ClassifyResult[]> {
      const target = model(modelId)
      const choice = await selector.choose(target, options(modelId))
      if (choice.engine === 'webgpu') yield* deps.route.classifyBatches(modelId, paths, signal)
      else yield* selector.classifyBatches(target, choice.engine, paths, { ...(signal && { signal }) })
    },
    choice: (modelId) => selector.choose(model(modelId), options(modelId)),
    knownChoice: (modelId) => selector.known(model(modelId), options(modelId)),
    override: readOverride,
    setOverride(engine) {
      if (engine === undefined) deleteSetting(db, ENGINE_SETTING)
      else writeSetting(db, ENGINE_SETTING, engine)
    },
    async recalibrate(modelId) {
      const target = model(modelId)
      selector.forget(target)
      return selector.choose(target, { ...options(modelId), waitForWebgpu: true })
    },
    close: () => worker.close(),
  }
}
