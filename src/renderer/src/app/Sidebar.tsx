import { useEffect, useState, type ComponentType, type SVGProps } from 'react'
import { call } from '../ipc'
import { formatParamCount } from '../lib/format'
import { knowledgeLine } from '../lib/verdict'
import { showModel } from '../models/models-actions'
import { useNavStore, type Place } from '../session/navigation'
import { useSessionStore } from '../session/session-store'
import { GridIcon, JobsIcon, LayersIcon, LensLogo, ReviewIcon, SparkIcon, StagesIcon } from '../ui/Icons'
import { EngineStatus } from './EngineStatus'
import { PLACES, placeShortcut } from './places'

const PLACE_ICONS: Record<Place, ComponentType<SVGProps<SVGSVGElement>>> = {
  classify: SparkIcon,
  models: LayersIcon,
  architecture: StagesIcon,
  library: GridIcon,
  review: ReviewIcon,
  jobs: JobsIcon,
}

/** The places, as buttons: the current one marked; Ctrl/⌘ + digit goes there from anywhere. */
function Places() {
  const place = useNavStore((s) => s.place)
  const go = useNavStore((s) => s.go)
  return (
    <nav aria-label="Places" className="space-y-0.5 px-2">
      {PLACES.map((info) => {
        const Icon = PLACE_ICONS[info.id]
        const current = info.id === place
        const shortcut = placeShortcut(info)
        return (
          <button
            key={info.id}
            type="button"
            data-testid={`nav-${info.id}`}
            aria-current={current ? 'page' : undefined}
            aria-keyshortcuts={shortcut.replace('⌘', 'Meta+')}
            title={`${info.label}: ${info.hint} (${shortcut})`}
            onClick={() => go(info.id)}
            className={`group flex w-full items-center gap-2.5 rounded-md px-2.5 py-1.5 text-left text-[13px] font-medium focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none ${
              current
                ? 'bg-white text-zinc-900 shadow-[0_1px_2px_rgba(0,0,0,0.06)] ring-1 ring-zinc-200/70 dark:bg-zinc-800 dark:text-zinc-50 dark:ring-zinc-700/60'
                : 'text-zinc-600 hover:bg-zinc-200/50 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-100'
            }`}
          >
            <Icon
              className={`h-4 w-4 ${current ? 'text-indigo-500 dark:text-indigo-400' : 'text-zinc-400 group-hover:text-zinc-500 dark:text-zinc-500'}`}
            />
            {info.label}
            <span className="ml-auto text-[10.5px] font-normal text-zinc-400 tabular-nums opacity-0 transition-opacity group-hover:opacity-100 group-focus-visible:opacity-100 dark:text-zinc-500">
              {shortcut}
            </span>
          </button>
        )
      })}
    </nav>
  )
}

/** The active model, marked as such; it opens its card on the Models screen. */
function ModelInfo() {
  const model = useSessionStore((s) => s.model)
  const engine = useSessionStore((s) => s.engine)
  return (
    <section aria-labelledby="model-heading" className="space-y-1.5">
      <h2 id="model-heading" className="sidebar-heading">
        Active model
      </h2>
      <button
        type="button"
        data-testid="active-model"
        data-model-id={model.status === 'ready' ? model.card.id : ''}
        disabled={model.status !== 'ready'}
        onClick={() => model.status === 'ready' && showModel(model.card.id)}
        title={`The active model: show its card on the Models screen (${placeShortcut(PLACES[1]!)})`}
        className="block w-full rounded-lg border border-zinc-200/80 bg-white/70 px-2.5 py-2 text-left hover:border-zinc-300 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none disabled:pointer-events-none dark:border-zinc-800 dark:bg-zinc-900/60 dark:hover:border-zinc-700"
      >
        <span
          data-testid="model-name"
          className="block truncate text-[13px] font-medium text-zinc-800 dark:text-zinc-100"
          title={model.status === 'ready' ? model.card.architecture : undefined}
        >
          {model.status === 'ready' ? model.card.name : model.status === 'loading' ? 'Loading…' : 'No model'}
        </span>
        {model.status === 'ready' && (
          <span className="mt-0.5 block text-[11.5px] leading-snug text-zinc-500 tabular-nums dark:text-zinc-400">
            {model.card.output.classes.toLocaleString('en-US')} classes · {model.card.input.width} ×{' '}
            {model.card.input.height} px
            {model.card.params !== undefined ? ` · ${formatParamCount(model.card.params)} params` : ''}
          </span>
        )}
        {model.status === 'ready' && engine.status === 'ready' && (
          <span
            data-testid="model-knowledge"
            data-source={engine.knowledge.source}
            data-note={engine.knowledge.note ?? ''}
            className="mt-0.5 block truncate text-[11.5px] leading-snug text-zinc-500 dark:text-zinc-400"
            title={
              engine.knowledge.source === 'profile'
                ? "Photos that are none of the model's classes are told apart by its knowledge profile"
                : `Without a usable profile, photos that are none of the model's classes are told from the logits alone${engine.knowledge.note ? ` (${engine.knowledge.note})` : ''}`
            }
          >
            {knowledgeLine(model.card.output.classes, engine.knowledge)}
          </span>
        )}
        {model.status === 'error' && (
          <span className="mt-0.5 block text-[11.5px] text-rose-600 dark:text-rose-400">Could not be read</span>
        )}
      </button>
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

      <Places />

      <div className="mt-auto space-y-4 px-3 pb-4">
        <ModelInfo />
        <EngineStatus />
      </div>
    </aside>
  )
}
