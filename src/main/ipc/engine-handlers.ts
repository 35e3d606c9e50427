import type { DomainHandlers, EngineChoiceView, engineChannels } from '../../shared/ipc/contract'
import type { AppBatchEngine } from '../engine/app-batch-engine'
import type { EngineChoice } from '../engine/calibration'
import type { RendererRoute } from '../engine/renderer-route'
import type { WebgpuRequests } from '../engine/webgpu-requests'

/** The batch engine's choice per model, its measurement, the setting, and the window's WebGPU answers and results. */
export function createEngineHandlers(
  engines: AppBatchEngine,
  webgpu: WebgpuRequests,
  route: RendererRoute,
): DomainHandlers<typeof engineChannels> {
  const view = (modelId: string, choice: EngineChoice | undefined): EngineChoiceView => ({
    modelId,
    override: engines.override() ?? null,
    choice: choice ?? null,
  })
  return {
    'engine:choice': ({ id }) => view(id, engines.knownChoice(id)),
    'engine:measure': async ({ id }) => view(id, await engines.recalibrate(id)),
    'engine:setOverride': ({ engine }) => {
      engines.setOverride(engine ?? undefined)
      return { override: engines.override() ?? null }
    },
    'engine:webgpuMeasured': ({ requestId, imagesPerSecond, note }) => ({
      accepted: webgpu.answer(requestId, { imagesPerSecond, note }),
    }),
    'engine:batchResults': (answer) => ({
      accepted: route.answer(
        answer.requestId,
        'error' in answer ? { error: answer.error } : { results: answer.results },
      ),
    }),
  }
}
