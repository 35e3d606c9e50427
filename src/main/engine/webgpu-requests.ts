import type { EmitEvent } from '../../shared/ipc/contract'
import type { EngineModel, WebgpuMeasurement } from './engine-selector'
import { WindowRequests } from './window-requests'

/** How long the window may take to measure WebGPU (a session on a real GPU, a few timed runs). */
const ANSWER_TIMEOUT_MS = 30_000

export interface WebgpuRequestsDeps {
  emit: EmitEvent
  /** Whether a window listens; without one, WebGPU cannot be measured. */
  hasWindow: () => boolean
  modelUrl: (modelId: string) => string
}

/**
 * WebGPU exists only in the renderer: the main process asks the window to measure a model
 * (`engine:measureWebgpu`) and waits for its answer (`engine:webgpuMeasured`).
 */
export class WebgpuRequests {
  private readonly requests = new WindowRequests<WebgpuMeasurement>(ANSWER_TIMEOUT_MS, () => ({
    imagesPerSecond: null,
    note: 'not measured (the window did not answer)',
  }))

  constructor(private readonly deps: WebgpuRequestsDeps) {}

  measure(model: EngineModel): Promise<WebgpuMeasurement> {
    if (!this.deps.hasWindow()) return Promise.resolve({ imagesPerSecond: null, note: 'not measured (no window open)' })
    return this.requests.ask((requestId) =>
      this.deps.emit('engine:measureWebgpu', {
        requestId,
        modelId: model.id,
        modelUrl: this.deps.modelUrl(model.id),
        input: { height: model.card.input.height, width: model.card.input.width },
      }),
    )
  }

  /** No window listens any more: the measurements it was asked for end now instead of at the time limit. */
  windowGone(): void {
    if (!this.deps.hasWindow())
      this.requests.abandonAll({ imagesPerSecond: null, note: 'not measured (the window closed)' })
  }

  /** The window's answer; false when nothing waits for it (late, or unknown). */
  answer(requestId: number, measurement: WebgpuMeasurement): boolean {
    return this.requests.answer(requestId, measurement)
  }
}
