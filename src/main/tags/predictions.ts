import type { Db } from '../db/database'
import { readSetting, writeSetting } from '../db/settings'
import type { LevelScore } from '../../shared/knowledge/levels'
import type { Verdict } from '../../shared/knowledge/verdict'
import { stmt } from '../db/sql'
import { canBeTagName, ensureTag, TagError } from './tags'
import type { Prediction, ScoredClass } from './types'
import { systemClock } from '../util/clock'

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
  /**
   * Whether the photo is one of the things the model knows. An unknown photo gets no suggested tags
   * (the model's earlier ones are withdrawn). Absent: known, with no score (results from before verdicts).
   */
  verdict?: Verdict
  /**
   * The hierarchy levels (dog, vehicle...) with the summed probability of their classes. When the top
   * class is under the threshold, the most specific level at or over it is suggested instead.
   */
  levels?: readonly LevelScore[]
  /** The classification run that produced it; its `classified` count goes up by one. */
  runId?: number | null
  /** Defaults to the setting (`getSuggestionThreshold`). */
  threshold?: number
}

export interface RecordedPredictions {
  /** The tags now suggested to the photo by this model. */
  suggestedTagIds: number[]
}

/** A photo's verdict as stored: results recorded before verdicts existed are known and have no score. */
export interface StoredVerdict {
  unknown: boolean
  /** The out-of-distribution score; null for results recorded without a verdict. */
  ood: number | null
  source: Verdict['source'] | null
}

/** Where a photo's suggested tag comes from: the classes at or over the threshold, or a level backed off to. */
export interface Suggestion {
  label: string
  p: number
}

/**
 * The tags a result suggests: none for an unknown photo; the classes at or above the threshold; when
 * no class reaches it (the top class is under it), the most specific hierarchy level at or above it
 * (deepest path, then the highest probability): "dog 87 %" rather than "Norfolk terrier 31 %".
 * Labels that cannot be tag names are left out.
 */
export function suggestionsFor(
  result: { top: readonly ScoredClass[]; verdict?: Verdict; levels?: readonly LevelScore[] },
  threshold: number,
): Suggestion[] {
  if (result.verdict?.unknown === true) return []
  // Any class at or over the threshold (the top class, when the top-K is best first) is suggested itself.
  if (result.top.some((c) => c.p >= threshold)) {
    return result.top.filter((c) => c.p >= threshold && canBeTagName(c.label)).map((c) => ({ label: c.label, p: c.p }))
  }
  const level = mostSpecificLevel(result.levels ?? [], threshold)
  return level ? [{ label: level.label, p: level.p }] : []
}

/** The deepest level at or over the threshold (then the most probable, then by label); undefined when none. */
export function mostSpecificLevel(levels: readonly LevelScore[], threshold: number): LevelScore | undefined {
  let best: LevelScore | undefined
  for (const level of levels) {
    if (!(level.p >= threshold) || !canBeTagName(level.label)) continue
    if (
      best === undefined ||
      level.path.length > best.path.length ||
      (level.path.length === best.path.length && (level.p > best.p || (level.p === best.p && level.label < best.label)))
    ) {
      best = level
    }
  }
  return best
}

function checkVerdict(verdict: Verdict | undefined): void {
  if (verdict === undefined) return
  if (typeof verdict.unknown !== 'boolean') throw new RangeError('A verdict says whether the photo is unknown.')
  if (!Number.isFinite(verdict.ood))
    throw new RangeError(`The out-of-distribution score is not a number: ${verdict.ood}`)
  if (verdict.source !== 'profile' && verdict.source !== 'energy') {
    throw new RangeError(`Unknown verdict source "${String(verdict.source)}".`)
  }
}

function checkLevels(levels: readonly LevelScore[]): void {
  for (const level of levels) {
    if (!(level.p >= 0 && level.p <= 1))
      throw new RangeError(`Probability out of range for level ${level.label}: ${level.p}`)
    if (level.path.length === 0) throw new RangeError(`The level ${level.label} has an empty path.`)
  }
}

/**
 * Records a photo's top-K for a model, its verdict and hierarchy levels, and the tags they suggest, in
 * ONE transaction: the photo has all K predictions and its suggestions, or (if anything fails, or the
 * process dies) what it had before. Replaces the model's earlier results for the photo. Suggestions
 * follow `suggestionsFor` (none for an unknown photo); a tag a person accepted or rejected keeps that
 * decision, and the model's earlier suggestions that no longer qualify are withdrawn.
 */
export function recordPredictions(
  db: Db,
  input: RecordPredictionsInput,
  now: () => Date = systemClock,
): RecordedPredictions {
  const { photoId, modelId, top, verdict, levels = [], runId = null } = input
  if (top.length === 0) throw new RangeError('A prediction needs at least one class.')
  for (const c of top) {
    if (!(c.p >= 0 && c.p <= 1)) throw new RangeError(`Probability out of range for class ${c.index}: ${c.p}`)
  }
  checkVerdict(verdict)
  checkLevels(levels)
  return atomically(db, () => {
    requirePhoto(db, photoId)
    const threshold = input.threshold ?? getSuggestionThreshold(db)
    const at = now().toISOString()
    stmt(db, 'DELETE FROM classifications WHERE photo_id = ? AND model_id = ?').run(photoId, modelId)
    stmt(
      db,
      `INSERT INTO classifications (photo_id, model_id, run_id, k, top_class, top_p, error, classified_at,
         ood, unknown, ood_source)
       VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
    ).run(
      photoId,
      modelId,
      runId,
      top.length,
      top[0]!.index,
      top[0]!.p,
      at,
      verdict?.ood ?? null,
      verdict?.unknown ? 1 : 0,
      verdict?.source ?? null,
    )
    const insert = stmt(
      db,
      `INSERT INTO predictions (photo_id, model_id, rank, class_index, label, probability) VALUES (?, ?, ?, ?, ?, ?)`,
    )
    top.forEach((c, i) => insert.run(photoId, modelId, i + 1, c.index, c.label, c.p))
    const insertLevel = stmt(
      db,
      `INSERT INTO prediction_levels (photo_id, model_id, label, path, depth, p) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (photo_id, model_id, path) DO UPDATE SET p = max(p, excluded.p)`,
    )
    for (const level of levels) {
      insertLevel.run(photoId, modelId, level.label, JSON.stringify(level.path), level.path.length, level.p)
    }

    // Labels can repeat (ImageNet has two "crane"s) and two labels can name one tag: best score wins.
    const scores = new Map<number, number>()
    for (const s of suggestionsFor({ top, verdict, levels }, threshold)) {
      const { tag } = ensureTag(db, s.label, now)
      scores.set(tag.id, Math.max(s.p, scores.get(tag.id) ?? 0))
    }
    const suggest = stmt(
      db,
      `INSERT INTO photo_tags (photo_id, tag_id, source, status, score, model_id, created_at, updated_at)
       VALUES (?, ?, 'model', 'suggested', ?, ?, ?, ?)
       ON CONFLICT (photo_id, tag_id) DO UPDATE SET score = excluded.score, model_id = excluded.model_id,
         updated_at = excluded.updated_at
       WHERE photo_tags.status = 'suggested' AND photo_tags.source = 'model'`,
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
    `DELETE FROM photo_tags WHERE photo_id = ? AND model_id = ? AND status = 'suggested' AND source = 'model'
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
  /** Whether the photo is one of the things the model knows (error rows: known, no score). */
  verdict: StoredVerdict
}

interface ClassificationRow extends Omit<ClassificationState, 'verdict'> {
  unknown: number
  ood: number | null
  oodSource: Verdict['source'] | null
}

const CLASSIFICATION_COLUMNS = `model_id AS modelId, run_id AS runId, k, error, classified_at AS classifiedAt,
  unknown, ood, ood_source AS oodSource`

function toClassification({ unknown, ood, oodSource, ...row }: ClassificationRow): ClassificationState {
  return { ...row, verdict: { unknown: unknown === 1, ood, source: oodSource } }
}

/** Which models have been through a photo, with errors and verdicts. */
export function photoClassifications(db: Db, photoId: number): ClassificationState[] {
  return (
    stmt(db, `SELECT ${CLASSIFICATION_COLUMNS} FROM classifications WHERE photo_id = ? ORDER BY model_id`).all(
      photoId,
    ) as ClassificationRow[]
  ).map(toClassification)
}

/** A photo's verdict from a model; undefined when the model has not classified it (or failed on it). */
export function photoVerdict(db: Db, photoId: number, modelId: string): StoredVerdict | undefined {
  const row = stmt(
    db,
    `SELECT ${CLASSIFICATION_COLUMNS} FROM classifications WHERE photo_id = ? AND model_id = ? AND k > 0`,
  ).get(photoId, modelId) as ClassificationRow | undefined
  return row && toClassification(row).verdict
}

/** A photo's hierarchy levels from a model, most specific first (then by probability). */
export function photoLevels(db: Db, photoId: number, modelId: string): LevelScore[] {
  return (
    stmt(
      db,
      `SELECT label, path, p FROM prediction_levels WHERE photo_id = ? AND model_id = ?
         ORDER BY depth DESC, p DESC, label`,
    ).all(photoId, modelId) as { label: string; path: string; p: number }[]
  ).map((row) => ({ label: row.label, path: JSON.parse(row.path) as string[], p: row.p }))
}

/**
 * Re-derives the suggestions from the stored predictions, verdicts and levels after the threshold
 * changed, by the same rule as `recordPredictions`: the classes at or above the threshold, or the most
 * specific level at or above it when the top class is under it; nothing for a photo the model does
 * not know. Model suggestions that no longer qualify are withdrawn, new ones added. A person's
 * decisions stay. Returns how many rows were added and withdrawn.
 */
export function applySuggestionThreshold(
  db: Db,
  threshold: number = getSuggestionThreshold(db),
  now: () => Date = systemClock,
): { suggested: number; withdrawn: number } {
  if (!isValidThreshold(threshold)) throw new RangeError('The suggestion threshold is a probability, from 0 to 1.')
  return db.transaction(() => {
    const at = now().toISOString()
    // What every known classification suggests, by label: its classes at or over the threshold, or
    // its most specific level at or over it when its top class is under it.
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS wanted (photo_id INTEGER NOT NULL, model_id TEXT NOT NULL,
      label TEXT NOT NULL, score REAL NOT NULL)`)
    db.exec('CREATE INDEX IF NOT EXISTS temp.wanted_by_photo ON wanted (photo_id, label)')
    db.exec('DELETE FROM temp.wanted')
    stmt(
      db,
      `INSERT INTO temp.wanted (photo_id, model_id, label, score)
         SELECT p.photo_id, p.model_id, p.label, p.probability
         FROM predictions p JOIN classifications c ON c.photo_id = p.photo_id AND c.model_id = p.model_id
         WHERE p.probability >= @threshold AND c.unknown = 0`,
    ).run({ threshold })
    stmt(
      db,
      `INSERT INTO temp.wanted (photo_id, model_id, label, score)
         SELECT photo_id, model_id, label, p FROM (
           SELECT l.photo_id, l.model_id, l.label, l.p, row_number() OVER (
               PARTITION BY l.photo_id, l.model_id ORDER BY l.depth DESC, l.p DESC, l.label) AS n
           FROM prediction_levels l JOIN classifications c ON c.photo_id = l.photo_id AND c.model_id = l.model_id
           WHERE l.p >= @threshold AND c.unknown = 0 AND length(trim(l.label)) > 0
             AND NOT EXISTS (SELECT 1 FROM predictions p WHERE p.photo_id = l.photo_id AND p.model_id = l.model_id
                             AND p.probability >= @threshold))
         WHERE n = 1`,
    ).run({ threshold })
    const labels = stmt(db, 'SELECT DISTINCT label FROM temp.wanted').pluck().all() as string[]
    const tagOf = new Map(labels.filter(canBeTagName).map((l) => [l, ensureTag(db, l, now).tag.id]))
    db.exec('CREATE TEMP TABLE IF NOT EXISTS label_tags (label TEXT PRIMARY KEY, tag_id INTEGER NOT NULL)')
    db.exec('DELETE FROM temp.label_tags')
    const map = stmt(db, 'INSERT INTO temp.label_tags (label, tag_id) VALUES (?, ?)')
    for (const [label, tagId] of tagOf) map.run(label, tagId)
    const withdrawn = stmt(
      db,
      `DELETE FROM photo_tags WHERE status = 'suggested' AND source = 'model' AND (score < @threshold OR (model_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM temp.wanted w JOIN temp.label_tags m ON m.label = w.label
                         WHERE w.photo_id = photo_tags.photo_id AND m.tag_id = photo_tags.tag_id)))`,
    ).run({ threshold }).changes
    const suggested = stmt(
      db,
      `INSERT INTO photo_tags (photo_id, tag_id, source, status, score, model_id, created_at, updated_at)
         SELECT w.photo_id, m.tag_id, 'model', 'suggested', max(w.score), w.model_id, @at, @at
         FROM temp.wanted w JOIN temp.label_tags m ON m.label = w.label
         WHERE true
         GROUP BY w.photo_id, m.tag_id
         ON CONFLICT (photo_id, tag_id) DO NOTHING`,
    ).run({ at }).changes
    db.exec('DROP TABLE temp.label_tags')
    db.exec('DROP TABLE temp.wanted')
    return { suggested, withdrawn }
  })()
}
