/**
 * Classifies the library's photos that the active model has not seen, in the same engine worker as the
 * Classify screen: each photo's bytes are fetched from the app's own origin and handed to the engine a
 * few at a time (the worker batches them), and the results are recorded in batches; the main process
 * turns predictions at or above the threshold into suggested tags. Repeats until nothing is pending.
 */
import type { LevelScore } from '../../../shared/knowledge/levels'
import type { Verdict } from '../../../shared/knowledge/verdict'
import { engine } from '../actions'
import { EngineError } from '../engine/client'
import { call, ipcMessage } from '../ipc'
import { useClassifyStore } from '../store'
import { useLibraryStore } from './store'

const TOP_K = 5
/** Photos handed to the engine at a time: enough to fill its batches, few enough to stop quickly on Cancel. */
const CHUNK = 16
/** Results recorded per call. */
const RECORD_EVERY = 64
/** Pending photos read per round. */
const PENDING_PAGE = 1000

type Result =
  | {
      photoId: number
      top: { index: number; label: string; p: number }[]
      /** Whether the photo is one of the model's classes (absent: an engine without verdicts; known). */
      verdict?: Verdict
      levels?: LevelScore[]
    }
  | { photoId: number; error: string }

const store = () => useLibraryStore.getState()

interface Token {
  cancelled: boolean
  wake?: () => void
}

let running: Token | null = null

/** The active model once its session is ready; rejects with the reason it cannot be. */
function readyModel(token: Token): Promise<{ id: string; name: string }> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      if (token.cancelled) {
        reject(new EngineError('cancelled', 'Cancelled.'))
        return true
      }
      const { model, engine: state } = useClassifyStore.getState()
      if (model.status === 'error') reject(new Error(model.message))
      else if (state.status === 'error') reject(new Error(state.message))
      else if (model.status === 'ready' && state.status === 'ready')
        resolve({ id: model.card.id, name: model.card.name })
      else return false
      return true
    }
    if (check()) return
    const stop = (): void => {
      if (check()) {
        unsubscribe()
        token.wake = undefined
      }
    }
    token.wake = stop
    const unsubscribe = useClassifyStore.subscribe(stop)
  })
}

async function classifyOne(photo: {
  id: number
  name: string
  photoUrl: string
}): Promise<{ result: Result; modelId: string | null } | { stop: unknown } | { retry: true }> {
  let blob: Blob
  try {
    const response = await fetch(photo.photoUrl)
    if (!response.ok) {
      return {
        result: { photoId: photo.id, error: `The file could not be read (HTTP ${response.status}).` },
        modelId: null,
      }
    }
    blob = await response.blob()
  } catch (error) {
    return { result: { photoId: photo.id, error: `The file could not be read: ${ipcMessage(error)}` }, modelId: null }
  }
  try {
    const reply = await engine().classify(blob, photo.name, TOP_K)
    // The verdict and the hierarchy levels travel to the tag store.
    const { verdict, levels } = reply
    return {
      result: {
        photoId: photo.id,
        top: reply.top.map(({ index, label, p }) => ({ index, label, p })),
        verdict: { unknown: verdict.unknown, ood: verdict.ood, source: verdict.source },
        ...(levels && { levels: levels.map(({ label, path, p }) => ({ label, path: [...path], p })) }),
      },
      modelId: reply.model.id,
    }
  } catch (error) {
    // A photo the engine cannot decode will not do better later: it is recorded as failed.
    if (error instanceof EngineError && error.kind === 'decode') {
      return { result: { photoId: photo.id, error: error.message }, modelId: null }
    }
    // Cancelled from the Classify screen (Esc, Clear): it stays pending and is tried again.
    if (error instanceof EngineError && error.kind === 'cancelled') return { retry: true }
    return { stop: error }
  }
}

/**
 * Classifies every photo still pending for the active model (idempotent: a second call while one
 * runs does nothing). Progress, rate and the outcome are in the store's `job`.
 */
export async function classifyPending(): Promise<void> {
  if (running) return
  const token: Token = { cancelled: false }
  running = token
  const { model } = useClassifyStore.getState()
  store().setJob({
    status: 'waiting',
    modelName: model.status === 'ready' ? model.card.name : 'the active model',
    done: 0,
    failed: 0,
    total: 0,
    more: false,
    startedAt: performance.now(),
    cancelling: false,
  })
  const buffer = new Map<string, Result[]>()
  let buffered = 0
  const flush = async (): Promise<void> => {
    for (const [modelId, results] of buffer) {
      for (let i = 0; i < results.length; i += 1000) {
        await call('library:recordResults', { modelId, results: results.slice(i, i + 1000) })
      }
    }
    buffer.clear()
    buffered = 0
  }
  try {
    let done = 0
    let failed = 0
    for (;;) {
      const active = await readyModel(token)
      store().patchJob({ status: 'running', modelName: active.name })
      const pending = await call('library:pending', { modelId: active.id, limit: PENDING_PAGE })
      if (pending.length === 0 || token.cancelled) break
      store().patchJob({ total: done + pending.length, more: pending.length === PENDING_PAGE })
      let progressed = 0
      for (let i = 0; i < pending.length && !token.cancelled; i += CHUNK) {
        const outcomes = await Promise.all(pending.slice(i, i + CHUNK).map(classifyOne))
        for (const outcome of outcomes) {
          if ('stop' in outcome) throw outcome.stop
          if ('retry' in outcome) continue
          const modelId = outcome.modelId ?? active.id
          const list = buffer.get(modelId) ?? []
          list.push(outcome.result)
          buffer.set(modelId, list)
          buffered++
          progressed++
          done++
          if ('error' in outcome.result) failed++
        }
        store().patchJob({ done, failed })
        if (buffered >= RECORD_EVERY) await flush()
      }
      await flush()
      // Nothing could be done this round (every photo was cancelled elsewhere): try again later, not in a loop.
      if (progressed === 0) break
    }
    await flush()
    store().patchJob({
      status: token.cancelled ? 'cancelled' : 'done',
      finishedAt: performance.now(),
      cancelling: false,
    })
  } catch (error) {
    await flush().catch(() => undefined)
    if (error instanceof EngineError && error.kind === 'cancelled' && token.cancelled) {
      store().patchJob({ status: 'cancelled', finishedAt: performance.now(), cancelling: false })
    } else {
      store().patchJob({
        status: 'error',
        error: ipcMessage(error),
        finishedAt: performance.now(),
        cancelling: false,
      })
    }
  } finally {
    running = null
    void checkPending()
  }
}

/** Stops after the photos already handed to the engine (what they give is still recorded). */
export function cancelClassify(): void {
  if (!running) return
  running.cancelled = true
  running.wake?.()
  store().patchJob({ cancelling: true })
}

export function dismissJob(): void {
  if (!running) store().setJob(null)
}

/** How many photos the active model has not classified yet (up to a thousand are counted). */
export async function checkPending(): Promise<void> {
  const { model } = useClassifyStore.getState()
  if (model.status !== 'ready' || running) return
  try {
    const pending = await call('library:pending', { modelId: model.card.id, limit: PENDING_PAGE })
    store().setPending(pending.length)
  } catch {
    store().setPending(null)
  }
}
