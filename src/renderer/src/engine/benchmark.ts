/** Benchmark: images per second on each provider, each in its own session. */
import type * as Ort from 'onnxruntime-web'
import type { BenchmarkProgressReply, BenchmarkRequest, BenchmarkResult, BenchmarkProvider } from './messages'
import type { ModelFiles } from './model-files'
import { probeWebGpu, wasmLabel } from './providers'
import { sessionOptions, type Sessions } from './sessions'
import { failure, messageOf, type WorkerRuntime } from './worker-runtime'

class BenchmarkCancelled extends Error {}

interface BenchmarkTarget {
  provider: BenchmarkProvider
  label: string
  software: boolean
  adapter?: GPUAdapterLike
  adapterName?: string
}

type ReportProgress = (phase: BenchmarkProgressReply['phase'], fraction: number) => void

/** A fixed, non-trivial input (values like a normalised photo's), the same for every run. */
function benchmarkInput(length: number): Float32Array {
  const data = new Float32Array(length)
  let state = 0x2545f491
  for (let i = 0; i < length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    data[i] = ((state >>> 0) / 0xffffffff) * 4 - 2
  }
  return data
}

/** Runs benchmarks (in the lane, by whoever calls `run`) and hears which ones to stop. */
export class Benchmarks {
  /** Benchmarks asked to stop; checked between runs. */
  private readonly cancelled = new Set<number>()

  constructor(
    private readonly runtime: WorkerRuntime,
    private readonly sessions: Sessions,
    private readonly models: ModelFiles,
  ) {}

  cancel(id: number): void {
    this.cancelled.add(id)
  }

  async run(request: BenchmarkRequest): Promise<void> {
    const results: BenchmarkResult[] = []
    let cancelled = false
    try {
      if (this.cancelled.has(request.id)) throw new BenchmarkCancelled()
      const [bytes, probe] = await Promise.all([
        this.models.fetch(request.modelUrl, false),
        probeWebGpu(this.runtime.gpu),
      ])
      const targets: BenchmarkTarget[] = [
        { provider: 'wasm', label: wasmLabel(this.runtime.threads.threads), software: false },
      ]
      let skipped: BenchmarkResult | undefined
      if (probe.kind === 'unavailable') {
        skipped = { provider: 'webgpu', label: 'WebGPU', status: 'skipped', software: false, reason: probe.why }
      } else {
        const software = probe.kind === 'software'
        targets.push({
          provider: 'webgpu',
          label: software ? `WebGPU · ${probe.name} (software)` : `WebGPU · ${probe.name}`,
          software,
          adapter: probe.adapter,
          adapterName: probe.name,
        })
      }
      for (const [index, target] of targets.entries()) {
        results.push(
          await this.measure(request, bytes, target, (phase, fraction) =>
            this.runtime.post({
              type: 'benchmark-progress',
              id: request.id,
              provider: target.provider,
              label: target.label,
              index,
              count: targets.length,
              phase,
              fraction,
            }),
          ),
        )
      }
      if (skipped) results.push(skipped)
    } catch (error) {
      if (!(error instanceof BenchmarkCancelled)) {
        this.runtime.post(failure(request.id, 'load', `The benchmark could not start: ${messageOf(error)}`))
        return
      }
      cancelled = true
    } finally {
      this.cancelled.delete(request.id)
    }
    this.runtime.post({ type: 'benchmarked', id: request.id, results, cancelled })
  }

  private async measure(
    request: BenchmarkRequest,
    bytes: Uint8Array,
    target: BenchmarkTarget,
    report: ReportProgress,
  ): Promise<BenchmarkResult> {
    const base = {
      provider: target.provider,
      label: target.label,
      software: target.software,
      ...(target.adapterName !== undefined && { adapter: target.adapterName }),
    }
    const { ort } = this.runtime
    const cancelled = (): boolean => this.cancelled.has(request.id)
    let session: Ort.InferenceSession | undefined
    try {
      report('loading', 0)
      const opened = performance.now()
      if (target.adapter) this.sessions.selectAdapter(target.adapter)
      session = await ort.InferenceSession.create(bytes, sessionOptions(target.provider))
      const live = session
      const inputName = live.inputNames[0]
      const outputName = live.outputNames[0]
      if (inputName === undefined || outputName === undefined) throw new Error('the model has no input or no output')
      const { height, width } = request.input
      const data = benchmarkInput(3 * height * width)
      // One photo per run, and the logits read back, as the Classify screen does for a single photo.
      const runOnce = async (): Promise<void> => {
        const input = new ort.Tensor('float32', data, [1, 3, height, width])
        const outputs = await live.run({ [inputName]: input }, [outputName])
        input.dispose()
        const output = outputs[outputName]
        if (!output) throw new Error(`the model returned no "${outputName}" output`)
        await output.getData()
        output.dispose()
      }
      await runOnce()
      const sessionMs = performance.now() - opened
      if (cancelled()) throw new BenchmarkCancelled()
      report('running', 0)

      const { maxMs, maxRuns } = request.budget
      const started = performance.now()
      let runs = 0
      let elapsed = 0
      let reported = started
      while (runs === 0 || (elapsed < maxMs && runs < maxRuns)) {
        if (cancelled()) throw new BenchmarkCancelled()
        await runOnce()
        runs++
        const now = performance.now()
        elapsed = now - started
        if (now - reported > 100) {
          reported = now
          report('running', Math.min(1, Math.max(runs / maxRuns, elapsed / maxMs)))
        }
      }
      return {
        ...base,
        status: 'ok',
        runs,
        imagesPerSecond: (runs * 1000) / elapsed,
        msPerImage: elapsed / runs,
        sessionMs,
      }
    } catch (error) {
      if (error instanceof BenchmarkCancelled) throw error
      return { ...base, status: 'failed', reason: messageOf(error) }
    } finally {
      await session?.release().catch(() => undefined)
    }
  }
}
