import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate, openDatabase, type Db } from '../../src/main/db/database'
import { migrations } from '../../src/main/db/migrations'
import {
  countPhotos,
  getPhoto,
  listPhotos,
  removePhotos,
  reviewGroups,
  reviewQueue,
  setPhotoStatus,
  type PhotoFilter,
  type ReviewItem,
} from '../../src/main/photo-library'
import {
  acceptTags,
  addTag,
  applySuggestionThreshold,
  deleteTag,
  ensureTag,
  findTag,
  getSuggestionThreshold,
  mergeTags,
  photoPredictions,
  photoTags,
  recordClassificationError,
  recordPredictions,
  rejectTags,
  removeTags,
  renameTag,
  searchTags,
  setSuggestionThreshold,
  tagCounts,
  TagError,
  undoTagChange,
  type ScoredClass,
} from '../../src/main/tags'
import { addModel, addNumberedPhoto } from '../support/tag-store'

const LABELS = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
let clockMs = Date.UTC(2025, 0, 1)
const now = (): Date => new Date((clockMs += 1000))

const photo = (db: Db, n: number): number => addNumberedPhoto(db, n, now)

/** A top-3 whose best class is `best` with probability p, the rest sharing what is left. */
function top3(best: number, p: number): ScoredClass[] {
  const second = (best + 1) % 10
  const third = (best + 2) % 10
  const rest = (1 - p) / 2
  return [
    { index: best, label: LABELS[best]!, p },
    { index: second, label: LABELS[second]!, p: rest },
    { index: third, label: LABELS[third]!, p: rest },
  ]
}

function tagId(db: Db, name: string): number {
  const tag = findTag(db, name)
  if (!tag) throw new Error(`no tag ${name}`)
  return tag.id
}

function states(db: Db, photoId: number): Record<string, string> {
  return Object.fromEntries(photoTags(db, photoId).map((t) => [t.name, `${t.source}:${t.status}`]))
}

function allPages(db: Db, filter: PhotoFilter, limit: number): number[] {
  const ids: number[] = []
  let after: number | null = null
  for (let pages = 0; pages < 10_000; pages++) {
    const page = listPhotos(db, filter, { after, limit })
    ids.push(...page.photos.map((p) => p.id))
    if (page.nextAfter === null) return ids
    expect(page.photos).toHaveLength(limit)
    after = page.nextAfter
  }
  throw new Error('pagination does not end')
}

describe('tag store schema', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tag-store-schema-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const LIBRARY_TABLES = ['photos', 'runs', 'classifications', 'predictions', 'tags', 'tag_aliases', 'photo_tags']

  it('creates the photo and tag tables from empty: STRICT, WAL, foreign keys, FTS5 index', () => {
    const db = openDatabase(join(dir, 'library.db'))
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    const tables = db
      .prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table'")
      .all() as { name: string; strict: number }[]
    for (const name of LIBRARY_TABLES) expect(tables).toContainEqual({ name, strict: 1 })
    expect(db.prepare("SELECT type FROM pragma_table_list WHERE name = 'tags_fts'").pluck().get()).toBe('virtual')
    expect(db.pragma('foreign_key_check')).toEqual([])
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    db.close()
  })

  it('migrates from every earlier version, keeping models and settings, and the new tables work', () => {
    for (const from of [0, ...migrations.filter((m) => m.version < 3).map((m) => m.version)]) {
      const file = join(dir, `from-v${from}.db`)
      const old = new Database(file)
      migrate(
        old,
        migrations.filter((m) => m.version <= from),
      )
      if (from >= 1) {
        old
          .prepare('INSERT INTO models (id, name, file, sha256, card, builtin, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run('bundled', 'Bundled', 'b.onnx', 'a'.repeat(64), '{}', 1, 'then')
        old.prepare("INSERT INTO settings (key, value) VALUES ('active_model', 'bundled')").run()
      }
      old.close()

      const db = openDatabase(file)
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
      if (from >= 1) {
        expect(db.prepare('SELECT id FROM models').pluck().all()).toEqual(['bundled'])
        expect(db.prepare("SELECT value FROM settings WHERE key = 'active_model'").pluck().get()).toBe('bundled')
      } else addModel(db, 'bundled')
      const id = photo(db, 1)
      recordPredictions(db, { photoId: id, modelId: 'bundled', top: top3(3, 0.9) }, now)
      expect(photoTags(db, id).map((t) => t.name)).toEqual(['cat'])
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      db.close()
    }
  })

  it('enforces STRICT types, checks and unique names (tags case-insensitively)', () => {
    const db = openDatabase(join(dir, 'library.db'))
    const insert = db.prepare(
      `INSERT INTO photos (path, size, mtime_ms, sha256, width, height, status, added_at, seen_at)
       VALUES (?, ?, 0, ?, 1, 1, ?, 'now', 'now')`,
    )
    expect(() => insert.run('/a.jpg', 'big', 'a'.repeat(64), 'present')).toThrow(/cannot store TEXT value/)
    expect(() => insert.run('/a.jpg', 10, 'short', 'present')).toThrow(/CHECK/)
    expect(() => insert.run('/a.jpg', 10, 'a'.repeat(64), 'gone')).toThrow(/CHECK/)
    insert.run('/a.jpg', 10, 'a'.repeat(64), 'present')
    expect(() => insert.run('/a.jpg', 11, 'b'.repeat(64), 'present')).toThrow(/UNIQUE/)

    ensureTag(db, 'Cat', now)
    expect(() => db.prepare("INSERT INTO tags (name, created_at) VALUES ('cAT', 'now')").run()).toThrow(/UNIQUE/)
    expect(() => db.prepare("INSERT INTO tags (name, created_at) VALUES (' dog', 'now')").run()).toThrow(/CHECK/)
    expect(ensureTag(db, '  CAT ', now)).toMatchObject({ created: false, tag: { name: 'Cat' } })
    expect(() => ensureTag(db, '   ', now)).toThrow(TagError)

    // A person never "suggests"; a suggestion always has a score.
    addModel(db, 'm')
    const cat = tagId(db, 'cat')
    const photoTag = db.prepare(
      `INSERT INTO photo_tags (photo_id, tag_id, source, status, score, model_id, created_at, updated_at)
       VALUES (1, ?, ?, ?, ?, ?, 'now', 'now')`,
    )
    expect(() => photoTag.run(cat, 'person', 'suggested', 0.9, null)).toThrow(/CHECK/)
    expect(() => photoTag.run(cat, 'model', 'suggested', null, 'm')).toThrow(/CHECK/)
    expect(() => photoTag.run(cat, 'model', 'suggested', 1.5, 'm')).toThrow(/CHECK/)
    expect(() => photoTag.run(cat, 'model', 'maybe', 0.5, 'm')).toThrow(/CHECK/)
    // Predictions cannot exist without their classification row (so never half a set by hand either).
    expect(() =>
      db
        .prepare(
          "INSERT INTO predictions (photo_id, model_id, rank, class_index, label, probability) VALUES (1, 'm', 1, 3, 'cat', 0.9)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/)
    db.close()
  })

  it('cascades: forgetting a photo, a model or a tag takes what hangs on it', () => {
    const db = openDatabase(join(dir, 'library.db'))
    addModel(db, 'm')
    addModel(db, 'other')
    const a = photo(db, 1)
    const b = photo(db, 2)
    recordPredictions(db, { photoId: a, modelId: 'm', top: top3(3, 0.9) }, now)
    recordPredictions(db, { photoId: b, modelId: 'm', top: top3(3, 0.8) }, now)
    recordPredictions(db, { photoId: b, modelId: 'other', top: top3(5, 0.7) }, now)
    acceptTags(db, [b], tagId(db, 'cat'), now)

    expect(removePhotos(db, [a])).toBe(1)
    const count = (table: string): number => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number
    expect(count('predictions')).toBe(6)
    expect(count('classifications')).toBe(2)
    expect(count('photo_tags')).toBe(2)

    db.prepare("DELETE FROM models WHERE id = 'm'").run()
    expect(count('predictions')).toBe(3)
    // The accepted tag stays (a person's decision), no longer tied to the deleted model.
    expect(photoTags(db, b).find((t) => t.name === 'cat')).toMatchObject({ status: 'accepted', modelId: null })

    deleteTag(db, tagId(db, 'cat'))
    expect(photoTags(db, b).map((t) => t.name)).toEqual(['dog'])
    expect(db.pragma('foreign_key_check')).toEqual([])
    db.close()
  })
})

describe('tag store', () => {
  let dir: string
  let db: Db
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tag-store-'))
    db = openDatabase(join(dir, 'library.db'))
    addModel(db, 'm')
    addModel(db, 'm2')
  })
  afterEach(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  describe('recording predictions', () => {
    it('writes the top-K by rank and suggests the classes at or above the threshold (default 0.5)', () => {
      const id = photo(db, 1)
      expect(getSuggestionThreshold(db)).toBe(0.5)
      const top: ScoredClass[] = [
        { index: 3, label: 'cat', p: 0.5 },
        { index: 5, label: 'dog', p: 0.45 },
        { index: 2, label: 'bird', p: 0.05 },
      ]
      const { suggestedTagIds } = recordPredictions(db, { photoId: id, modelId: 'm', top }, now)
      expect(photoPredictions(db, id, 'm')).toEqual([
        { rank: 1, classIndex: 3, label: 'cat', probability: 0.5 },
        { rank: 2, classIndex: 5, label: 'dog', probability: 0.45 },
        { rank: 3, classIndex: 2, label: 'bird', probability: 0.05 },
      ])
      expect(suggestedTagIds).toEqual([tagId(db, 'cat')])
      expect(photoTags(db, id)).toMatchObject([
        { name: 'cat', source: 'model', status: 'suggested', score: 0.5, modelId: 'm' },
      ])

      setSuggestionThreshold(db, 0.4)
      expect(getSuggestionThreshold(db)).toBe(0.4)
      recordPredictions(db, { photoId: id, modelId: 'm', top }, now)
      expect(states(db, id)).toEqual({ cat: 'model:suggested', dog: 'model:suggested' })
      expect(() => setSuggestionThreshold(db, 1.5)).toThrow(RangeError)
    })

    it('is all or nothing: a failure half way leaves the earlier set whole', () => {
      const id = photo(db, 1)
      recordPredictions(db, { photoId: id, modelId: 'm', top: top3(3, 0.9) }, now)
      const before = { predictions: photoPredictions(db, id, 'm'), tags: photoTags(db, id) }
      // The third class repeats the first: the ranks before it are written, then the insert fails.
      const bad: ScoredClass[] = [
        { index: 1, label: 'automobile', p: 0.6 },
        { index: 2, label: 'bird', p: 0.2 },
        { index: 1, label: 'automobile', p: 0.2 },
      ]
      expect(() => recordPredictions(db, { photoId: id, modelId: 'm', top: bad, threshold: 0.1 }, now)).toThrow(
        /UNIQUE/,
      )
      expect({ predictions: photoPredictions(db, id, 'm'), tags: photoTags(db, id) }).toEqual(before)
      expect(() => recordPredictions(db, { photoId: 999, modelId: 'm', top: top3(1, 0.9) }, now)).toThrow(/No photo/)
      expect(() => recordPredictions(db, { photoId: id, modelId: 'm', top: [] }, now)).toThrow(RangeError)
      expect(() =>
        recordPredictions(db, { photoId: id, modelId: 'm', top: [{ index: 0, label: 'a', p: Number.NaN }] }, now),
      ).toThrow(RangeError)
    })

    it('keeps a label that cannot name a tag as a prediction, without suggesting it', () => {
      const id = photo(db, 1)
      const long = 'x'.repeat(300)
      recordPredictions(
        db,
        {
          photoId: id,
          modelId: 'm',
          top: [
            { index: 4, label: long, p: 0.7 },
            { index: 1, label: 'automobile', p: 0.3 },
          ],
          threshold: 0.1,
        },
        now,
      )
      expect(photoPredictions(db, id, 'm').map((p) => p.label)).toEqual([long, 'automobile'])
      expect(photoTags(db, id).map((t) => t.name)).toEqual(['automobile'])
    })

    it('replaces the set on a new run: stale suggestions withdrawn, decisions kept, other models untouched', () => {
      const id = photo(db, 1)
      recordPredictions(db, { photoId: id, modelId: 'm', top: top3(3, 0.9) }, now) // cat
      recordPredictions(db, { photoId: id, modelId: 'm2', top: top3(7, 0.8) }, now) // horse
      acceptTags(db, [id], tagId(db, 'horse'), now)
      recordPredictions(db, { photoId: id, modelId: 'm', top: top3(5, 0.7) }, now) // dog now
      expect(states(db, id)).toEqual({ dog: 'model:suggested', horse: 'model:accepted' })
      expect(photoPredictions(db, id, 'm')).toHaveLength(3)
      expect(photoPredictions(db, id, 'm2')).toHaveLength(3)

      // A rejected suggestion is not suggested again.
      rejectTags(db, [id], tagId(db, 'dog'), now)
      recordPredictions(db, { photoId: id, modelId: 'm', top: top3(5, 0.95) }, now)
      expect(states(db, id)).toEqual({ dog: 'model:rejected', horse: 'model:accepted' })

      // An error replaces the model's results for the photo.
      recordClassificationError(db, { photoId: id, modelId: 'm', error: 'damaged' }, now)
      expect(photoPredictions(db, id, 'm')).toEqual([])
      expect(states(db, id)).toEqual({ dog: 'model:rejected', horse: 'model:accepted' })
    })

    it('maps repeated labels to one tag with the best score', () => {
      const id = photo(db, 1)
      const top: ScoredClass[] = [
        { index: 134, label: 'crane', p: 0.55 },
        { index: 517, label: 'Crane', p: 0.3 },
      ]
      recordPredictions(db, { photoId: id, modelId: 'm', top, threshold: 0.2 }, now)
      expect(photoTags(db, id)).toMatchObject([{ name: 'crane', score: 0.55 }])
    })

    it('re-derives suggestions when the threshold changes, keeping decisions', () => {
      const ids = [1, 2, 3].map((n) => photo(db, n))
      recordPredictions(db, { photoId: ids[0]!, modelId: 'm', top: top3(3, 0.9) }, now)
      recordPredictions(db, { photoId: ids[1]!, modelId: 'm', top: top3(3, 0.55) }, now)
      recordPredictions(db, { photoId: ids[2]!, modelId: 'm', top: top3(3, 0.4) }, now)
      acceptTags(db, [ids[1]!], tagId(db, 'cat'), now)
      expect(applySuggestionThreshold(db, 0.6, now)).toEqual({ suggested: 0, withdrawn: 0 })
      expect(applySuggestionThreshold(db, 0.95, now)).toEqual({ suggested: 0, withdrawn: 1 })
      expect(states(db, ids[0]!)).toEqual({})
      expect(states(db, ids[1]!)).toEqual({ cat: 'model:accepted' })
      expect(applySuggestionThreshold(db, 0.3, now)).toEqual({ suggested: 4, withdrawn: 0 })
      expect(states(db, ids[0]!)).toEqual({ cat: 'model:suggested' })
      expect(states(db, ids[2]!)).toEqual({ cat: 'model:suggested', deer: 'model:suggested', dog: 'model:suggested' })
    })
  })

  describe('tag decisions', () => {
    it('accepts, rejects, adds and removes over a selection, each undoable', () => {
      const ids = [1, 2, 3, 4].map((n) => photo(db, n))
      for (const id of ids.slice(0, 3)) recordPredictions(db, { photoId: id, modelId: 'm', top: top3(3, 0.9) }, now)
      const cat = tagId(db, 'cat')
      const snapshot = (): unknown => ids.map((id) => photoTags(db, id))
      const start = snapshot()

      const accepted = acceptTags(db, [ids[0]!, ids[3]!, ids[0]!], cat, now)
      expect(accepted.entries.map((e) => [e.photoId, e.before?.status ?? null])).toEqual([
        [ids[0], 'suggested'],
        [ids[3], null],
      ])
      expect(states(db, ids[0]!)).toEqual({ cat: 'model:accepted' })
      expect(states(db, ids[3]!)).toEqual({ cat: 'person:accepted' })
      undoTagChange(db, accepted)
      expect(snapshot()).toEqual(start)

      const rejected = rejectTags(db, ids, cat, now)
      expect(rejected.entries.map((e) => e.photoId)).toEqual(ids.slice(0, 3))
      expect(ids.map((id) => states(db, id).cat)).toEqual([
        'model:rejected',
        'model:rejected',
        'model:rejected',
        undefined,
      ])
      undoTagChange(db, rejected)
      expect(snapshot()).toEqual(start)

      const added = addTag(db, [ids[1]!, ids[2]!], '  Beach  Day ', now)
      expect(added.createdTag).toBe(true)
      expect(states(db, ids[1]!)).toEqual({ 'Beach Day': 'person:accepted', cat: 'model:suggested' })
      undoTagChange(db, added)
      expect(snapshot()).toEqual(start)
      expect(findTag(db, 'beach day')).toBeUndefined()

      const removed = removeTags(db, ids, cat)
      expect(removed.entries).toHaveLength(3)
      expect(ids.map((id) => photoTags(db, id))).toEqual([[], [], [], []])
      undoTagChange(db, removed)
      expect(snapshot()).toEqual(start)

      expect(() => acceptTags(db, [ids[0]!, 999], cat, now)).toThrow(/No photo with id 999/)
      expect(snapshot()).toEqual(start)
      expect(() => acceptTags(db, [ids[0]!], 999, now)).toThrow(/No tag/)
    })

    it('renames a tag, keeping its old name for model labels; refuses a name another tag holds', () => {
      const a = photo(db, 1)
      const b = photo(db, 2)
      recordPredictions(db, { photoId: a, modelId: 'm', top: top3(1, 0.9) }, now) // automobile
      const automobile = tagId(db, 'automobile')
      expect(renameTag(db, automobile, 'Car')).toEqual({ id: automobile, name: 'Car' })
      recordPredictions(db, { photoId: b, modelId: 'm', top: top3(1, 0.8) }, now)
      expect(states(db, b)).toEqual({ Car: 'model:suggested' })
      expect(findTag(db, 'AUTOMOBILE')?.id).toBe(automobile)
      expect(searchTags(db, 'ca').map((t) => t.name)).toEqual(['Car'])
      expect(searchTags(db, 'auto')).toEqual([])

      ensureTag(db, 'Truck', now)
      expect(() => renameTag(db, automobile, 'truck')).toThrow(/merge/)
      expect(renameTag(db, automobile, 'car').name).toBe('car')
      // Renaming back frees the alias.
      expect(renameTag(db, automobile, 'automobile').name).toBe('automobile')
      expect(db.prepare('SELECT name FROM tag_aliases ORDER BY name').pluck().all()).toEqual(['car'])
    })

    it('merges tags without duplicates: the stronger decision wins where a photo had both', () => {
      const ids = [1, 2, 3, 4, 5].map((n) => photo(db, n))
      const kitty = ensureTag(db, 'kitty', now).tag.id
      // photo 1: cat suggested only; photo 2: cat suggested + kitty accepted;
      // photo 3: cat accepted + kitty rejected; photo 4: kitty only; photo 5: cat 0.6 + kitty 0.9 suggested.
      for (const id of ids.slice(0, 3)) recordPredictions(db, { photoId: id, modelId: 'm', top: top3(3, 0.7) }, now)
      const cat = tagId(db, 'cat')
      acceptTags(db, [ids[1]!], kitty, now)
      acceptTags(db, [ids[2]!], cat, now)
      addTag(db, [ids[2]!], 'kitty', now)
      rejectTags(db, [ids[2]!], kitty, now)
      addTag(db, [ids[3]!], 'Kitty', now)
      recordPredictions(db, { photoId: ids[4]!, modelId: 'm', top: top3(3, 0.6) }, now)
      db.prepare(
        `INSERT INTO photo_tags (photo_id, tag_id, source, status, score, model_id, created_at, updated_at)
         VALUES (?, ?, 'model', 'suggested', 0.9, 'm2', 'now', 'now')`,
      ).run(ids[4], kitty)

      expect(mergeTags(db, [cat], kitty, now)).toEqual({ moved: 1, combined: 3 })
      expect(findTag(db, 'cat')?.id).toBe(kitty)
      expect(ids.map((id) => states(db, id))).toEqual([
        { kitty: 'model:suggested' },
        { kitty: 'person:accepted' },
        { kitty: 'model:accepted' },
        { kitty: 'person:accepted' },
        { kitty: 'model:suggested' },
      ])
      expect(photoTags(db, ids[4]!)[0]).toMatchObject({ score: 0.9, modelId: 'm2' })
      expect(db.prepare('SELECT count(*) FROM photo_tags').pluck().get()).toBe(5)
      expect(tagCounts(db)).toEqual([{ id: kitty, name: 'kitty', accepted: 3, suggested: 2, rejected: 0, photos: 5 }])
      // Later "cat" predictions land on the merged tag.
      const six = photo(db, 6)
      recordPredictions(db, { photoId: six, modelId: 'm', top: top3(3, 0.9) }, now)
      expect(states(db, six)).toEqual({ kitty: 'model:suggested' })
    })

    it('counts per tag and searches tag names as you type (word prefixes, accents ignored)', () => {
      const ids = [1, 2, 3].map((n) => photo(db, n))
      addTag(db, ids, 'golden retriever', now)
      addTag(db, [ids[0]!], 'Café Terrace', now)
      addTag(db, [ids[0]!, ids[1]!], 'cat', now)
      addTag(db, [ids[2]!], 'bobcat', now)
      rejectTags(db, [ids[1]!], tagId(db, 'cat'), now)
      expect(tagCounts(db).map((t) => [t.name, t.photos, t.accepted, t.rejected])).toEqual([
        ['bobcat', 1, 1, 0],
        ['Café Terrace', 1, 1, 0],
        ['cat', 1, 1, 1],
        ['golden retriever', 3, 3, 0],
      ])
      const names = (q: string): string[] => searchTags(db, q).map((t) => t.name)
      expect(names('ret')).toEqual(['golden retriever'])
      expect(names('GOLD ret')).toEqual(['golden retriever'])
      expect(names('ca')).toEqual(['Café Terrace', 'cat'])
      expect(names('cafe')).toEqual(['Café Terrace'])
      expect(names('te')).toEqual(['Café Terrace'])
      expect(names('"*()')).toEqual([])
      expect(names('zebra')).toEqual([])
    })
  })

  describe('listing photos', () => {
    // 500 photos: class n % 10 with probability 0.3 + (n % 7) / 10; every 5th missing; model m on the first 400.
    let ids: number[]
    beforeEach(() => {
      ids = []
      db.transaction(() => {
        for (let n = 1; n <= 500; n++) {
          const id = photo(db, n)
          ids.push(id)
          if (n <= 400) recordPredictions(db, { photoId: id, modelId: 'm', top: top3(n % 10, 0.3 + (n % 7) / 10) }, now)
          if (n % 5 === 0) setPhotoStatus(db, id, 'missing', now)
        }
      })()
    })

    const expected = (predicate: (n: number) => boolean): number[] =>
      Array.from({ length: 500 }, (_, i) => i + 1)
        .filter(predicate)
        .map((n) => ids[n - 1]!)
    const pOf = (n: number): number => 0.3 + (n % 7) / 10

    it('pages through everything by id with keyset pagination, every photo once', () => {
      expect(allPages(db, {}, 64)).toEqual(ids)
      expect(allPages(db, {}, 500)).toEqual(ids)
      expect(allPages(db, {}, 1)).toEqual(ids)
      expect(listPhotos(db, {}, { limit: 3 }).photos.map((p) => p.path)).toEqual([
        '/photos/00001.jpg',
        '/photos/00002.jpg',
        '/photos/00003.jpg',
      ])
      expect(countPhotos(db)).toBe(500)
    })

    it('filters by tag, needs-review, status, model, probability and tag search, and counts the same', () => {
      const cat = tagId(db, 'cat')
      const cases: [PhotoFilter, number[]][] = [
        [{ tagIds: [cat] }, expected((n) => n <= 400 && n % 10 === 3 && pOf(n) >= 0.5)],
        [{ needsReview: true }, expected((n) => n <= 400 && pOf(n) >= 0.5)],
        [{ needsReview: false }, expected((n) => n > 400 || pOf(n) < 0.5)],
        [{ status: 'missing' }, expected((n) => n % 5 === 0)],
        [{ modelId: 'm' }, expected((n) => n <= 400)],
        [{ modelId: 'm2' }, []],
        [
          { modelId: 'm', minProbability: 0.55, maxProbability: 0.85, status: 'present' },
          expected((n) => n <= 400 && pOf(n) >= 0.55 && pOf(n) <= 0.85 && n % 5 !== 0),
        ],
        [{ tagQuery: 'ca' }, expected((n) => n <= 400 && n % 10 === 3 && pOf(n) >= 0.5)],
        [{ tagQuery: 'zzz' }, []],
        [{ tagQuery: '!!' }, []],
        [{ tagIds: [] }, ids],
      ]
      for (const [filter, want] of cases) {
        expect(allPages(db, filter, 7), JSON.stringify(filter)).toEqual(want)
        expect(countPhotos(db, filter), JSON.stringify(filter)).toBe(want.length)
      }
      expect(() => listPhotos(db, { minProbability: 0.5 })).toThrow(/modelId/)

      // A rejected tag does not count as the photo having it; two tags: both needed.
      const first = expected((n) => n <= 400 && n % 10 === 3 && pOf(n) >= 0.5)[0]!
      rejectTags(db, [first], cat, now)
      expect(allPages(db, { tagIds: [cat] }, 50)).not.toContain(first)
      addTag(db, ids.slice(0, 20), 'holiday', now)
      const holiday = tagId(db, 'holiday')
      expect(first).toBe(ids[2])
      expect(allPages(db, { tagIds: [cat, holiday] }, 50)).toEqual([ids[12]])
      expect(allPages(db, { tagQuery: 'holi' }, 50)).toEqual(ids.slice(0, 20))
    })

    it('queues suggestions for review class by class, lowest probability first, skipping missing photos', () => {
      const groups = reviewGroups(db)
      // Classes 0 (airplane) and 5 (dog) fall on photos n % 5 = 0, all missing.
      expect(groups.map((g) => g.name)).toEqual(LABELS.filter((l) => l !== 'airplane' && l !== 'dog').sort())
      const cat = groups.find((g) => g.name === 'cat')!
      const catItems = expected((n) => n <= 400 && n % 10 === 3 && pOf(n) >= 0.5 && n % 5 !== 0)
      expect(cat.count).toBe(catItems.length)
      expect(cat.lowestScore).toBeCloseTo(0.5)

      const items: ReviewItem[] = []
      let after = null
      do {
        const page = reviewQueue(db, { after, limit: 13 })
        items.push(...page.items)
        after = page.next
      } while (after)
      expect(items).toHaveLength(groups.reduce((n, g) => n + g.count, 0))
      const key = (i: ReviewItem): string => `${i.name}|${i.score.toFixed(6)}|${String(i.photoId).padStart(6, '0')}`
      expect(items.map(key)).toEqual(items.map(key).sort())
      expect(new Set(items.map((i) => `${i.tagId}:${i.photoId}`)).size).toBe(items.length)

      const onlyCat = reviewQueue(db, { tagId: cat.tagId, limit: 1000 }).items
      expect(onlyCat.map((i) => i.photoId).sort((a, b) => a - b)).toEqual(catItems)
      expect(onlyCat.map((i) => i.score)).toEqual(onlyCat.map((i) => i.score).sort((a, b) => a - b))

      // Deciding takes the item out of the queue.
      acceptTags(db, [onlyCat[0]!.photoId], cat.tagId, now)
      expect(reviewQueue(db, { tagId: cat.tagId, limit: 1000 }).items).toHaveLength(onlyCat.length - 1)
      expect(getPhoto(db, onlyCat[0]!.photoId)?.status).toBe('present')
    })
  })
})
