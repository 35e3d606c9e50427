/**
 * Jobs: classify a folder (scanned into the library first) or the library's pending photos with one
 * model, persisted and resumable.
 */
export {
  FINAL_STATES,
  getJob,
  jobErrorCount,
  jobErrors,
  jobPhotoIds,
  listJobs,
  type Job,
  type JobError,
  type JobErrorStage,
  type JobKind,
  type JobOptions,
  type JobOutcome,
  type JobState,
} from './store'
export { JobRunner, type JobRunnerDeps } from './runner'
export type { JobPhase, JobProgress } from './progress'
