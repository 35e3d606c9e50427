import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Worker } from 'node:worker_threads'
import { startScriptWorker } from '../util/script-worker'
import type { FitProfileInput, FitProfileReport } from './fit-profile'
import type { KnowledgeProfile } from '../../shared/knowledge/profile'

const here = dirname(fileURLToPath(import.meta.url))

type Reply = { ok: true; value: { profile: KnowledgeProfile; report: FitProfileReport } } | { ok: false; error: string }

/** The built fit worker beside the bundle (or a folder up, from a chunk), else the source through tsx's loader. */
function startWorker(): Worker {
  return startScriptWorker(
    [join(here, 'fit-worker.js'), join(here, '..', 'fit-worker.js')],
    join(here, 'fit-worker.ts'),
  )
}

/**
 * `fitProfile` in a worker thread of its own, so the main process stays responsive however long the fit takes;
 * `signal` ends the thread at once. The photos' feature and logit buffers are handed over, not copied (they are
 * unusable here afterwards).
 */
export function fitProfileInWorker(
  input: FitProfileInput,
  signal?: AbortSignal,
): Promise<{ profile: KnowledgeProfile; report: FitProfileReport }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('cancelled'))
      return
    }
    const worker = startWorker()
    let settled = false
    const settle = (fn: () => void): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      fn()
      void worker.terminate()
    }
    const onAbort = (): void => settle(() => reject(new Error('cancelled')))
    signal?.addEventListener('abort', onAbort, { once: true })
    worker.once('message', (reply: Reply) =>
      settle(() => (reply.ok ? resolve(reply.value) : reject(new Error(reply.error)))),
    )
    worker.once('error', (error) => settle(() => reject(error)))
    worker.once('exit', (code) => settle(() => reject(new Error(`the fit stopped (exit code ${code})`))))
    const buffers = new Set<ArrayBuffer>()
    for (const array of [...input.features, ...input.logits]) {
      if (
        array.buffer instanceof ArrayBuffer &&
        array.byteOffset === 0 &&
        array.byteLength === array.buffer.byteLength
      ) {
        buffers.add(array.buffer)
      }
    }
    worker.postMessage(input, [...buffers])
  })
}
