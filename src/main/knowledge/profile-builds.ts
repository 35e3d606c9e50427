import { rm } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { collectInputs } from '../fs/collect-inputs'
import type {
  EmitEvent,
  KnowledgeView,
  ModelSummary,
  PickedFolder,
  ProfilePhase,
  ProfileProgress,
} from '../../shared/ipc/contract'
import type { ModelCard } from '../../shared/model-card'
import { featureLength, type FeatureLayout } from '../../shared/knowledge/features'
import type { KnowledgeProfile } from '../../shared/knowledge/profile'
import { writeFileAtomic } from '../fs/durable'
import { FolderGrants } from '../fs/file-grants'
import type { FitProfileInput } from './fit-profile'
import { knowledgeFiles, loadKnowledge } from './load-knowledge'

/** Fewer readable photos than this and no profile is built: the statistics would describe the sample, not the model's world. */
export const MIN_PROFILE_PHOTOS = 100
/** A larger folder is sampled evenly down to this many photos (enough for the statistics; memory stays bounded). */
export const MAX_PROFILE_PHOTOS = 5000
/** Progress events at most this often while photos are read. */
const PROGRESS_MS = 250

/** What a build needs of the model library (`ModelLibrary`). */
export interface ProfileLibrary {
  has(id: string): boolean
  card(id: string): ModelCard
  summary(id: string): ModelSummary
  /** The profile the engines load for the model, if it has one. */
  profilePath(id: string): string | undefined
  /** Where a profile the person builds for the model is written. */
  userProfilePath(id: string): string
}

/** One photo's outputs from the engine, or why it could not be read. */
export type ExtractedPhoto =
  { path: string; logits?: Float32Array; features?: Float32Array } | { path: string; error: string }

/** Each photo's logits and features on a CPU engine, a batch at a time (`AppBatchEngine.extract`). */
export type ExtractOutputs = (
  modelId: string,
  paths: readonly string[],
  signal?: AbortSignal,
) => AsyncIterable<readonly ExtractedPhoto[]>

export interface ProfileBuildsDeps {
  library: ProfileLibrary
  extract: ExtractOutputs
  /** The model's feature layout, from its graph (`featureLayout` of the cached report); throws when it has none. */
  layout(modelId: string): Promise<FeatureLayout>
  /**
   * Fits the profile (`fitProfileInWorker` in the app: minutes of arithmetic for a large model, off the main
   * thread); `signal` stops it.
   */
  fit(input: FitProfileInput, signal: AbortSignal): Promise<{ profile: KnowledgeProfile }>
  emit: EmitEvent
  /** Readable photos a build needs at least (default `MIN_PROFILE_PHOTOS`). */
  minPhotos?: number
  maxPhotos?: number
  now?: () => number
}

/** How a build ended: the phase of its last progress event, and its message. */
export interface BuildOutcome {
  phase: Extract<ProfilePhase, 'done' | 'failed' | 'cancelled'>
  message?: string
}

interface Running {
  controller: AbortController
  finished: Promise<BuildOutcome>
}

/**
 * Builds knowledge profiles in the app: the photos of a folder the person picked (recursively) go through the
 * model on a CPU engine of the engine worker for their logits and features, the profile is fitted to them and
 * written beside the user's models (`library.userProfilePath`) in one atomic step, so a cancelled or failed
 * build leaves nothing behind and the engines load the new profile at their next load (its mtime is part of
 * the session key). One build at a time per model.
 */
export class ProfileBuilds {
  private readonly grants = new FolderGrants<'profile'>()
  private readonly running = new Map<string, Running>()
  /** Models whose build is being set up (the folder is walked): a second start is refused meanwhile. */
  private readonly starting = new Set<string>()
  private closed = false

  constructor(private readonly deps: ProfileBuildsDeps) {}

  private get minPhotos(): number {
    return this.deps.minPhotos ?? MIN_PROFILE_PHOTOS
  }

  private now(): number {
    return this.deps.now?.() ?? performance.now()
  }

  grantFolder(path: string): PickedFolder {
    return this.grants.grant(path, 'profile')
  }

  building(modelId: string): boolean {
    return this.running.has(modelId) || this.starting.has(modelId)
  }

  /**
   * Starts a build from a picked folder (the token is used up). Refuses at once a folder with fewer photos than
   * a profile needs; the build itself goes on in the background, reported by `models:profileProgress`.
   */
  async start(
    modelId: string,
    folderToken: string,
    options: { labelsFromFolders: boolean },
  ): Promise<{ total: number; finished: Promise<BuildOutcome> }> {
    if (this.closed) throw new Error('The app is closing.')
    const folder = this.grants.path(folderToken, 'profile')
    if (!this.deps.library.has(modelId)) throw new Error(`There is no model "${modelId}" in the library.`)
    const name = this.deps.library.summary(modelId).name
    if (this.building(modelId)) throw new Error(`A profile for ${name} is already being built.`)
    this.starting.add(modelId)
    try {
      const layout = await this.deps.layout(modelId).catch((error: unknown) => {
        throw new Error(`${name} gives no features to build a profile from (${messageOf(error)}).`, { cause: error })
      })
      const found = (await collectInputs([folder])).filter((input) => input.error === undefined).map((i) => i.path)
      if (found.length < this.minPhotos) {
        throw new Error(
          `${basename(folder) || folder} holds ${countOf(found.length, 'photo')}; a profile needs at least ` +
            `${this.minPhotos.toLocaleString('en-US')} readable photos of what the model should know.`,
        )
      }
      this.grants.revoke(folderToken)
      const paths = evenSample(found, this.deps.maxPhotos ?? MAX_PROFILE_PHOTOS)
      const controller = new AbortController()
      const finished = this.run(modelId, paths, layout, options.labelsFromFolders, found.length, controller.signal)
      this.running.set(modelId, { controller, finished })
      void finished.finally(() => this.running.delete(modelId))
      return { total: paths.length, finished }
    } finally {
      this.starting.delete(modelId)
    }
  }

  /** Stops a build; false when none runs for the model. Nothing is written. */
  cancel(modelId: string): boolean {
    const running = this.running.get(modelId)
    running?.controller.abort()
    return running !== undefined
  }

  /** What the model's card says: the profile in use (read and validated as the engines do) or why there is none. */
  async status(modelId: string): Promise<KnowledgeView> {
    const { library } = this.deps
    const summary = library.summary(modelId)
    const card = library.card(modelId)
    const path = library.profilePath(modelId)
    const userBuilt = path !== undefined && path === library.userProfilePath(modelId)
    const building = this.building(modelId)
    let layout: FeatureLayout | undefined
    try {
      layout = await this.deps.layout(modelId)
    } catch {
      layout = undefined
    }
    const { knowledge, status } = await loadKnowledge(knowledgeFiles(path, undefined), {
      sha256: summary.sha256,
      classes: card.output.classes,
      featureLength: layout && featureLength(layout),
      ...(layout && { layout }),
    })
    const view: KnowledgeView = { source: status.source, userBuilt, building }
    if (status.note !== undefined) view.note = status.note
    if (knowledge.profile) Object.assign(view, profileFacts(knowledge.profile))
    return view
  }

  /** Deletes the profile built in the app for a model; a shipped one (if any) is used again. */
  async deleteProfile(modelId: string): Promise<KnowledgeView> {
    if (!this.deps.library.has(modelId)) throw new Error(`There is no model "${modelId}" in the library.`)
    if (this.building(modelId)) throw new Error('A profile is being built for this model: cancel it first.')
    await rm(this.deps.library.userProfilePath(modelId), { force: true })
    return this.status(modelId)
  }

  /** Stops every build and waits for them to end. */
  async close(): Promise<void> {
    this.closed = true
    const all = [...this.running.values()]
    for (const running of all) running.controller.abort()
    await Promise.all(all.map((running) => running.finished))
  }

  private async run(
    modelId: string,
    paths: readonly string[],
    layout: FeatureLayout,
    labelsFromFolders: boolean,
    found: number,
    signal: AbortSignal,
  ): Promise<BuildOutcome> {
    const { library } = this.deps
    const total = paths.length
    const started = this.now()
    let done = 0
    let lastEvent = -Infinity
    const emit = (phase: ProfilePhase, message?: string): void => {
      const seconds = (this.now() - started) / 1000
      const progress: ProfileProgress = {
        modelId,
        phase,
        done,
        total,
        imagesPerSecond: seconds > 0 && done > 0 ? done / seconds : 0,
        ...(message !== undefined && { message }),
      }
      this.deps.emit('models:profileProgress', progress)
    }
    const end = (phase: BuildOutcome['phase'], message?: string): BuildOutcome => {
      emit(phase, message)
      return { phase, ...(message !== undefined && { message }) }
    }
    try {
      const card = library.card(modelId)
      const sha256 = library.summary(modelId).sha256
      const classOf = labelsFromFolders ? folderClasses(card.labels) : undefined
      const features: Float32Array[] = []
      const logits: Float32Array[] = []
      const labels: (number | undefined)[] = []
      const failures: string[] = []
      let labelled = 0
      const expected = featureLength(layout)
      emit('reading')
      for await (const batch of this.deps.extract(modelId, paths, signal)) {
        for (const result of batch) {
          if ('error' in result) {
            failures.push(`${basename(result.path)}: ${result.error}`)
            continue
          }
          if (!result.features || !result.logits) {
            throw new Error(`${card.name} gave no features for ${basename(result.path)}: no profile can be built.`)
          }
          if (result.features.length !== expected) {
            throw new Error(`${card.name} gave ${result.features.length} features per photo, not ${expected}.`)
          }
          const label = classOf?.(result.path)
          if (label !== undefined) labelled++
          features.push(result.features)
          logits.push(result.logits)
          labels.push(label)
        }
        done += batch.length
        if (signal.aborted) break
        if (this.now() - lastEvent >= PROGRESS_MS) {
          lastEvent = this.now()
          emit('reading')
        }
      }
      if (signal.aborted) return end('cancelled', 'Cancelled: no profile was written.')
      if (features.length < this.minPhotos) {
        const why =
          failures.length > 0 ? ` (${failures.slice(0, 3).join('; ')}${failures.length > 3 ? '; …' : ''})` : ''
        return end(
          'failed',
          `Only ${countOf(features.length, 'photo')} of ${total.toLocaleString('en-US')} could be read${why}; ` +
            `a profile needs at least ${this.minPhotos.toLocaleString('en-US')} readable photos.`,
        )
      }
      emit('fitting')
      const { profile } = await this.deps.fit(
        { sha256, layout, classes: card.labels, features, logits, labels },
        signal,
      )
      if (signal.aborted) return end('cancelled', 'Cancelled: no profile was written.')
      if (!library.has(modelId)) return end('failed', 'The model was deleted while its profile was built.')
      await writeFileAtomic(library.userProfilePath(modelId), `${JSON.stringify(profile)}\n`)
      const notes = [`Profile built from ${countOf(features.length, 'photo')}`]
      if (found > total) notes.push(`an even sample of the folder's ${found.toLocaleString('en-US')}`)
      if (labelsFromFolders) notes.push(`${labelled.toLocaleString('en-US')} named by their folder`)
      if (failures.length > 0) notes.push(`${countOf(failures.length, 'file')} could not be read`)
      return end('done', `${notes.join('; ')}.`)
    } catch (error) {
      if (signal.aborted) return end('cancelled', 'Cancelled: no profile was written.')
      return end('failed', `The profile could not be built: ${messageOf(error)}`)
    }
  }
}

/** What the card shows of a profile. */
function profileFacts(
  profile: KnowledgeProfile,
): Pick<KnowledgeView, 'images' | 'builtAt' | 'keptShare' | 'threshold'> {
  return {
    images: profile.images,
    builtAt: profile.builtAt,
    keptShare: profile.keptShare,
    threshold: profile.threshold,
  }
}

/**
 * The class a photo's parent folder names, matched to the model's labels without regard to case, spaces,
 * underscores or hyphens ("Golden_Retriever" is "golden retriever"); undefined for any other folder.
 */
export function folderClasses(labels: readonly string[]): (path: string) => number | undefined {
  const key = (name: string) =>
    name
      .normalize('NFC')
      .toLowerCase()
      .replace(/[_\s-]+/g, ' ')
      .trim()
  const byName = new Map<string, number>()
  labels.forEach((label, index) => {
    const k = key(label)
    if (!byName.has(k)) byName.set(k, index)
  })
  return (path) => byName.get(key(basename(dirname(path))))
}

/** At most `max` of `items`, spread evenly over the whole list (in order). */
export function evenSample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items]
  const step = items.length / max
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]!)
}

function countOf(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
