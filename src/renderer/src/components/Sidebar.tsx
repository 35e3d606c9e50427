import { useEffect, useState } from 'react'
import { call } from '../ipc'
import { useClassifyStore } from '../store'
import { EngineStatus } from './EngineStatus'
import { LensLogo, SparkIcon } from './Icons'

function formatParams(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M params`
  if (n >= 1e3) return `${Math.round(n / 1e3)} k params`
  return `${n} params`
}

/** The active model, marked as such. */
function ModelInfo() {
  const model = useClassifyStore((s) => s.model)
  return (
    <section aria-labelledby="model-heading" className="space-y-1.5">
      <h2 id="model-heading" className="sidebar-heading">
        Active model
      </h2>
      <div className="rounded-lg border border-zinc-200/80 bg-white/70 px-2.5 py-2 dark:border-zinc-800 dark:bg-zinc-900/60">
        <p
          data-testid="model-name"
          className="truncate text-[13px] font-medium text-zinc-800 dark:text-zinc-100"
          title={model.status === 'ready' ? model.card.architecture : undefined}
        >
          {model.status === 'ready' ? model.card.name : model.status === 'loading' ? 'Loading…' : 'No model'}
        </p>
        {model.status === 'ready' && (
          <p className="mt-0.5 text-[11.5px] leading-snug text-zinc-500 tabular-nums dark:text-zinc-400">
            {model.card.output.classes.toLocaleString('en-US')} classes · {model.card.input.width} ×{' '}
            {model.card.input.height} px
            {model.card.params !== undefined ? ` · ${formatParams(model.card.params)}` : ''}
          </p>
        )}
        {model.status === 'error' && (
          <p className="mt-0.5 text-[11.5px] text-rose-600 dark:text-rose-400">Could not be read</p>
        )}
      </div>
    </section>
  )
}

function useAppVersion(): string | undefined {
  const [version, setVersion] = useState<string>()
  useEffect(() => {
    let live = true
    call('app:info')
      .then((info) => live && setVersion(info.version))
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [])
  return version
}

/** The window's sidebar: the app, its places, the active model and the engine. */
export function Sidebar() {
  const version = useAppVersion()
  return (
    <aside className="flex w-60 shrink-0 flex-col border-r border-zinc-200 bg-zinc-100/70 dark:border-zinc-800/80 dark:bg-zinc-900/50">
      <div className="flex items-center gap-2.5 px-4 pt-4 pb-5">
        <LensLogo className="h-7 w-7 shrink-0 drop-shadow-sm" />
        <div className="min-w-0">
          <h1 className="text-[14px] leading-tight font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">
            ResNet Lens
          </h1>
          <p className="text-[11px] leading-tight text-zinc-500 dark:text-zinc-500">
            Offline photo classifier{version ? ` · v${version}` : ''}
          </p>
        </div>
      </div>

      <nav aria-label="Places" className="px-2">
        <div
          aria-current="page"
          className="flex items-center gap-2.5 rounded-md bg-white px-2.5 py-1.5 text-[13px] font-medium text-zinc-900 shadow-[0_1px_2px_rgba(0,0,0,0.06)] ring-1 ring-zinc-200/70 dark:bg-zinc-800 dark:text-zinc-50 dark:ring-zinc-700/60"
        >
          <SparkIcon className="h-4 w-4 text-indigo-500 dark:text-indigo-400" />
          Classify
        </div>
      </nav>

      <div className="mt-auto space-y-4 px-3 pb-4">
        <ModelInfo />
        <EngineStatus />
      </div>
    </aside>
  )
}
