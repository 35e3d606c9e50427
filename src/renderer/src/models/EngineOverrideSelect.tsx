import { useEffect } from 'react'
import { ENGINE_LABELS } from '../../../shared/engine/engine-kind'
import { call } from '../ipc'
import { loadEngineChoice, setEngineOverride, useEngineChoiceStore } from './engine-choice'

const BATCH_ENGINE_CHOICES = ['native', 'wasm', 'webgpu'] as const

/** The setting: which engine batch jobs use (Auto: the fastest measured for each model). */
export function EngineOverrideSelect() {
  const override = useEngineChoiceStore((s) => s.override)
  const error = useEngineChoiceStore((s) => s.overrideError)
  useEffect(() => {
    // Every choice read carries the setting: the active model's is read for it.
    void call('models:active').then(({ card }) => loadEngineChoice(card.id))
  }, [])
  return (
    <label className="flex items-center gap-2 text-[12px] text-zinc-600 dark:text-zinc-300" title={error ?? undefined}>
      Batch engine
      <select
        data-testid="engine-override"
        value={override ?? 'auto'}
        onChange={(event) => {
          const value = event.target.value
          void setEngineOverride(BATCH_ENGINE_CHOICES.find((kind) => kind === value) ?? null)
        }}
        className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-[12px] text-zinc-800 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <option value="auto">Auto (fastest measured)</option>
        {BATCH_ENGINE_CHOICES.map((kind) => (
          <option key={kind} value={kind}>
            {ENGINE_LABELS[kind]}
          </option>
        ))}
      </select>
    </label>
  )
}
