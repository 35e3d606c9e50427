/**
 * The CLI's engine: the engine selected for the model on this machine (measured once, cached in the
 * CLI's database), run in a worker thread; `--engine` overrides the choice.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { hierarchyPathFor, knowledgeFiles, profilePathFor } from '../main/knowledge/load-knowledge'
import type { Db } from '../main/db/database'
import type { EngineChoice } from '../main/engine/calibration'
import { spawnWorkerThread } from '../main/engine/engine-port'
import type { LoadedSession, WorkerBackend, WorkerResult } from '../main/engine-process/protocol'
import { EngineSelector, type EngineModel } from '../main/engine/engine-selector'
import { readModel, type ModelFile } from '../main/inference/load-model'
import { createNativeEngine } from '../main/inference/native-ort'
import type { NodeEngine } from '../main/inference/node-ort'
import { WorkerEngine } from '../main/engine/worker-engine'
import type { EngineKind } from '../shared/engine/engine-kind'
import { cliModelFile } from './organize-db'
import { labelsDir } from './paths'
import type { ModelClassifyFn } from '../main/inference/classify-result'

/** "Engine: native CPU: 1583 img/s; WASM 204 img/s; WebGPU: not available …" */
export function engineLine(choice: EngineChoice): string {
  return `Engine: ${choice.reason}`
}

export const WEBGPU_IN_CLI = 'not available in the command line (it runs in the app window)'

export interface CliEngine {
  /** Reads a model file and its card (checked, or inferred from the graph); once per path. */
  read(modelPath: string): Promise<ModelFile>
  /** The engine for the model and why; measures the engines on first use on this machine. */
  choose(model: ModelFile): Promise<EngineChoice>
  classify(
    model: ModelFile,
    paths: readonly string[] | AsyncIterable<readonly string[]>,
    options?: { k?: number; logits?: boolean; signal?: AbortSignal },
  ): AsyncGenerator<WorkerResult>
  /** Loads the model on its engine (once) and says what became of its knowledge profile. */
  load(model: ModelFile): Promise<LoadedSession>
  /** For jobs: the model a job names, looked up in the CLI's database. */
  jobClassifyFn(k: number): ModelClassifyFn
  close(): Promise<void>
}

export function createCliEngine(db: Db, override: EngineKind | undefined): CliEngine {
  const worker = new WorkerEngine(spawnWorkerThread)
  const selector = new EngineSelector({
    db,
    worker,
    measureWebgpu: async () => ({ imagesPerSecond: null, note: WEBGPU_IN_CLI }),
  })
  let inferrer: NodeEngine | undefined // an in-process session only to infer a card from a graph
  const models = new Map<string, Promise<ModelFile>>()
  const choices = new Map<string, Promise<EngineChoice>>()
  const read = (modelPath: string): Promise<ModelFile> => {
    const path = resolve(modelPath)
    let model = models.get(path)
    if (!model) {
      model = readModel((inferrer ??= createNativeEngine(1)), path, labelsDir)
      models.set(path, model)
    }
    return model
  }
  const engineModel = (model: ModelFile): EngineModel => {
    const beside = profilePathFor(model.modelPath)
    return {
      id: model.card.id,
      file: model.modelPath,
      card: model.card,
      knowledge: knowledgeFiles(
        beside !== undefined && existsSync(beside) ? beside : undefined,
        hierarchyPathFor(labelsDir, model.card.labelsSource),
      ),
    }
  }
  const choose = (model: ModelFile): Promise<EngineChoice> => {
    let choice = choices.get(model.card.sha256)
    if (!choice) {
      choice = selector.choose(engineModel(model), {
        ...(override && { override }),
        askedWith: '--engine',
        waitForWebgpu: true,
      })
      choices.set(model.card.sha256, choice)
    }
    return choice
  }
  // WebGPU is never measured available in the command line: the choice is one of the worker's engines.
  const backendFor = async (model: ModelFile): Promise<WorkerBackend> =>
    (await choose(model)).engine === 'wasm' ? 'wasm' : 'native'
  async function* classify(
    model: ModelFile,
    paths: readonly string[] | AsyncIterable<readonly string[]>,
    options: { k?: number; logits?: boolean; signal?: AbortSignal } = {},
  ): AsyncGenerator<WorkerResult> {
    yield* selector.classify(engineModel(model), await backendFor(model), paths, options)
  }
  return {
    read,
    choose,
    classify,
    load: async (model) => selector.loadSession(engineModel(model), await backendFor(model)),
    jobClassifyFn: (k) =>
      async function* (modelId, paths, signal) {
        const file = cliModelFile(db, modelId)
        if (file === undefined) throw new Error(`the model "${modelId}" is not in the database`)
        const model = await read(file).catch((error: unknown) => {
          throw new Error(`cannot load model ${file}: ${error instanceof Error ? error.message : String(error)}`)
        })
        const backend = await backendFor(model)
        yield* selector.classifyBatches(engineModel(model), backend, paths, { k, ...(signal && { signal }) })
      },
    close: () => worker.close(),
  }
}
