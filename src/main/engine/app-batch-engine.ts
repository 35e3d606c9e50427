import type { Db } from '../db/database'
import { ENGINE_KINDS, type EngineKind } from '../../shared/engine/engine-kind'
import type { ModelLibrary } from '../models/model-library'
import { deleteSetting, readSetting, writeSetting } from '../db/settings'
import type { BatchEngine } from './batch-engine'
import type { ChooseOptions, EngineChoice } from './calibration'
import type { SpawnEnginePort } from './engine-port'
import type { WorkerBackend, WorkerResult } from '../engine-process/protocol'
import { EngineSelector, type EngineModel, type WebgpuMeasurement } from './engine-selector'
import type { RendererRoute } from './renderer-route'
import { WorkerEngine } from './worker-engine'
import { hierarchyPathFor, knowledgeFiles } from '../knowledge/load-knowledge'
import type { ClassifyResult } from '../inference/classify-result'

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
  /**
   * Each photo's logits and features, one batch at a time, on a CPU engine of the engine worker (never
   * WebGPU): what a knowledge profile is built from. Results without features mean the model gives none.
   */
  extract(modelId: string, paths: readonly string[], signal?: AbortSignal): AsyncGenerator<WorkerResult[]>
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
  /** The shipped label lists and their hierarchies. */
  labelsDir: string
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
    const card = library.card(modelId)
    const knowledge = knowledgeFiles(library.profilePath(modelId), hierarchyPathFor(deps.labelsDir, card.labelsSource))
    return { id: modelId, file, card, knowledge }
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

  /** The CPU engine for extraction: the faster one measured (or asked for in settings), else native, else WASM. */
  const cpuBackend = async (target: EngineModel): Promise<WorkerBackend> => {
    let preferred: WorkerBackend = 'native'
    try {
      const override = readOverride()
      const known = selector.known(target, {
        eligible: BATCH_ENGINES,
        ...(override && BATCH_ENGINES.includes(override) && { override }),
      })
      if (known?.engine === 'native' || known?.engine === 'wasm') preferred = known.engine
    } catch {
      // No CPU engine measured as working: try them in order.
    }
    try {
      await selector.loadSession(target, preferred)
      return preferred
    } catch (error) {
      const other: WorkerBackend = preferred === 'native' ? 'wasm' : 'native'
      try {
        await selector.loadSession(target, other)
        return other
      } catch {
        throw error
      }
    }
  }

  return {
    async *classify(modelId, paths, signal): AsyncGenerator<ClassifyResult[]> {
      const target = model(modelId)
      const choice = await selector.choose(target, options(modelId))
      const onCpu = async function* (rest: AsyncIterable<readonly string[]>): AsyncGenerator<ClassifyResult[]> {
        // No window now: the choice among the engines that remain (the window's is not eligible).
        const cpu = await selector.choose(target, {
          ...options(modelId),
          eligible: BATCH_ENGINES,
          ineligibleNote: 'no window open',
        })
        const backend: WorkerBackend = cpu.engine === 'wasm' ? 'wasm' : 'native'
        yield* selector.classifyBatches(target, backend, rest, { ...(signal && { signal }) })
      }
      // A window that closes mid-job (macOS keeps the app running) hands the rest to a CPU engine.
      if (choice.engine === 'webgpu') yield* deps.route.classifyBatches(modelId, paths, signal, onCpu)
      else yield* selector.classifyBatches(target, choice.engine, paths, { ...(signal && { signal }) })
    },
    choice: (modelId) => selector.choose(model(modelId), options(modelId)),
    knownChoice: (modelId) => selector.known(model(modelId), options(modelId)),
    override: readOverride,
    setOverride(engine) {
      if (engine === undefined) deleteSetting(db, ENGINE_SETTING)
      else writeSetting(db, ENGINE_SETTING, engine)
    },
    async *extract(modelId, paths, signal) {
      const target = model(modelId)
      const backend = await cpuBackend(target)
      yield* selector.classifyBatches(target, backend, paths, {
        k: 1,
        features: true,
        logits: true,
        ...(signal && { signal }),
      })
    },
    async recalibrate(modelId) {
      const target = model(modelId)
      selector.forget(target)
      return selector.choose(target, { ...options(modelId), waitForWebgpu: true })
    },
    close: () => worker.close(),
  }
}
