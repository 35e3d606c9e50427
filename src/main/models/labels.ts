import { readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { LabelsChoice } from '../../shared/ipc/contract'

/** Label files are small; anything bigger is not one. */
const MAX_LABELS_FILE_BYTES = 8 * 1024 * 1024

/**
 * Parses a labels file: a JSON array of strings, a JSON object mapping indices to names
 * (`{"0": "tench", ...}`), or plain text with one label per line (blank trailing lines ignored).
 */
export function parseLabels(text: string, source: string): string[] {
  const trimmed = text.replace(/^\uFEFF/, '').trim()
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown
    try {
      json = JSON.parse(trimmed)
    } catch (error) {
      throw new Error(`${source} looks like JSON but cannot be read: ${(error as Error).message}`)
    }
    if (Array.isArray(json) && json.every((v) => typeof v === 'string')) return json
    if (json && typeof json === 'object' && !Array.isArray(json)) {
      const entries = Object.entries(json as Record<string, unknown>)
      const labels: string[] = []
      for (const [key, value] of entries) {
        const index = Number(key)
        if (!Number.isInteger(index) || index < 0 || typeof value !== 'string') {
          throw new Error(`${source}: expected {"0": "label", ...}, found key "${key}"`)
        }
        labels[index] = value
      }
      if (labels.length !== entries.length) throw new Error(`${source}: the class indices have gaps`)
      return labels
    }
    throw new Error(`${source}: expected a JSON array of label strings`)
  }
  const lines = trimmed.split(/\r?\n/).map((line) => line.trim())
  if (lines.length === 0 || lines.every((l) => l === '')) throw new Error(`${source} holds no labels`)
  return lines
}

export async function readLabelsFile(path: string): Promise<string[]> {
  const bytes = await readFile(path)
  if (bytes.length > MAX_LABELS_FILE_BYTES) throw new Error(`${basename(path)} is too large to be a labels file.`)
  return parseLabels(bytes.toString('utf8'), basename(path))
}

/** The label lists that ship in resources/labels. */
export async function readBuiltinLabels(labelsDir: string, id: string): Promise<string[]> {
  return parseLabels(await readFile(join(labelsDir, `${id}.txt`), 'utf8'), `${id}.txt`)
}

/** Resolves the person's choice to the label list, checked against the model's output size. */
export async function resolveLabels(labelsDir: string, choice: LabelsChoice, classes: number): Promise<string[]> {
  const labels = choice.kind === 'builtin' ? await readBuiltinLabels(labelsDir, choice.id) : choice.labels
  const name = choice.kind === 'builtin' ? choice.id : choice.source
  if (labels.length !== classes) {
    throw new Error(`${name} has ${labels.length} labels, but the model has ${classes} outputs.`)
  }
  return labels
}
