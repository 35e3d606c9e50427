import type { EmitEvent, LearnableTagItem, LearnedTagItem } from '../../shared/ipc/contract'
import { fromFloat16Bytes } from '../../shared/embedding/float16'
import { headFromJson, headToJson, type StoredHead } from '../../shared/learning/head-json'
import { learnHead } from '../../shared/learning/learn-head'
import { headScores, sigmoid, type LearnedHead } from '../../shared/learning/learned-head'
import type { Db } from '../db/database'
import { stmt } from '../db/sql'
import { getTag, TagError } from '../tags/tags'
import { systemClock } from '../util/clock'

/** Accepted photos a tag needs before it can be learned. */
export const MIN_EXAMPLES = 5
/** Explicit negatives (rejected, other tags) under which random photos of the library stand in as negatives. */
const MIN_NEGATIVES = 20
const RANDOM_NEGATIVES = 200
/** Examples of either side a fit takes at most (a random sample of the negatives beyond). */
const MAX_EXAMPLES = 2000
/** Quiet time after a decision before a learned tag is fitted again. */
const RELEARN_DELAY_MS = 400

export interface LearnedTagsDeps {
  db: Db
  activeModelId(): string
  emit: EmitEvent
  now?: () => Date
  /**
   * The parts of the model's embedding (of this version) a tag may read (`LearnOptions.parts`), where known;
   * all of it otherwise.
   */
  learningParts?(modelId: string, version: number): readonly number[] | undefined
}

interface LearnedRow {
  tag_id: number
  model_id: string
  head: string
  positives: number
  negatives: number
  trained_at: string
}

/**
 * Tags learned from the person's examples: a head over a model's embeddings (`src/shared/learning/`), fitted on
 * the photos with the tag accepted against rejected suggestions and other tags, and suggested (source 'learned')
 * wherever its calibrated probability reaches its threshold. A learned tag is fitted again whenever the person
 * accepts or rejects it (`relearn`), so its suggestions follow the decisions.
 */
export class LearnedTagsService {
  private readonly now: () => Date
  private readonly pending = new Set<number>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private closed = false

  constructor(private readonly deps: LearnedTagsDeps) {
    this.now = deps.now ?? systemClock
  }

  list(): { learned: LearnedTagItem[]; learnable: LearnableTagItem[] } {
    const { db } = this.deps
    const rows = stmt(db, 'SELECT * FROM learned_tags ORDER BY tag_id').all() as LearnedRow[]
    const learned = rows.map((row) => this.item(row))
    const modelId = this.deps.activeModelId()
    const version = latestVersion(db, modelId)
    const learnable =
      version === undefined
        ? []
        : (stmt(
            db,
            `SELECT t.id AS tagId, t.name, count(DISTINCT p.sha256) AS examples
             FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id JOIN photos p ON p.id = pt.photo_id
               JOIN embeddings e ON e.model_id = @modelId AND e.version = @version AND e.sha256 = p.sha256
             WHERE pt.status = 'accepted' AND t.id NOT IN (SELECT tag_id FROM learned_tags)
             GROUP BY t.id HAVING examples >= @min ORDER BY t.name COLLATE NOCASE`,
          ).all({ modelId, version, min: MIN_EXAMPLES }) as LearnableTagItem[])
    return { learned, learnable }
  }

  isLearned(tagId: number): boolean {
    return stmt(this.deps.db, 'SELECT 1 FROM learned_tags WHERE tag_id = ?').get(tagId) !== undefined
  }

  /** Fits the tag's head on its examples with the model's embeddings and suggests it where it fits. */
  learn(tagId: number, modelId = this.deps.activeModelId()): LearnedTagItem {
    const { db } = this.deps
    const tag = getTag(db, tagId)
    if (!tag) throw new TagError(`No tag with id ${tagId}.`)
    const version = latestVersion(db, modelId)
    if (version === undefined) {
      throw new TagError('No photo has been classified with this model yet: classify the library first.')
    }
    const positives = examples(db, POSITIVES, { tagId, modelId, version, limit: MAX_EXAMPLES })
    if (positives.length < MIN_EXAMPLES) {
      throw new TagError(
        `"${tag.name}" has ${positives.length} accepted photo${positives.length === 1 ? '' : 's'} classified with this model; it needs at least ${MIN_EXAMPLES} to be learned.`,
      )
    }
    let negatives = examples(db, NEGATIVES, { tagId, modelId, version, limit: MAX_EXAMPLES })
    if (negatives.length < MIN_NEGATIVES) {
      negatives = negatives.concat(examples(db, UNLABELLED, { tagId, modelId, version, limit: RANDOM_NEGATIVES }))
    }
    if (negatives.length === 0) {
      throw new TagError(`Every photo classified with this model is "${tag.name}": there is nothing to tell it from.`)
    }
    const head = learnHead(
      [
        ...positives.map((embedding) => ({ embedding, positive: [tag.name] })),
        ...negatives.map((embedding) => ({ embedding, positive: [], negative: [tag.name] })),
      ],
      { tags: [tag.name], parts: this.deps.learningParts?.(modelId, version) },
    )
    const stored: StoredHead = { embeddingVersion: version, head }
    const row = db.transaction(() => {
      stmt(
        db,
        `INSERT INTO learned_tags (tag_id, model_id, head, positives, negatives, trained_at)
         VALUES (@tagId, @modelId, @head, @positives, @negatives, @at)
         ON CONFLICT (tag_id) DO UPDATE SET model_id = excluded.model_id, head = excluded.head,
           positives = excluded.positives, negatives = excluded.negatives, trained_at = excluded.trained_at`,
      ).run({
        tagId,
        modelId,
        head: headToJson(stored),
        positives: positives.length,
        negatives: negatives.length,
        at: this.now().toISOString(),
      })
      this.suggest(tagId, modelId, stored)
      return stmt(db, 'SELECT * FROM learned_tags WHERE tag_id = ?').get(tagId) as LearnedRow
    })()
    this.deps.emit('library:changed', { reason: 'tags' })
    return this.item(row)
  }

  /**
   * Fits these tags again a moment after the person's last decision on them (decisions in the review queue come
   * a keypress apart: one fit for a run of them). Tags that are not learned are ignored.
   */
  relearnSoon(tagIds: Iterable<number>): void {
    for (const tagId of tagIds) if (this.isLearned(tagId)) this.pending.add(tagId)
    if (this.pending.size === 0 || this.closed) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.flush(), RELEARN_DELAY_MS)
  }

  /** Fits the tags waiting for `relearnSoon` now. */
  flush(): void {
    clearTimeout(this.timer)
    const tagIds = [...this.pending]
    this.pending.clear()
    if (this.closed) return
    try {
      this.relearn(tagIds)
    } catch (error) {
      console.error('Learning tags again failed:', error)
    }
  }

  close(): void {
    clearTimeout(this.timer)
    this.pending.clear()
    this.closed = true
  }

  /** Fits a learned tag again after the person decided on some of its photos; nothing for other tags. */
  relearn(tagIds: Iterable<number>): void {
    for (const tagId of new Set(tagIds)) {
      const row = stmt(this.deps.db, 'SELECT model_id FROM learned_tags WHERE tag_id = ?').get(tagId) as
        { model_id: string } | undefined
      if (!row) continue
      try {
        this.learn(tagId, row.model_id)
      } catch (error) {
        // Too few examples left (the person rejected its photos): the tag stops being suggested.
        if (!(error instanceof TagError)) throw error
        this.forget(tagId)
      }
    }
  }

  /** Stops learning the tag: its head and its open suggestions go; the person's decisions stay. */
  forget(tagId: number): { withdrawn: number } {
    const { db } = this.deps
    const withdrawn = db.transaction(() => {
      const { changes } = stmt(
        db,
        `DELETE FROM photo_tags WHERE tag_id = ? AND source = 'learned' AND status = 'suggested'`,
      ).run(tagId)
      stmt(db, 'DELETE FROM learned_tags WHERE tag_id = ?').run(tagId)
      return changes
    })()
    this.deps.emit('library:changed', { reason: 'tags' })
    return { withdrawn }
  }

  /** The heads of these learned tags, one row each, as one head over the same embedding (for a saved model). */
  combinedHead(tagIds: readonly number[]): {
    modelId: string
    head: LearnedHead
    embeddingVersion: number
    counts: { tag: string; positives: number; negatives: number }[]
  } {
    const rows = tagIds.map((tagId) => {
      const row = stmt(this.deps.db, 'SELECT * FROM learned_tags WHERE tag_id = ?').get(tagId) as LearnedRow | undefined
      if (!row) throw new TagError(`The tag ${getTag(this.deps.db, tagId)?.name ?? tagId} is not learned.`)
      return row
    })
    const modelIds = new Set(rows.map((row) => row.model_id))
    if (modelIds.size !== 1) throw new TagError('The learned tags were learned with different models.')
    const heads = rows.map((row) => headFromJson(row.head))
    const versions = new Set(heads.map((h) => h.embeddingVersion))
    if (versions.size !== 1) throw new TagError('Learn the tags again: they were learned on different embeddings.')
    const dims = heads[0]!.head.dims
    const weights = new Float32Array(heads.length * dims)
    heads.forEach((h, i) => weights.set(h.head.weights.subarray(0, dims), i * dims))
    return {
      modelId: rows[0]!.model_id,
      embeddingVersion: heads[0]!.embeddingVersion,
      head: {
        tags: heads.map((h) => h.head.tags[0]!),
        dims,
        weights,
        bias: Float32Array.from(heads, (h) => h.head.bias[0]!),
        thresholds: heads.map((h) => h.head.thresholds[0]!),
      },
      counts: rows.map((row, i) => ({
        tag: heads[i]!.head.tags[0]!,
        positives: row.positives,
        negatives: row.negatives,
      })),
    }
  }

  /**
   * Scores every photo with an embedding of the head's model and version, in the caller's transaction: a photo at
   * or over the threshold is suggested the tag (or its suggestion's score updated); a learned suggestion under it is
   * withdrawn. Photos the person decided on, and suggestions of a model, are left as they are.
   */
  private suggest(tagId: number, modelId: string, { embeddingVersion, head }: StoredHead): void {
    const { db } = this.deps
    const at = this.now().toISOString()
    const threshold = head.thresholds[0]!
    const existing = new Map(
      (
        stmt(db, 'SELECT photo_id, source, status FROM photo_tags WHERE tag_id = ?').all(tagId) as {
          photo_id: number
          source: string
          status: string
        }[]
      ).map((row) => [row.photo_id, row]),
    )
    const upsert = stmt(
      db,
      `INSERT INTO photo_tags (photo_id, tag_id, source, status, score, model_id, created_at, updated_at)
       VALUES (@photoId, @tagId, 'learned', 'suggested', @score, @modelId, @at, @at)
       ON CONFLICT (photo_id, tag_id) DO UPDATE SET score = excluded.score, model_id = excluded.model_id,
         updated_at = excluded.updated_at`,
    )
    const withdraw = stmt(db, 'DELETE FROM photo_tags WHERE photo_id = ? AND tag_id = ?')
    const rows = stmt(
      db,
      `SELECT p.id, e.vector FROM photos p
         JOIN embeddings e ON e.model_id = ? AND e.version = ? AND e.sha256 = p.sha256
       WHERE p.status = 'present'`,
    ).all(modelId, embeddingVersion) as { id: number; vector: Uint8Array }[]
    for (const row of rows) {
      const current = existing.get(row.id)
      if (current && !(current.source === 'learned' && current.status === 'suggested')) continue
      const p = sigmoid(headScores(head, fromFloat16Bytes(row.vector))[0]!)
      if (p >= threshold) upsert.run({ photoId: row.id, tagId, score: p, modelId, at })
      else if (current) withdraw.run(row.id, tagId)
    }
  }

  private item(row: LearnedRow): LearnedTagItem {
    const { db } = this.deps
    const { head } = headFromJson(row.head)
    const suggested = stmt(
      db,
      `SELECT count(*) FROM photo_tags WHERE tag_id = ? AND source = 'learned' AND status = 'suggested'`,
    )
      .pluck()
      .get(row.tag_id) as number
    return {
      tagId: row.tag_id,
      name: getTag(db, row.tag_id)?.name ?? head.tags[0]!,
      modelId: row.model_id,
      positives: row.positives,
      negatives: row.negatives,
      threshold: head.thresholds[0]!,
      suggested,
      trainedAt: row.trained_at,
    }
  }
}

/** The newest embedding version stored for the model; undefined when it has none. */
function latestVersion(db: Db, modelId: string): number | undefined {
  return (
    (stmt(db, 'SELECT max(version) FROM embeddings WHERE model_id = ?').pluck().get(modelId) as number | null) ??
    undefined
  )
}

const CONTENT = `JOIN embeddings e ON e.model_id = @modelId AND e.version = @version AND e.sha256 = p.sha256`

/** Photos with the tag accepted, one per content. */
const POSITIVES = `SELECT DISTINCT e.sha256, e.vector FROM photo_tags pt JOIN photos p ON p.id = pt.photo_id ${CONTENT}
  WHERE pt.tag_id = @tagId AND pt.status = 'accepted' LIMIT @limit`

/** Photos the person said are not it: the tag rejected, or another tag accepted (and not this one). */
const NEGATIVES = `SELECT DISTINCT e.sha256, e.vector FROM photo_tags pt JOIN photos p ON p.id = pt.photo_id ${CONTENT}
  WHERE ((pt.tag_id = @tagId AND pt.status = 'rejected') OR (pt.tag_id <> @tagId AND pt.status = 'accepted'))
    AND NOT EXISTS (SELECT 1 FROM photo_tags mine WHERE mine.photo_id = p.id AND mine.tag_id = @tagId
                    AND mine.status = 'accepted')
  ORDER BY random() LIMIT @limit`

/** Random photos with no decision on the tag: stand-ins for negatives while the person has given few. */
const UNLABELLED = `SELECT DISTINCT e.sha256, e.vector FROM photos p ${CONTENT}
  WHERE p.status = 'present' AND NOT EXISTS (SELECT 1 FROM photo_tags mine WHERE mine.photo_id = p.id
    AND mine.tag_id = @tagId AND mine.status <> 'suggested')
  ORDER BY random() LIMIT @limit`

function examples(
  db: Db,
  sql: string,
  params: { tagId: number; modelId: string; version: number; limit: number },
): Float32Array[] {
  return (stmt(db, sql).all(params) as { vector: Uint8Array }[]).map((row) => fromFloat16Bytes(row.vector))
}
