import { useEffect } from 'react'
import type { ModelSummary, OrganizeRunItem } from '../../../shared/ipc/contract'
import { formatCount } from '../lib/format'
import { useSessionStore } from '../session/session-store'
import { Alert } from '../ui/Alert'
import { primaryButton, secondaryButton } from '../ui/buttons'
import { CloseIcon, FolderOpenIcon, JobsIcon } from '../ui/Icons'
import { RetryAlert } from '../ui/RetryAlert'
import { Spinner } from '../ui/Spinner'
import { InterruptedBanner } from './InterruptedBanner'
import { JobCard } from './JobCard'
import { dismissError, newJob, pickJobModel, refreshJobs, setJobModel } from './jobs-actions'
import { jobsOf, runsOf, useJobsStore } from './jobs-store'
import { refreshRuns } from './organize-actions'
import { OrganizeDialog } from './OrganizeDialog'
import { RunActionDialog } from './RunActionDialog'

function NewJobButton({ className = '' }: { className?: string }) {
  const picking = useJobsStore((s) => s.picking)
  const starting = useJobsStore((s) => s.starting)
  const model = useJobModel()
  return (
    <button
      type="button"
      data-testid="jobs-new"
      onClick={() => void newJob()}
      disabled={picking || starting}
      title={`Choose a folder: its photos are added to the library and classified${model ? ` with ${model.name}` : ''}`}
      className={`${primaryButton} text-[13px] ${className}`}
    >
      {picking || starting ? <Spinner className="h-4 w-4" /> : <FolderOpenIcon className="h-4 w-4" />}
      New job…
    </button>
  )
}

/** The model new jobs use, following the library and the choice on this screen. */
function useJobModel(): ModelSummary | undefined {
  const models = useSessionStore((s) => s.models)
  const chosen = useJobsStore((s) => s.modelId)
  return models.status === 'ready' ? pickJobModel(models.data, chosen) : undefined
}

/** Which library model new jobs classify with (the active one unless another is chosen). */
function JobModelSelect() {
  const models = useSessionStore((s) => (s.models.status === 'ready' ? s.models.data : undefined))
  const model = useJobModel()
  if (!models || !model) return null
  return (
    <label className="flex items-center gap-2 text-[12.5px] text-zinc-600 dark:text-zinc-300">
      Model
      <select
        data-testid="job-model-select"
        value={model.id}
        onChange={(event) => setJobModel(event.target.value)}
        title="The model new jobs classify with"
        className="max-w-56 rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-[12.5px] text-zinc-800 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {m.active ? `${m.name} (active)` : m.name}
          </option>
        ))}
      </select>
    </label>
  )
}

/** The last action that failed, with its reason. */
function ActionError() {
  const error = useJobsStore((s) => s.error)
  if (!error) return null
  return (
    <Alert testId="jobs-error" title={error.title} message={error.message}>
      <button type="button" onClick={dismissError} aria-label="Dismiss" className={secondaryButton}>
        <CloseIcon className="h-3.5 w-3.5" />
      </button>
    </Alert>
  )
}

function Empty() {
  return (
    <div data-testid="jobs-empty" className="flex justify-center p-8">
      <div className="flex w-full max-w-xl flex-col items-center rounded-2xl border-2 border-dashed border-zinc-300 px-8 py-14 text-center dark:border-zinc-700/80">
        <div className="mb-4 flex h-14 w-14 items-center justify-center rounded-2xl bg-indigo-50 text-indigo-500 ring-1 ring-indigo-100 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/20">
          <JobsIcon className="h-7 w-7" />
        </div>
        <p className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-100">Classify a whole folder</p>
        <p className="mt-2 max-w-sm text-[13px] leading-relaxed text-zinc-500 dark:text-zinc-400">
          A job adds a folder&rsquo;s photos to the library and classifies them in the background, with the active model
          or the one chosen above; it can be paused, and survives quitting the app. Then sort the photos into one folder
          per class, and undo that if you change your mind.
        </p>
        <NewJobButton className="mt-5" />
      </div>
    </div>
  )
}

function JobList() {
  const state = useJobsStore((s) => s.jobs)
  const jobs = useJobsStore(jobsOf)
  const runs = useJobsStore(runsOf)
  if (state.status === 'loading') {
    return (
      <p className="flex items-center gap-2 py-6 text-[13px] text-zinc-500">
        <Spinner className="h-4 w-4" /> Reading the jobs…
      </p>
    )
  }
  if (state.status === 'error') {
    return (
      <RetryAlert
        testId="jobs-load-error"
        title="The jobs could not be read"
        message={state.message}
        onRetry={() => void refreshJobs()}
      />
    )
  }
  if (jobs.length === 0) return <Empty />
  const byJob = new Map<number, OrganizeRunItem[]>()
  for (const run of runs) {
    if (run.jobId !== null) byJob.set(run.jobId, [...(byJob.get(run.jobId) ?? []), run])
  }
  return (
    <ul data-testid="jobs-list" aria-label="Jobs" className="space-y-3">
      {jobs.map((job) => (
        <li key={job.id}>
          <JobCard job={job} runs={byJob.get(job.id) ?? []} />
        </li>
      ))}
    </ul>
  )
}

/** Jobs: folders classified in the background, their progress and errors, and organizing them. */
export function JobsScreen() {
  const count = useJobsStore((s) => (s.jobs.status === 'ready' ? s.jobs.data.length : undefined))
  const runsState = useJobsStore((s) => s.runs)
  useEffect(() => {
    // Events keep the lists fresh; reading them on arrival covers anything missed meanwhile.
    void refreshJobs()
    void refreshRuns()
  }, [])

  return (
    <div data-testid="jobs-screen" className="flex min-h-0 flex-1 flex-col">
      <header className="flex h-14 shrink-0 items-center gap-4 border-b border-zinc-200 bg-white/80 px-5 backdrop-blur dark:border-zinc-800/80 dark:bg-zinc-950/60">
        <h2 className="text-[15px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Jobs</h2>
        {count !== undefined && (
          <span className="text-[12px] text-zinc-500 tabular-nums dark:text-zinc-400">{formatCount(count, 'job')}</span>
        )}
        <div className="ml-auto flex items-center gap-3">
          <JobModelSelect />
          <NewJobButton />
        </div>
      </header>
      <div className="min-h-0 flex-1 overflow-y-auto">
        <div className="mx-auto max-w-4xl space-y-4 p-5 pb-16">
          <InterruptedBanner />
          <ActionError />
          {runsState.status === 'error' && (
            <RetryAlert
              testId="runs-load-error"
              title="The organize history could not be read"
              message={runsState.message}
              onRetry={() => void refreshRuns()}
            />
          )}
          <JobList />
        </div>
      </div>
      <OrganizeDialog />
      <RunActionDialog />
    </div>
  )
}
