import { basename } from 'node:path'
import type { EmitEvent, JobItem, PickedFolder } from '../../shared/ipc/contract'
import type { Db } from '../db/database'
import { FolderGrants } from '../fs/file-grants'
import type { EmbeddingVersionOf } from '../knowledge/embedding-version'
import { pendingCount } from '../photo-library/pending'
import type { JobRunner } from './runner'
import { jobErrorCount, type Job, type JobError } from './store'

export type FolderPurpose = 'job' | 'organize-out'

export interface JobsServiceDeps {
  db: Db
  runner: JobRunner
  /** Model names, and the active model a job uses by default. */
  models: { activeId(): string; has(id: string): boolean; list(): { id: string; name: string }[] }
  emit: EmitEvent
  /** Folders picked in dialogs, behind tokens (shared with organize's output folders). */
  folders?: FolderGrants<FolderPurpose>
  /**
   * The version of the embedding a model makes now (`modelEmbeddingVersion`), as the runner is given it: photos
   * classified without it count as pending. Undefined: only photos without a result do.
   */
  embeddingVersion?: EmbeddingVersionOf
}

/**
 * The app's side of jobs: folders picked in dialogs kept behind tokens, jobs for a folder or for the
 * library's pending photos started on the one runner, their changes announced as events.
 */
export class JobsService {
  readonly folders: FolderGrants<FolderPurpose>
  private closed = false

  constructor(private readonly deps: JobsServiceDeps) {
    this.folders = deps.folders ?? new FolderGrants<FolderPurpose>()
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

  /**
   * Classifies the library's pending photos (`pendingCount`), as a job on the runner (after any job
   * running). A library job of the model that is still unfinished is resumed rather than doubled.
   */
  async classifyLibrary(modelId?: string): Promise<JobItem> {
    if (this.closed) throw new Error('The app is closing.')
    const model = modelId ?? this.deps.models.activeId()
    if (!this.deps.models.has(model)) throw new Error(`There is no model "${model}" in the library.`)
    // Known before the job starts, its photos (and its total) are taken as it starts.
    await this.embeddingVersion(model)
    if (this.closed) throw new Error('The app is closing.')
    const unfinished = this.deps.runner
      .list({ states: ['queued', 'running', 'paused', 'failed'], limit: 1000 })
      .find((job) => job.kind === 'library' && job.modelId === model)
    const job = unfinished ?? this.deps.runner.create({ folder: null, modelId: model })
    this.run(job.id)
    return this.item(job.id)
  }

  /**
   * How many of the library's photos a library job of the model would take: those it has no result for, and
   * those it classified without the embedding it makes now.
   */
  async pendingCount(modelId?: string): Promise<number> {
    const model = modelId ?? this.deps.models.activeId()
    return pendingCount(this.deps.db, model, { embeddingVersion: await this.embeddingVersion(model) })
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

  /** Stops the runner: its job stays running, resumed at the next start. */
  async close(): Promise<void> {
    this.closed = true
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

  /** The version of the embedding the model makes now, as the runner takes it (undefined where it cannot be told). */
  private async embeddingVersion(modelId: string): Promise<number | undefined> {
    try {
      return await this.deps.embeddingVersion?.(modelId)
    } catch {
      return undefined
    }
  }

  private changed(job: Job): void {
    this.deps.emit('jobs:changed', { jobId: job.id, state: job.state })
  }

  private require(jobId: number): Job {
    const job = this.deps.runner.get(jobId)
    if (!job) throw new Error(`There is no job ${jobId}.`)
    return job
  }

  private item(jobId: number): JobItem {
    return toJobItem(this.require(jobId), this.modelNames())
  }

  private modelNames(): Map<string, string> {
    return new Map(this.deps.models.list().map((model) => [model.id, model.name]))
  }
}

function toJobItem(job: Job, modelNames: ReadonlyMap<string, string>): JobItem {
  return {
    id: job.id,
    kind: job.kind,
    folder: job.folder,
    folderName: job.folder === null ? 'Photo library' : basename(job.folder) || job.folder,
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
