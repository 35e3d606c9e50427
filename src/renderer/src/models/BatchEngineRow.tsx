import { useEffect } from 'react'
import { ENGINE_LABELS } from '../../../shared/engine/engine-kind'
import { ghostButton } from '../ui/buttons'
import { GaugeIcon } from '../ui/Icons'
import { Spinner } from '../ui/Spinner'
import { loadEngineChoice, measureEngines, useEngineChoiceStore } from './engine-choice'

/**
 * Which engine batch jobs use for this model on this machine, and why: the figures measured once
 * (native CPU, WASM, WebGPU on a hardware adapter) or, before that, a button to measure them.
 */
export function BatchEngineRow({ modelId }: { modelId: string }) {
  const state = useEngineChoiceStore((s) => s.choices[modelId])
  useEffect(() => {
    void loadEngineChoice(modelId)
  }, [modelId])

  const view = state && 'view' in state ? state.view : undefined
  const choice = view?.choice ?? null
  const measuring = state?.status === 'measuring'
  return (
    <div
      data-testid="batch-engine"
      data-engine={choice?.engine ?? ''}
      className="flex items-start gap-2 rounded-lg bg-zinc-50 px-2.5 py-2 text-[11.5px] leading-snug text-zinc-600 dark:bg-zinc-800/50 dark:text-zinc-300"
    >
      <div className="min-w-0 flex-1">
        <p>
          <span className="font-medium text-zinc-800 dark:text-zinc-100">Batch jobs: </span>
          {choice ? (
            <span data-testid="batch-engine-name" className="font-semibold text-indigo-700 dark:text-indigo-300">
              {ENGINE_LABELS[choice.engine]}
            </span>
          ) : measuring ? (
            'measuring the engines…'
          ) : (
            'the fastest engine, measured at the first job'
          )}
        </p>
        {choice && (
          <p data-testid="batch-engine-reason" className="mt-0.5 break-words text-zinc-500 dark:text-zinc-400">
            {choice.reason}
          </p>
        )}
        {state?.status === 'error' && (
          <p role="alert" data-testid="batch-engine-error" className="mt-0.5 text-rose-700 dark:text-rose-300">
            {state.message}
          </p>
        )}
      </div>
      <button
        type="button"
        data-testid="measure-engines"
        disabled={measuring || state?.status === 'loading'}
        onClick={() => void measureEngines(modelId)}
        title="Run the model briefly on each engine of this machine and choose the fastest for batch jobs"
        className={`${ghostButton} shrink-0 px-2 py-1 text-[11.5px]`}
      >
        {measuring ? <Spinner className="h-3.5 w-3.5" /> : <GaugeIcon className="h-3.5 w-3.5" />}
        {choice ? 'Measure again' : 'Measure'}
      </button>
    </div>
  )
}
