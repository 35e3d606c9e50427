import type { BenchmarkResult } from '../engine/messages'
import { formatImagesPerSecond, formatMs } from '../lib/format'
import { ghostButton } from '../ui/buttons'
import { Spinner } from '../ui/Spinner'
import { BENCHMARK_BUDGET, cancelBenchmark } from './benchmark-actions'
import { useModelsStore } from './models-store'

const METHOD = `One image per run, timed for up to ${BENCHMARK_BUDGET.maxMs / 1000} s or ${BENCHMARK_BUDGET.maxRuns} runs per provider after a warm-up run, in a session of its own.`

function Result({ result, best }: { result: BenchmarkResult; best: number }) {
  if (result.status !== 'ok') {
    return (
      <li
        data-testid="benchmark-result"
        data-provider={result.provider}
        data-status="failed"
        data-software={result.software}
        className="text-[11.5px] leading-snug"
      >
        <span className="font-medium text-zinc-700 dark:text-zinc-300">{result.label}</span>
        <span className="text-rose-600 dark:text-rose-400"> — failed: {result.reason}</span>
      </li>
    )
  }
  const rate = result.imagesPerSecond ?? 0
  return (
    <li
      data-testid="benchmark-result"
      data-provider={result.provider}
      data-status="ok"
      data-software={result.software}
      data-images-per-second={rate.toFixed(3)}
      title={`${result.runs ?? 0} runs; session created and warmed up in ${formatMs(result.sessionMs ?? 0)}`}
    >
      <div className="flex items-baseline justify-between gap-2 text-[11.5px]">
        <span
          className={`min-w-0 truncate ${result.software ? 'text-amber-700 dark:text-amber-400' : 'text-zinc-700 dark:text-zinc-300'}`}
          title={
            result.software
              ? 'A software adapter runs WebGPU on the CPU: slow, and no measure of a real GPU'
              : result.adapter
          }
        >
          {result.label}
        </span>
        <span className="shrink-0 tabular-nums">
          <span className="font-semibold text-zinc-900 dark:text-zinc-50">{formatImagesPerSecond(rate)}</span>
          <span className="text-zinc-500 dark:text-zinc-400">
            {' '}
            · {formatMs(result.msPerImage ?? 0)} / image · {result.runs} runs
          </span>
        </span>
      </div>
      <div className="mt-0.5 h-1 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800">
        <div
          className={`h-full rounded-full ${result.provider === 'webgpu' ? 'bg-emerald-500' : 'bg-sky-500'}`}
          style={{ width: `${Math.max(1, (rate / best) * 100)}%` }}
        />
      </div>
    </li>
  )
}

/** A model's benchmark: progress with Cancel while it runs, then images per second per provider. */
export function BenchmarkPanel({ modelId }: { modelId: string }) {
  const state = useModelsStore((s) => s.benchmarks[modelId])
  if (!state) return null

  if (state.status === 'running') {
    const progress = state.progress
    const overall = progress
      ? (progress.index + (progress.phase === 'running' ? progress.fraction : 0)) / progress.count
      : 0
    const step = progress
      ? `${progress.label}${progress.count > 1 ? ` (${progress.index + 1} of ${progress.count})` : ''}: ${
          progress.phase === 'loading' ? 'creating the session' : 'timing runs'
        }`
      : 'Waiting for the engine…'
    return (
      <section data-testid="benchmark-panel" data-status="running" aria-label="Benchmark" className="space-y-1.5">
        <div className="flex items-center gap-2 text-[11.5px] text-zinc-600 dark:text-zinc-300">
          <Spinner className="h-3 w-3 shrink-0 text-indigo-500" />
          <span className="min-w-0 flex-1 truncate" data-testid="benchmark-step">
            {state.cancelling ? 'Cancelling after this run…' : step}
          </span>
          <button
            type="button"
            data-testid="benchmark-cancel"
            onClick={() => cancelBenchmark(modelId)}
            disabled={state.cancelling}
            className={`${ghostButton} py-0.5 text-[11.5px]`}
          >
            Cancel
          </button>
        </div>
        <div
          role="progressbar"
          aria-label="Benchmark progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(overall * 100)}
          className="h-1 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
        >
          <div
            className="h-full rounded-full bg-indigo-500 transition-[width] duration-200"
            style={{ width: `${overall * 100}%` }}
          />
        </div>
      </section>
    )
  }

  if (state.status === 'error') {
    return (
      <section data-testid="benchmark-panel" data-status="error" aria-label="Benchmark">
        <p role="alert" className="text-[11.5px] leading-snug text-rose-600 dark:text-rose-400">
          {state.message}
        </p>
      </section>
    )
  }

  const measured = state.results.filter((r) => r.status !== 'skipped')
  const skipped = state.results.filter((r) => r.status === 'skipped')
  const best = Math.max(1e-9, ...measured.map((r) => r.imagesPerSecond ?? 0))
  return (
    <section data-testid="benchmark-panel" data-status={state.status} aria-label="Benchmark" className="space-y-1.5">
      <h4
        className="text-[10.5px] font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400"
        title={METHOD}
      >
        Speed on this machine{state.status === 'cancelled' ? ' (cancelled)' : ''}
      </h4>
      {measured.length > 0 ? (
        <ul className="space-y-1.5">
          {measured.map((result) => (
            <Result key={result.provider} result={result} best={best} />
          ))}
        </ul>
      ) : (
        <p className="text-[11.5px] text-zinc-500 dark:text-zinc-400">Cancelled before any provider was measured.</p>
      )}
      {skipped.map((result) => (
        <p
          key={result.provider}
          data-testid="benchmark-skipped"
          data-provider={result.provider}
          className="text-[11px] text-zinc-500 dark:text-zinc-400"
        >
          {result.label} not measured: {result.reason}.
        </p>
      ))}
      <p className="text-[10.5px] leading-snug text-zinc-400 dark:text-zinc-500">{METHOD}</p>
    </section>
  )
}
