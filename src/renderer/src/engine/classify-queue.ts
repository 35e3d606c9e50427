import { runImages, type ImageOutputs } from '../../../shared/engine/image-outputs'
import { FEATURES_OUTPUT } from '../../../shared/knowledge/features'
import { interpret } from '../../../shared/knowledge/interpret'
import type { SerialQueue } from '../lib/serial-queue'
import type { Engine, EngineSession, LoadedEngine } from './loaded-engine'
import type { ClassifierCard } from '../../../shared/engine/classifier'
import type { ClassifyRequest } from './messages'
import { failureOf, preparePhoto, type PreparedPhoto } from './prepare-photo'
import { failure, messageOf, type WorkerRuntime } from './worker-runtime'

/** Photos decoded at the same time (a decoded 24 MP photo is ~100 MB of RGBA). */
const MAX_PARALLEL_DECODES = 3
/** Most photos in one session.run. */
const MAX_BATCH = 16

interface Prepared extends PreparedPhoto {
  request: ClassifyRequest
}

/**
 * Photos to classify: decoded a few at a time while the model runs, then batched through the loaded
 * model in the lane, one batch at a time.
 */
export class ClassifyQueue {
  private readonly waiting: ClassifyRequest[] = []
  private readonly prepared: Prepared[] = []
  private decoding = 0
  private running = false

  constructor(
    private readonly runtime: WorkerRuntime,
    private readonly lane: SerialQueue,
    private readonly engine: LoadedEngine,
  ) {}

  add(request: ClassifyRequest): void {
    this.waiting.push(request)
    this.pump()
  }

  private pump(): void {
    while (this.decoding < MAX_PARALLEL_DECODES && this.waiting.length > 0) {
      const request = this.waiting.shift()!
      this.decoding++
      preparePhoto(this.runtime.decode, request.file, async () => cardFor(await this.engine.ready(), request))
        .then(
          (photo) => void this.prepared.push({ ...photo, request }),
          (error: unknown) => {
            const { kind, message } = failureOf(error)
            this.runtime.post(failure(request.id, kind, message))
          },
        )
        .finally(() => {
          this.decoding--
          this.pump()
        })
    }
    if (!this.running && this.prepared.length > 0) {
      this.running = true
      const batch = this.prepared.splice(0, MAX_BATCH)
      void this.lane
        .run(() => this.runBatch(batch))
        .finally(() => {
          this.running = false
          this.pump()
        })
    }
  }

  private fail(items: readonly Prepared[], kind: 'load' | 'inference', message: string): void {
    for (const item of items) this.runtime.post(failure(item.request.id, kind, message))
  }

  private async runBatch(items: Prepared[]): Promise<void> {
    let engine: Engine
    try {
      engine = this.engine.inLane()
    } catch (error) {
      this.fail(items, 'load', `The model is not loaded: ${messageOf(error)}`)
      return
    }
    // Photos prepared for a model that has since been replaced are prepared again for the new one.
    const stale = items.filter((item) => item.card !== cardFor(engine, item.request))
    if (stale.length > 0) this.waiting.unshift(...stale.map((item) => item.request))
    const current = items.filter((item) => item.card === cardFor(engine, item.request))
    const alone = current.filter((item) => !item.request.embedding)
    if (alone.length > 0) await this.runOn(engine, engine, alone)
    const withViews = current.filter((item) => item.request.embedding)
    if (withViews.length === 0) return
    let session: EngineSession
    try {
      session = await engine.withViews.open()
    } catch (error) {
      this.fail(withViews, 'load', `The model could not be loaded on its views: ${messageOf(error)}`)
      return
    }
    await this.runOn(engine, session, withViews)
  }

  private async runOn(engine: Engine, session: EngineSession, items: Prepared[]): Promise<void> {
    const { classifier } = session
    const runnable = items.filter((item) => item.tensor.length === classifier.tensorLength)
    this.fail(
      items.filter((item) => !runnable.includes(item)),
      'inference',
      'The model changed while this photo was waiting; add it again.',
    )
    if (runnable.length === 0) return
    const started = performance.now()
    let outputs: ImageOutputs[]
    try {
      // A features model gives each photo's features in the same run: what the verdict measures it by.
      outputs = await runImages(
        classifier,
        runnable.map((item) => item.tensor),
        FEATURES_OUTPUT,
      )
    } catch (error) {
      this.fail(runnable, 'inference', `Inference failed: ${messageOf(error)}`)
      return
    }
    const batchMs = performance.now() - started
    runnable.forEach((item, i) =>
      this.reply(engine, session, item, outputs[i]!, { batchMs, batchSize: runnable.length }),
    )
  }

  private reply(
    engine: Engine,
    session: EngineSession,
    item: Prepared,
    outputs: ImageOutputs,
    batch: { batchMs: number; batchSize: number },
  ): void {
    // Its own copy: the row's buffer is transferred to the page.
    const logits = outputs.logits.slice()
    const { top, verdict, levels, embedding } = interpret(
      logits,
      outputs.features,
      session.card.labels,
      item.request.k,
      session.knowledge,
    )
    this.runtime.post(
      {
        type: 'classified',
        id: item.request.id,
        top,
        verdict,
        ...(levels && { levels }),
        ...(embedding && { embedding }),
        logits,
        provider: engine.provider,
        model: engine.model,
        ...batch,
        decodeMs: item.decodeMs,
        width: item.width,
        height: item.height,
      },
      [logits.buffer],
    )
  }
}

/** The card a photo is prepared by: with the model's views where its result keeps the embedding. */
function cardFor(engine: Engine, request: ClassifyRequest): ClassifierCard {
  return request.embedding ? engine.withViews.card : engine.card
}
