/** One photo's activations: its tapped run, each stage's summary, the CAMs and the calibrated top classes. */
import { withoutViews } from '../../../shared/preprocess/views'
import { rankProbabilities } from '../../../shared/engine/postprocess'
import { judge } from '../../../shared/knowledge/judge'
import type { KnowledgeProfile } from '../../../shared/knowledge/profile'
import { camClasses, computeCams, mapShape, summarizeStage } from './analysis'
import type { SerialQueue } from '../lib/serial-queue'
import type { LoadedEngine } from './loaded-engine'
import type { ActivationsReply, ActivationsRequest, ProviderInfo } from './messages'
import { failureOf, preparePhoto, type PreparedPhoto } from './prepare-photo'
import type { TappedSessions } from './tapped-sessions'
import { failure, messageOf, type WorkerRuntime } from './worker-runtime'

/** The tapped session could not be opened (as opposed to a run that failed). */
class SessionFailure extends Error {}

export class PhotoActivations {
  constructor(
    private readonly runtime: WorkerRuntime,
    private readonly lane: SerialQueue,
    private readonly engine: LoadedEngine,
    private readonly tapped: TappedSessions,
  ) {}

  /** Decodes the photo right away, then runs it in the lane; replies with the activations or why not. */
  async handle(request: ActivationsRequest): Promise<void> {
    let photo: PreparedPhoto
    try {
      photo = await preparePhoto(this.runtime.decode, request.file, () => Promise.resolve(withoutViews(request.card)))
    } catch (error) {
      const { kind, message } = failureOf(error)
      this.runtime.post(failure(request.id, kind, message))
      return
    }
    await this.lane
      .run(() => this.run(request, photo))
      .catch((error: unknown) => {
        this.runtime.post(
          error instanceof SessionFailure
            ? failure(request.id, 'load', `The activations could not start: ${error.message}`)
            : failure(request.id, 'inference', `The activations could not be computed: ${messageOf(error)}`),
        )
      })
  }

  /** The provider the plain session runs on (WASM when it could not start): the tapped one uses the same. */
  private plainProvider(): ProviderInfo | undefined {
    try {
      return this.engine.inLane().provider
    } catch {
      return undefined
    }
  }

  /**
   * The activations' probabilities, calibrated as the loaded model's classified photos are (the tapped copy gives no
   * features: the calibration needs none), and their top classes. Another model than the loaded one gets its plain
   * softmax.
   */
  private calibrated(request: ActivationsRequest, logits: Float32Array) {
    let profile: KnowledgeProfile | undefined
    try {
      const engine = this.engine.inLane()
      if (engine.model.id === request.model.id) profile = engine.knowledge.profile
    } catch {
      // No model loaded: plain softmax.
    }
    const { probabilities } = judge(logits, undefined, profile)
    return {
      top: rankProbabilities(probabilities, request.card.labels, request.k),
      probabilities: Float32Array.from(probabilities),
    }
  }

  private async run(request: ActivationsRequest, photo: PreparedPhoto): Promise<void> {
    const opening = performance.now()
    const session = await this.tapped
      .session({ ...request, card: withoutViews(request.card) }, this.plainProvider())
      .catch((error: unknown) => {
        throw new SessionFailure(messageOf(error))
      })
    const sessionMs = session.created ? performance.now() - opening : 0
    // The classifier's weights arrive while the model runs (fetched once per model).
    const head = request.head ? this.tapped.head(request.head) : undefined
    head?.catch(() => undefined)
    const started = performance.now()
    const run = await session.classifier.runTapped(
      photo.tensor,
      1,
      request.taps.map((tap) => tap.tensor),
    )
    const runMs = performance.now() - started

    const analysing = performance.now()
    const stages = request.taps.map((tap) => {
      const output = run.taps.get(tap.tensor)
      if (!output) throw new Error(`the model returned no "${tap.tensor}" output`)
      return summarizeStage(tap, output.dims, output.data, request.topChannels)
    })
    const logits = run.logits.slice(0, request.card.output.classes)
    let cam: ActivationsReply['cam'] = null
    let camError: string | undefined
    if (request.head && head) {
      try {
        const weights = await head
        const feature = request.taps.find((tap) => tap.stage === request.head?.featureStage)
        const output = feature && run.taps.get(feature.tensor)
        if (!feature || !output) throw new Error(`the feature stage ${request.head.featureStage} is not tapped`)
        const [channels, height, width] = mapShape(output.dims)
        const classes = camClasses(logits, height * width, channels)
        cam = computeCams(output.data, channels, height, width, weights, feature.stage, classes)
      } catch (error) {
        camError = messageOf(error)
      }
    } else {
      camError = 'the classifier head could not be read from the graph'
    }
    const analysisMs = performance.now() - analysing

    const reply: ActivationsReply = {
      type: 'activations',
      id: request.id,
      model: request.model,
      provider: session.provider,
      ...this.calibrated(request, logits),
      logits,
      stages,
      cam,
      ...(camError !== undefined && { camError }),
      width: photo.width,
      height: photo.height,
      decodeMs: photo.decodeMs,
      sessionMs,
      runMs,
      analysisMs,
    }
    const transfer: Transferable[] = [
      logits.buffer,
      reply.probabilities.buffer,
      ...stages.map((s) => s.maps.buffer),
      ...stages.map((s) => s.means.buffer),
    ]
    if (cam) transfer.push(cam.maps.buffer, cam.classes.buffer, cam.bias.buffer)
    this.runtime.post(reply, transfer)
  }
}
