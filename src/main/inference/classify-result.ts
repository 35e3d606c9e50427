import type { EmbeddingVector } from '../../shared/embedding/embedding-vector'
import type { ClassScore } from '../../shared/engine/postprocess'
import type { LevelScore } from '../../shared/knowledge/levels'
import type { Verdict } from '../../shared/knowledge/verdict'

/**
 * One file's result: its top-K with the verdict (absent: known, as before verdicts) and the hierarchy
 * levels the tag store may back off to, or why it could not be classified.
 */
export type ClassifyResult =
  | {
      path: string
      top: readonly ClassScore[]
      verdict?: Verdict
      levels?: readonly LevelScore[]
      /** Where the engine has the model's features: the photo's embedding, stored with the predictions. */
      embedding?: EmbeddingVector
    }
  | { path: string; error: string }

/** Classifies files, yielding one result per path as they arrive (any order). */
export type ClassifyFn = (paths: readonly string[], signal?: AbortSignal) => AsyncIterable<ClassifyResult>

/**
 * Classifies files with a model, yielding results as they arrive (any order, one at a time or a batch
 * per inference run): a `ClassifyFn` that also names the model and takes its paths as a stream of
 * chunks, so a job classifies the first photos its scan finds while the scan goes on. It is consumed
 * one result at a time, so a classifier that reads ahead by a batch or two holds no more than that
 * (back-pressure).
 */
export type ModelClassifyFn = (
  modelId: string,
  paths: AsyncIterable<readonly string[]>,
  signal?: AbortSignal,
) => AsyncIterable<ClassifyResult | readonly ClassifyResult[]>

/** Every path of a stream of chunks, one at a time. */
export async function* eachPath(paths: AsyncIterable<readonly string[]>): AsyncGenerator<string> {
  for await (const chunk of paths) yield* chunk
}

/** A stream of one chunk. */
export async function* pathStream(paths: readonly string[]): AsyncGenerator<readonly string[]> {
  if (paths.length > 0) yield paths
}

/**
 * A ModelClassifyFn for a single model (another model fails with a clear message). The ClassifyFn takes
 * all paths at once, so it starts once the stream has ended.
 */
export function forModel(modelId: string, classify: ClassifyFn): ModelClassifyFn {
  return (id, paths, signal) => {
    if (id !== modelId) throw new Error(`No classifier for the model "${id}" (this runner has "${modelId}").`)
    return (async function* () {
      const all: string[] = []
      for await (const path of eachPath(paths)) all.push(path)
      yield* classify(all, signal)
    })()
  }
}
