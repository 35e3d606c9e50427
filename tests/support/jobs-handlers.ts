import { createJobsHandlers } from '../../src/main/ipc/jobs-handlers'
import { JobsService } from '../../src/main/jobs/jobs-service'
import { JobRunner, type JobClassifyFn } from '../../src/main/jobs/runner'
import type { OpenAppOptions } from './app-session'
import type { TestServices } from './services'

/**
 * `openApp`'s `handlers` for tests that run jobs on an engine of their own: the jobs and organize handlers are
 * served by a JobsService over `classify`, whose folder dialogs answer from `services.dialogAnswers`; `keep`
 * receives the service, for the test to close it.
 */
export function jobsHandlersOn(
  classify: (services: TestServices) => JobClassifyFn,
  keep: (jobs: JobsService) => void,
): NonNullable<OpenAppOptions['handlers']> {
  return (real, services) => {
    const runner = new JobRunner({
      db: services.db,
      classify: classify(services),
      onProgress: (p) => services.events.emit('jobs:progress', p),
    })
    const jobs = new JobsService({ db: services.db, runner, models: services.library, emit: services.events.emit })
    keep(jobs)
    return {
      ...real,
      ...createJobsHandlers({ jobs, pickFolder: async () => services.dialogAnswers.folder.shift() ?? null }),
    }
  }
}
