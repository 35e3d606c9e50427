/** Each library model's architecture (stages, blocks, taps, classifier head), read from its graph once. */
import { create } from 'zustand'
import type { Architecture } from '../../../shared/ipc/contract'
import { call, ipcMessage } from '../ipc'
import type { Loadable } from '../lib/loadable'

interface ArchitectureState {
  /** Each model's architecture as read from its graph, by model id (read once, kept). */
  byId: Record<string, Loadable<Architecture>>
  set(id: string, value: Loadable<Architecture>): void
}

export const useArchitectureStore = create<ArchitectureState>()((set) => ({
  byId: {},
  set: (id, value) => set((s) => ({ byId: { ...s.byId, [id]: value } })),
}))

const inFlight = new Map<string, Promise<Architecture | undefined>>()

/**
 * Reads a model's architecture over IPC (stages, blocks, taps, the classifier head); a model already
 * read is not read again unless `force` (after an error, "Try again"). Resolves undefined on failure:
 * the store holds the message.
 */
export function loadArchitecture(id: string, force = false): Promise<Architecture | undefined> {
  const store = useArchitectureStore.getState()
  const known = store.byId[id]
  if (known?.status === 'ready' && !force) return Promise.resolve(known.data)
  const pending = inFlight.get(id)
  if (pending) return pending
  if (known?.status !== 'ready') store.set(id, { status: 'loading' })
  const reading = call('models:architecture', { id })
    .then(
      (data) => {
        useArchitectureStore.getState().set(id, { status: 'ready', data })
        return data
      },
      (error: unknown) => {
        useArchitectureStore.getState().set(id, { status: 'error', message: ipcMessage(error) })
        return undefined
      },
    )
    .finally(() => inFlight.delete(id))
  inFlight.set(id, reading)
  return reading
}
