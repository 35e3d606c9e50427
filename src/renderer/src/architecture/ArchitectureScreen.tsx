import { useEffect, useState } from 'react'
import { loadArchitecture, useArchitectureStore } from '../session/model-architectures'
import { refreshModels } from '../session/model-list'
import { modelsOf, useSessionStore } from '../session/session-store'
import { RetryAlert } from '../ui/RetryAlert'
import { Spinner } from '../ui/Spinner'
import { ArchitectureFacts, ArchitectureNotes, DepthExplanation } from './ArchitectureSummary'
import { ArchitectureTable } from './ArchitectureTable'
import { StageBars } from './StageBars'

function Loading() {
  return (
    <p data-testid="arch-loading" className="flex items-center gap-2 py-10 text-[13px] text-zinc-500" role="status">
      <Spinner className="h-4 w-4" /> Reading the model&rsquo;s graph…
    </p>
  )
}

function Failure({ message, onRetry }: { message: string; onRetry(): void }) {
  return (
    <RetryAlert testId="arch-error" title="The architecture could not be read" message={message} onRetry={onRetry} />
  )
}

/** Which model the screen shows: the active one, unless another was picked here (until the active one changes). */
function useShownModel(): [string | undefined, (id: string) => void] {
  const activeId = useSessionStore((s) => modelsOf(s).find((m) => m.active)?.id)
  const [picked, setPicked] = useState<{ id: string; whileActive: string | undefined } | null>(null)
  const shown = picked && picked.whileActive === activeId ? picked.id : activeId
  return [shown, (id) => setPicked({ id, whileActive: activeId })]
}

function ModelPicker({ shown, onPick }: { shown: string | undefined; onPick(id: string): void }) {
  const models = useSessionStore(modelsOf)
  if (models.length < 2 || shown === undefined) return null
  return (
    <label className="flex items-center gap-2 text-[12px] text-zinc-500 dark:text-zinc-400">
      Model
      <select
        data-testid="arch-model-select"
        value={shown}
        onChange={(event) => onPick(event.currentTarget.value)}
        title="Show another library model's architecture (the active model stays as it is)"
        className="max-w-64 rounded-md border border-zinc-200 bg-white py-1 pr-6 pl-2 text-[12.5px] text-zinc-800 hover:border-zinc-300 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:border-zinc-700 dark:bg-zinc-800/80 dark:text-zinc-100"
      >
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
            {m.active ? ' (active)' : ''}
          </option>
        ))}
      </select>
    </label>
  )
}

/**
 * The Architecture screen: the active model's stages as the paper's table has them, read from its
 * graph, expandable to blocks; how the depth is counted; where the compute and the weights are.
 */
export function ArchitectureScreen() {
  const [shown, pick] = useShownModel()
  const listState = useSessionStore((s) => s.models.status)
  const state = useArchitectureStore((s) => (shown !== undefined ? s.byId[shown] : undefined))

  // The library may have changed elsewhere (an import, another active model): read it again on arrival.
  useEffect(() => {
    void refreshModels()
  }, [])
  useEffect(() => {
    if (shown !== undefined) void loadArchitecture(shown)
  }, [shown])

  const arch = state?.status === 'ready' ? state.data : undefined
  let body
  if (listState === 'error') {
    body = <Failure message="The model library could not be read." onRetry={() => void refreshModels()} />
  } else if (state?.status === 'error') {
    body = <Failure message={state.message} onRetry={() => shown !== undefined && void loadArchitecture(shown, true)} />
  } else if (!arch) {
    body = <Loading />
  } else {
    body = (
      <div className="space-y-6" data-model-id={arch.id}>
        <ArchitectureFacts arch={arch} />
        <div className="grid gap-4 lg:grid-cols-2">
          <DepthExplanation arch={arch} />
          <StageBars arch={arch} />
        </div>
        <ArchitectureTable key={arch.id} arch={arch} />
        <ArchitectureNotes notes={arch.notes} />
      </div>
    )
  }

  return (
    <div data-testid="architecture-screen" className="flex min-h-0 flex-1 flex-col">
      <header className="flex h-14 shrink-0 items-center gap-4 border-b border-zinc-200 bg-white/80 px-5 backdrop-blur dark:border-zinc-800/80 dark:bg-zinc-950/60">
        <h2 className="text-[15px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Architecture</h2>
        {arch && (
          <span
            data-testid="arch-model-name"
            className="min-w-0 truncate text-[12.5px] text-zinc-500 dark:text-zinc-400"
          >
            <span className="font-medium text-zinc-700 dark:text-zinc-200">{arch.name}</span> · {arch.architecture}
          </span>
        )}
        <div className="ml-auto">
          <ModelPicker shown={shown} onPick={pick} />
        </div>
      </header>
      <div className="min-h-0 flex-1 overflow-y-auto">
        <div className="mx-auto max-w-6xl p-5 pb-16">{body}</div>
      </div>
    </div>
  )
}
