import { z } from 'zod'
import { Count, JobId, JobIdInput, NoInput, PickedFolderSchema } from './common'

/** Folder jobs: scan a folder into the library and classify its photos with one model, in the background. */

export const JobStateSchema = z.enum(['queued', 'running', 'paused', 'cancelled', 'done', 'failed'])
export type JobStateName = z.infer<typeof JobStateSchema>

/** A folder job: scan a folder into the library and classify its photos with one model. */
export const JobItemSchema = z.object({
  id: JobId,
  /** A folder's job (scan it, then classify) or the library's (classify its pending photos). */
  kind: z.enum(['folder', 'library']),
  /** The folder a folder job scans; null for the library's. */
  folder: z.string().nullable(),
  /** The folder's own name (the library's: "Photo library"), for lists. */
  folderName: z.string(),
  modelId: z.string(),
  /** The model's name in the library (its id when the model is gone). */
  modelName: z.string(),
  state: JobStateSchema,
  /** Photos of the folder; of them, classified by this job, failed, and already classified before. */
  total: Count,
  classified: Count,
  failed: Count,
  reused: Count,
  /** Files the scan could not take (not an image, unreadable). */
  skipped: Count,
  /** Why the job failed. */
  message: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
})
export type JobItem = z.infer<typeof JobItemSchema>

export const JobProgressSchema = z.object({
  jobId: JobId,
  state: JobStateSchema,
  phase: z.enum(['scanning', 'classifying', 'finished']),
  /** Photos with a result (classified, failed or reused); while scanning, files handled. */
  done: Count,
  /** Photos of the folder; while scanning, files found so far. */
  total: Count,
  /** Images per second through the model (0 until known). */
  rate: z.number().nonnegative(),
  /** Seconds left at that rate; null when unknown. */
  eta: z.number().nonnegative().nullable(),
  /** The file whose result arrived last. */
  current: z.string().nullable(),
  /** Files with an error so far (scan or classify). */
  errors: Count,
})
export type JobProgressItem = z.infer<typeof JobProgressSchema>

export const JobErrorSchema = z.object({
  stage: z.enum(['scan', 'classify']),
  path: z.string(),
  reason: z.string(),
  at: z.string(),
})
export type JobErrorItem = z.infer<typeof JobErrorSchema>

export const jobChannels = {
  /** Every folder job, most recent first. */
  'jobs:list': { input: NoInput, output: z.array(JobItemSchema) },
  /** Opens the folder dialog for a job's folder; null when cancelled. */
  'jobs:pickFolder': { input: NoInput, output: PickedFolderSchema.nullable() },
  /** Creates a job for a picked folder and starts it (after any job running); the model defaults to the active one. */
  'jobs:start': {
    input: z.object({ folderToken: z.string().uuid(), modelId: z.string().min(1).max(100).optional() }),
    output: JobItemSchema,
  },
  /** Stops a job after the image in flight; resume picks it up where it stopped. */
  'jobs:pause': { input: JobIdInput, output: JobItemSchema },
  /** Runs a paused, failed or interrupted job again from where it stopped. */
  'jobs:resume': { input: JobIdInput, output: JobItemSchema },
  'jobs:cancel': { input: JobIdInput, output: JobItemSchema },
  /** A page of the files a job could not take or classify, with the reason. */
  'jobs:errors': {
    input: JobIdInput.extend({
      offset: z.number().int().nonnegative().optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    output: z.object({ errors: z.array(JobErrorSchema), total: Count }),
  },
} as const

export const jobEvents = {
  'jobs:progress': JobProgressSchema,
  /** A job was created, or stopped (done, paused, cancelled, failed): lists should refresh. */
  'jobs:changed': z.object({ jobId: JobId, state: JobStateSchema }),
} as const
