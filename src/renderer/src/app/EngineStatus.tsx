import { isEnginePreference, type EnginePreference } from '../engine/messages'
import { formatMs } from '../lib/format'
import { changePreference } from '../session/active-model'
import { useSessionStore } from '../session/session-store'
import { Spinner } from '../ui/Spinner'

const OPTIONS: ReadonlyArray<{ value: EnginePreference; label: string }> = [
  { value: 'auto', label: 'Auto (GPU when present)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'wasm', label: 'WASM (CPU)' },
]

/** The engine preference and what actually ran, with the reason another provider was skipped. */
export function EngineStatus() {
  const preference = useSessionStore((s) => s.preference)
  const engine = useSessionStore((s) => s.engine)

  let provider = '—'
  let reason = ''
  let dot = 'bg-zinc-300 dark:bg-zinc-600'
  if (engine.status === 'loading') {
    provider = 'Starting…'
  } else if (engine.status === 'ready') {
    provider = engine.provider.label
    reason = engine.provider.reason
    dot = engine.provider.id === 'webgpu' ? 'bg-emerald-500' : 'bg-sky-500'
  } else if (engine.status === 'error') {
    provider = 'Not running'
    reason = engine.message
    dot = 'bg-rose-500'
  }

  return (
    <section aria-labelledby="engine-heading" className="space-y-2">
      <label id="engine-heading" htmlFor="engine-select" className="sidebar-heading">
        Engine
      </label>
      <div className="relative">
        <select
          id="engine-select"
          data-testid="engine-select"
          value={preference}
          onChange={(event) => {
            const value = event.currentTarget.value
            if (isEnginePreference(value)) changePreference(value)
          }}
          title="Execution provider: Auto uses WebGPU on a hardware GPU, else WASM. Changing it restarts the session."
          className="w-full appearance-none rounded-md border border-zinc-200 bg-white py-1.5 pr-7 pl-2.5 text-[13px] text-zinc-800 shadow-[0_1px_1px_rgba(0,0,0,0.03)] hover:border-zinc-300 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:border-zinc-700 dark:bg-zinc-800/80 dark:text-zinc-100 dark:hover:border-zinc-600"
        >
          {OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        <svg
          viewBox="0 0 16 16"
          aria-hidden="true"
          className="pointer-events-none absolute top-1/2 right-2 h-3.5 w-3.5 -translate-y-1/2 text-zinc-400"
        >
          <path
            d="m4.5 6.5 3.5 3.5 3.5-3.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
            strokeLinecap="round"
          />
        </svg>
      </div>

      <div className="rounded-lg border border-zinc-200/80 bg-white/70 px-2.5 py-2 dark:border-zinc-800 dark:bg-zinc-900/60">
        <div className="flex items-center gap-2">
          {engine.status === 'loading' ? (
            <Spinner className="h-3 w-3 text-zinc-400" />
          ) : (
            <span className={`h-2 w-2 shrink-0 rounded-full ${dot}`} aria-hidden="true" />
          )}
          <span data-testid="provider" className="truncate text-[13px] font-medium text-zinc-800 dark:text-zinc-100">
            {provider}
          </span>
          {engine.status === 'ready' && (
            <span
              className="ml-auto shrink-0 text-[11px] tabular-nums text-zinc-400"
              title="Time to fetch the model, create the session and run it once"
            >
              {formatMs(engine.loadMs)}
            </span>
          )}
        </div>
        <p
          data-testid="provider-reason"
          className={`mt-1 text-[11.5px] leading-snug break-words ${engine.status === 'error' ? 'text-rose-600 dark:text-rose-400' : 'text-zinc-500 dark:text-zinc-400'} ${reason ? '' : 'hidden'}`}
        >
          {reason}
        </p>
      </div>
    </section>
  )
}
