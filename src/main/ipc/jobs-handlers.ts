import type { HandlerTable } from '../../shared/ipc/contract'
import type { JobsService } from '../jobs/jobs-service'
import type { OrganizeService } from '../organize/organize-service'

type JobsChannel = Extract<keyof HandlerTable, `jobs:${string}` | `organize:${string}`>

export interface JobsHandlerDeps {
  jobs: JobsService
  organize: OrganizeService
  /** The system's folder dialog; null when the person cancels. */
  pickFolder(purpose: 'job' | 'organize-out'): Promise<string | null>
}

/**
 * Folder jobs and organizing: parse (done by dispatch), call, return. Folders come only from the
 * dialogs, kept behind tokens; plans stay in the main process, named by their id.
 */
export function createJobsHandlers(deps: JobsHandlerDeps): Pick<HandlerTable, JobsChannel> {
  const { jobs, organize } = deps
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
    'organize:plan': (input) => organize.plan(input),
    'organize:execute': ({ planId }) => organize.execute(planId),
    'organize:cancel': ({ runId }) => ({ cancelled: organize.cancelRun(runId) }),
    'organize:runs': ({ jobId }) => organize.runs(jobId),
    'organize:undo': ({ runId }) => organize.undo(runId),
    'organize:rollback': ({ runId }) => organize.rollback(runId),
    'organize:resume': ({ runId }) => organize.resumeRun(runId),
  }
}
