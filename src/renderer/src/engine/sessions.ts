import type * as Ort from 'onnxruntime-web'
import { Classifier, type ClassifierCard } from '../../../shared/engine/classifier'
import type { BenchmarkProvider, LoadRequest, ProviderInfo } from './messages'
import { planProvider, probeWebGpu, wasmLabel } from './providers'
import { warmedUp, webGpuDevice, type WarmSession } from './warm-up'
import { joinNotes, messageOf, type WorkerRuntime } from './worker-runtime'

/** The session options every session uses, whether it classifies or is benchmarked. */
export function sessionOptions(provider: BenchmarkProvider): Ort.InferenceSession.SessionOptions {
  return { executionProviders: [provider], graphOptimizationLevel: 'all' }
}

/** A warmed-up session and the provider it runs on, as the page is told. */
export interface OpenedSession extends WarmSession {
  provider: ProviderInfo
}

/** Creates sessions on this machine's providers: the classifying one, tapped ones and benchmarked ones. */
export class Sessions {
  private adapterSelected = false

  constructor(private readonly runtime: WorkerRuntime) {}

  /** ORT reads the adapter once, when its WebGPU backend starts; use the one that was judged. */
  selectAdapter(adapter: GPUAdapterLike): void {
    if (this.adapterSelected) return
    this.runtime.ort.env.webgpu.adapter = adapter as unknown as typeof this.runtime.ort.env.webgpu.adapter
    this.adapterSelected = true
  }

  /** A classifier over `bytes` on `provider`, not run yet. */
  classifier(bytes: Uint8Array, card: ClassifierCard, provider: BenchmarkProvider): Promise<Classifier> {
    return Classifier.create(this.runtime.ort, bytes, card, sessionOptions(provider))
  }

  /** WASM as the page is told of it: its threads, and why it runs (with why not more threads). */
  wasmProvider(reason: string, adapter?: string): ProviderInfo {
    const { threads, note } = this.runtime.threads
    return {
      id: 'wasm',
      label: wasmLabel(threads),
      reason: joinNotes(reason, note),
      ...(adapter !== undefined && { adapter }),
    }
  }

  /** The session on the provider the preference and this machine allow, and what it runs on. */
  async open(request: LoadRequest, modelBytes: Promise<Uint8Array>): Promise<OpenedSession> {
    const [bytes, probe] = await Promise.all([
      modelBytes,
      request.preference === 'wasm'
        ? Promise.resolve({ kind: 'unavailable' as const, why: 'not asked' })
        : probeWebGpu(this.runtime.gpu),
    ])
    const plan = planProvider(request.preference, probe)
    if (plan.use === 'none') throw new Error(plan.error)

    let fallbackNote = plan.note
    if (plan.use === 'webgpu') {
      try {
        this.selectAdapter(plan.adapter)
        const classifier = await this.classifier(bytes, request.card, 'webgpu')
        const session = await warmedUp(classifier, await webGpuDevice(this.runtime.ort))
        return {
          ...session,
          provider: { id: 'webgpu', label: 'WebGPU', reason: plan.note, adapter: plan.adapterName },
        }
      } catch (error) {
        if (!plan.fallbackToWasm) throw new Error(`WebGPU session failed: ${messageOf(error)}`)
        fallbackNote = `WebGPU: session failed (${messageOf(error)}) — using WASM`
      }
    }
    const session = await warmedUp(await this.classifier(bytes, request.card, 'wasm'))
    return {
      ...session,
      provider: this.wasmProvider(fallbackNote, probe.kind !== 'unavailable' ? probe.name : undefined),
    }
  }
}
