import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve, sep } from 'node:path'
import type { Db } from '../db/database'
import { requireJob } from '../jobs/store'
import {
  assignFolderNames,
  isInside,
  nameKey,
  RESERVED_FOLDERS,
  UNCERTAIN_FOLDER,
  UNKNOWN_FOLDER,
  withSuffix,
} from './safe-name'

export type OrganizeMode = 'copy' | 'move'

/**
 * Where a photo goes: 'class', the folder of its top-1 label; 'uncertain', `_uncertain/` (the model
 * knows it, but its top-1 is under the threshold); 'unknown', `_unknown/` (none of the model's classes).
 */
export type OrganizeKind = 'class' | 'uncertain' | 'unknown'

export interface PlanOptions {
  /** Organize the photos of this job (it must be done)... */
  jobId?: number
  /** ...or the library's photos under this folder. */
  folder?: string
  modelId: string
  /** The output folder: every file goes to `<out>/<class folder>/<file name>`. */
  out: string
  /** Photos whose top probability is under this go to `_uncertain/` (photos the model does not know: `_unknown/`). */
  threshold: number
  mode: OrganizeMode
}

export interface PlanStep {
  photoId: number
  source: string
  dest: string
  /** The folder under `out` (a safe name). */
  folder: string
  /** The top-1 label; null for `_uncertain` and `_unknown`. */
  label: string | null
  kind: OrganizeKind
  /** The top-1 label whatever the kind: for an unknown photo, the class it is closest to (a hint, not a folder). */
  closest: string
  /** The top-1 probability (for an unknown photo, of the class it is closest to). */
  p: number
  sha256: string
  size: number
  mtimeMs: number
}

export interface PlanGroup {
  folder: string
  /** The label the folder stands for; null for `_uncertain` and `_unknown`. */
  label: string | null
  kind: OrganizeKind
  count: number
}

export interface PlanSkip {
  photoId: number
  path: string
  reason: string
}

export interface OrganizePlan {
  jobId: number | null
  folder: string | null
  modelId: string
  out: string
  threshold: number
  mode: OrganizeMode
  /** In source path order. */
  steps: PlanStep[]
  /** One per folder, most files first (then by name). */
  groups: PlanGroup[]
  /** Photos left where they are, with the reason. */
  skipped: PlanSkip[]
}

interface Row {
  id: number
  path: string
  sha256: string
  size: number
  mtimeMs: number
  status: 'present' | 'missing'
  k: number | null
  error: string | null
  topP: number | null
  label: string | null
  classIndex: number | null
  unknown: number | null
}

const ROW_COLUMNS = `p.id, p.path, p.sha256, p.size, p.mtime_ms AS mtimeMs, p.status, c.k, c.error, c.top_p AS topP,
  pr.label, pr.class_index AS classIndex, c.unknown`
const ROW_JOINS = `LEFT JOIN classifications c ON c.photo_id = p.id AND c.model_id = @modelId
  LEFT JOIN predictions pr ON pr.photo_id = p.id AND pr.model_id = @modelId AND pr.rank = 1`

/**
 * Plans an organize run: each classified photo of the job (or folder) goes to
 * `<out>/<safe folder of its top-1 label>/<its file name>`, to `<out>/_unknown/` when the model does
 * not know it (none of its classes), or to `<out>/_uncertain/` when its top-1 probability is under
 * the threshold. A name already taken (on disk, or earlier in the plan, compared
 * case-insensitively) gets a suffix: `name (2).jpg`. Nothing is touched; every destination is checked
 * to lie inside `out`.
 */
export async function buildPlan(db: Db, options: PlanOptions): Promise<OrganizePlan> {
  const { modelId, threshold, mode } = options
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError('The threshold is a probability, from 0 to 1.')
  if (mode !== 'copy' && mode !== 'move') throw new RangeError(`Unknown organize mode "${String(mode)}".`)
  const out = resolve(options.out)
  const outStats = await stat(out).catch(() => undefined)
  if (outStats && !outStats.isDirectory()) throw new Error(`The output ${out} exists and is not a folder.`)

  let rows: Row[]
  let folder: string | null = null
  let jobId: number | null = null
  if (options.jobId !== undefined) {
    const job = requireJob(db, options.jobId)
    if (job.state !== 'done') throw new Error(`Job ${job.id} is ${job.state}; only a finished job can be organized.`)
    if (job.modelId !== modelId) throw new Error(`Job ${job.id} classified with "${job.modelId}", not "${modelId}".`)
    jobId = job.id
    folder = job.folder
    rows = db
      .prepare(
        `SELECT ${ROW_COLUMNS} FROM job_photos jp JOIN photos p ON p.id = jp.photo_id ${ROW_JOINS}
         WHERE jp.job_id = @jobId ORDER BY p.path`,
      )
      .all({ jobId, modelId }) as Row[]
  } else if (options.folder !== undefined) {
    folder = resolve(options.folder)
    const prefix = folder.endsWith(sep) ? folder : folder + sep
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
    rows = db
      .prepare(
        `SELECT ${ROW_COLUMNS} FROM photos p ${ROW_JOINS} WHERE p.path >= @prefix AND p.path < @end ORDER BY p.path`,
      )
      .all({ prefix, end, modelId }) as Row[]
  } else {
    throw new Error('An organize plan needs a job or a folder.')
  }
  if (folder !== null && nameKey(folder) === nameKey(out)) {
    throw new Error('The output folder must not be the folder being organized.')
  }

  const skipped: PlanSkip[] = []
  const planned: (Row & { label: string | null; topP: number; classIndex: number; kind: OrganizeKind })[] = []
  for (const row of rows) {
    const skip = (reason: string): void => void skipped.push({ photoId: row.id, path: row.path, reason })
    if (isInside(out, row.path)) skip('already in the output folder')
    else if (row.status === 'missing') skip('file not found')
    else if (row.k === null) skip('not classified by this model')
    else if (row.error !== null || row.topP === null || row.classIndex === null) {
      skip(`could not be classified (${row.error ?? 'no prediction'})`)
    } else {
      const kind: OrganizeKind = row.unknown === 1 ? 'unknown' : row.topP < threshold ? 'uncertain' : 'class'
      planned.push({ ...row, topP: row.topP, classIndex: row.classIndex, kind })
    }
  }

  // Folders in class order; a name that exists under `out` as anything but a real folder is taken.
  const labels = [
    ...new Map(
      planned
        .filter((r) => r.kind === 'class')
        .sort((a, b) => a.classIndex - b.classIndex || compare(a.label!, b.label!))
        .map((r) => [r.label!, r.classIndex]),
    ).keys(),
  ]
  const existing = await listFolder(out)
  const taken = (name: string): boolean => {
    const entry = existing.get(nameKey(name))
    return entry !== undefined && !entry.isDirectory()
  }
  for (const reserved of RESERVED_FOLDERS) {
    if (taken(reserved)) throw new Error(`${join(out, reserved)} exists and is not a folder.`)
  }
  const folderOf = assignFolderNames(labels, { reserved: RESERVED_FOLDERS, taken })

  const namesIn = new Map<string, Set<string>>()
  const steps: PlanStep[] = []
  for (const row of planned) {
    const sub =
      row.kind === 'unknown' ? UNKNOWN_FOLDER : row.kind === 'uncertain' ? UNCERTAIN_FOLDER : folderOf.get(row.label!)!
    let names = namesIn.get(sub)
    if (!names) {
      const entry = existing.get(nameKey(sub))
      names = new Set(entry?.isDirectory() ? [...(await listFolder(join(out, sub))).keys()] : [])
      namesIn.set(sub, names)
    }
    const dest = join(out, sub, freeName(basename(row.path), names))
    assertInside(out, sub, dest)
    steps.push({
      photoId: row.id,
      source: row.path,
      dest,
      folder: sub,
      label: row.kind === 'class' ? row.label : null,
      kind: row.kind,
      closest: row.label ?? '',
      p: row.topP,
      sha256: row.sha256,
      size: row.size,
      mtimeMs: row.mtimeMs,
    })
  }

  const counts = new Map<string, PlanGroup>()
  for (const step of steps) {
    const group = counts.get(step.folder) ?? { folder: step.folder, label: step.label, kind: step.kind, count: 0 }
    group.count++
    counts.set(step.folder, group)
  }
  const groups = [...counts.values()].sort((a, b) => b.count - a.count || compare(a.folder, b.folder))
  return { jobId, folder, modelId, out, threshold, mode, steps, groups, skipped }
}

/** `name`, or `name (2)`, `name (3)`... whichever is not in `names` (case-insensitive); adds it. */
export function freeName(name: string, names: Set<string>): string {
  let candidate = name
  for (let n = 2; names.has(nameKey(candidate)); n++) candidate = withSuffix(name, n, { file: true })
  names.add(nameKey(candidate))
  return candidate
}

/** A destination must be `<out>/<folder>/<name>`: one level of safe folder, one plain name. */
export function assertInside(out: string, folder: string, dest: string): void {
  if (dirname(dirname(dest)) !== out || basename(dirname(dest)) !== folder || !isInside(out, dest) || dest === out) {
    throw new Error(`Refusing a destination outside the output folder: ${dest}`)
  }
}

/** A folder's entries by case-insensitive name; empty when it does not exist. */
async function listFolder(folder: string): Promise<Map<string, Dirent>> {
  try {
    const entries = await readdir(folder, { withFileTypes: true })
    return new Map(entries.map((e) => [nameKey(e.name), e]))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
    throw error
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
