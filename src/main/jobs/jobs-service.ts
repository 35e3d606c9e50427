import { randomUUID } from 'node:crypto'
import { basename, relative, sep } from 'node:path'
import type {
  EmitEvent,
  JobItem,
  OrganizeActionName,
  OrganizePlanPreview,
  OrganizeRunItem,
  PickedFolder,
} from '../../shared/ipc/contract'
import type { Db } from '../db/database'
import { FolderGrants } from '../library/file-grants'
import {
  buildPlan,
  getOrganizeRun,
  listOrganizeRuns,
  organizeSteps,
  resumeOrganize,
  rollbackOrganize,
  undoOrganize,
  type OrganizeDeps,
  type OrganizeMode,
  type OrganizePlan,
  type OrganizeReport,
  type OrganizeRun,
  type StepState,
} from '../organize'
import { journalPlan, laterRunUsing } from '../organize/journal'
import { systemClock } from '../tags/types'
import type { JobRunner } from './runner'
import { jobErrorCount, type Job, type JobError } from './store'

export type FolderPurpose = 'job' | 'organize-out'

/** Steps of a plan the preview lists, and skipped photos. */
export const PREVIEW_STEPS = 50
/** Plans kept for `execute` (the oldest is forgotten first). */
const KEPT_PLANS = 8
/** Problems listed per run. */
const RUN_PROBLEMS = 20
const UNFINISHED: ReadonlySet<string> = new Set(['running', 'undoing', 'rolling-back'])

export interface JobsServiceDeps {
  db: Db
  runner: JobRunner
  /** Model names, and the active model a job uses by default. */
  models: { activeId(): string; has(id: string): boolean; list(): { id: string; name: string }[] }
  emit: EmitEvent
  now?: () => Date
  /** Passed to every organize, undo and rollback (tests force copies, or report every step). */
  organize?: Pick<OrganizeDeps, 'forceCopy' | 'progressIntervalMs'>
}

interface Operation {
  action: OrganizeActionName
  controller: AbortController
  done: Promise<void>
}

/**
 * The app's side of folder jobs and organizing: folders picked in dialogs kept behind tokens, jobs
 * started on the one runner with their changes announced, organize plans kept here (the renderer
 * names a plan by its id, never a path), and organize, undo and rollback run in the background with
 * their progress streamed as events. One organize operation runs at a time.
 */
export class JobsService {
  readonly folders = new FolderGrants<FolderPurpose>()
  private readonly plans = new Map<string, OrganizePlan>()
  private readonly operations = new Map<number, Operation>()
  private readonly now: () => Date
  private closed = false

  constructor(private readonly deps: JobsServiceDeps) {
    this.now = deps.now ?? systemClock
  }

  // ---- Jobs ----

  grantFolder(path: string, purpose: FolderPurpose): PickedFolder {
    return this.folders.grant(path, purpose)
  }

  list(): JobItem[] {
    const names = this.modelNames()
    return this.deps.runner.list({ limit: 500 }).map((job) => toJobItem(job, names))
  }

  /** A job for a picked folder (the token is used up), started after any job running. */
  start(folderToken: string, modelId?: string): JobItem {
    if (this.closed) throw new Error('The app is closing.')
    const folder = this.folders.path(folderToken, 'job')
    const model = modelId ?? this.deps.models.activeId()
    if (!this.deps.models.has(model)) throw new Error(`There is no model "${model}" in the library.`)
    const job = this.deps.runner.create({ folder, modelId: model })
    this.folders.revoke(folderToken)
    this.run(job.id)
    return this.item(job.id)
  }

  async pause(jobId: number): Promise<JobItem> {
    this.require(jobId)
    const job = await this.deps.runner.pause(jobId)
    this.changed(job)
    return this.item(job.id)
  }

  resume(jobId: number): JobItem {
    const job = this.require(jobId)
    if (job.state === 'done' || job.state === 'cancelled') return this.item(jobId)
    this.run(jobId)
    return this.item(jobId)
  }

  async cancel(jobId: number): Promise<JobItem> {
    this.require(jobId)
    const job = await this.deps.runner.cancel(jobId)
    this.changed(job)
    return this.item(job.id)
  }

  errors(jobId: number, offset = 0, limit = 200): { errors: JobError[]; total: number } {
    this.require(jobId)
    return {
      errors: this.deps.runner.errors(jobId, { offset, limit }),
      total: jobErrorCount(this.deps.db, jobId),
    }
  }

  /**
   * At start: runs again the jobs a crash or a quit left running or queued. Organize runs left half
   * done are not touched: `runs()` marks them interrupted, for the person to finish or roll back.
   */
  resumeInterrupted(): Promise<Job[]> {
    const { runner } = this.deps
    const ids = runner.list({ states: ['running', 'queued'], limit: 1000 }).map((job) => job.id)
    const all = runner.resumeInterrupted()
    // Each is queued (or running) now: start() hands back the same wait, to announce its end.
    for (const id of ids) this.run(id)
    return all
  }

  // ---- Organize ----

  async plan(input: {
    jobId: number
    outToken: string
    threshold: number
    mode: OrganizeMode
  }): Promise<OrganizePlanPreview> {
    const out = this.folders.path(input.outToken, 'organize-out')
    const job = this.require(input.jobId)
    const plan = await buildPlan(this.deps.db, {
      jobId: job.id,
      modelId: job.modelId,
      out,
      threshold: input.threshold,
      mode: input.mode,
    })
    const planId = randomUUID()
    this.plans.set(planId, plan)
    for (const old of this.plans.keys()) {
      if (this.plans.size <= KEPT_PLANS) break
      this.plans.delete(old)
    }
    return preview(planId, plan)
  }

  /** Journals a planned run and carries it out in the background; returns its id at once. */
  execute(planId: string): { runId: number } {
    const plan = this.plans.get(planId)
    if (plan === undefined) throw new Error('That plan is no longer available: preview it again.')
    this.assertIdle()
    this.plans.delete(planId)
    const runId = journalPlan(this.deps.db, plan, this.now)
    this.operate(runId, 'organize', (deps) => resumeOrganize(this.deps.db, runId, deps))
    return { runId }
  }

  /** Undoes a finished run in the background. */
  undo(runId: number): { runId: number } {
    const run = this.requireRun(runId)
    this.assertIdle()
    if (run.state !== 'done' && run.state !== 'undoing') {
      throw new Error(`Organize run ${runId} is ${run.state}: only a finished run can be undone.`)
    }
    const later = laterRunUsing(this.deps.db, runId)
    if (later !== undefined) throw new Error(`Undo organize run ${later} first: it took files this run placed.`)
    this.operate(runId, 'undo', (deps) => undoOrganize(this.deps.db, runId, deps))
    return { runId }
  }

  /** Puts back what an unfinished run did, in the background. */
  rollback(runId: number): { runId: number } {
    const run = this.requireRun(runId)
    this.assertIdle()
    if (run.state !== 'running' && run.state !== 'rolling-back') {
      throw new Error(`Organize run ${runId} is ${run.state}: only an unfinished run can be rolled back.`)
    }
    this.operate(runId, 'rollback', (deps) => rollbackOrganize(this.deps.db, runId, deps))
    return { runId }
  }

  /** Finishes an unfinished run, in the background. */
  resumeRun(runId: number): { runId: number } {
    const run = this.requireRun(runId)
    this.assertIdle()
    if (run.state !== 'running') throw new Error(`Organize run ${runId} is ${run.state}: there is nothing to finish.`)
    this.operate(runId, 'organize', (deps) => resumeOrganize(this.deps.db, runId, deps))
    return { runId }
  }

  /** Stops the operation on a run after the file in flight; false when none runs. */
  cancelRun(runId: number): boolean {
    const operation = this.operations.get(runId)
    if (!operation) return false
    operation.controller.abort()
    return true
  }

  runs(jobId?: number): OrganizeRunItem[] {
    return listOrganizeRuns(this.deps.db, { ...(jobId !== undefined && { jobId }), limit: 200 }).map((run) =>
      this.runItem(run),
    )
  }

  /** Resolves when no organize operation is running. */
  async idle(): Promise<void> {
    while (this.operations.size > 0) await Promise.all([...this.operations.values()].map((op) => op.done))
  }

  /**
   * Stops organize operations after their file in flight (they stay unfinished, offered at the next
   * start), then the runner (its job stays running, resumed at the next start).
   */
  async close(): Promise<void> {
    this.closed = true
    for (const operation of this.operations.values()) operation.controller.abort()
    await this.idle()
    await this.deps.runner.close()
  }

  // ---------------------------------------------------------------------------------------------

  private run(jobId: number): void {
    const ended = this.deps.runner.start(jobId)
    this.changed(this.require(jobId))
    ended.then(
      (job) => {
        this.changed(job)
        if (job.classified + job.reused + job.failed > 0) this.deps.emit('library:changed', { reason: 'classified' })
      },
      () => undefined, // the runner closed meanwhile
    )
  }

  private changed(job: Job): void {
    this.deps.emit('jobs:changed', { jobId: job.id, state: job.state })
  }

  private operate(
    runId: number,
    action: OrganizeActionName,
    run: (deps: OrganizeDeps) => Promise<OrganizeReport>,
  ): void {
    const { emit } = this.deps
    const controller = new AbortController()
    const announce = (busy: boolean, error?: string): void => {
      const current = getOrganizeRun(this.deps.db, runId)
      if (!current) return
      emit('organize:changed', {
        runId,
        jobId: current.jobId,
        action,
        state: current.state,
        busy,
        ...(error !== undefined && { error }),
      })
    }
    const done = (async () => {
      let error: string | undefined
      try {
        await run({
          now: this.now,
          signal: controller.signal,
          onProgress: (progress) => emit('organize:progress', progress),
          ...this.deps.organize,
        })
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught)
      } finally {
        this.operations.delete(runId)
      }
      announce(false, error)
    })()
    this.operations.set(runId, { action, controller, done })
    announce(true)
  }

  private assertIdle(): void {
    if (this.closed) throw new Error('The app is closing.')
    if (this.operations.size > 0) {
      throw new Error('Another organize run is in progress: wait for it to finish, or cancel it.')
    }
  }

  private require(jobId: number): Job {
    const job = this.deps.runner.get(jobId)
    if (!job) throw new Error(`There is no job ${jobId}.`)
    return job
  }

  private requireRun(runId: number): OrganizeRun {
    const run = getOrganizeRun(this.deps.db, runId)
    if (!run) throw new Error(`There is no organize run ${runId}.`)
    return run
  }

  private item(jobId: number): JobItem {
    return toJobItem(this.require(jobId), this.modelNames())
  }

  private modelNames(): Map<string, string> {
    return new Map(this.deps.models.list().map((model) => [model.id, model.name]))
  }

  private runItem(run: OrganizeRun): OrganizeRunItem {
    const busy = this.operations.get(run.id)?.action ?? null
    const reversing = ['undoing', 'undone', 'rolling-back', 'rolled-back'].includes(run.state)
    const states: StepState[] = reversing ? ['kept', 'undoing'] : ['failed']
    const problems = organizeSteps(this.deps.db, run.id, { states, limit: 1000 })
      .filter((step) => step.note !== null)
      .slice(0, RUN_PROBLEMS)
      .map((step) => ({ source: step.source, dest: step.dest, reason: step.note! }))
    return { ...run, busy, interrupted: busy === null && UNFINISHED.has(run.state), problems }
  }
}

function toJobItem(job: Job, modelNames: ReadonlyMap<string, string>): JobItem {
  return {
    id: job.id,
    folder: job.folder,
    folderName: basename(job.folder) || job.folder,
    modelId: job.modelId,
    modelName: modelNames.get(job.modelId) ?? job.modelId,
    state: job.state,
    total: job.total,
    classified: job.classified,
    failed: job.failed,
    reused: job.reused,
    skipped: job.skipped,
    message: job.message,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
  }
}

function preview(planId: string, plan: OrganizePlan): OrganizePlanPreview {
  const inside = (root: string, path: string): string => {
    const rel = relative(root, path)
    return rel.startsWith('..') || rel === '' ? path : rel.split(sep).join('/')
  }
  return {
    planId,
    jobId: plan.jobId!,
    folder: plan.folder ?? '',
    out: plan.out,
    mode: plan.mode,
    threshold: plan.threshold,
    groups: plan.groups.map(({ folder, label, kind, count }) => ({ folder, label, kind, count })),
    steps: plan.steps.slice(0, PREVIEW_STEPS).map((step) => ({
      source: plan.folder ? inside(plan.folder, step.source) : step.source,
      dest: inside(plan.out, step.dest),
      folder: step.folder,
      label: step.label,
      kind: step.kind,
      p: step.p,
    })),
    totalSteps: plan.steps.length,
    skipped: plan.skipped.slice(0, PREVIEW_STEPS).map(({ path, reason }) => ({ path, reason })),
    skippedCount: plan.skipped.length,
  }
}
