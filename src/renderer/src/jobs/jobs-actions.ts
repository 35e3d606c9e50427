/**
 * What the Jobs screen does with folder jobs: lists them over IPC, follows their progress events (and
 * the organize runs' events), starts, pauses, resumes and cancels jobs, and lists a job's errors.
 * Organize runs have their own module. Components call these; they never call IPC themselves. Folders
 * are picked in the main process's dialogs and named by tokens.
 */
import type { JobErrorItem, JobItem, ModelSummary } from '../../../shared/ipc/contract'
import { call, ipcMessage, subscribe } from '../ipc'
import { DeferredTask } from '../lib/deferred-task'
import { useSessionStore } from '../session/session-store'
import { useJobsStore, type JobBusy } from './jobs-store'
import { refreshRuns, scheduleRunsRefresh } from './organize-actions'

const store = () => useJobsStore.getState()

/** Errors listed per page in a job's errors panel. */
export const ERRORS_PAGE = 200
/** The most errors `jobs:errors` gives in one answer. */
const ERRORS_READ_LIMIT = 1000

// ---------------------------------------------------------------------------------------------
// Start and events

let started = false

/** Reads the jobs and the organize runs and follows their events (once; StrictMode-safe). */
export function startJobs(): void {
  if (started) return
  started = true
  try {
    subscribe('jobs:progress', (progress) => {
      store().setProgress(progress)
      const job = store().jobs
      const listed = job.status === 'ready' ? job.data.find((j) => j.id === progress.jobId) : undefined
      if (progress.phase === 'finished' || listed?.state !== progress.state) scheduleJobsRefresh()
      if (store().errors[progress.jobId] && progress.errors !== loadedErrorTotal(progress.jobId)) {
        scheduleErrorsRefresh(progress.jobId)
      }
    })
    subscribe('jobs:changed', () => scheduleJobsRefresh())
    subscribe('organize:progress', (progress) => store().setRunProgress(progress))
    subscribe('organize:changed', (change) => {
      if (change.error !== undefined) store().setRunError(change.runId, change.error)
      else if (change.busy) store().setRunError(change.runId, undefined)
      scheduleRunsRefresh()
    })
  } catch (error) {
    console.error(ipcMessage(error))
  }
  void refreshJobs()
  void refreshRuns()
}

const jobsRefresh = new DeferredTask(() => void refreshJobs())
/** Each open errors panel's refresh, by job. */
const errorsRefresh = new Map<number, DeferredTask>()

function scheduleJobsRefresh(delay = 30): void {
  jobsRefresh.schedule(delay)
}

/** An open errors panel follows new errors, at most once a second. */
function scheduleErrorsRefresh(jobId: number): void {
  let task = errorsRefresh.get(jobId)
  if (!task) {
    task = new DeferredTask(() => {
      if (store().errors[jobId]) void loadErrors(jobId)
    })
    errorsRefresh.set(jobId, task)
  }
  task.schedule(1000)
}

function loadedErrorTotal(jobId: number): number | undefined {
  const panel = store().errors[jobId]
  return panel?.state.status === 'ready' ? panel.state.data.total : undefined
}

export async function refreshJobs(): Promise<void> {
  if (store().jobs.status === 'error') store().setJobs({ status: 'loading' })
  try {
    store().setJobs({ status: 'ready', data: await call('jobs:list') })
  } catch (error) {
    store().setJobs({ status: 'error', message: ipcMessage(error) })
  }
}

export function dismissError(): void {
  store().setError(null)
}

// ---------------------------------------------------------------------------------------------
// Jobs

/** The model new jobs use: the one chosen on the Jobs screen while it is in the library, or the active one. */
export function pickJobModel(models: readonly ModelSummary[], chosen: string | null): ModelSummary | undefined {
  return models.find((m) => m.id === chosen) ?? models.find((m) => m.active)
}

/** Undefined while the library is not read yet: the main process then takes the active model. */
function jobModel(): ModelSummary | undefined {
  const { models } = useSessionStore.getState()
  return models.status === 'ready' ? pickJobModel(models.data, store().modelId) : undefined
}

/** Chooses the model for new jobs; the active model's id means "the active model", whichever it becomes. */
export function setJobModel(modelId: string): void {
  const { models } = useSessionStore.getState()
  const active = models.status === 'ready' ? models.data.find((m) => m.active) : undefined
  store().setModelId(modelId === active?.id ? null : modelId)
}

export async function newJob(): Promise<void> {
  const { picking, starting } = store()
  if (picking || starting) return
  store().setError(null)
  store().setPicking(true)
  let folder
  try {
    folder = await call('jobs:pickFolder')
  } catch (error) {
    store().setError({ title: 'The folder could not be chosen', message: ipcMessage(error) })
    return
  } finally {
    store().setPicking(false)
  }
  if (folder === null) return
  store().setStarting(true)
  try {
    const modelId = jobModel()?.id
    const job = await call('jobs:start', { folderToken: folder.token, ...(modelId !== undefined && { modelId }) })
    mergeJob(job)
  } catch (error) {
    store().setError({ title: `${folder.name} could not be classified`, message: ipcMessage(error) })
  } finally {
    store().setStarting(false)
  }
}

/** Puts a job as the main process answered it into the list (a refresh follows with the events). */
function mergeJob(job: JobItem): void {
  const { jobs } = store()
  const list = jobs.status === 'ready' ? jobs.data : []
  const at = list.findIndex((j) => j.id === job.id)
  const next = at >= 0 ? list.map((j) => (j.id === job.id ? job : j)) : [job, ...list]
  store().setJobs({ status: 'ready', data: next })
}

async function onJob(jobId: number, busy: JobBusy, title: string, run: () => Promise<JobItem>): Promise<void> {
  if (store().busy[jobId]) return
  store().setBusy(jobId, busy)
  store().setError(null)
  try {
    mergeJob(await run())
  } catch (error) {
    store().setError({ title, message: ipcMessage(error) })
  } finally {
    store().setBusy(jobId, undefined)
  }
}

export function pauseJob(jobId: number): void {
  void onJob(jobId, 'pausing', 'The job could not be paused', () => call('jobs:pause', { jobId }))
}

export function resumeJob(jobId: number): void {
  void onJob(jobId, 'resuming', 'The job could not be resumed', () => call('jobs:resume', { jobId }))
}

export function cancelJob(jobId: number): void {
  void onJob(jobId, 'cancelling', 'The job could not be cancelled', () => call('jobs:cancel', { jobId }))
}

/** Opens or closes a job's errors panel (reading the errors when it opens). */
export function toggleErrors(jobId: number): void {
  if (store().errors[jobId]) {
    store().setErrors(jobId, undefined)
    return
  }
  store().setErrors(jobId, { state: { status: 'loading' }, shown: ERRORS_PAGE })
  void loadErrors(jobId)
}

/** Lists the next page of a job's errors in its open panel. */
export function showMoreErrors(jobId: number): void {
  const panel = store().errors[jobId]
  if (!panel || panel.loadingMore) return
  store().setErrors(jobId, { ...panel, shown: panel.shown + ERRORS_PAGE, loadingMore: true })
  void loadErrors(jobId)
}

/** (Re)reads the errors an open panel lists: the first `shown` of them, in pages the channel allows. */
export async function loadErrors(jobId: number): Promise<void> {
  const want = store().errors[jobId]?.shown ?? ERRORS_PAGE
  try {
    const errors: JobErrorItem[] = []
    let total = 0
    for (;;) {
      const page = await call('jobs:errors', {
        jobId,
        offset: errors.length,
        limit: Math.min(ERRORS_READ_LIMIT, want - errors.length),
      })
      errors.push(...page.errors)
      total = page.total
      if (page.errors.length === 0 || errors.length >= Math.min(want, total)) break
    }
    const panel = store().errors[jobId]
    // A read for fewer errors than the panel now asks for (a refresh overtaken by "Show more") is dropped.
    if (panel && panel.shown === want)
      store().setErrors(jobId, { shown: want, state: { status: 'ready', data: { errors, total } } })
  } catch (error) {
    const panel = store().errors[jobId]
    if (panel) store().setErrors(jobId, { shown: panel.shown, state: { status: 'error', message: ipcMessage(error) } })
  }
}
