/**
 * The engine batch jobs use for each model (measured once per machine by the main process) and the
 * person's override, for the Models screen.
 */
import { create } from 'zustand'
import type { EngineKind } from '../../../shared/engine/engine-kind'
import type { EngineChoiceView } from '../../../shared/ipc/contract'
import { call, ipcMessage } from '../ipc'

export type ChoiceState =
  | { status: 'loading' }
  | { status: 'measuring'; view?: EngineChoiceView }
  | { status: 'ready'; view: EngineChoiceView }
  | { status: 'error'; message: string; view?: EngineChoiceView }

interface EngineChoiceStore {
  override: EngineKind | null
  overrideError: string | null
  choices: Record<string, ChoiceState>
  set(modelId: string, state: ChoiceState): void
}

export const useEngineChoiceStore = create<EngineChoiceStore>((set) => ({
  override: null,
  overrideError: null,
  choices: {},
  set: (modelId, state) => set((s) => ({ choices: { ...s.choices, [modelId]: state } })),
}))

const store = () => useEngineChoiceStore.getState()

function viewOf(state: ChoiceState | undefined): EngineChoiceView | undefined {
  return state && 'view' in state ? state.view : undefined
}

/** What is known for a model, without measuring. */
export async function loadEngineChoice(modelId: string): Promise<void> {
  if (store().choices[modelId]?.status === 'measuring') return
  if (!store().choices[modelId]) store().set(modelId, { status: 'loading' })
  try {
    const view = await call('engine:choice', { id: modelId })
    if (store().choices[modelId]?.status === 'measuring') return
    store().set(modelId, { status: 'ready', view })
    useEngineChoiceStore.setState({ override: view.override })
  } catch (error) {
    store().set(modelId, { status: 'error', message: ipcMessage(error) })
  }
}

/** Measures every engine for a model on this machine (a few seconds) and shows the choice. */
export async function measureEngines(modelId: string): Promise<void> {
  const before = viewOf(store().choices[modelId])
  if (store().choices[modelId]?.status === 'measuring') return
  store().set(modelId, before ? { status: 'measuring', view: before } : { status: 'measuring' })
  try {
    const view = await call('engine:measure', { id: modelId })
    store().set(modelId, { status: 'ready', view })
  } catch (error) {
    store().set(
      modelId,
      before
        ? { status: 'error', message: ipcMessage(error), view: before }
        : {
            status: 'error',
            message: ipcMessage(error),
          },
    )
  }
}

/** The engine batch jobs use from now on (null: the fastest measured); every shown choice is re-read. */
export async function setEngineOverride(engine: EngineKind | null): Promise<void> {
  try {
    const { override } = await call('engine:setOverride', { engine })
    useEngineChoiceStore.setState({ override, overrideError: null })
    await Promise.all(Object.keys(store().choices).map((id) => loadEngineChoice(id)))
  } catch (error) {
    useEngineChoiceStore.setState({ overrideError: ipcMessage(error) })
  }
}
