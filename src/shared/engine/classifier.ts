import type * as Ort from 'onnxruntime-web'
import type { ModelCard } from '../model-card'
import { preprocess, tensorLengthFor, type DecodedImage } from '../preprocess/preprocess'
import { viewCount } from '../preprocess/views'
import { topK, type ClassScore } from './postprocess'

/** The onnxruntime module in use: onnxruntime-web in the renderer's worker and in Node. */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>

export type ClassifierCard = Pick<ModelCard, 'input' | 'output' | 'labels' | 'preprocessing'>

export interface Classification {
  top: ClassScore[]
  logits: Float32Array
}

/** One intermediate tensor fetched by `runTapped`: dims with the batch axis first, values row-major. */
export interface TapOutput {
  dims: number[]
  data: Float32Array
}

export interface TappedRun {
  /** `classes` per image, as `runBatch` returns them. */
  logits: Float32Array
  /** By tensor name, in the order asked. */
  taps: Map<string, TapOutput>
}

/**
 * One inference session over one model, with the card's preprocessing and postprocessing.
 * The same class runs in the renderer's worker (WebGPU or WASM) and in Node (WASM).
 */
export class Classifier {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    readonly card: ClassifierCard,
  ) {}

  static async create(
    ort: OrtModule,
    model: Uint8Array,
    card: ClassifierCard,
    options: Ort.InferenceSession.SessionOptions,
  ): Promise<Classifier> {
    const session = await ort.InferenceSession.create(model, options)
    const problems = [
      session.inputNames.includes(card.input.name) ? '' : `no input named "${card.input.name}"`,
      session.outputNames.includes(card.output.name) ? '' : `no output named "${card.output.name}"`,
    ].filter(Boolean)
    if (problems.length > 0) {
      await session.release()
      throw new Error(
        `The model does not match its card: ${problems.join(', ')} ` +
          `(inputs: ${session.inputNames.join(', ')}; outputs: ${session.outputNames.join(', ')}).`,
      )
    }
    return new Classifier(ort, session, card)
  }

  /** Values of one photo's tensor: 3×H×W for each of its views. */
  get tensorLength(): number {
    return tensorLengthFor(this.card)
  }

  /** Images the model runs per photo: its views (1 without). */
  get viewsPerPhoto(): number {
    return viewCount(this.card.preprocessing)
  }

  /**
   * Each photo's logits from a run's output: with views, a graph that classifies each view (a base model) gives a
   * row per view, of which the photo's own (the first) is kept; a graph that folds the views itself (a model saved
   * from learned tags) gives a row per photo already.
   */
  private photoLogits(data: Float32Array, count: number): Float32Array {
    const classes = this.card.output.classes
    const views = this.viewsPerPhoto
    if (views > 1 && data.length === count * views * classes) {
      const out = new Float32Array(count * classes)
      for (let i = 0; i < count; i++)
        out.set(data.subarray(i * views * classes, (i * views + 1) * classes), i * classes)
      return out
    }
    if (data.length !== count * classes) {
      throw new Error(`The model returned ${data.length / count} values per image, its card says ${classes} classes.`)
    }
    return data
  }

  /** Runs a batch of `count` preprocessed tensors laid end to end; returns logits, `classes` per image. */
  async runBatch(batch: Float32Array, count: number): Promise<Float32Array> {
    const { height, width, name } = this.card.input
    if (batch.length !== count * this.tensorLength) {
      throw new Error(`Expected ${count * this.tensorLength} values for ${count} images, got ${batch.length}.`)
    }
    const input = new this.ort.Tensor('float32', batch, [count * this.viewsPerPhoto, 3, height, width])
    const results = await this.session.run({ [name]: input }, [this.card.output.name])
    const output = results[this.card.output.name]
    input.dispose()
    if (!output) throw new Error(`The model returned no "${this.card.output.name}" output.`)
    if (output.type !== 'float32') {
      output.dispose()
      throw new Error(`The model's "${this.card.output.name}" output is ${output.type}; only float32 is supported.`)
    }
    const data = (await output.getData()) as Float32Array
    output.dispose()
    return this.photoLogits(data, count)
  }

  /**
   * Runs a batch like `runBatch` and, in the same run, fetches the intermediate tensors `tapNames` (a classifier
   * created on a model with those tensors added as outputs: see `addTapOutputs` and `stageTaps` in the main
   * process). Each tap keeps the batch axis: dims [count × views, C, H, W], image i at `data.subarray(i * C * H * W, …)`
   * (with views, photo p's own view is image p × `viewsPerPhoto`).
   */
  async runTapped(batch: Float32Array, count: number, tapNames: readonly string[]): Promise<TappedRun> {
    const { height, width, name } = this.card.input
    const outputName = this.card.output.name
    if (batch.length !== count * this.tensorLength) {
      throw new Error(`Expected ${count * this.tensorLength} values for ${count} images, got ${batch.length}.`)
    }
    const missing = tapNames.filter((tap) => !this.session.outputNames.includes(tap))
    if (missing.length > 0) {
      throw new Error(
        `The model has no output named ${missing.map((tap) => `"${tap}"`).join(', ')}; ` +
          'create the classifier on the model with its taps added.',
      )
    }
    const fetches = [outputName, ...new Set(tapNames.filter((tap) => tap !== outputName))]
    const input = new this.ort.Tensor('float32', batch, [count * this.viewsPerPhoto, 3, height, width])
    let results: Ort.InferenceSession.OnnxValueMapType
    try {
      results = await this.session.run({ [name]: input }, fetches)
    } finally {
      input.dispose()
    }
    try {
      const read = async (tensorName: string): Promise<{ dims: number[]; data: Float32Array }> => {
        const output = results[tensorName]
        if (!output) throw new Error(`The model returned no "${tensorName}" output.`)
        if (output.type !== 'float32') {
          throw new Error(`The model's "${tensorName}" output is ${output.type}; only float32 is supported.`)
        }
        return { dims: [...output.dims], data: (await output.getData()) as Float32Array }
      }
      const logits = this.photoLogits((await read(outputName)).data, count)
      const taps = new Map<string, TapOutput>()
      for (const tap of tapNames) if (!taps.has(tap)) taps.set(tap, await read(tap))
      return { logits, taps }
    } finally {
      for (const output of Object.values(results)) output.dispose()
    }
  }

  /** Whether the session's model has an output of that name (e.g. the features of `addFeatureOutputs`). */
  hasOutput(name: string): boolean {
    return this.session.outputNames.includes(name)
  }

  /**
   * Runs a batch through a features model (see `addFeatureOutputs` in the main process): the logits, and each
   * image's features laid end to end (`featureLength(layout)` values per image), in one inference run.
   */
  async runWithFeatures(
    batch: Float32Array,
    count: number,
    featuresOutput: string,
  ): Promise<{ logits: Float32Array; features: Float32Array }> {
    const run = await this.runTapped(batch, count, [featuresOutput])
    return { logits: run.logits, features: run.taps.get(featuresOutput)!.data }
  }

  /** Preprocesses, runs and ranks a batch of decoded images. */
  async classify(images: readonly DecodedImage[], k = 5): Promise<Classification[]> {
    if (images.length === 0) return []
    const batch = new Float32Array(images.length * this.tensorLength)
    images.forEach((image, i) => preprocess(image, this.card, batch, i * this.tensorLength))
    const logits = await this.runBatch(batch, images.length)
    const classes = this.card.output.classes
    return images.map((_, i) => {
      const row = logits.slice(i * classes, (i + 1) * classes)
      return { top: topK(row, this.card.labels, k), logits: row }
    })
  }

  async release(): Promise<void> {
    await this.session.release()
  }
}
