/** Folder jobs: scan a folder into the library and classify its photos, persisted and resumable. */
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
  type JobOptions,
  type JobOutcome,
  type JobState,
} from './store'
export {
  eachPath,
  forModel,
  JobRunner,
  pathStream,
  type JobClassifyFn,
  type JobPhase,
  type JobProgress,
  type JobRunnerDeps,
} from './runner'
