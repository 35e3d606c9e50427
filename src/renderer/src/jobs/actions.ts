/**
 * What the Jobs screen does: lists folder jobs and organize runs over IPC, follows their progress
 * events, starts, pauses, resumes and cancels jobs, and plans, carries out and undoes organize runs.
 * Components call these; they never call IPC themselves. Folders are picked in the main process's
 * dialogs and named by tokens; plans stay in the main process, named by their id.
 */
import type { JobErrorItem, JobItem, ModelSummary, OrganizeModeName } from '../../../shared/ipc/contract'
import { call, ipcMessage, subscribe } from '../ipc'
import { formatCount } from '../lib/format'
import { useModelsStore } from '../models/store'
import { useJobsStore, type JobBusy, type UndoRequest } from './store'

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

let jobsTimer: ReturnType<typeof setTimeout> | undefined
let runsTimer: ReturnType<typeof setTimeout> | undefined
const errorsTimers = new Map<number, ReturnType<typeof setTimeout>>()

function scheduleJobsRefresh(delay = 30): void {
  if (jobsTimer !== undefined) return
  jobsTimer = setTimeout(() => {
    jobsTimer = undefined
    void refreshJobs()
  }, delay)
}

function scheduleRunsRefresh(delay = 30): void {
  if (runsTimer !== undefined) return
  runsTimer = setTimeout(() => {
    runsTimer = undefined
    void refreshRuns()
  }, delay)
}

/** An open errors panel follows new errors, at most once a second. */
function scheduleErrorsRefresh(jobId: number): void {
  if (errorsTimers.has(jobId)) return
  errorsTimers.set(
    jobId,
    setTimeout(() => {
      errorsTimers.delete(jobId)
      if (store().errors[jobId]) void loadErrors(jobId)
    }, 1000),
  )
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

export async function refreshRuns(): Promise<void> {
  if (store().runs.status === 'error') store().setRuns({ status: 'loading' })
  try {
    store().setRuns({ status: 'ready', data: await call('organize:runs', {}) })
  } catch (error) {
    store().setRuns({ status: 'error', message: ipcMessage(error) })
  }
}

export function dismissError(): void {
  store().setError(null)
}

// ---------------------------------------------------------------------------------------------
// Jobs

/** New job…: the folder dialog, then a job for it with the active model. */
/** The model new jobs use: the one chosen on the Jobs screen while it is in the library, or the active one. */
export function pickJobModel(models: readonly ModelSummary[], chosen: string | null): ModelSummary | undefined {
  return models.find((m) => m.id === chosen) ?? models.find((m) => m.active)
}

/** Undefined while the library is not read yet: the main process then takes the active model. */
function jobModel(): ModelSummary | undefined {
  const models = useModelsStore.getState().models
  return models.status === 'ready' ? pickJobModel(models.data, store().modelId) : undefined
}

/** Chooses the model for new jobs; the active model's id means "the active model", whichever it becomes. */
export function setJobModel(modelId: string): void {
  const models = useModelsStore.getState().models
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

// ---------------------------------------------------------------------------------------------
// Organize

/** Organize…: opens the dialog for a finished job (the last output folder is not remembered). */
export function openOrganize(jobId: number): void {
  store().setOrganize({
    jobId,
    out: null,
    thresholdPercent: 50,
    mode: 'copy',
    picking: false,
    plan: { status: 'idle' },
    starting: false,
    runId: null,
    error: null,
  })
}

export function closeOrganize(): void {
  store().setOrganize(null)
}

export async function pickOrganizeOut(): Promise<void> {
  const draft = store().organize
  if (!draft || draft.picking) return
  store().patchOrganize({ picking: true, error: null })
  try {
    const out = await call('organize:pickOut')
    if (out !== null) store().patchOrganize({ out, plan: { status: 'idle' } })
  } catch (error) {
    store().patchOrganize({ error: `The folder could not be chosen: ${ipcMessage(error)}` })
  } finally {
    store().patchOrganize({ picking: false })
  }
}

export function setOrganizeThreshold(percent: number): void {
  const value = Math.max(0, Math.min(100, Math.round(percent)))
  store().patchOrganize({ thresholdPercent: value, plan: { status: 'idle' } })
}

export function setOrganizeMode(mode: OrganizeModeName): void {
  store().patchOrganize({ mode, plan: { status: 'idle' } })
}

/** Preview: the plan for the dialog's choices (nothing is touched). */
export async function previewPlan(): Promise<void> {
  const draft = store().organize
  if (!draft?.out || draft.plan.status === 'loading') return
  const request = { out: draft.out, thresholdPercent: draft.thresholdPercent, mode: draft.mode }
  const current = (): boolean => {
    const d = store().organize
    return (
      d !== null && d.out === request.out && d.thresholdPercent === request.thresholdPercent && d.mode === request.mode
    )
  }
  store().patchOrganize({ plan: { status: 'loading' }, error: null })
  try {
    const plan = await call('organize:plan', {
      jobId: draft.jobId,
      outToken: draft.out.token,
      threshold: draft.thresholdPercent / 100,
      mode: draft.mode,
    })
    if (current()) store().patchOrganize({ plan: { status: 'ready', data: plan } })
  } catch (error) {
    if (current()) store().patchOrganize({ plan: { status: 'error', message: ipcMessage(error) } })
  }
}

/** Copy files / Move files: carries out the previewed plan; the dialog then follows the run. */
export async function executePlan(): Promise<void> {
  const draft = store().organize
  if (!draft || draft.plan.status !== 'ready' || draft.starting || draft.runId !== null) return
  store().patchOrganize({ starting: true, error: null })
  try {
    const { runId } = await call('organize:execute', { planId: draft.plan.data.planId })
    store().patchOrganize({ runId })
    scheduleRunsRefresh(0)
  } catch (error) {
    store().patchOrganize({ error: ipcMessage(error) })
  } finally {
    store().patchOrganize({ starting: false })
  }
}

/** Stops a run's organize, undo or rollback after the file in flight. */
export async function cancelRun(runId: number): Promise<void> {
  try {
    await call('organize:cancel', { runId })
  } catch (error) {
    store().setError({ title: 'The run could not be stopped', message: ipcMessage(error) })
  }
}

/** Asks before an undo (or a rollback, or finishing an interrupted run). */
export function requestRunAction(request: UndoRequest): void {
  store().setConfirming(request)
}

export function cancelRunAction(): void {
  store().setConfirming(null)
}

export async function confirmRunAction(): Promise<void> {
  const request = store().confirming
  if (!request) return
  store().setConfirming(null)
  await runAction(request)
}

/** Undo, roll back or finish a run in the background; its progress comes as events. */
export async function runAction({ runId, action }: UndoRequest): Promise<void> {
  store().setError(null)
  store().setRunError(runId, undefined)
  const channel = action === 'undo' ? 'organize:undo' : action === 'rollback' ? 'organize:rollback' : 'organize:resume'
  try {
    await call(channel, { runId })
    scheduleRunsRefresh(0)
  } catch (error) {
    const title =
      action === 'undo'
        ? 'The run could not be undone'
        : action === 'rollback'
          ? 'The run could not be rolled back'
          : 'The run could not be finished'
    store().setError({ title, message: ipcMessage(error) })
  }
}

/** "Copied 58 files into /out" and the like, for a run as listed. */
export function runSummary(run: {
  mode: OrganizeModeName
  state: string
  out: string
  total: number
  steps: { done: number; failed: number; undone: number; kept: number; undoing: number }
}): string {
  const { steps } = run
  const files = (n: number): string => formatCount(n, 'file')
  const copy = run.mode === 'copy'
  switch (run.state) {
    case 'done':
      return `${copy ? 'Copied' : 'Moved'} ${files(steps.done)} into ${run.out}${steps.failed > 0 ? ` · ${steps.failed.toLocaleString('en-US')} failed` : ''}`
    case 'undone':
    case 'rolled-back': {
      const what = copy ? `removed ${files(steps.undone)} copied` : `moved ${files(steps.undone)} back`
      const kept = steps.kept > 0 ? ` · ${steps.kept.toLocaleString('en-US')} left in place` : ''
      return `${run.state === 'undone' ? 'Undone' : 'Rolled back'}: ${what}${kept}`
    }
    case 'running':
      return `${copy ? 'Copying' : 'Moving'} into ${run.out}: ${(steps.done + steps.failed).toLocaleString('en-US')} of ${files(run.total)} done`
    case 'undoing':
      return `Undoing: ${steps.undone.toLocaleString('en-US')} of ${files(run.total - steps.failed)} put back`
    default:
      return `Rolling back: ${steps.undone.toLocaleString('en-US')} files put back`
  }
}
