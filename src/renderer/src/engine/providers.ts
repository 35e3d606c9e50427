import type { EnginePreference } from './messages'

/** What the WebGPU probe found. */
export type WebGpuProbe =
  | { kind: 'unavailable'; why: string }
  | { kind: 'hardware'; adapter: GPUAdapterLike; name: string }
  | { kind: 'software'; adapter: GPUAdapterLike; name: string }

const SOFTWARE_RENDERERS: ReadonlyArray<[RegExp, string]> = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/softpipe/i, 'softpipe'],
  [/microsoft basic render|\bwarp\b/i, 'WARP'],
]

function adapterText(adapter: GPUAdapterLike): string {
  const info = adapter.info ?? {}
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ')
}

/** A short name for an adapter: "nvidia · ampere", "SwiftShader". */
export function describeAdapter(adapter: GPUAdapterLike): { name: string; software: boolean } {
  const text = adapterText(adapter)
  const known = SOFTWARE_RENDERERS.find(([pattern]) => pattern.test(text))
  const flagged = adapter.info?.isFallbackAdapter === true || adapter.isFallbackAdapter === true
  if (known) return { name: known[1], software: true }
  const info = adapter.info ?? {}
  const name = [info.vendor, info.architecture].filter(Boolean).join(' · ') || info.description || 'unnamed adapter'
  return { name, software: flagged }
}

/** Looks for a WebGPU adapter without creating a device. */
export async function probeWebGpu(gpu: GPULike | undefined): Promise<WebGpuProbe> {
  if (!gpu) return { kind: 'unavailable', why: 'not available here' }
  let adapter: GPUAdapterLike | null
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  } catch (error) {
    return {
      kind: 'unavailable',
      why: `adapter request failed (${error instanceof Error ? error.message : String(error)})`,
    }
  }
  if (!adapter) return { kind: 'unavailable', why: 'no GPU adapter' }
  const { name, software } = describeAdapter(adapter)
  return software ? { kind: 'software', adapter, name } : { kind: 'hardware', adapter, name }
}

/** The provider to try first, and what to say about the choice. */
export type ProviderPlan =
  | {
      use: 'webgpu'
      adapter: GPUAdapterLike
      adapterName: string
      software: boolean
      note: string
      fallbackToWasm: boolean
    }
  | { use: 'wasm'; note: string }
  | { use: 'none'; error: string }

/**
 * Auto: WebGPU on a hardware adapter, else WASM (a software adapter is for tests, never for work).
 * WebGPU: forced, even on a software adapter; an error when there is no adapter at all.
 * WASM: always.
 */
export function planProvider(preference: EnginePreference, probe: WebGpuProbe): ProviderPlan {
  if (preference === 'wasm') return { use: 'wasm', note: 'WASM chosen in the engine setting' }
  if (preference === 'webgpu') {
    if (probe.kind === 'unavailable') {
      return { use: 'none', error: `WebGPU was chosen, but it is unavailable: ${probe.why}. Choose Auto or WASM.` }
    }
    return {
      use: 'webgpu',
      adapter: probe.adapter,
      adapterName: probe.name,
      software: probe.kind === 'software',
      note:
        probe.kind === 'software'
          ? `WebGPU forced on a software adapter (${probe.name}): slow, for testing`
          : `WebGPU chosen in the engine setting (${probe.name})`,
      fallbackToWasm: false,
    }
  }
  if (probe.kind === 'unavailable') return { use: 'wasm', note: `WebGPU: ${probe.why} — using WASM` }
  if (probe.kind === 'software') {
    return { use: 'wasm', note: `WebGPU: only a software adapter (${probe.name}) — using WASM` }
  }
  return {
    use: 'webgpu',
    adapter: probe.adapter,
    adapterName: probe.name,
    software: false,
    note: `GPU adapter ${probe.name}; WASM stays the fallback`,
    fallbackToWasm: true,
  }
}

/** The WASM backend's thread count, and why it is not more (empty when nothing held it back). */
export interface ThreadPlan {
  threads: number
  note: string
}

/** Threads for the WASM backend: up to 4, and only with cross-origin isolation (SharedArrayBuffer). */
export function planThreads(crossOriginIsolated: boolean, hardwareConcurrency: number | undefined): ThreadPlan {
  if (!crossOriginIsolated) {
    return { threads: 1, note: '1 thread: the page is not cross-origin isolated (no SharedArrayBuffer)' }
  }
  const cores = Math.max(1, hardwareConcurrency ?? 1)
  return { threads: Math.min(4, cores), note: '' }
}

export function wasmLabel(threads: number): string {
  return `WASM · ${threads} ${threads === 1 ? 'thread' : 'threads'}`
}
