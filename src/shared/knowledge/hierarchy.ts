import { z } from 'zod'
import type { LevelScore } from './levels'

/**
 * The label hierarchy of a label set: the few levels people use as tags (animal, dog, food, vehicle…)
 * and, for each class of the model, its path through them, e.g. `["animal", "dog", "Norfolk terrier"]`.
 *
 * The app ships one file per label set (`resources/labels/<labels>.hierarchy.json`, generated once by
 * `scripts/build-hierarchy.ts` from WordNet's noun hierarchy). Pure: no Node APIs, so the engines, the
 * main process and the renderer's worker all read it the same way.
 *
 * File format (version 1):
 * ```json
 * {
 *   "version": 1,
 *   "labels": "imagenet-1k",
 *   "source": "…how it was made…",
 *   "levels": [{ "label": "animal", "path": ["animal"], "wordnet": ["n00015388"] },
 *              { "label": "dog", "path": ["animal", "dog"], "wordnet": ["n02084071"] }],
 *   "classes": [{ "index": 0, "label": "tench", "path": ["animal", "fish", "tench"], "wordnet": "n01440764" }]
 * }
 * ```
 * - `levels`: the curated levels, parents before children. A level's `path` runs from the top of the
 *   hierarchy to the level itself; its parent (the path without its last element) is a level too.
 *   Level labels are unique within a file.
 * - `classes`: one entry per model output, in index order (`index` is the position). A class's `path`
 *   is a level's path (its most specific curated ancestor) followed by the class's own label, or just
 *   `[label]` for a class under no curated level. Keyed by index: some label sets repeat a name.
 * - `wordnet`: WordNet 3.0 noun synsets (`n` + offset), for reference: a class's own synset; the synsets a
 *   level stands for (usually one; several where WordNet splits a notion, as food).
 */

export const HIERARCHY_VERSION = 1

/** `lr:hierarchicalSubject` separates levels with `|`, so no level or label may contain one. */
const LabelSchema = z
  .string()
  .min(1)
  .refine((s) => !s.includes('|') && s.trim() === s, { message: 'a label must be trimmed and must not contain "|"' })

const WordnetIdSchema = z.string().regex(/^n\d{8}$/, 'a WordNet noun id looks like n02084071')

export const HierarchyLevelSchema = z.object({
  label: LabelSchema,
  path: z.array(LabelSchema).min(1),
  /** The WordNet synsets the level stands for (usually one; `food` is two in WordNet). */
  wordnet: z.array(WordnetIdSchema).min(1).optional(),
})
export type HierarchyLevel = z.infer<typeof HierarchyLevelSchema>

export const HierarchyClassSchema = z.object({
  index: z.number().int().nonnegative(),
  label: LabelSchema,
  path: z.array(LabelSchema).min(1),
  wordnet: WordnetIdSchema.optional(),
})
export type HierarchyClass = z.infer<typeof HierarchyClassSchema>

export const HierarchySchema = z
  .object({
    version: z.literal(HIERARCHY_VERSION),
    /** The label set the classes are of: `cifar10`, `imagenet-1k` (a model card's `labelsSource`). */
    labels: z.string().min(1),
    /** How the file was made (free text). */
    source: z.string().optional(),
    levels: z.array(HierarchyLevelSchema),
    classes: z.array(HierarchyClassSchema).min(1),
  })
  .superRefine((h, ctx) => {
    const issue = (message: string, path: (string | number)[]): void => {
      ctx.addIssue({ code: 'custom', message, path })
    }
    const levelPaths = new Set<string>()
    const labels = new Set<string>()
    h.levels.forEach((level, i) => {
      if (level.path[level.path.length - 1] !== level.label)
        issue('a level path must end with its label', ['levels', i])
      if (labels.has(level.label)) issue(`level "${level.label}" appears twice`, ['levels', i])
      const parent = level.path.slice(0, -1)
      if (parent.length > 0 && !levelPaths.has(key(parent))) {
        issue(`the parent of level "${level.label}" is not a level listed before it`, ['levels', i])
      }
      labels.add(level.label)
      levelPaths.add(key(level.path))
    })
    h.classes.forEach((c, i) => {
      if (c.index !== i) issue(`class ${i} has index ${c.index}: classes must be listed in index order`, ['classes', i])
      if (c.path[c.path.length - 1] !== c.label) issue('a class path must end with its label', ['classes', i])
      const parent = c.path.slice(0, -1)
      if (parent.length > 0 && !levelPaths.has(key(parent))) {
        issue(`class ${i} ("${c.label}") is under ${parent.join('|')}, which is not a level`, ['classes', i])
      }
    })
  })
export type Hierarchy = z.infer<typeof HierarchySchema>

/** Reads a hierarchy file: its JSON text, or the value already parsed. Throws a readable Error when it is not one. */
export function parseHierarchy(json: unknown): Hierarchy {
  let value = json
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json.replace(/^\uFEFF/, ''))
    } catch (error) {
      throw new Error(`Not a label hierarchy: the JSON cannot be read (${(error as Error).message})`, { cause: error })
    }
  }
  const result = HierarchySchema.safeParse(value)
  if (!result.success)
    throw new Error(`Not a label hierarchy: ${z.prettifyError(result.error)}`, { cause: result.error })
  return result.data
}

/** A class's path, from the top of the hierarchy to its own label: `["animal", "dog", "Norfolk terrier"]`. */
export function pathOf(hierarchy: Hierarchy, classIndex: number): string[] {
  const entry = hierarchy.classes[classIndex]
  if (entry === undefined) {
    throw new RangeError(
      `Class ${classIndex} is not in the ${hierarchy.labels} hierarchy (${hierarchy.classes.length} classes).`,
    )
  }
  return [...entry.path]
}

/**
 * The curated levels' scores for one photo: for each level, the summed probability of the classes
 * under it. Only levels with p ≥ `floor`, most probable first (ties: the more specific level first).
 * `probabilities` is the model's whole (calibrated) probability vector, one value per class.
 */
export function levelScores(probabilities: ArrayLike<number>, hierarchy: Hierarchy, floor = 0.05): LevelScore[] {
  if (probabilities.length !== hierarchy.classes.length) {
    throw new RangeError(
      `${probabilities.length} probabilities for the ${hierarchy.classes.length} classes of ${hierarchy.labels}.`,
    )
  }
  const scores: LevelScore[] = []
  const members = levelMembers(hierarchy)
  hierarchy.levels.forEach((level, i) => {
    let p = 0
    for (const index of members[i]!) p += probabilities[index]!
    if (p >= floor) scores.push({ label: level.label, path: [...level.path], p })
  })
  return scores.sort((a, b) => b.p - a.p || b.path.length - a.path.length || a.label.localeCompare(b.label))
}

export interface Suggestion {
  /** The tag to suggest: the class's label or a level's. */
  label: string
  /** Its path in the hierarchy (the keyword's `lr:hierarchicalSubject` entry, split). */
  path: string[]
  p: number
}

/**
 * The tag to suggest for a photo, at the level the model is sure of:
 * - the top class itself when its p ≥ `threshold`;
 * - else the most specific level (deepest path, then highest p) with p ≥ `threshold`: five dog breeds
 *   at 0.17 each suggest "dog" at 0.85, not one of the breeds;
 * - else undefined (nothing is sure enough).
 * The class's path is `top.path` when given, else read from `hierarchy`, else just `[top.label]`.
 */
export function suggestion(
  top: { label: string; index: number; p: number; path?: readonly string[] },
  levels: readonly LevelScore[],
  threshold: number,
  hierarchy?: Hierarchy,
): Suggestion | undefined {
  if (top.p >= threshold) {
    const path = top.path ? [...top.path] : hierarchy ? pathOf(hierarchy, top.index) : [top.label]
    return { label: top.label, path, p: top.p }
  }
  let best: LevelScore | undefined
  for (const level of levels) {
    if (level.p < threshold) continue
    if (
      best === undefined ||
      level.path.length > best.path.length ||
      (level.path.length === best.path.length && level.p > best.p)
    ) {
      best = level
    }
  }
  return best && { label: best.label, path: [...best.path], p: best.p }
}

/**
 * An index over hierarchies by name, for keywords: each level label and class label with its path
 * (`"dog"` → `["animal", "dog"]`, `"Norfolk terrier"` → `["animal", "dog", "Norfolk terrier"]`).
 * A class under no level has no path (its path would say nothing). A name that several hierarchies
 * (or classes) place on different paths is ambiguous: no path either.
 */
export function keywordPathIndex(hierarchies: readonly Hierarchy[]): (name: string) => string[] | undefined {
  const paths = new Map<string, string[] | null>()
  const add = (label: string, path: readonly string[]): void => {
    const name = label.normalize('NFC')
    const known = paths.get(name)
    if (known === undefined) paths.set(name, [...path])
    else if (known !== null && key(known) !== key(path)) paths.set(name, null)
  }
  for (const hierarchy of hierarchies) {
    for (const level of hierarchy.levels) add(level.label, level.path)
    for (const c of hierarchy.classes) if (c.path.length > 1) add(c.label, c.path)
  }
  return (name) => {
    const path = paths.get(name.normalize('NFC').trim())
    return path ? [...path] : undefined
  }
}

const members = new WeakMap<Hierarchy, Int32Array[]>()

/** For each level (by position), the indices of the classes under it; computed once per hierarchy. */
function levelMembers(hierarchy: Hierarchy): Int32Array[] {
  let found = members.get(hierarchy)
  if (found === undefined) {
    const byPath = new Map(hierarchy.levels.map((level, i) => [key(level.path), i]))
    const lists: number[][] = hierarchy.levels.map(() => [])
    for (const c of hierarchy.classes) {
      for (let depth = 1; depth < c.path.length; depth++) {
        const level = byPath.get(key(c.path.slice(0, depth)))
        if (level !== undefined) lists[level]!.push(c.index)
      }
    }
    found = lists.map((list) => Int32Array.from(list))
    members.set(hierarchy, found)
  }
  return found
}

function key(path: readonly string[]): string {
  return path.join('|')
}
