/**
 * Organize runs on the Jobs screen: the Organize dialog (where to, threshold, mode, the plan's preview,
 * then the run), and undoing, rolling back or finishing a run. Plans stay in the main process, named by
 * their id; progress comes as events.
 */
import type { OrganizeModeName } from '../../../shared/ipc/contract'
import { call, ipcMessage } from '../ipc'
import { DeferredTask } from '../lib/deferred-task'
import { formatCount } from '../lib/format'
import { useJobsStore, type UndoRequest } from './jobs-store'

const store = () => useJobsStore.getState()

export async function refreshRuns(): Promise<void> {
  if (store().runs.status === 'error') store().setRuns({ status: 'loading' })
  try {
    store().setRuns({ status: 'ready', data: await call('organize:runs', {}) })
  } catch (error) {
    store().setRuns({ status: 'error', message: ipcMessage(error) })
  }
}

const runsRefresh = new DeferredTask(() => void refreshRuns())

export function scheduleRunsRefresh(delay = 30): void {
  runsRefresh.schedule(delay)
}

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
