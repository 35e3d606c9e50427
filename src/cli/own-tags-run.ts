/**
 * `<folder> --similar PHOTO [--top K]` and `<folder> --duplicates` (issue #12), with the app's own code: the
 * folder is classified by a job over the CLI's database (as `--organize` does; each photo's embedding is stored
 * with its predictions), then `SimilarService` or `DuplicatesService` answers, restricted to the folder's photos
 * (the database may hold other folders from earlier runs).
 */
import { stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { resolve } from 'node:path'
import type { Db } from '../main/db/database'
import { readEmbedding } from '../main/embeddings/embedding-store'
import { describeFileError } from '../main/fs/file-errors'
import type { ModelFile } from '../main/inference/load-model'
import { JobRunner, jobPhotoIds, type Job } from '../main/jobs'
import { DuplicatesService } from '../main/own-tags/duplicates-service'
import { SimilarService } from '../main/own-tags/similar-service'
import { addPaths } from '../main/photo-library/ingest'
import { PhotoLibraryService } from '../main/photo-library/library-service'
import type { EmitEvent, EventPayload, PhotoItem } from '../shared/ipc/contract'
import type { CliOptions, OwnTagsCliOptions } from './args'
import { createCliEngine, engineLine } from './cli-engine'
import { defaultCliDbPath, openCliDatabase, registerCliModel } from './organize-db'
import { jobLine } from './organize-format'
import { jobProgressState, ProgressDisplay } from './organize-progress'
import {
  duplicatesHuman,
  duplicatesJson,
  duplicatesSummary,
  similarHuman,
  similarJson,
  type DuplicateLines,
  type SimilarLine,
} from './own-tags-format'
import { errorText, type CliRunDeps } from './run-deps'
import { defaultModelPath } from './paths'

const EXIT_OK = 0
const EXIT_FAILED = 1

/** Classes the folder's job stores per photo (the default --top of a plain run). */
const CLASSES_STORED = 5

interface Io {
  out: (line: string) => void
  err: (line: string) => void
  progress: ProgressDisplay
}

/** A failure to report on stderr with exit status 1. */
class CliFailure extends Error {}

export async function runOwnTagsCli(
  options: CliOptions & { ownTags: OwnTagsCliOptions },
  deps: CliRunDeps,
): Promise<number> {
  const stdout = deps.stdout ?? process.stdout
  const stderr = deps.stderr ?? process.stderr
  const progress = new ProgressDisplay(stderr)
  const io: Io = {
    out: (line) => void stdout.write(`${line}\n`),
    err: (line) => {
      progress.flush()
      stderr.write(`${line}\n`)
    },
    progress,
  }
  const own = options.ownTags
  const folder = resolve(options.inputs[0]!)
  if (!(await stat(folder).catch(() => undefined))?.isDirectory()) {
    io.err(`error: ${options.inputs[0]} is not a folder`)
    return EXIT_FAILED
  }
  const photoName = own.action === 'similar' ? own.photo : undefined
  const photo = photoName === undefined ? undefined : resolve(photoName)
  if (own.action === 'similar') {
    const problem = await stat(photo!).then(
      (s) => (s.isDirectory() ? 'is a folder, not a photo' : undefined),
      (error: unknown) => describeFileError(error),
    )
    if (problem !== undefined) {
      io.err(`error: ${own.photo}: ${problem}`)
      return EXIT_FAILED
    }
  }
  const dbFile = resolve(options.db ?? defaultCliDbPath())
  let db: Db
  try {
    db = openCliDatabase(dbFile)
  } catch (error) {
    io.err(`error: cannot open the database ${dbFile}: ${errorText(error)}`)
    return EXIT_FAILED
  }
  const engine = createCliEngine(db, options.engine)
  // Ctrl-C: the job stops after the photos in flight (what it classified is kept and reused next time);
  // a second one, or one outside the job, quits at once (hashes are stored as they are made).
  let stopJob: (() => void) | undefined
  const onInterrupt = (): void => {
    if (!stopJob) process.exit(130)
    const stop = stopJob
    stopJob = undefined
    io.err('Stopping after the photos in flight (Ctrl-C again to quit at once)…')
    stop()
  }
  process.on('SIGINT', onInterrupt)
  process.on('SIGTERM', onInterrupt)
  try {
    const modelPath = options.model ?? defaultModelPath
    let model: ModelFile
    try {
      model = await engine.read(modelPath)
    } catch (error) {
      throw new CliFailure(`cannot load model ${modelPath}: ${errorText(error)}`)
    }
    io.err(deps.describeModel(model, options.model === undefined))
    io.err(engineLine(await engine.choose(model)))
    const modelId = registerCliModel(db, model)
    const runner = new JobRunner({
      db,
      classify: engine.jobClassifyFn(CLASSES_STORED),
      onProgress: (p) => io.progress.update(jobProgressState(p)),
    })
    const runJob = async (input: { folder: string | null }): Promise<Job> => {
      const created = runner.create({ ...input, modelId })
      stopJob = () => void runner.cancel(created.id)
      try {
        return await runner.start(created.id)
      } finally {
        stopJob = undefined
        io.progress.flush()
      }
    }

    // PHOTO goes into the database first (it may lie outside the folder): a file that is no image fails now.
    let photoId: number | undefined
    if (photo !== undefined) {
      const added = await addPaths([photo], { db })
      if (added.skipped.length > 0 || added.photoIds.length === 0) {
        throw new CliFailure(`${photoName}: ${added.skipped[0]?.reason ?? 'not read'}`)
      }
      photoId = added.photoIds[0]!
    }

    const job = await runJob({ folder })
    io.err(jobLine(job))
    if (job.state !== 'done') throw new CliFailure(stoppedMessage(job))
    const inFolder = new Set(jobPhotoIds(db, job.id))
    const library = new PhotoLibraryService({ db, thumbsDir: tmpdir(), emit: () => undefined })
    const items = (ids: readonly number[]): PhotoItem[] => library.items(ids.filter((id) => inFolder.has(id)))

    if (own.action === 'similar') {
      // PHOTO outside the folder (or a file the folder's walk skips): classified by a library job.
      if (!classified(db, photoId!, modelId)) {
        const extra = await runJob({ folder: null })
        if (extra.state !== 'done') throw new CliFailure(stoppedMessage(extra))
      }
      const lines = similarPhotos(db, photoId!, modelId, own.top, items, own.photo)
      for (const line of lines) io.out(options.json ? similarJson(line) : similarHuman(line))
      io.err(
        `${lines.length === own.top ? `The ${lines.length}` : `All ${lines.length}`} photo${lines.length === 1 ? '' : 's'} ` +
          `of ${folder} most like ${own.photo} (of ${inFolder.size}).`,
      )
    } else {
      const groups = await duplicateGroups(db, modelId, items, io)
      groups.forEach((group, i) => {
        if (options.json) io.out(duplicatesJson(group))
        else {
          if (i > 0) io.out('')
          for (const line of duplicatesHuman(group)) io.out(line)
        }
      })
      io.err(duplicatesSummary(groups, inFolder.size, folder))
    }
    return job.failed > 0 ? EXIT_FAILED : EXIT_OK
  } catch (error) {
    io.err(`error: ${errorText(error)}`)
    return EXIT_FAILED
  } finally {
    progress.flush()
    process.off('SIGINT', onInterrupt)
    process.off('SIGTERM', onInterrupt)
    await engine.close()
    db.close()
  }
}

/** The `top` photos of the folder (those `items` returns) most like the photo, best first. */
function similarPhotos(
  db: Db,
  photoId: number,
  modelId: string,
  top: number,
  items: (ids: readonly number[]) => PhotoItem[],
  name: string,
): SimilarLine[] {
  const error = db
    .prepare('SELECT error FROM classifications WHERE photo_id = ? AND model_id = ?')
    .pluck()
    .get(photoId, modelId) as string | null | undefined
  if (error) throw new CliFailure(`${name}: ${error}`)
  const sha256 = db.prepare('SELECT sha256 FROM photos WHERE id = ?').pluck().get(photoId) as string
  if (!readEmbedding(db, modelId, sha256)) {
    throw new CliFailure(`${name}: the model gave no embedding for it, so it cannot be compared`)
  }
  const service = new SimilarService({ db, items, activeModelId: () => modelId })
  try {
    return service
      .similar({ photoIds: [photoId], modelId, top })
      .photos.map(({ photo, score }) => ({ path: photo.path, score }))
  } finally {
    service.close()
  }
}

/** The groups of near-duplicates among the folder's photos, the copy to keep first; hashing shown on stderr. */
async function duplicateGroups(
  db: Db,
  modelId: string,
  items: (ids: readonly number[]) => PhotoItem[],
  io: Io,
): Promise<DuplicateLines[]> {
  const started = performance.now()
  const emit: EmitEvent = (event, payload) => {
    if (event !== 'duplicates:progress') return
    const { done, total } = payload as EventPayload<'duplicates:progress'>
    const rate = done / Math.max(0.001, (performance.now() - started) / 1000)
    io.progress.update({
      label: 'Hashing',
      done,
      total,
      rate,
      eta: rate > 0 ? (total - done) / rate : null,
      unit: 'files/s',
    })
  }
  const service = new DuplicatesService({ db, items, activeModelId: () => modelId, emit })
  const { groups } = await service.find(modelId)
  io.progress.flush()
  // The service drops groups left with fewer than two of the folder's photos; the one to keep may be elsewhere.
  return groups.map(({ photos, keepId }) => {
    const keep = photos.find((p) => p.id === keepId) ?? photos[0]!
    return { group: [keep.path, ...photos.filter((p) => p !== keep).map((p) => p.path)], keep: keep.path }
  })
}

function classified(db: Db, photoId: number, modelId: string): boolean {
  return (
    db.prepare('SELECT 1 FROM classifications WHERE photo_id = ? AND model_id = ?').get(photoId, modelId) !== undefined
  )
}

function stoppedMessage(job: Job): string {
  if (job.state === 'failed') return `the job failed: ${job.message ?? 'unknown error'}`
  return `interrupted: job ${job.id} ${job.state}; what it classified is kept, run the same command again to finish`
}
