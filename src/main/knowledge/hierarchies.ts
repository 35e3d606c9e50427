import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { keywordPathIndex, parseHierarchy, type Hierarchy } from '../../shared/knowledge/hierarchy'

/**
 * The label hierarchies the app ships: `resources/labels/<labels>.hierarchy.json` beside the label
 * lists (`cifar10.txt`, `imagenet-1k.txt`), made by `scripts/build-hierarchy.ts`.
 *
 * Like the label lists (`models/labels.ts`), they are read from a labels folder the caller names:
 * `join(paths.resourcesDir, 'labels')` in the app. Where no caller is there to name it (the XMP writer
 * looking up a keyword's path), `shippedLabelsDir()` finds the same folder on its own: in the packaged
 * app under `process.resourcesPath` (electron-builder's extraResources), in development and tests the
 * repository's `resources/labels` above this module.
 */

const HIERARCHY_SUFFIX = '.hierarchy.json'

/** The file of a label set's hierarchy; undefined for a name that is not a built-in label set's (a custom file's name). */
export function hierarchyFile(labelsDir: string, labelsSource: string | undefined): string | undefined {
  if (labelsSource === undefined || !/^[a-z0-9][a-z0-9-]*$/.test(labelsSource)) return undefined
  return join(labelsDir, `${labelsSource}${HIERARCHY_SUFFIX}`)
}

const loaded = new Map<string, Promise<Hierarchy | undefined>>()

/**
 * The hierarchy shipped for a model card's `labelsSource` (`cifar10`, `imagenet-1k`); undefined when
 * none ships for it (custom labels, a label set without one). Read once per file. Throws, with the
 * file's path, when the file is there but is not a hierarchy of that label set.
 */
export function loadHierarchy(labelsDir: string, labelsSource: string | undefined): Promise<Hierarchy | undefined> {
  const path = hierarchyFile(labelsDir, labelsSource)
  if (path === undefined) return Promise.resolve(undefined)
  let found = loaded.get(path)
  if (found === undefined) {
    found = readFile(path, 'utf8').then(
      (text) => checked(text, path, labelsSource!),
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined
        throw new Error(`${path}: ${error.message}`, { cause: error })
      },
    )
    // A failure is not kept: the next call tries the file again.
    found.catch(() => loaded.delete(path))
    loaded.set(path, found)
  }
  return found
}

/** `loadHierarchy` for callers that cannot wait (reads the file each time). */
export function loadHierarchySync(labelsDir: string, labelsSource: string | undefined): Hierarchy | undefined {
  const path = hierarchyFile(labelsDir, labelsSource)
  if (path === undefined || !existsSync(path)) return undefined
  return checked(readFileSync(path, 'utf8'), path, labelsSource!)
}

function checked(text: string, path: string, labelsSource: string): Hierarchy {
  let hierarchy: Hierarchy
  try {
    hierarchy = parseHierarchy(text)
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error })
  }
  if (hierarchy.labels !== labelsSource) {
    throw new Error(`${path} is the hierarchy of ${hierarchy.labels}, not of ${labelsSource}.`)
  }
  return hierarchy
}

let shipped: string | null | undefined

/**
 * The app's own `resources/labels` folder (the one with the shipped hierarchies), or undefined when
 * it cannot be found. Looked for once: under `process.resourcesPath` (the packaged app), then in each
 * folder above this module (`out/main/` in development, `src/main/knowledge/` in tests).
 */
export function shippedLabelsDir(): string | undefined {
  if (shipped === undefined) {
    shipped = null
    const candidates: string[] = []
    const resourcesPath = (process as { resourcesPath?: string }).resourcesPath
    if (typeof resourcesPath === 'string') candidates.push(join(resourcesPath, 'resources', 'labels'))
    for (let dir = moduleDir(); ; dir = dirname(dir)) {
      candidates.push(join(dir, 'resources', 'labels'))
      if (dirname(dir) === dir) break
    }
    for (const candidate of candidates) {
      if (hasHierarchies(candidate)) {
        shipped = candidate
        break
      }
    }
  }
  return shipped ?? undefined
}

function moduleDir(): string {
  try {
    return dirname(fileURLToPath(import.meta.url))
  } catch {
    return resolve('.')
  }
}

function hasHierarchies(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => name.endsWith(HIERARCHY_SUFFIX))
  } catch {
    return false
  }
}

const indexes = new Map<string, (name: string) => string[] | undefined>()

/**
 * A keyword's path in the shipped hierarchies, for XMP's `lr:hierarchicalSubject`: a class name
 * (`"Norfolk terrier"` → `["animal", "dog", "Norfolk terrier"]`) or a level's (`"dog"` → `["animal", "dog"]`).
 * Undefined for a keyword no hierarchy knows, and for a name the hierarchies place on different paths.
 * Exact names (NFC, trimmed): a keyword the person spelled otherwise is theirs.
 * `labelsDir` defaults to `shippedLabelsDir()`; every `*.hierarchy.json` there counts. Read once per folder.
 */
export function keywordPath(name: string, labelsDir: string | undefined = shippedLabelsDir()): string[] | undefined {
  if (labelsDir === undefined) return undefined
  let index = indexes.get(labelsDir)
  if (index === undefined) {
    index = keywordPathIndex(readAllSync(labelsDir))
    indexes.set(labelsDir, index)
  }
  return index(name)
}

/** Every hierarchy in a labels folder, by file name order; none when the folder is not there. */
function readAllSync(labelsDir: string): Hierarchy[] {
  let names: string[]
  try {
    names = readdirSync(labelsDir)
  } catch {
    return []
  }
  return names
    .filter((name) => name.endsWith(HIERARCHY_SUFFIX))
    .sort()
    .map((name) => loadHierarchySync(labelsDir, name.slice(0, -HIERARCHY_SUFFIX.length)))
    .filter((h): h is Hierarchy => h !== undefined)
}
