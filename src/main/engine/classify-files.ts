import type { Classifier } from '../../shared/engine/classifier'
import { topK, type ClassScore } from '../../shared/engine/postprocess'
import { FEATURES_OUTPUT } from '../../shared/knowledge/features'
import { preprocess, type DecodedImage } from '../../shared/preprocess/preprocess'
import { decodeImage } from '../photos/decode'
import { describeFileError } from './file-errors'

/** A file to classify; `error` set when it already failed (e.g. a folder that could not be read). */
export interface FileInput {
  path: string
  error?: string
}

export type FileResult = { path: string; top: ClassScore[] } | { path: string; error: string }

export interface ClassifyFilesOptions {
  /** Classes reported per image. */
  k?: number
  /** Images per inference run. */
  batchSize?: number
  /** Files decoded at the same time (each holds a full-size decoded photo until it is preprocessed). */
  concurrency?: number
  decode?: (path: string) => Promise<DecodedImage>
}

/** A file decoded and preprocessed to its model's tensor, or why it could not be. */
export type Prepared = { input: FileInput; tensor: Float32Array } | { input: FileInput; error: string }

/**
 * Decodes, preprocesses and classifies files in batches, yielding one result per input, in input
 * order. A file that cannot be read yields an error result; the run goes on. The next batch is
 * decoded while the current one runs through the model.
 */
export async function* classifyFiles(
  classifier: Classifier,
  inputs: readonly FileInput[],
  options: ClassifyFilesOptions = {},
): AsyncGenerator<FileResult> {
  const { k = 5, batchSize = 32, concurrency = 4, decode = decodeImage } = options
  const prepare = (start: number): Promise<Prepared[]> =>
    mapWithConcurrency(inputs.slice(start, start + batchSize), concurrency, (input) =>
      prepareFile(classifier, input, decode),
    )

  let next = inputs.length > 0 ? prepare(0) : undefined
  for (let start = 0; next; start += batchSize) {
    const batch = await next
    next = start + batchSize < inputs.length ? prepare(start + batchSize) : undefined
    yield* await runBatch(classifier, batch, k)
  }
}

/** Decodes and preprocesses one file; a file that cannot be read gives its reason instead. */
export async function prepareFile(
  classifier: Classifier,
  input: FileInput,
  decode: (path: string) => Promise<DecodedImage>,
): Promise<Prepared> {
  if (input.error !== undefined) return { input, error: input.error }
  try {
    const image = await decode(input.path)
    // Only the small tensor is kept; the decoded photo can be collected right away.
    return { input, tensor: preprocess(image, classifier.card) }
  } catch (error) {
    return { input, error: describeFileError(error) }
  }
}

async function runBatch(classifier: Classifier, batch: Prepared[], k: number): Promise<FileResult[]> {
  const rows = await logitsOf(classifier, batch)
  return batch.map((item, i) =>
    'error' in item
      ? { path: item.input.path, error: item.error }
      : { path: item.input.path, top: topK(rows[i]!, classifier.card.labels, k) },
  )
}

/**
 * Runs the prepared items of a batch through the model in one inference run: each item's row of
 * logits, undefined for an item that could not be prepared.
 */
export async function logitsOf(
  classifier: Classifier,
  items: readonly Prepared[],
): Promise<(Float32Array | undefined)[]> {
  return (await outputsOf(classifier, items)).map((row) => row?.logits)
}

/** One image's outputs: its logits, and its features where the model gives them (a features model). */
export interface ImageOutputs {
  logits: Float32Array
  features?: Float32Array
}

/**
 * Like `logitsOf`, with each image's features too when the classifier runs a features model
 * (`addFeatureOutputs`): one inference run either way.
 */
export async function outputsOf(
  classifier: Classifier,
  items: readonly Prepared[],
): Promise<(ImageOutputs | undefined)[]> {
  const ready = items.filter((item): item is Extract<Prepared, { tensor: Float32Array }> => 'tensor' in item)
  const size = classifier.tensorLength
  const tensors = new Float32Array(ready.length * size)
  ready.forEach((item, i) => tensors.set(item.tensor, i * size))
  const withFeatures = classifier.hasOutput(FEATURES_OUTPUT)
  let logits: Float32Array = new Float32Array(0)
  let features: Float32Array | undefined
  if (ready.length > 0) {
    if (withFeatures) ({ logits, features } = await classifier.runWithFeatures(tensors, ready.length, FEATURES_OUTPUT))
    else logits = await classifier.runBatch(tensors, ready.length)
  }
  const { classes } = classifier.card.output
  const featureCount = features && ready.length > 0 ? features.length / ready.length : 0
  let row = 0
  return items.map((item) => {
    if ('error' in item) return undefined
    const at = row++
    const out: ImageOutputs = { logits: logits.subarray(at * classes, (at + 1) * classes) }
    if (features) out.features = features.subarray(at * featureCount, (at + 1) * featureCount)
    return out
  })
}

/** Like Promise.all(items.map(fn)), with at most `limit` calls in flight. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let nextIndex = 0
  const worker = async (): Promise<void> => {
    while (nextIndex < items.length) {
      const i = nextIndex++
      results[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return results
}
