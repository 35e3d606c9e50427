/**
 * Answers the main process's `engine:measureWebgpu`: only the window has WebGPU, so batch jobs learn
 * WebGPU's speed for a model from here. A software adapter (SwiftShader and the like) or none at all is
 * reported as not available for batch work, with the reason; a hardware adapter is benchmarked.
 */
import { probeWebGpu } from '../engine/providers'
import { call, ipcMessage, subscribe } from '../ipc'
import { engine } from './engine-client'

const BUDGET = { maxMs: 3000, maxRuns: 30 }

let started = false

export function startWebgpuResponder(): void {
  if (started) return
  started = true
  subscribe('engine:measureWebgpu', (request) => {
    void measure(request.modelUrl, request.input).then((measurement) =>
      call('engine:webgpuMeasured', { requestId: request.requestId, ...measurement }).catch((error: unknown) =>
        console.error(`Could not report the WebGPU measurement: ${ipcMessage(error)}`),
      ),
    )
  })
}

async function measure(
  modelUrl: string,
  input: { height: number; width: number },
): Promise<{ imagesPerSecond: number | null; note: string | null }> {
  try {
    const probe = await probeWebGpu(navigator.gpu)
    if (probe.kind === 'unavailable') return { imagesPerSecond: null, note: `no WebGPU (${probe.why})` }
    if (probe.kind === 'software') {
      return { imagesPerSecond: null, note: `only a software adapter (${probe.name}), never used for batch work` }
    }
    const { results } = await engine().benchmark(modelUrl, input, BUDGET, () => undefined).done
    const webgpu = results.find((result) => result.provider === 'webgpu')
    if (webgpu?.status === 'ok' && webgpu.imagesPerSecond !== undefined && !webgpu.software) {
      return { imagesPerSecond: webgpu.imagesPerSecond, note: webgpu.label }
    }
    return { imagesPerSecond: null, note: webgpu?.reason ?? 'WebGPU could not run this model' }
  } catch (error) {
    return { imagesPerSecond: null, note: `WebGPU could not be measured: ${ipcMessage(error)}` }
  }
}
