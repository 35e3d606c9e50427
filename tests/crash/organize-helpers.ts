/**
 * Shared by the jobs and organize tests and their crash children: a library database with the
 * bundled model, CIFAR images copied into a folder, file trees read back with their hashes.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readlinkSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { labelsDir, resourcesDir } from '../../src/cli/paths'
import { openDatabase, type Db } from '../../src/main/db/database'
import { loadModel, type LoadedModel } from '../../src/main/inference/load-model'
import { createWasmEngine, type NodeEngine } from '../../src/main/inference/node-ort'
import { ModelLibrary } from '../../src/main/models/model-library'
import { sha256Of } from '../support/files'
import { cifarHalfDir } from '../support/shared'
import { seededRandom } from '../../src/shared/random'

export const CIFAR_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const

/** Opens (creating) a library database beside `dir`'s models folder, with the bundled model registered. */
export async function openLibrary(dbFile: string): Promise<{ db: Db; modelId: string; library: ModelLibrary }> {
  const db = openDatabase(dbFile)
  const library = new ModelLibrary(db, {
    builtinModelsDir: join(resourcesDir, 'models'),
    modelsDir: join(dbFile, '..', 'models'),
  })
  await library.registerBuiltins()
  return { db, modelId: library.activeId(), library }
}

let engine: NodeEngine | undefined

/** The WASM engine of this process (one: its thread count is fixed at the first session). */
export function processEngine(): NodeEngine {
  engine ??= createWasmEngine()
  return engine
}

export async function loadBundledModel(): Promise<LoadedModel> {
  return loadModel(processEngine(), join(resourcesDir, 'models', 'resnet56-cifar10.onnx'), labelsDir)
}

export async function loadModelFile(path: string): Promise<LoadedModel> {
  return loadModel(processEngine(), path, labelsDir)
}

/** Copies the first `perClass` images of each class into `<dest>/<class>/`; returns their relative paths. */
export function copyCifar(dest: string, perClass: number, classes: readonly string[] = CIFAR_CLASSES): string[] {
  const copied: string[] = []
  for (const cls of classes) {
    mkdirSync(join(dest, cls), { recursive: true })
    for (const name of readdirSync(join(cifarHalfDir(), cls)).sort().slice(0, perClass)) {
      copyFileSync(join(cifarHalfDir(), cls, name), join(dest, cls, name))
      copied.push(`${cls}/${name}`)
    }
  }
  return copied
}

/** Every file under the roots (hidden ones too), by path relative to `base`, with its sha256. */
export function snapshot(base: string, roots: readonly string[] = [base]): Map<string, string> {
  const files = new Map<string, string>()
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      const rel = relative(base, path).split(sep).join('/')
      if (entry.isDirectory()) walk(path)
      else if (entry.isSymbolicLink()) files.set(rel, `symlink → ${readlinkSync(path)}`)
      else files.set(rel, sha256Of(path))
    }
  }
  for (const root of roots) if (existsSync(root)) walk(root)
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)))
}

/** Every folder under `root` (relative), sorted. */
export function folders(root: string): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue
      out.push(relative(root, join(dir, entry.name)).split(sep).join('/'))
      walk(join(dir, entry.name))
    }
  }
  if (existsSync(root)) walk(root)
  return out.sort()
}

/** The multiset of hashes of a snapshot, as sorted "hash×count" entries. */
export function census(files: Map<string, string>): string[] {
  const counts = new Map<string, number>()
  for (const hash of files.values()) counts.set(hash, (counts.get(hash) ?? 0) + 1)
  return [...counts].map(([hash, n]) => `${hash}×${n}`).sort()
}

/** A small deterministic PRNG (mulberry32): the crash tests draw their kill points from seeds. */
export const prng = seededRandom
