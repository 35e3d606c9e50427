import { create } from 'zustand'
import type {
  JobErrorItem,
  JobItem,
  JobProgressItem,
  OrganizeModeName,
  OrganizePlanPreview,
  OrganizeProgressItem,
  OrganizeRunItem,
  PickedFolder,
} from '../../../shared/ipc/contract'
import type { Loadable } from '../lib/loadable'

export type JobBusy = 'pausing' | 'resuming' | 'cancelling'

/** The files a job could not take, as far as read (the panel is open while this is set). */
export interface JobErrorsState {
  state: Loadable<{ errors: JobErrorItem[]; total: number }>
  /** How many errors the panel lists (a page more with each "Show more"). */
  shown: number
  /** True while the next page is being read. */
  loadingMore?: boolean
}

/**
 * The Organize dialog: where to, the threshold and the mode; then the plan's preview; then the run it
 * started (its progress comes with the run's events), until it ends.
 */
export interface OrganizeDraft {
  jobId: number
  out: PickedFolder | null
  /** 0–100 %: photos whose top probability is under it go to `_uncertain`. */
  thresholdPercent: number
  mode: OrganizeModeName
  picking: boolean
  /** The preview of the plan for exactly these choices (reset when one changes). */
  plan: { status: 'idle' } | Loadable<OrganizePlanPreview>
  /** Waiting for `organize:execute` to answer. */
  starting: boolean
  /** The run the dialog started; it follows it to its end. */
  runId: number | null
  /** Why the last step (pick, preview, execute) failed. */
  error: string | null
}

/** What the Undo confirmation asks about. */
export interface UndoRequest {
  runId: number
  action: 'undo' | 'rollback' | 'finish'
}

interface JobsState {
  jobs: Loadable<JobItem[]>
  /** The latest progress event of each job seen. */
  progress: Record<number, JobProgressItem>
  /** True while the folder dialog is open for a new job. */
  picking: boolean
  /** True while a new job is being created. */
  starting: boolean
  /** The model new jobs classify with; null: the active model. */
  modelId: string | null
  busy: Record<number, JobBusy>
  /** The last action that failed (start, pause, resume, cancel, undo...), shown above the list. */
  error: { title: string; message: string } | null
  /** Open errors panels, by job. */
  errors: Record<number, JobErrorsState>
  /** Every organize run, most recent first (histories and the interrupted banner read it). */
  runs: Loadable<OrganizeRunItem[]>
  /** The latest progress of each run seen (organize, undo, rollback). */
  runProgress: Record<number, OrganizeProgressItem>
  /** The last outcome of a run's operation that stopped with an error, by run. */
  runErrors: Record<number, string>
  organize: OrganizeDraft | null
  confirming: UndoRequest | null

  setJobs(jobs: Loadable<JobItem[]>): void
  setProgress(progress: JobProgressItem): void
  setPicking(picking: boolean): void
  setStarting(starting: boolean): void
  setModelId(modelId: string | null): void
  setBusy(jobId: number, busy: JobBusy | undefined): void
  setError(error: { title: string; message: string } | null): void
  setErrors(jobId: number, errors: JobErrorsState | undefined): void
  setRuns(runs: Loadable<OrganizeRunItem[]>): void
  setRunProgress(progress: OrganizeProgressItem): void
  setRunError(runId: number, message: string | undefined): void
  setOrganize(organize: OrganizeDraft | null): void
  patchOrganize(change: Partial<OrganizeDraft>): void
  setConfirming(request: UndoRequest | null): void
}

function without<T>(record: Record<number, T>, key: number): Record<number, T> {
  if (!(key in record)) return record
  return Object.fromEntries(Object.entries(record).filter(([k]) => Number(k) !== key))
}

export const useJobsStore = create<JobsState>()((set) => ({
  jobs: { status: 'loading' },
  progress: {},
  picking: false,
  starting: false,
  modelId: null,
  busy: {},
  error: null,
  errors: {},
  runs: { status: 'loading' },
  runProgress: {},
  runErrors: {},
  organize: null,
  confirming: null,

  setJobs: (jobs) => set({ jobs }),
  setProgress: (progress) => set((s) => ({ progress: { ...s.progress, [progress.jobId]: progress } })),
  setPicking: (picking) => set({ picking }),
  setStarting: (starting) => set({ starting }),
  setModelId: (modelId) => set({ modelId }),
  setBusy: (jobId, busy) => set((s) => ({ busy: busy ? { ...s.busy, [jobId]: busy } : without(s.busy, jobId) })),
  setError: (error) => set({ error }),
  setErrors: (jobId, errors) =>
    set((s) => ({ errors: errors ? { ...s.errors, [jobId]: errors } : without(s.errors, jobId) })),
  setRuns: (runs) => set({ runs }),
  setRunProgress: (progress) => set((s) => ({ runProgress: { ...s.runProgress, [progress.runId]: progress } })),
  setRunError: (runId, message) =>
    set((s) => ({
      runErrors: message !== undefined ? { ...s.runErrors, [runId]: message } : without(s.runErrors, runId),
    })),
  setOrganize: (organize) => set({ organize }),
  patchOrganize: (change) => set((s) => (s.organize ? { organize: { ...s.organize, ...change } } : {})),
  setConfirming: (confirming) => set({ confirming }),
}))

const NO_JOBS: JobItem[] = []
const NO_RUNS: OrganizeRunItem[] = []

export function jobsOf(state: { jobs: Loadable<JobItem[]> }): JobItem[] {
  return state.jobs.status === 'ready' ? state.jobs.data : NO_JOBS
}

export function runsOf(state: { runs: Loadable<OrganizeRunItem[]> }): OrganizeRunItem[] {
  return state.runs.status === 'ready' ? state.runs.data : NO_RUNS
}

/** Photos with a result, of a job as last listed. */
export function jobDone(job: JobItem): number {
  return job.classified + job.reused + job.failed
}

/** A job that may still run: it holds the runner or waits for it. */
export function isActive(job: JobItem): boolean {
  return job.state === 'running' || job.state === 'queued'
}
