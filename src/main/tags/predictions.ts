import type { Db } from '../db/database'
import { readSetting, writeSetting } from '../db/settings'
import { stmt } from './sql'
import { canBeTagName, ensureTag, TagError } from './tags'
import { systemClock, type Prediction, type ScoredClass } from './types'

export const SUGGESTION_THRESHOLD_KEY = 'tags.suggestion_threshold'
export const DEFAULT_SUGGESTION_THRESHOLD = 0.5

/** The probability at or above which a prediction becomes a suggested tag (settings, default 0.5). */
export function getSuggestionThreshold(db: Db): number {
  const value = readSetting(db, SUGGESTION_THRESHOLD_KEY)
  const threshold = value === undefined ? NaN : Number(value)
  return isValidThreshold(threshold) ? threshold : DEFAULT_SUGGESTION_THRESHOLD
}

export function setSuggestionThreshold(db: Db, threshold: number): void {
  if (!isValidThreshold(threshold)) throw new RangeError('The suggestion threshold is a probability, from 0 to 1.')
  writeSetting(db, SUGGESTION_THRESHOLD_KEY, String(threshold))
}

function isValidThreshold(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && value <= 1
}

export interface RecordPredictionsInput {
  photoId: number
  modelId: string
  /** The model's top-K, best first: index 0 is rank 1. */
  top: readonly ScoredClass[]
  /** The classification run that produced it; its `classified` count goes up by one. */
  runId?: number | null
  /** Defaults to the setting (`getSuggestionThreshold`). */
  threshold?: number
}

export interface RecordedPredictions {
  /** The tags now suggested to the photo by this model. */
  suggestedTagIds: number[]
}

/**
 * Records a photo's top-K for a model and the tags it suggests, in ONE transaction: the photo has all
 * K predictions and its suggestions, or (if anything fails, or the process dies) what it had before.
 * Replaces the model's earlier results for the photo. Suggestions are the predictions at or above the
 * threshold; a tag a person accepted or rejected keeps that decision, and the model's earlier
 * suggestions that no longer qualify are withdrawn.
 */
export function recordPredictions(
  db: Db,
  input: RecordPredictionsInput,
  now: () => Date = systemClock,
): RecordedPredictions {
  const { photoId, modelId, top, runId = null } = input
  if (top.length === 0) throw new RangeError('A prediction needs at least one class.')
  for (const c of top) {
    if (!(c.p >= 0 && c.p <= 1)) throw new RangeError(`Probability out of range for class ${c.index}: ${c.p}`)
  }
  return atomically(db, () => {
    requirePhoto(db, photoId)
    const threshold = input.threshold ?? getSuggestionThreshold(db)
    const at = now().toISOString()
    stmt(db, 'DELETE FROM classifications WHERE photo_id = ? AND model_id = ?').run(photoId, modelId)
    stmt(
      db,
      `INSERT INTO classifications (photo_id, model_id, run_id, k, top_class, top_p, error, classified_at)
       VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
    ).run(photoId, modelId, runId, top.length, top[0]!.index, top[0]!.p, at)
    const insert = stmt(
      db,
      `INSERT INTO predictions (photo_id, model_id, rank, class_index, label, probability) VALUES (?, ?, ?, ?, ?, ?)`,
    )
    top.forEach((c, i) => insert.run(photoId, modelId, i + 1, c.index, c.label, c.p))

    // Labels can repeat (ImageNet has two "crane"s) and two labels can name one tag: best score wins.
    const scores = new Map<number, number>()
    for (const c of top) {
      if (c.p < threshold || !canBeTagName(c.label)) continue
      const { tag } = ensureTag(db, c.label, now)
      scores.set(tag.id, Math.max(c.p, scores.get(tag.id) ?? 0))
    }
    const suggest = stmt(
      db,
      `INSERT INTO photo_tags (photo_id, tag_id, source, status, score, model_id, created_at, updated_at)
       VALUES (?, ?, 'model', 'suggested', ?, ?, ?, ?)
       ON CONFLICT (photo_id, tag_id) DO UPDATE SET score = excluded.score, model_id = excluded.model_id,
         updated_at = excluded.updated_at
       WHERE photo_tags.status = 'suggested'`,
    )
    for (const [tagId, p] of scores) suggest.run(photoId, tagId, p, modelId, at, at)
    withdrawSuggestions(db, photoId, modelId, [...scores.keys()])
    if (runId !== null) stmt(db, 'UPDATE runs SET classified = classified + 1 WHERE id = ?').run(runId)
    return { suggestedTagIds: [...scores.keys()] }
  })
}

/**
 * Records that a model could not classify a photo (e.g. a damaged file), so a batch does not try it
 * again until asked; the model's earlier results for the photo go.
 */
export function recordClassificationError(
  db: Db,
  input: { photoId: number; modelId: string; error: string; runId?: number | null },
  now: () => Date = systemClock,
): void {
  const { photoId, modelId, error, runId = null } = input
  atomically(db, () => {
    requirePhoto(db, photoId)
    stmt(db, 'DELETE FROM classifications WHERE photo_id = ? AND model_id = ?').run(photoId, modelId)
    stmt(
      db,
      `INSERT INTO classifications (photo_id, model_id, run_id, k, top_class, top_p, error, classified_at)
       VALUES (?, ?, ?, 0, NULL, NULL, ?, ?)`,
    ).run(photoId, modelId, runId, error || 'unknown error', now().toISOString())
    withdrawSuggestions(db, photoId, modelId, [])
    if (runId !== null) stmt(db, 'UPDATE runs SET failed = failed + 1 WHERE id = ?').run(runId)
  })
}

/**
 * Runs `body` in a transaction of its own, or in the caller's when one is open: a batch job writes a
 * whole batch of results in one transaction, and a savepoint per photo would only add statements.
 */
function atomically<T>(db: Db, body: () => T): T {
  return db.inTransaction ? body() : db.transaction(body)()
}

function requirePhoto(db: Db, photoId: number): void {
  if (stmt(db, 'SELECT 1 FROM photos WHERE id = ?').get(photoId) === undefined) {
    throw new TagError(`No photo with id ${photoId}.`)
  }
}

function withdrawSuggestions(db: Db, photoId: number, modelId: string, keep: readonly number[]): void {
  stmt(
    db,
    `DELETE FROM photo_tags WHERE photo_id = ? AND model_id = ? AND status = 'suggested'
       AND tag_id NOT IN (SELECT value FROM json_each(?))`,
  ).run(photoId, modelId, JSON.stringify(keep))
}

/** A photo's top-K for a model, by rank; empty when the model has not classified it. */
export function photoPredictions(db: Db, photoId: number, modelId: string): Prediction[] {
  return stmt(
    db,
    `SELECT rank, class_index AS classIndex, label, probability FROM predictions
       WHERE photo_id = ? AND model_id = ? ORDER BY rank`,
  ).all(photoId, modelId) as Prediction[]
}

export interface ClassificationState {
  modelId: string
  runId: number | null
  k: number
  /** Why the model could not classify the photo; null when it did. */
  error: string | null
  classifiedAt: string
}

/** Which models have been through a photo, with errors. */
export function photoClassifications(db: Db, photoId: number): ClassificationState[] {
  return stmt(
    db,
    `SELECT model_id AS modelId, run_id AS runId, k, error, classified_at AS classifiedAt
       FROM classifications WHERE photo_id = ? ORDER BY model_id`,
  ).all(photoId) as ClassificationState[]
}

/**
 * Re-derives the suggestions from the stored predictions after the threshold changed: suggestions
 * under the threshold are withdrawn, predictions at or above it that are not yet tags are suggested.
 * A person's decisions stay. Returns how many rows were added and withdrawn.
 */
export function applySuggestionThreshold(
  db: Db,
  threshold: number = getSuggestionThreshold(db),
  now: () => Date = systemClock,
): { suggested: number; withdrawn: number } {
  if (!isValidThreshold(threshold)) throw new RangeError('The suggestion threshold is a probability, from 0 to 1.')
  return db.transaction(() => {
    const at = now().toISOString()
    const withdrawn = stmt(db, "DELETE FROM photo_tags WHERE status = 'suggested' AND score < ?").run(threshold).changes
    const labels = stmt(db, 'SELECT DISTINCT label FROM predictions WHERE probability >= ?')
      .pluck()
      .all(threshold) as string[]
    const tagOf = new Map(labels.filter((l) => l.trim() !== '').map((l) => [l, ensureTag(db, l, now).tag.id]))
    db.exec('CREATE TEMP TABLE IF NOT EXISTS label_tags (label TEXT PRIMARY KEY, tag_id INTEGER NOT NULL)')
    db.exec('DELETE FROM temp.label_tags')
    const map = stmt(db, 'INSERT INTO temp.label_tags (label, tag_id) VALUES (?, ?)')
    for (const [label, tagId] of tagOf) map.run(label, tagId)
    const suggested = stmt(
      db,
      `INSERT INTO photo_tags (photo_id, tag_id, source, status, score, model_id, created_at, updated_at)
         SELECT p.photo_id, m.tag_id, 'model', 'suggested', max(p.probability), p.model_id, @at, @at
         FROM predictions p JOIN temp.label_tags m ON m.label = p.label
         WHERE p.probability >= @threshold
         GROUP BY p.photo_id, m.tag_id
         ON CONFLICT (photo_id, tag_id) DO NOTHING`,
    ).run({ at, threshold }).changes
    db.exec('DROP TABLE temp.label_tags')
    return { suggested, withdrawn }
  })()
}
