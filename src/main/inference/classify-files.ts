import type { Classifier } from '../../shared/engine/classifier'
import { runImages, type ImageOutputs } from '../../shared/engine/image-outputs'
import { topK, type ClassScore } from '../../shared/engine/postprocess'
import { FEATURES_OUTPUT } from '../../shared/knowledge/features'
import { preprocess, type DecodedImage } from '../../shared/preprocess/preprocess'
import { decodeImage } from '../photos/decode'
import type { ClassifyFn } from './classify-result'
import type { FileInput } from '../fs/collect-inputs'
import { describeFileError } from '../fs/file-errors'
import { mapWithConcurrency } from '../util/map-with-concurrency'

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

/**
 * Like `logitsOf`, with each image's features too when the classifier runs a features model
 * (`addFeatureOutputs`): one inference run either way.
 */
export async function outputsOf(
  classifier: Classifier,
  items: readonly Prepared[],
): Promise<(ImageOutputs | undefined)[]> {
  const tensors = items.flatMap((item) => ('tensor' in item ? [item.tensor] : []))
  const outputs = await runImages(classifier, tensors, FEATURES_OUTPUT)
  let row = 0
  return items.map((item) => ('error' in item ? undefined : outputs[row++]))
}

/** `classifyFiles` over a loaded classifier, as a ClassifyFn. */
export function classifierFn(classifier: Classifier, options: ClassifyFilesOptions = {}): ClassifyFn {
  return (paths) =>
    classifyFiles(
      classifier,
      paths.map((path) => ({ path })),
      options,
    )
}
