import { readFile } from 'node:fs/promises'
import { Classifier } from '../../src/shared/engine/classifier'
import type { ModelCard } from '../../src/shared/model-card'
import type { BatchEngine } from '../../src/main/engine/batch-engine'
import { createWasmEngine, type NodeEngine } from '../../src/main/inference/node-ort'
import { classifierFn } from '../../src/main/inference/classify-files'
import { forModel, type ModelClassifyFn } from '../../src/main/inference/classify-result'

/** Where the engine finds a library model: its file and its card (the model library answers both). */
export interface ModelSource {
  resolveFile(id: string): string | undefined
  card(id: string): ModelCard
}

export interface InProcessEngineOptions {
  /** onnxruntime's WASM threads (process-wide, fixed at the first model loaded). */
  threads?: number
  /** Classes recorded per photo (default 5). */
  k?: number
  /** Waits this long before handing on each result: a job slow enough to pause on purpose. */
  delayMs?: number
}

/**
 * A batch engine in the test's own process: onnxruntime-web's WASM backend, one classifier per
 * library model (loaded on first use, kept until `close`), optionally slowed down so a test can pause
 * a job while it runs.
 */
export function createInProcessEngine(models: ModelSource, options: InProcessEngineOptions = {}): BatchEngine {
  let engine: NodeEngine | undefined
  const loaded = new Map<string, Promise<Classifier>>()
  let closed = false

  const load = (modelId: string): Promise<Classifier> => {
    let classifier = loaded.get(modelId)
    if (!classifier) {
      classifier = (async () => {
        const file = models.resolveFile(modelId)
        if (file === undefined) throw new Error(`The model "${modelId}" is not in the library.`)
        const card = models.card(modelId)
        engine ??= createWasmEngine(options.threads)
        const bytes = await readFile(file).catch((error: unknown) => {
          throw new Error(`Cannot read the model file ${file}: ${error instanceof Error ? error.message : error}`)
        })
        return Classifier.create(engine.ort, bytes, card, engine.sessionOptions)
      })()
      loaded.set(modelId, classifier)
      // A failed load is tried again by the next job.
      classifier.catch(() => loaded.delete(modelId))
    }
    return classifier
  }

  const classify: ModelClassifyFn = async function* (modelId, paths, signal) {
    if (closed) throw new Error('The engine is closed.')
    const classifier = await load(modelId)
    for await (const result of forModel(modelId, classifierFn(classifier, { k: options.k ?? 5 }))(
      modelId,
      paths,
      signal,
    )) {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs))
      yield result
    }
  }

  return {
    classify,
    async close() {
      closed = true
      const pending = [...loaded.values()]
      loaded.clear()
      for (const classifier of pending) await (await classifier.catch(() => undefined))?.release()
    },
  }
}
