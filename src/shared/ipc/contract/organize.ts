import { z } from 'zod'
import { Count, JobId, JobIdInput, NoInput, PickedFolderSchema, RunId } from './common'

/** Organizing a finished job's photos into folders by class: plan, carry out with a journal, undo, roll back. */

export const OrganizeModeSchema = z.enum(['copy', 'move'])
export type OrganizeModeName = z.infer<typeof OrganizeModeSchema>
export const OrganizeActionSchema = z.enum(['organize', 'rollback', 'undo'])
export type OrganizeActionName = z.infer<typeof OrganizeActionSchema>
export const OrganizeRunStateSchema = z.enum(['running', 'done', 'rolling-back', 'rolled-back', 'undoing', 'undone'])
export type OrganizeRunStateName = z.infer<typeof OrganizeRunStateSchema>

/** Where an organize step goes: its class's folder, `_uncertain` or `_unknown`. */
export const OrganizeKindSchema = z.enum(['class', 'uncertain', 'unknown'])
export type OrganizeKindName = z.infer<typeof OrganizeKindSchema>

/** What an organize run would do: the folders with their counts, the first steps, what stays. */
export const OrganizePlanPreviewSchema = z.object({
  /** Names the plan the main process keeps; `organize:execute` takes only this. */
  planId: z.string().uuid(),
  jobId: JobId,
  folder: z.string(),
  out: z.string(),
  mode: OrganizeModeSchema,
  threshold: z.number().min(0).max(1),
  /**
   * One per folder under `out`, most files first. kind 'class': the folder of `label`; 'uncertain':
   * `_uncertain` (known, top-1 under the threshold); 'unknown': `_unknown` (none of the model's classes).
   * `label` is null for the last two.
   */
  groups: z.array(
    z.object({ folder: z.string(), label: z.string().nullable(), kind: OrganizeKindSchema, count: Count }),
  ),
  /** The first steps, in source path order (destinations relative to `out`); `p` is the top-1 probability. */
  steps: z.array(
    z.object({
      source: z.string(),
      dest: z.string(),
      folder: z.string(),
      label: z.string().nullable(),
      kind: OrganizeKindSchema,
      p: z.number(),
    }),
  ),
  totalSteps: Count,
  /** The first photos left where they are, with the reason. */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  skippedCount: Count,
})
export type OrganizePlanPreview = z.infer<typeof OrganizePlanPreviewSchema>

export const OrganizeRunItemSchema = z.object({
  id: RunId,
  jobId: z.number().int().nullable(),
  modelId: z.string(),
  folder: z.string().nullable(),
  out: z.string(),
  mode: OrganizeModeSchema,
  threshold: z.number(),
  state: OrganizeRunStateSchema,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  undoneAt: z.string().nullable(),
  total: Count,
  /** Steps by state. */
  steps: z.object({
    pending: Count,
    started: Count,
    done: Count,
    failed: Count,
    undoing: Count,
    undone: Count,
    kept: Count,
  }),
  /** What the app is doing with it right now, if anything. */
  busy: OrganizeActionSchema.nullable(),
  /** Left half done by a crash or a quit: to be finished (or rolled back). */
  interrupted: z.boolean(),
  /** The first files it could not place or put back, with the reason. */
  problems: z.array(z.object({ source: z.string(), dest: z.string(), reason: z.string() })),
})
export type OrganizeRunItem = z.infer<typeof OrganizeRunItemSchema>

export const OrganizeProgressSchema = z.object({
  runId: RunId,
  action: OrganizeActionSchema,
  /** Steps settled (for undo and rollback: reversed or kept). */
  done: Count,
  total: Count,
  failed: Count,
  /** Files per second (0 until known). */
  rate: z.number().nonnegative(),
  /** Seconds left at that rate; null when unknown. */
  eta: z.number().nonnegative().nullable(),
  current: z.string().nullable(),
})
export type OrganizeProgressItem = z.infer<typeof OrganizeProgressSchema>

const RunIdInput = z.object({ runId: RunId })
const RunStarted = z.object({ runId: RunId })

export const organizeChannels = {
  /** Opens the folder dialog for the output of an organize run; null when cancelled. */
  'organize:pickOut': { input: NoInput, output: PickedFolderSchema.nullable() },
  /** Plans organizing a finished job's photos into the picked folder; nothing is touched yet. */
  'organize:plan': {
    input: JobIdInput.extend({
      outToken: z.string().uuid(),
      threshold: z.number().min(0).max(1),
      mode: OrganizeModeSchema,
    }),
    output: OrganizePlanPreviewSchema,
  },
  /** Starts carrying out a plan in the background; `organize:progress` and `organize:changed` follow it. */
  'organize:execute': { input: z.object({ planId: z.string().uuid() }), output: RunStarted },
  /** Stops an organize, undo or rollback after the file in flight. */
  'organize:cancel': { input: RunIdInput, output: z.object({ cancelled: z.boolean() }) },
  /** Organize runs, most recent first: a job's, or all. */
  'organize:runs': {
    input: z.object({ jobId: JobId.optional() }),
    output: z.array(OrganizeRunItemSchema),
  },
  /** Undoes a finished run in the background: copies removed, moved files put back. */
  'organize:undo': { input: RunIdInput, output: RunStarted },
  /** Puts back what an interrupted run did, in the background. */
  'organize:rollback': { input: RunIdInput, output: RunStarted },
  /** Finishes an interrupted run, in the background. */
  'organize:resume': { input: RunIdInput, output: RunStarted },
} as const

export const organizeEvents = {
  'organize:progress': OrganizeProgressSchema,
  /** An organize, undo or rollback began or ended (`error` when it could not go on): histories should refresh. */
  'organize:changed': z.object({
    runId: RunId,
    jobId: z.number().int().nullable(),
    action: OrganizeActionSchema,
    state: OrganizeRunStateSchema,
    busy: z.boolean(),
    error: z.string().optional(),
  }),
} as const
