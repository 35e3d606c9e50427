import type { EngineChoiceView, HandlerTable } from '../../shared/ipc/contract'
import type { AppBatchEngine } from '../engine/app-batch-engine'
import type { EngineChoice } from '../engine/calibration'
import type { WebgpuRequests } from '../engine/webgpu-requests'

type EngineChannels = 'engine:choice' | 'engine:measure' | 'engine:setOverride' | 'engine:webgpuMeasured'

/** The batch engine's choice per model, its measurement, the setting, and the window's WebGPU answers. */
export function createEngineHandlers(
  engines: AppBatchEngine,
  webgpu: WebgpuRequests,
): Pick<HandlerTable, EngineChannels> {
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
  }
}
