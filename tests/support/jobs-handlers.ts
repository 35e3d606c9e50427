import { createJobsHandlers } from '../../src/main/ipc/jobs-handlers'
import { JobsService } from '../../src/main/jobs/jobs-service'
import { OrganizeService } from '../../src/main/organize/organize-service'
import { JobRunner } from '../../src/main/jobs/runner'
import type { OpenAppOptions } from './app-session'
import type { TestServices } from './services'
import type { ModelClassifyFn } from '../../src/main/inference/classify-result'

/**
 * `openApp`'s `handlers` for tests that run jobs on an engine of their own: the jobs and organize handlers are
 * served by a JobsService and an OrganizeService over `classify`, whose folder dialogs answer from
 * `services.dialogAnswers`; `keep` receives what the test closes at its end.
 */
export function jobsHandlersOn(
  classify: (services: TestServices) => ModelClassifyFn,
  keep: (services: { close(): Promise<void> }) => void,
): NonNullable<OpenAppOptions['handlers']> {
  return (real, services) => {
    const runner = new JobRunner({
      db: services.db,
      classify: classify(services),
      onProgress: (p) => services.events.emit('jobs:progress', p),
    })
    const jobs = new JobsService({ db: services.db, runner, models: services.library, emit: services.events.emit })
    const organize = new OrganizeService({
      db: services.db,
      jobs: runner,
      folders: jobs.folders,
      emit: services.events.emit,
    })
    keep({ close: async () => (await organize.close(), await jobs.close()) })
    return {
      ...real,
      ...createJobsHandlers({ jobs, organize, pickFolder: async () => services.dialogAnswers.folder.shift() ?? null }),
    }
  }
}
