import type { Classifier, ClassifierCard } from '../../../shared/engine/classifier'
import type { Knowledge } from '../../../shared/knowledge/interpret'
import { fetchKnowledge, resolveKnowledge } from './knowledge'
import type { SerialQueue } from '../lib/serial-queue'
import type { KnowledgeStatus, LoadRequest, ModelTag, ProviderInfo } from './messages'
import { download, type ModelFiles } from './model-files'
import type { Sessions } from './sessions'
import { failure, messageOf, type WorkerRuntime } from './worker-runtime'
import { warmedUp, webGpuDevice } from './warm-up'
import { viewCount, withoutViews } from '../../../shared/preprocess/views'

/** One session of the loaded model: its classifier, the card it prepares photos by, and what it judges them by. */
export interface EngineSession {
  classifier: Classifier
  card: ClassifierCard
  /** The model's profile and hierarchy, as far as they could be read. */
  knowledge: Knowledge
}

/** The session of the model's card with its views, opened on first use (in the lane). */
export interface ViewsSession {
  card: ClassifierCard
  open(): Promise<EngineSession>
}

/**
 * The classifying sessions of the loaded model, and what the page is told about it. The session itself runs the
 * photo alone (its card without views, `src/shared/preprocess/views.ts`); a card that asks for views also has
 * `withViews`, whose results carry the embedding the library keeps (a batch job's photos). For a card without
 * views both are the same session.
 */
export interface Engine extends EngineSession {
  withViews: ViewsSession
  model: ModelTag
  provider: ProviderInfo
  knowledgeStatus: KnowledgeStatus
  release(): Promise<void>
}

/**
 * The loaded model: loads replace it in the lane, one after the other. Photos wait for the latest load
 * (`ready`); work running in the lane reads what the loads before it left (`inLane`).
 */
export class LoadedEngine {
  private current: Engine | undefined
  /**
   * What the last load in the lane left (an engine, or why it failed). Work in the lane reads this: a
   * load queued behind that work only runs after it, so waiting for it there would never end.
   */
  private settled: { engine: Engine } | { error: unknown } | undefined
  /** The latest load. */
  private latest: Promise<Engine> | undefined
  private resolveFirstLoad: ((engine: Promise<Engine>) => void) | undefined
  private readonly firstLoad = new Promise<Engine>((resolve) => {
    this.resolveFirstLoad = resolve
  })

  constructor(
    private readonly runtime: WorkerRuntime,
    private readonly lane: SerialQueue,
    private readonly sessions: Sessions,
    private readonly models: ModelFiles,
    /** Releases what follows the loaded session's model and provider (the tapped session). */
    private readonly releaseDependents: () => Promise<void>,
  ) {
    // A failed first load rejects the photos waiting on it; with none waiting it is no unhandled rejection.
    this.firstLoad.catch(() => undefined)
  }

  /** Replaces the loaded model (after the work queued before), and tells the page how it went. */
  load(request: LoadRequest): void {
    const started = performance.now()
    const loading = this.lane.run(async () => {
      const previous = this.current
      this.current = undefined
      if (previous) await previous.release().catch(() => undefined)
      await this.releaseDependents()
      try {
        const engine = await this.open(request)
        this.current = engine
        this.settled = { engine }
        return engine
      } catch (error) {
        this.settled = { error }
        throw error
      }
    })
    this.latest = loading
    this.resolveFirstLoad?.(loading)
    this.resolveFirstLoad = undefined
    loading.then(
      (engine) =>
        this.runtime.post({
          type: 'loaded',
          id: request.id,
          provider: engine.provider,
          loadMs: performance.now() - started,
          knowledge: engine.knowledgeStatus,
        }),
      (error: unknown) => this.runtime.post(failure(request.id, 'load', messageOf(error))),
    )
  }

  /** The engine of the latest load (the first one, when none was asked for yet). */
  ready(): Promise<Engine> {
    return this.latest ?? this.firstLoad
  }

  /** The engine as the loads before this point of the lane left it; only for work running in the lane. */
  inLane(): Engine {
    if (!this.settled) throw new Error('no model was loaded')
    if ('error' in this.settled) throw this.settled.error
    return this.settled.engine
  }

  /** The session and the model's knowledge (fetched while the session is created; never fatal). */
  private async open(request: LoadRequest): Promise<Engine> {
    const fetched = fetchKnowledge(request.knowledge)
    const views = request.photoModelUrl !== undefined && viewCount(request.card.preprocessing) > 1
    const card = views ? withoutViews(request.card) : request.card
    const session = await this.sessions.open(
      { ...request, card },
      this.models.fetch(views ? request.photoModelUrl! : request.modelUrl, true),
    )
    const judge = async (of: ClassifierCard, featureLength: number | undefined) =>
      resolveKnowledge(await fetched, {
        sha256: request.knowledge?.sha256 ?? '',
        classes: request.card.output.classes,
        featureLength,
        views: of.preprocessing.views,
      })
    const { knowledge, status } = await judge(card, session.featureLength)
    const own: EngineSession = { classifier: session.classifier, card, knowledge }
    let opened: Promise<EngineSession> | undefined
    const withViews: ViewsSession = views
      ? {
          card: request.card,
          open: () =>
            (opened ??= (async () => {
              const bytes = await download(request.modelUrl)
              const classifier = await this.sessions.classifier(bytes, request.card, session.provider.id)
              const device = session.provider.id === 'webgpu' ? await webGpuDevice(this.runtime.ort) : undefined
              const warm = await warmedUp(classifier, device)
              return {
                classifier,
                card: request.card,
                knowledge: (await judge(request.card, warm.featureLength)).knowledge,
              }
            })().catch((error: unknown) => {
              opened = undefined // the next photo that needs it tries again
              throw error
            })),
        }
      : { card, open: () => Promise.resolve(own) }
    return {
      ...own,
      withViews,
      model: request.model,
      provider: session.provider,
      knowledgeStatus: status,
      release: async () => {
        await session.classifier.release()
        const full = await opened?.catch(() => undefined)
        await full?.classifier.release()
      },
    }
  }
}
