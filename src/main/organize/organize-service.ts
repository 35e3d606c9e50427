import { randomUUID } from 'node:crypto'
import { relative, sep } from 'node:path'
import type {
  EmitEvent,
  OrganizeActionName,
  OrganizePlanPreview,
  OrganizeRunItem,
  PickedFolder,
} from '../../shared/ipc/contract'
import type { Db } from '../db/database'
import type { FolderGrants } from '../fs/file-grants'
import type { Job } from '../jobs'
import { systemClock } from '../util/clock'
import {
  getOrganizeRun,
  journalPlan,
  laterRunUsing,
  listOrganizeRuns,
  organizeSteps,
  type OrganizeRun,
  type StepState,
} from './journal'
import { buildPlan, type OrganizeMode, type OrganizePlan } from './plan'
import { resumeOrganize, rollbackOrganize, undoOrganize, type OrganizeDeps, type OrganizeReport } from './execute'

/** Steps of a plan the preview lists, and skipped photos. */
export const PREVIEW_STEPS = 50
/** Plans kept for `execute` (the oldest is forgotten first). */
const KEPT_PLANS = 8
/** Problems listed per run. */
const RUN_PROBLEMS = 20
const UNFINISHED: ReadonlySet<string> = new Set(['running', 'undoing', 'rolling-back'])

export interface OrganizeServiceDeps {
  db: Db
  /** The job a plan sorts the photos of. */
  jobs: { get(id: number): Job | undefined }
  /** Output folders picked in dialogs, behind tokens (purpose 'organize-out'). */
  folders: FolderGrants<'job' | 'organize-out'>
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
 * The app's side of organizing a job's photos into one folder per class: plans kept here (the renderer
 * names a plan by its id, never a path), and organize, undo and rollback run in the background with
 * their progress streamed as events. One organize operation runs at a time.
 */
export class OrganizeService {
  private readonly plans = new Map<string, OrganizePlan>()
  private readonly operations = new Map<number, Operation>()
  private readonly now: () => Date
  private closed = false

  constructor(private readonly deps: OrganizeServiceDeps) {
    this.now = deps.now ?? systemClock
  }

  grantOut(path: string): PickedFolder {
    return this.deps.folders.grant(path, 'organize-out')
  }

  async plan(input: {
    jobId: number
    outToken: string
    threshold: number
    mode: OrganizeMode
  }): Promise<OrganizePlanPreview> {
    const out = this.deps.folders.path(input.outToken, 'organize-out')
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

  /** Stops organize operations after their file in flight (they stay unfinished, offered at the next start). */
  async close(): Promise<void> {
    this.closed = true
    for (const operation of this.operations.values()) operation.controller.abort()
    await this.idle()
  }

  // ---------------------------------------------------------------------------------------------

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
    const job = this.deps.jobs.get(jobId)
    if (!job) throw new Error(`There is no job ${jobId}.`)
    return job
  }

  private requireRun(runId: number): OrganizeRun {
    const run = getOrganizeRun(this.deps.db, runId)
    if (!run) throw new Error(`There is no organize run ${runId}.`)
    return run
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
