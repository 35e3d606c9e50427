import { readFile } from 'node:fs/promises'
import { Classifier, type ClassifierCard } from '../../shared/engine/classifier'
import { FEATURES_OUTPUT, featureLength, type FeatureLayout } from '../../shared/knowledge/features'
import { prepareFile, type Prepared } from './classify-files'
import { createNativeEngine } from './native-ort'
import type { NodeEngine } from './node-ort'
import { decodeForModel } from '../photos/decode'
import { addFeatureOutputs } from '../onnx/feature-graph'

/** One file's model outputs: its logits and its features (see `features.ts`), or why it could not be read. */
export type ExtractedFile =
  { path: string; logits: Float32Array; features: Float32Array } | { path: string; error: string }

export interface ExtractOptions {
  /** Images per inference run (32 by default). */
  batchSize?: number
  /** Called after each batch with the number of files done. */
  onProgress?: (done: number, total: number) => void
}

export interface FeatureExtractor {
  layout: FeatureLayout
  /** Runs files through the model in batches; one result per path, in order. A file that cannot be read gives its reason. */
  extract(paths: readonly string[], options?: ExtractOptions): AsyncGenerator<ExtractedFile>
  release(): Promise<void>
}

/**
 * Opens a model file for feature extraction, for the command line and the benches: the model with its features
 * output spliced in (`addFeatureOutputs`) in a session on `engine` (native CPU by default). Files are decoded and
 * preprocessed as the engines do (`prepareFile`, `decodeForModel`), the next batch while the current one runs.
 */
export async function openFeatureExtractor(
  modelPath: string,
  card: ClassifierCard,
  engine: NodeEngine = createNativeEngine(),
): Promise<FeatureExtractor> {
  const spliced = addFeatureOutputs(new Uint8Array(await readFile(modelPath)), undefined, card.preprocessing.views)
  const classifier = await Classifier.create(engine.ort, spliced.model, card, engine.sessionOptions)
  const length = featureLength(spliced.layout)
  const classes = card.output.classes

  async function* extract(paths: readonly string[], options: ExtractOptions = {}): AsyncGenerator<ExtractedFile> {
    const batchSize = options.batchSize ?? 32
    const prepare = (start: number): Promise<Prepared[]> =>
      Promise.all(
        paths
          .slice(start, start + batchSize)
          .map((path) => prepareFile(classifier, { path }, (p) => decodeForModel(p, classifier.card))),
      )
    let next = paths.length > 0 ? prepare(0) : undefined
    for (let start = 0; next; start += batchSize) {
      const batch = await next
      next = start + batchSize < paths.length ? prepare(start + batchSize) : undefined
      const ready = batch.filter((item): item is Extract<Prepared, { tensor: Float32Array }> => 'tensor' in item)
      const size = classifier.tensorLength
      const input = new Float32Array(ready.length * size)
      ready.forEach((item, i) => input.set(item.tensor, i * size))
      const run = ready.length > 0 ? await classifier.runWithFeatures(input, ready.length, FEATURES_OUTPUT) : undefined
      let row = 0
      for (const item of batch) {
        if ('error' in item) {
          yield { path: item.input.path, error: item.error }
          continue
        }
        yield {
          path: item.input.path,
          logits: run!.logits.slice(row * classes, (row + 1) * classes),
          features: run!.features.slice(row * length, (row + 1) * length),
        }
        row++
      }
      options.onProgress?.(Math.min(start + batchSize, paths.length), paths.length)
    }
  }

  return { layout: spliced.layout, extract, release: () => classifier.release() }
}

/**
 * Each file's logits and features from a model file (see `openFeatureExtractor`), in order; a file that cannot be
 * read yields its reason. The session is released when the generator ends.
 */
export async function* extractFeatures(
  modelPath: string,
  card: ClassifierCard,
  paths: readonly string[],
  options: ExtractOptions & { engine?: NodeEngine } = {},
): AsyncGenerator<ExtractedFile> {
  const extractor = await openFeatureExtractor(modelPath, card, options.engine)
  try {
    yield* extractor.extract(paths, options)
  } finally {
    await extractor.release()
  }
}
