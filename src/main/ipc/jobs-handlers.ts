import type { HandlerTable } from '../../shared/ipc/contract'
import type { JobsService } from '../jobs/jobs-service'

type JobsChannel = Extract<keyof HandlerTable, `jobs:${string}` | `organize:${string}`>

export interface JobsHandlerDeps {
  jobs: JobsService
  /** The system's folder dialog; null when the person cancels. */
  pickFolder(purpose: 'job' | 'organize-out'): Promise<string | null>
}

/**
 * Folder jobs and organizing: parse (done by dispatch), call, return. Folders come only from the
 * dialogs, kept behind tokens; plans stay in the main process, named by their id.
 */
export function createJobsHandlers(deps: JobsHandlerDeps): Pick<HandlerTable, JobsChannel> {
  const { jobs } = deps
  const pick = async (purpose: 'job' | 'organize-out') => {
    const path = await deps.pickFolder(purpose)
    return path === null ? null : jobs.grantFolder(path, purpose)
  }
  return {
    'jobs:list': () => jobs.list(),
    'jobs:pickFolder': () => pick('job'),
    'jobs:start': ({ folderToken, modelId }) => jobs.start(folderToken, modelId),
    'jobs:pause': ({ jobId }) => jobs.pause(jobId),
    'jobs:resume': ({ jobId }) => jobs.resume(jobId),
    'jobs:cancel': ({ jobId }) => jobs.cancel(jobId),
    'jobs:errors': ({ jobId, offset, limit }) => jobs.errors(jobId, offset, limit),
    'organize:pickOut': () => pick('organize-out'),
    'organize:plan': (input) => jobs.plan(input),
    'organize:execute': ({ planId }) => jobs.execute(planId),
    'organize:cancel': ({ runId }) => ({ cancelled: jobs.cancelRun(runId) }),
    'organize:runs': ({ jobId }) => jobs.runs(jobId),
    'organize:undo': ({ runId }) => jobs.undo(runId),
    'organize:rollback': ({ runId }) => jobs.rollback(runId),
    'organize:resume': ({ runId }) => jobs.resumeRun(runId),
  }
}
