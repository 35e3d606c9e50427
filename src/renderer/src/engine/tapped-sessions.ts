import type { ClassifierHead } from '../../../shared/engine/activations'
import type { Classifier } from '../../../shared/engine/classifier'
import { parseHead } from './analysis'
import type { ActivationsRequest, ProviderInfo } from './messages'
import { download } from './model-files'
import type { Sessions } from './sessions'
import { messageOf } from './worker-runtime'

interface TappedSession {
  key: string
  opened: Promise<{ classifier: Classifier; provider: ProviderInfo }>
}

/**
 * The tapped session (the model with its stage outputs added) beside the plain one, and the classifier's
 * weights for the CAM. One tapped session at a time (a tapped ResNet-50 holds ~100 MB of weights): the last
 * model asked for, on the provider the plain session runs on.
 */
export class TappedSessions {
  private tapped: TappedSession | undefined
  /** The last classifier head fetched (8 MB for ImageNet's 1000 × 2048). */
  private cachedHead: { url: string; head: Promise<ClassifierHead> } | undefined

  constructor(private readonly sessions: Sessions) {}

  /** Drops the tapped session and the head: they follow the plain session, which is being replaced. */
  async release(): Promise<void> {
    const session = this.tapped
    this.tapped = undefined
    this.cachedHead = undefined
    if (!session) return
    await session.opened.then(({ classifier }) => classifier.release()).catch(() => undefined)
  }

  /**
   * The tapped session for this model on `plain`'s provider (the plain session's; undefined when it could
   * not start), created the first time it is asked for.
   */
  async session(
    request: ActivationsRequest,
    plain: ProviderInfo | undefined,
  ): Promise<{ classifier: Classifier; provider: ProviderInfo; created: boolean }> {
    const key = `${request.tappedModelUrl}|${plain?.id ?? 'wasm'}|${plain?.label ?? ''}`
    if (this.tapped?.key === key) return { ...(await this.tapped.opened), created: false }
    await this.release()
    const session: TappedSession = { key, opened: this.open(request, plain) }
    this.tapped = session
    session.opened.catch(() => {
      if (this.tapped === session) this.tapped = undefined
    })
    return { ...(await session.opened), created: true }
  }

  /** The classifier's weights, fetched once per model. */
  head(head: NonNullable<ActivationsRequest['head']>): Promise<ClassifierHead> {
    if (this.cachedHead?.url === head.url) return this.cachedHead.head
    const entry = {
      url: head.url,
      head: fetch(head.url).then(async (response) => {
        if (!response.ok) throw new Error(`the classifier weights could not be fetched (HTTP ${response.status})`)
        return parseHead(await response.arrayBuffer(), head.classes, head.channels)
      }),
    }
    this.cachedHead = entry
    entry.head.catch(() => {
      if (this.cachedHead === entry) this.cachedHead = undefined
    })
    return entry.head
  }

  private async open(
    request: ActivationsRequest,
    plain: ProviderInfo | undefined,
  ): Promise<{ classifier: Classifier; provider: ProviderInfo }> {
    const bytes = await download(request.tappedModelUrl).catch((error: unknown) => {
      throw new Error(`the tapped model could not be fetched: ${messageOf(error)}`)
    })
    if (plain?.id === 'webgpu') {
      try {
        return { classifier: await this.sessions.classifier(bytes, request.card, 'webgpu'), provider: plain }
      } catch (error) {
        return {
          classifier: await this.sessions.classifier(bytes, request.card, 'wasm'),
          provider: this.sessions.wasmProvider(`WebGPU: the tapped session failed (${messageOf(error)}) — using WASM`),
        }
      }
    }
    const classifier = await this.sessions.classifier(bytes, request.card, 'wasm')
    return {
      classifier,
      provider: plain?.id === 'wasm' ? plain : this.sessions.wasmProvider('the classifying session is not running'),
    }
  }
}
