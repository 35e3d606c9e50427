/** Benchmarks on the Models screen: a model timed on every provider this machine has, in the inference worker. */
import type { ModelSummary } from '../../../shared/ipc/contract'
import { artifactUrlPath } from '../../../shared/ipc/routes'
import type { BenchmarkRun } from '../engine/client'
import type { BenchmarkBudget } from '../engine/messages'
import { ipcMessage } from '../ipc'
import { engine } from '../session/engine-client'
import { useModelsStore } from './models-store'

const store = () => useModelsStore.getState()

/** Each provider is timed for up to 2 s or 200 runs, after a warm-up run. */
export const BENCHMARK_BUDGET: BenchmarkBudget = { maxMs: 2000, maxRuns: 200 }

/** The benchmarks running, by model id (each can be cancelled). */
const runs = new Map<string, BenchmarkRun>()

/** Times the model on every provider this machine has, in the inference worker. */
export async function benchmarkModel(model: ModelSummary): Promise<void> {
  if (runs.has(model.id)) return
  const [width, height] = model.inputSize
  store().setBenchmark(model.id, { status: 'running', cancelling: false })
  const run = engine().benchmark(artifactUrlPath(model.id), { height, width }, BENCHMARK_BUDGET, (reply) => {
    const current = store().benchmarks[model.id]
    if (current?.status !== 'running') return
    const { provider, label, index, count, phase, fraction } = reply
    store().setBenchmark(model.id, { ...current, progress: { provider, label, index, count, phase, fraction } })
  })
  runs.set(model.id, run)
  try {
    const reply = await run.done
    store().setBenchmark(model.id, { status: reply.cancelled ? 'cancelled' : 'done', results: reply.results })
  } catch (error) {
    store().setBenchmark(model.id, { status: 'error', message: ipcMessage(error) })
  } finally {
    runs.delete(model.id)
  }
}

export function cancelBenchmark(modelId: string): void {
  const run = runs.get(modelId)
  const current = store().benchmarks[modelId]
  if (!run || current?.status !== 'running') return
  store().setBenchmark(modelId, { ...current, cancelling: true })
  run.cancel()
}
