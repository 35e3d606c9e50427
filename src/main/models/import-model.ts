import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Transform } from 'node:stream'
import type { ImportPreview, ImportRequest, ModelSummary } from '../../shared/ipc/contract'
import { parseModelCard, type GraphSummary, type ModelCard } from '../../shared/model-card'
import { fsyncFile, writeFileAtomic } from '../fs/durable'
import type { FileGrants } from '../fs/file-grants'
import { resolveLabels } from './labels'
import type { ModelLibrary } from './model-library'
import { suggestLabelList, suggestPreprocessing } from './presets'

/** Files above this are refused before they are read. */
export const MAX_MODEL_FILE_BYTES = 1024 ** 3

/** What the importer needs from the graph reader. */
export interface GraphReading {
  input: { name: string; shape: (number | string)[]; height: number; width: number }
  output: { name: string; classes: number }
  summary: GraphSummary
}

export interface ImportDeps {
  library: ModelLibrary
  grants: FileGrants
  /** Reads and checks the ONNX graph; throws an Error with a message for people when it cannot. */
  readGraph(bytes: Uint8Array): GraphReading
  labelsDir: string
}

/** A problem with the file the person chose; its message is shown as it is. */
export class ImportError extends Error {
  override name = 'ImportError'
}

function humanBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`
}

async function checkedSize(path: string): Promise<number> {
  let info
  try {
    info = await stat(path)
  } catch {
    throw new ImportError(`${basename(path)} cannot be read (it was moved or deleted).`)
  }
  if (!info.isFile()) throw new ImportError(`${basename(path)} is not a file.`)
  if (info.size > MAX_MODEL_FILE_BYTES) {
    throw new ImportError(`${basename(path)} is ${humanBytes(info.size)}; models over 1 GiB are not supported.`)
  }
  if (info.size === 0) throw new ImportError(`${basename(path)} is empty.`)
  return info.size
}

function suggestName(fileName: string): string {
  return (
    fileName
      .replace(/(\.onnx)?(\.gz)?$/i, '')
      .replace(/[_]+/g, ' ')
      .trim() || 'Imported model'
  )
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'model'
  )
}

interface ReadModel {
  path: string
  bytes: Uint8Array
  sha256: string
  reading: GraphReading
}

async function readModelFile(deps: ImportDeps, path: string): Promise<ReadModel> {
  await checkedSize(path)
  const bytes = await readFile(path)
  let reading: GraphReading
  try {
    reading = deps.readGraph(bytes)
  } catch (error) {
    throw new ImportError(`${basename(path)}: ${error instanceof Error ? error.message : String(error)}`)
  }
  return { path, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), reading }
}

/** Reads a chosen file's graph and proposes a card, changing nothing. */
export async function inspectModelFile(deps: ImportDeps, token: string): Promise<ImportPreview> {
  const model = await readModelFile(deps, deps.grants.path(token))
  const { input, output, summary } = model.reading
  const existing = deps.library.findBySha256(model.sha256)
  const suggestedLabels = suggestLabelList(output.classes, input.height)
  return {
    token,
    fileName: basename(model.path),
    fileBytes: model.bytes.length,
    suggestedName: suggestName(basename(model.path)),
    input,
    output,
    graph: summary,
    ...(suggestedLabels !== undefined && { suggestedLabels }),
    preprocessing: suggestPreprocessing(input.height, input.width),
    ...(existing !== undefined && { existingModelId: existing }),
  }
}

/** Copies `source` to `target` while hashing it, and flushes it to disk. */
async function copyHashed(source: string, target: string): Promise<string> {
  const hash = createHash('sha256')
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      done(null, chunk)
    },
  })
  await pipeline(createReadStream(source), tee, createWriteStream(target, { flags: 'wx' }))
  await fsyncFile(target)
  return hash.digest('hex')
}

export interface ImportOptions {
  origin?: 'imported' | 'catalog'
  source?: string
  /** Facts to keep on the card (e.g. a catalog entry's published accuracy). */
  metrics?: Record<string, number>
  /** Move the file instead of copying it (a verified download in the data folder). */
  moveSource?: boolean
  /** How a model saved from learned tags was made (kept on its card). */
  learned?: ModelCard['learned']
}

/**
 * Adds a model to the library: the file is copied into the models folder under a temp name, hashed,
 * flushed and renamed into place, its card written beside it the same way, and its row inserted;
 * if any step fails, what was written is removed and the library is as it was. A file already in the
 * library (same sha256) is recognised and not added twice.
 */
export async function importModel(
  deps: ImportDeps,
  request: ImportRequest,
  options: ImportOptions = {},
): Promise<{ model: ModelSummary; alreadyPresent: boolean }> {
  const source = deps.grants.path(request.token)
  const model = await readModelFile(deps, source)
  const existing = deps.library.findBySha256(model.sha256)
  if (existing !== undefined) return { model: deps.library.summary(existing), alreadyPresent: true }

  const { input, output, summary } = model.reading
  let labels: string[]
  try {
    labels = await resolveLabels(deps.labelsDir, request.labels, output.classes)
  } catch (error) {
    throw new ImportError((error as Error).message)
  }
  const id = `${slug(request.name)}-${model.sha256.slice(0, 8)}`
  const file = `${id}.onnx`
  const card: ModelCard = parseModelCard({
    id,
    name: request.name.trim(),
    architecture: summary.architecture ?? 'image classifier',
    file,
    sha256: model.sha256,
    source: options.source ?? `Imported from ${basename(source)}`,
    params: summary.params,
    input: { name: input.name, layout: 'NCHW', channels: 3, height: input.height, width: input.width },
    output,
    labels,
    labelsSource: request.labels.kind === 'builtin' ? request.labels.id : request.labels.source,
    preprocessing: request.preprocessing,
    metrics: options.metrics ?? {},
    graph: summary,
    ...(options.learned && { learned: options.learned }),
  })

  const dir = deps.library.dirs.modelsDir
  await mkdir(dir, { recursive: true })
  const modelPath = join(dir, file)
  const cardPath = join(dir, `${id}.card.json`)
  const temp = join(dir, `.${id}.${process.pid}.importing`)
  try {
    if (options.moveSource) {
      await rename(source, modelPath)
    } else {
      const copied = await copyHashed(source, temp)
      if (copied !== model.sha256) throw new ImportError(`${basename(source)} changed while it was being imported.`)
      await rename(temp, modelPath)
    }
    await writeFileAtomic(cardPath, JSON.stringify(card, null, 2) + '\n')
    const added = deps.library.add({
      card,
      file,
      fileBytes: model.bytes.length,
      origin: options.origin ?? 'imported',
    })
    return { model: added, alreadyPresent: false }
  } catch (error) {
    await Promise.all([temp, modelPath, cardPath].map((path) => rm(path, { force: true })))
    throw error
  }
}
