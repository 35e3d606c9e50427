/**
 * Answers the main process's `engine:classifyBatch`: a batch job whose engine is WebGPU (a hardware
 * adapter, measured fastest) sends its photos here, to the window's engine, which holds the active
 * model. Each photo is fetched from the app's own origin and classified; the worker batches them. Each
 * result carries the photo's verdict (known or not) and hierarchy levels, as the main process's engines give.
 */
import type { ChannelInput, EventPayload } from '../../../shared/ipc/contract'
import { EngineError } from '../engine/client'
import { call, ipcMessage, subscribe } from '../ipc'
import { engine } from './engine-client'
import { useSessionStore } from './session-store'

const TOP_K = 5

type Results = Extract<ChannelInput<'engine:batchResults'>, { results: unknown }>['results']

let started = false

export function startBatchResponder(): void {
  if (started) return
  started = true
  subscribe('engine:classifyBatch', (request) => {
    void answer(request).then((reply) =>
      call('engine:batchResults', reply).catch((error: unknown) =>
        console.error(`Could not send a batch's results: ${ipcMessage(error)}`),
      ),
    )
  })
}

async function answer(request: EventPayload<'engine:classifyBatch'>): Promise<ChannelInput<'engine:batchResults'>> {
  const { requestId, modelId, photos } = request
  const { model, engine: state } = useSessionStore.getState()
  if (model.status !== 'ready' || state.status !== 'ready') return { requestId, error: 'the engine is not ready' }
  if (model.card.id !== modelId) return { requestId, error: `the window has another model loaded (${model.card.name})` }
  try {
    const results: Results = await Promise.all(
      photos.map(async (photo) => {
        const response = await fetch(photo.photoUrl)
        if (!response.ok) return { photoId: photo.id, error: `The file could not be read (HTTP ${response.status}).` }
        try {
          const reply = await engine().classify(await response.blob(), photo.name, TOP_K, true)
          if (reply.model.id !== modelId) throw new Error(`the window's model changed to ${reply.model.id}`)
          return {
            photoId: photo.id,
            top: reply.top.map(({ index, label, p }) => ({ index, label, p })),
            verdict: { unknown: reply.verdict.unknown, ood: reply.verdict.ood, source: reply.verdict.source },
            ...(reply.levels && { levels: reply.levels.map(({ label, path, p }) => ({ label, path: [...path], p })) }),
            ...(reply.embedding && {
              embedding: { version: reply.embedding.version, vector: new Float32Array(reply.embedding.vector) },
            }),
          }
        } catch (error) {
          // A photo the engine cannot decode is that photo's failure; anything else stops the batch.
          if (error instanceof EngineError && error.kind === 'decode')
            return { photoId: photo.id, error: error.message }
          throw error
        }
      }),
    )
    return { requestId, results }
  } catch (error) {
    return { requestId, error: ipcMessage(error) }
  }
}
