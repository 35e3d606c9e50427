import type { Db } from '../db/database'
import { viewCount } from '../../shared/preprocess/views'
import type { ClassifierCard } from '../../shared/engine/classifier'
import type { ModelCard } from '../../shared/model-card'
import {
  calibrationModelKey,
  chooseEngine,
  type ChooseOptions,
  machineKey,
  readCalibrations,
  saveCalibration,
  type EngineChoice,
  type EngineMeasurement,
} from './calibration'
import type { KnowledgeFiles } from '../knowledge/load-knowledge'
import type { LoadedSession, WorkerBackend, WorkerResult } from '../engine-process/protocol'
import type { WorkerClassifyOptions, WorkerEngine } from './worker-engine'

/** A model as the engines need it: its file and card (its sha256 and views key its calibrations). */
export interface EngineModel {
  id: string
  file: string
  card: ClassifierCard & Pick<ModelCard, 'sha256'>
  /** The model's knowledge profile and label hierarchy, where it has them. */
  knowledge?: KnowledgeFiles
}

export type WebgpuMeasurement = Pick<EngineMeasurement, 'imagesPerSecond' | 'note'>

export interface EngineSelectorDeps {
  db: Db
  worker: WorkerEngine
  /** WebGPU's figure for a model: the renderer measures it in the app; the CLI has none. */
  measureWebgpu: (model: EngineModel) => Promise<WebgpuMeasurement>
  machine?: string
  now?: () => Date
}

const CPU_BACKENDS: readonly WorkerBackend[] = ['native', 'wasm']

/** Each CPU engine is measured in this many rounds of at least `ROUND_MS` ms (plus one warm-up run). */
export const CALIBRATION_ROUNDS = 3
const ROUND_MS = 200

/**
 * Photos per batch: small inputs (CIFAR) run in large batches, photo-sized inputs in small ones; a model run on
 * views of each photo (`src/shared/preprocess/views.ts`) in proportionally fewer photos.
 */
export function batchSizeFor(card: ClassifierCard): number {
  const images = isSmallInput(card) ? 50 : 8
  return Math.max(2, Math.round(images / viewCount(card.preprocessing)))
}

/**
 * Measures each engine once per model and machine (a short run of the model alone, cached in the
 * database), picks the fastest or the one asked for, and runs batches on the CPU engines in the
 * engine worker.
 */
export class EngineSelector {
  private readonly machine: string
  private readonly calibrating = new Map<string, Promise<EngineMeasurement[]>>()
  /** WebGPU measurements asked of the window and not answered yet, by model sha256. */
  private readonly webgpu = new Map<string, Promise<void>>()
  /** The session key in use per model file and engine. */
  private readonly sessionKeys = new Map<string, string>()

  constructor(private readonly deps: EngineSelectorDeps) {
    this.machine = deps.machine ?? machineKey()
  }

  /** The engine for batch work on this model; measures the engines not measured yet on this machine. */
  /**
   * The engine for this model; measures the engines not measured yet on this machine. WebGPU's figure
   * (the window's) is awaited only with `waitForWebgpu`; otherwise it is recorded when it comes.
   */
  async choose(model: EngineModel, options: ChooseOptions & { waitForWebgpu?: boolean } = {}): Promise<EngineChoice> {
    const { waitForWebgpu = false, ...choose } = options
    return chooseEngine(await this.measurements(model, waitForWebgpu), choose)
  }

  /** What is known without measuring (for a model card): undefined when nothing was measured yet. */
  known(model: Pick<EngineModel, 'card'>, options: ChooseOptions = {}): EngineChoice | undefined {
    const known = readCalibrations(this.deps.db, calibrationModelKey(model.card), this.machine)
    if (!known.some((m) => m.imagesPerSecond !== null)) return undefined
    return chooseEngine(known, options)
  }

  /** Forgets this machine's figures for a model, so the next choice measures again. */
  forget(model: Pick<EngineModel, 'card'>): void {
    this.deps.db
      .prepare('DELETE FROM engine_calibrations WHERE model_sha256 = ? AND machine = ?')
      .run(calibrationModelKey(model.card), this.machine)
  }

  async *classify(
    model: EngineModel,
    backend: WorkerBackend,
    paths: readonly string[] | AsyncIterable<readonly string[]>,
    options: Omit<WorkerClassifyOptions, 'batchSize'> & { batchSize?: number } = {},
  ): AsyncGenerator<WorkerResult> {
    for await (const batch of this.classifyBatches(model, backend, paths, options)) yield* batch
  }

  /** Like `classify`, one batch at a time (a job records each batch in one transaction). */
  async *classifyBatches(
    model: EngineModel,
    backend: WorkerBackend,
    paths: readonly string[] | AsyncIterable<readonly string[]>,
    options: Omit<WorkerClassifyOptions, 'batchSize'> & { batchSize?: number } = {},
  ): AsyncGenerator<WorkerResult[]> {
    const key = await this.load(model, backend)
    yield* this.deps.worker.classifyBatches(key, paths, { batchSize: batchSizeFor(model.card), ...options })
  }

  private async load(model: EngineModel, backend: WorkerBackend): Promise<string> {
    await this.loadSession(model, backend)
    return this.key(model, backend)
  }

  /** Loads the model on a CPU engine (once) and says what became of its knowledge profile. */
  loadSession(model: EngineModel, backend: WorkerBackend): Promise<LoadedSession> {
    const { file, card } = model
    const key = this.key(model, backend)
    // A session loaded with an older profile is let go: one session per model and engine.
    const slot = `${backend}:${card.sha256}`
    const previous = this.sessionKeys.get(slot)
    if (previous !== undefined && previous !== key) void this.deps.worker.release(previous).catch(() => undefined)
    this.sessionKeys.set(slot, key)
    return this.deps.worker.load(
      key,
      { modelPath: file, card, sha256: card.sha256, ...(model.knowledge && { knowledge: model.knowledge }) },
      backend,
    )
  }

  /** A session per model file, engine and knowledge: a new profile loads the model again. */
  private key(model: EngineModel, backend: WorkerBackend): string {
    return `${backend}:${model.card.sha256}:${model.knowledge?.profilePath ?? ''}:${model.knowledge?.revision ?? ''}`
  }

  private async measurements(model: EngineModel, waitForWebgpu: boolean): Promise<EngineMeasurement[]> {
    const sha = calibrationModelKey(model.card)
    let pending = this.calibrating.get(sha)
    if (!pending) {
      pending = this.calibrate(model).finally(() => this.calibrating.delete(sha))
      this.calibrating.set(sha, pending)
    }
    await pending
    if (waitForWebgpu) await this.webgpu.get(sha)
    return readCalibrations(this.deps.db, sha, this.machine)
  }

  private async calibrate(model: EngineModel): Promise<EngineMeasurement[]> {
    const { db, worker, now } = this.deps
    const sha = calibrationModelKey(model.card)
    const known = new Set(readCalibrations(db, sha, this.machine).map((m) => m.engine))
    if (!known.has('webgpu') && !this.webgpu.has(sha)) {
      const measuring = this.deps
        .measureWebgpu(model)
        .then((measurement) => saveCalibration(db, sha, this.machine, { engine: 'webgpu', ...measurement }, now))
        .catch(() => undefined) // the database may be closed by the time a late answer comes
        .finally(() => this.webgpu.delete(sha))
      this.webgpu.set(sha, measuring)
    }
    const loaded = new Map<WorkerBackend, string>()
    const best = new Map<WorkerBackend, number>()
    const failed = new Map<WorkerBackend, string>()
    for (const backend of CPU_BACKENDS) {
      if (known.has(backend)) continue
      try {
        loaded.set(backend, await this.load(model, backend))
      } catch (error) {
        failed.set(backend, messageOf(error))
      }
    }
    // Short rounds, the engines taking turns, and each engine's best round: a burst of other work on
    // the machine (the window loading its own engine, say) slows one round, not one engine's figure.
    for (let round = 0; round < CALIBRATION_ROUNDS; round++) {
      for (const [backend, key] of loaded) {
        if (failed.has(backend)) continue
        try {
          const { imagesPerSecond } = await worker.calibrate(
            key,
            isSmallInput(model.card) ? batchSizeFor(model.card) : 2,
            ROUND_MS,
          )
          best.set(backend, Math.max(best.get(backend) ?? 0, imagesPerSecond))
        } catch (error) {
          failed.set(backend, messageOf(error))
        }
      }
    }
    for (const backend of CPU_BACKENDS) {
      const note = failed.get(backend) ?? null
      const rate = note === null ? best.get(backend) : null
      if (rate === undefined) continue // measured before
      saveCalibration(db, sha, this.machine, { engine: backend, imagesPerSecond: rate, note }, now)
    }
    return readCalibrations(db, sha, this.machine)
  }
}

function isSmallInput(card: ClassifierCard): boolean {
  return card.input.width * card.input.height <= 64 * 64
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
