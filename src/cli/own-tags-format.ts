/** The lines `--similar` and `--duplicates` print (own-tags-run.ts). */
import { count } from './organize-progress'

export interface SimilarLine {
  /** Absolute, as the database holds it. */
  path: string
  /** Cosine of the two photos' embeddings (1: the same). */
  score: number
}

export interface DuplicateLines {
  /** Absolute paths, the copy to keep first. */
  group: string[]
  keep: string
}

/** `0.912  /photos/cat.jpg` */
export function similarHuman({ path, score }: SimilarLine): string {
  return `${score.toFixed(3)}  ${path}`
}

/** `{"path": ..., "score": ...}`, the score to 4 decimals. */
export function similarJson({ path, score }: SimilarLine): string {
  return JSON.stringify({ path, score: round4(score) })
}

/** A paragraph: the copy to keep marked `keep`, the others indented under it. */
export function duplicatesHuman({ group, keep }: DuplicateLines): string[] {
  return group.map((path) => `${path === keep ? 'keep' : '    '}  ${path}`)
}

/** `{"group": [path, ...], "keep": path}` */
export function duplicatesJson({ group, keep }: DuplicateLines): string {
  return JSON.stringify({ group, keep })
}

/** The summary on stderr after the groups. */
export function duplicatesSummary(groups: readonly DuplicateLines[], photos: number, folder: string): string {
  const among = `among ${count(photos)} photo${photos === 1 ? '' : 's'} of ${folder}`
  if (groups.length === 0) return `No near-duplicates ${among}.`
  const copies = groups.reduce((sum, g) => sum + g.group.length, 0)
  const spare = copies - groups.length
  return (
    `${count(groups.length)} group${groups.length === 1 ? '' : 's'} of near-duplicates ${among}: ` +
    `${count(copies)} photos, ${count(spare)} of them cop${spare === 1 ? 'y' : 'ies'} of one kept.`
  )
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000
}
