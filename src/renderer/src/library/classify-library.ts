/**
 * Classifying the library's photos that the active model has not seen. The main process owns the work:
 * `library:classify` starts (or resumes) a library job on the same runner as folder jobs, on the
 * fastest engine for the model (the window answers its batches where that is WebGPU, as for folder
 * jobs). This module only follows the job's events into the Library's banner and counts what waits.
 */
import type { EventPayload, JobItem } from '../../../shared/ipc/contract'
import { call, ipcMessage, subscribe } from '../ipc'
import { useSessionStore } from '../session/session-store'
import { useLibraryStore, type ClassifyJob } from './library-store'

const store = () => useLibraryStore.getState()

/** The library job the banner follows, and how to stop following it. */
let followed: { jobId: number; unsubscribe: () => void } | null = null

function statusOf(state: JobItem['state'], phase?: EventPayload<'jobs:progress'>['phase']): ClassifyJob['status'] {
  switch (state) {
    case 'queued':
      return 'waiting'
    case 'running':
      return phase === 'scanning' ? 'waiting' : 'running'
    case 'done':
      return 'done'
    case 'cancelled':
    case 'paused':
      return 'cancelled'
    case 'failed':
      return 'error'
  }
}

function finished(status: ClassifyJob['status']): boolean {
  return status === 'done' || status === 'cancelled' || status === 'error'
}

/** The banner's state from the job as the main process lists it. */
function fromItem(job: JobItem, startedAt: number): ClassifyJob {
  const status = statusOf(job.state)
  return {
    status,
    modelName: job.modelName,
    done: job.classified + job.failed + job.reused,
    failed: job.failed,
    total: job.total,
    startedAt,
    ...(finished(status) && { finishedAt: performance.now() }),
    ...(job.message !== null && { error: job.message }),
    cancelling: false,
  }
}

/** Follows one library job's events until it ends (a second call replaces the first). */
function follow(job: JobItem): void {
  followed?.unsubscribe()
  store().setJob(fromItem(job, performance.now()))
  const end = async (): Promise<void> => {
    if (followed?.jobId !== job.id) return
    followed.unsubscribe()
    followed = null
    try {
      const latest = (await call('jobs:list')).find((j) => j.id === job.id)
      const startedAt = store().job?.startedAt ?? performance.now()
      if (latest) store().setJob(fromItem(latest, startedAt))
    } catch (error) {
      store().patchJob({ status: 'error', error: ipcMessage(error), finishedAt: performance.now() })
    }
    void checkPending()
  }
  const unsubscribeProgress = subscribe('jobs:progress', (progress) => {
    if (progress.jobId !== job.id) return
    const status = statusOf(progress.state, progress.phase)
    store().patchJob({
      status: finished(status) ? 'running' : status,
      done: progress.done,
      total: progress.total,
      failed: progress.errors,
    })
    if (progress.phase === 'finished') void end()
  })
  const unsubscribeChanged = subscribe('jobs:changed', (change) => {
    if (change.jobId === job.id && finished(statusOf(change.state))) void end()
  })
  followed = {
    jobId: job.id,
    unsubscribe: () => {
      unsubscribeProgress()
      unsubscribeChanged()
    },
  }
  if (finished(statusOf(job.state))) void end()
}

/**
 * Classifies every photo still pending for the active model, as a library job in the main process
 * (idempotent: the main process resumes the unfinished job rather than starting a second). Progress
 * and the outcome are in the store's `job`.
 */
export async function classifyPending(): Promise<void> {
  const { model } = useSessionStore.getState()
  if (model.status !== 'ready') return
  try {
    follow(await call('library:classify', { modelId: model.card.id }))
  } catch (error) {
    store().setJob({
      status: 'error',
      modelName: model.card.name,
      done: 0,
      failed: 0,
      total: 0,
      startedAt: performance.now(),
      finishedAt: performance.now(),
      error: ipcMessage(error),
      cancelling: false,
    })
  }
}

/** Follows a library job the main process resumed at start (a quit or crash left it running). */
export async function followRunningJob(): Promise<void> {
  if (followed) return
  try {
    const running = (await call('jobs:list')).find(
      (job) => job.kind === 'library' && (job.state === 'running' || job.state === 'queued'),
    )
    if (running && !followed) follow(running)
  } catch {
    // The banner stays as it was: the Jobs screen lists the job too.
  }
}

/** Stops the job after the photos in flight (what they give is still recorded). */
export function cancelClassify(): void {
  if (!followed) return
  store().patchJob({ cancelling: true })
  void call('jobs:cancel', { jobId: followed.jobId }).catch((error: unknown) =>
    store().patchJob({ cancelling: false, error: ipcMessage(error) }),
  )
}

export function dismissJob(): void {
  const job = store().job
  if (job && finished(job.status)) store().setJob(null)
}

/** How many photos the active model has not classified yet. */
export async function checkPending(): Promise<void> {
  const { model } = useSessionStore.getState()
  if (model.status !== 'ready' || followed) return
  try {
    store().setPending((await call('library:pendingCount', { modelId: model.card.id })).count)
  } catch {
    store().setPending(null)
  }
}
