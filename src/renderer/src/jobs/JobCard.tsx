import type { JobItem, JobStateName, OrganizeRunItem } from '../../../shared/ipc/contract'
import { formatCount, formatDuration, formatImagesPerSecond } from '../lib/format'
import { primaryButton, secondaryButton } from '../ui/buttons'
import { CloseIcon, FolderOpenIcon, PauseIcon, PlayIcon } from '../ui/Icons'
import { Spinner } from '../ui/Spinner'
import { JobErrors } from './JobErrors'
import { cancelJob, pauseJob, resumeJob } from './jobs-actions'
import { isActive, jobDone, useJobsStore } from './jobs-store'
import { openOrganize } from './organize-actions'
import { fileName, ProgressBar } from './ProgressBar'
import { RunHistory } from './RunHistory'

const STATE_LOOK: Record<JobStateName, { label: string; className: string }> = {
  queued: {
    label: 'Waiting',
    className: 'bg-zinc-100 text-zinc-600 ring-zinc-200 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-700',
  },
  running: {
    label: 'Running',
    className:
      'bg-indigo-50 text-indigo-700 ring-indigo-200 dark:bg-indigo-500/15 dark:text-indigo-200 dark:ring-indigo-400/30',
  },
  paused: {
    label: 'Paused',
    className:
      'bg-amber-50 text-amber-700 ring-amber-200 dark:bg-amber-500/15 dark:text-amber-200 dark:ring-amber-400/30',
  },
  done: {
    label: 'Done',
    className:
      'bg-emerald-50 text-emerald-700 ring-emerald-200 dark:bg-emerald-500/15 dark:text-emerald-200 dark:ring-emerald-400/30',
  },
  failed: {
    label: 'Failed',
    className: 'bg-rose-50 text-rose-700 ring-rose-200 dark:bg-rose-500/15 dark:text-rose-200 dark:ring-rose-400/30',
  },
  cancelled: {
    label: 'Cancelled',
    className: 'bg-zinc-100 text-zinc-500 ring-zinc-200 dark:bg-zinc-800 dark:text-zinc-400 dark:ring-zinc-700',
  },
}

function StateBadge({ state }: { state: JobStateName }) {
  const look = STATE_LOOK[state]
  return (
    <span
      data-testid="job-state"
      className={`shrink-0 rounded-full px-2 py-0.5 text-[11px] font-medium ring-1 ring-inset ${look.className}`}
    >
      {look.label}
    </span>
  )
}

/** What the job did: classified, already known, failed, skipped. */
function Counts({ job }: { job: JobItem }) {
  const parts = [`${job.classified.toLocaleString('en-US')} classified`]
  if (job.reused > 0) parts.push(`${job.reused.toLocaleString('en-US')} already known`)
  if (job.failed > 0) parts.push(`${job.failed.toLocaleString('en-US')} failed`)
  if (job.skipped > 0) parts.push(`${formatCount(job.skipped, 'file')} skipped`)
  return (
    <p data-testid="job-counts" className="text-[12px] text-zinc-500 tabular-nums dark:text-zinc-400">
      {formatCount(job.total, 'photo')} · {parts.join(' · ')}
    </p>
  )
}

/** Progress of a job that runs, waits or is paused: bar, count, rate, time left, current file. */
function Progress({ job }: { job: JobItem }) {
  const progress = useJobsStore((s) => s.progress[job.id])
  const live = progress !== undefined && isActive(job) && progress.phase !== 'finished' ? progress : undefined
  const scanning = live?.phase === 'scanning'
  const done = live ? live.done : jobDone(job)
  const total = live ? live.total : job.total
  let line: string
  if (job.state === 'queued') line = 'Waiting for the job before it to finish…'
  else if (scanning) line = `Scanning the folder: ${done.toLocaleString('en-US')} of ${formatCount(total, 'file')} read`
  else line = `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} photos`
  return (
    <div
      data-testid="job-progress"
      data-phase={live?.phase ?? job.state}
      data-done={done}
      data-total={total}
      className="space-y-1.5"
    >
      <div className="flex min-w-0 items-baseline gap-3 text-[12px] text-zinc-600 tabular-nums dark:text-zinc-300">
        <span data-testid="job-count" className="font-medium text-zinc-800 dark:text-zinc-100">
          {line}
        </span>
        {live && !scanning && live.rate > 0 && <span data-testid="job-rate">{formatImagesPerSecond(live.rate)}</span>}
        {live && !scanning && live.eta !== null && (
          <span data-testid="job-eta">{live.eta < 1 ? 'almost done' : `${formatDuration(live.eta)} left`}</span>
        )}
      </div>
      <ProgressBar
        testId="job-bar"
        value={done}
        max={job.state === 'queued' || (scanning && total === 0) ? null : total}
        label={`Job ${job.id} progress`}
        tone={job.state === 'paused' ? 'amber' : 'indigo'}
      />
      {live?.current && (
        <p
          data-testid="job-current"
          className="truncate text-[11.5px] text-zinc-500 dark:text-zinc-400"
          title={live.current}
        >
          {fileName(live.current)}
        </p>
      )}
    </div>
  )
}

function Controls({ job }: { job: JobItem }) {
  const busy = useJobsStore((s) => s.busy[job.id])
  const canPause = job.state === 'running' || job.state === 'queued'
  const canResume = job.state === 'paused' || job.state === 'failed'
  const canCancel = canPause || canResume
  return (
    <div className="flex shrink-0 items-center gap-1.5">
      <button
        type="button"
        data-testid="job-pause"
        onClick={() => pauseJob(job.id)}
        disabled={!canPause || busy !== undefined}
        title="Stop after the photo in flight; Resume goes on from there"
        className={secondaryButton}
      >
        {busy === 'pausing' ? <Spinner className="h-3.5 w-3.5" /> : <PauseIcon className="h-3.5 w-3.5" />}
        {busy === 'pausing' ? 'Pausing…' : 'Pause'}
      </button>
      <button
        type="button"
        data-testid="job-resume"
        onClick={() => resumeJob(job.id)}
        disabled={!canResume || busy !== undefined}
        title="Go on where the job stopped"
        className={secondaryButton}
      >
        {busy === 'resuming' ? <Spinner className="h-3.5 w-3.5" /> : <PlayIcon className="h-3.5 w-3.5" />}
        Resume
      </button>
      <button
        type="button"
        data-testid="job-cancel"
        onClick={() => cancelJob(job.id)}
        disabled={!canCancel || busy !== undefined}
        title="Stop for good; the photos classified so far keep their results"
        className={secondaryButton}
      >
        {busy === 'cancelling' ? <Spinner className="h-3.5 w-3.5" /> : <CloseIcon className="h-3.5 w-3.5" />}
        Cancel
      </button>
    </div>
  )
}

/** One folder job: its folder and model, state, progress and controls, errors, and organizing. */
export function JobCard({ job, runs }: { job: JobItem; runs: OrganizeRunItem[] }) {
  const errors = useJobsStore((s) => {
    const progress = s.progress[job.id]
    return progress && isActive(job) ? progress.errors : job.failed + job.skipped
  })
  const organizing = runs.some((run) => run.busy !== null)
  const showProgress = job.state === 'running' || job.state === 'queued' || job.state === 'paused'
  return (
    <article
      data-testid="job-card"
      data-job-id={job.id}
      data-state={job.state}
      data-total={job.total}
      data-done={jobDone(job)}
      aria-labelledby={`job-title-${job.id}`}
      className="space-y-3 rounded-xl border border-zinc-200 bg-white p-4 shadow-[0_1px_2px_rgba(0,0,0,0.04)] dark:border-zinc-800 dark:bg-zinc-900/60"
    >
      <header className="flex min-w-0 items-start gap-3">
        <div className="flex h-9 w-9 shrink-0 items-center justify-center rounded-lg bg-indigo-50 text-indigo-500 ring-1 ring-indigo-100 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/20">
          <FolderOpenIcon className="h-4.5 w-4.5" />
        </div>
        <div className="min-w-0 flex-1">
          <div className="flex min-w-0 items-center gap-2">
            <h3
              id={`job-title-${job.id}`}
              data-testid="job-folder"
              className="truncate text-[13.5px] font-semibold text-zinc-900 dark:text-zinc-50"
              title={job.folder ?? 'The photos of the library the model had not classified'}
            >
              {job.folderName}
            </h3>
            <StateBadge state={job.state} />
          </div>
          <p className="truncate text-[11.5px] text-zinc-500 dark:text-zinc-400" title={job.folder ?? undefined}>
            {job.folder ?? 'Photos the model had not classified'} · <span data-testid="job-model">{job.modelName}</span>
          </p>
        </div>
        {job.state === 'done' ? (
          <button
            type="button"
            data-testid="job-organize"
            onClick={() => openOrganize(job.id)}
            disabled={organizing}
            title="Copy or move the photos into one folder per class"
            className={primaryButton}
          >
            Organize…
          </button>
        ) : (
          job.state !== 'cancelled' && <Controls job={job} />
        )}
      </header>
      {showProgress ? <Progress job={job} /> : <Counts job={job} />}
      {job.state === 'failed' && job.message && (
        <p role="alert" data-testid="job-message" className="text-[12px] text-rose-600 dark:text-rose-400">
          The job stopped: {job.message}
        </p>
      )}
      <JobErrors jobId={job.id} count={errors} />
      <RunHistory runs={runs} />
    </article>
  )
}
