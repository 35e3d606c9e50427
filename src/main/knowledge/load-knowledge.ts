import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { Knowledge } from '../../shared/knowledge/interpret'
import {
  resolveKnowledge,
  type KnowledgeStatus,
  type KnowledgeText,
  type ModelFacts,
} from '../../shared/knowledge/resolve'
import { hierarchyFile } from './hierarchies'

/** Where a model's knowledge lives on disk; both optional. */
export interface KnowledgeFiles {
  /** The model's knowledge profile (`X.profile.json` beside `X.onnx`, or the library's copy). */
  profilePath?: string
  /** The label hierarchy shipped for the model's labels (`resources/labels/<labels>.hierarchy.json`). */
  hierarchyPath?: string
  /** Changes when the profile file does (its modification time): a new profile loads the model again. */
  revision?: string
}

export type { KnowledgeStatus }

/** `model.onnx` -> `model.profile.json`; undefined for names that do not end in .onnx. */
export function profilePathFor(modelPath: string): string | undefined {
  return /\.onnx$/i.test(modelPath) ? modelPath.replace(/\.onnx$/i, '.profile.json') : undefined
}

/** The hierarchy shipped for a built-in label list (`cifar10`, `imagenet-1k`), if there is one. */
export function hierarchyPathFor(labelsDir: string, labelsSource: string | undefined): string | undefined {
  const path = hierarchyFile(labelsDir, labelsSource)
  return path !== undefined && existsSync(path) ? path : undefined
}

/** A model's knowledge files as the engines take them, with the profile's revision (its modification time). */
export function knowledgeFiles(profilePath: string | undefined, hierarchyPath: string | undefined): KnowledgeFiles {
  const files: KnowledgeFiles = {}
  if (profilePath !== undefined) {
    files.profilePath = profilePath
    try {
      files.revision = String(statSync(profilePath).mtimeMs)
    } catch {
      // Gone since it was found: the engine reports the missing profile.
    }
  }
  if (hierarchyPath !== undefined) files.hierarchyPath = hierarchyPath
  return files
}

/** Reads a model's profile and hierarchy files; see `resolveKnowledge` for what becomes of them. */
export async function loadKnowledge(
  files: KnowledgeFiles,
  model: ModelFacts,
): Promise<{ knowledge: Knowledge; status: KnowledgeStatus }> {
  const [profile, hierarchy] = await Promise.all([readText(files.profilePath), readText(files.hierarchyPath)])
  return resolveKnowledge({ profile, hierarchy }, model)
}

async function readText(path: string | undefined): Promise<KnowledgeText> {
  if (path === undefined) return { missing: true }
  try {
    return { text: await readFile(path, 'utf8') }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true }
    return { error: String(error) }
  }
}
