/**
 * `npx tsx scripts/bench-library.ts [photos]`: how fast the photo library answers the grid at scale.
 * Builds a library of 50,000 synthetic photos (ImageNet labels, top-5 predictions each, the model's
 * suggestions at the default threshold, some decisions and a person's tag) in a temporary database,
 * then prints, in ms: opening it (open + first page + count + tag counts), filtering by a tag,
 * paging through everything, search-as-you-type and the review queue.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Db } from '../src/main/db/database'
import {
  addPhoto,
  countPhotos,
  listPhotos,
  reviewGroups,
  reviewQueue,
  type PhotoFilter,
} from '../src/main/photo-library'
import {
  acceptTags,
  addTag,
  findTag,
  recordPredictions,
  rejectTags,
  searchTags,
  tagCounts,
  type ScoredClass,
} from '../src/main/tags'

const PHOTOS = Number(process.argv[2] ?? 50_000)
const PAGE = 200
const MODEL = 'resnet50-imagenet'

const labels = readFileSync(join(import.meta.dirname, '..', 'resources', 'labels', 'imagenet-1k.txt'), 'utf8')
  .trim()
  .split('\n')

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = seed
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now()
  const value = fn()
  return [value, performance.now() - start]
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`
}

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return `median ${ms(at(0.5))}, p95 ${ms(at(0.95))}, max ${ms(sorted.at(-1)!)}`
}

function build(db: Db): void {
  const rand = random(42)
  db.prepare(
    `INSERT INTO models (id, name, file, sha256, card, builtin, added_at) VALUES (?, 'ResNet-50', 'r.onnx', ?, '{}', 0, 'now')`,
  ).run(MODEL, 'a'.repeat(64))
  let clock = Date.UTC(2025, 0, 1)
  const now = (): Date => new Date((clock += 1000))
  // Class popularity falls off like a Zipf law, so some tags are common and most are rare.
  const classOf = (): number => Math.min(labels.length - 1, Math.floor(labels.length * rand() ** 3))
  const ids: number[] = []
  db.transaction(() => {
    for (let n = 0; n < PHOTOS; n++) {
      const photo = addPhoto(
        db,
        {
          path: `/Users/someone/Pictures/${2015 + (n % 10)}/IMG_${String(n).padStart(6, '0')}.jpg`,
          size: 2_000_000 + n,
          mtimeMs: 1_600_000_000_000 + n * 1000,
          sha256: n.toString(16).padStart(64, '0'),
          width: 4032,
          height: 3024,
          takenAt: null,
        },
        now,
      )
      ids.push(photo.id)
      const classes = new Set<number>()
      while (classes.size < 5) classes.add(classOf())
      let left = 1
      const top: ScoredClass[] = [...classes].map((index, rank) => {
        const p = rank === 4 ? left * 0.5 : left * (rank === 0 ? 0.1 + 0.89 * rand() : 0.6 * rand())
        left -= p
        return { index, label: labels[index]!, p }
      })
      top.sort((a, b) => b.p - a.p)
      recordPredictions(db, { photoId: photo.id, modelId: MODEL, top }, now)
    }
    // A person's decisions: every 7th photo accepts its suggestions, every 11th rejects them.
    for (const t of tagCounts(db)) {
      const withTag = db
        .prepare("SELECT photo_id FROM photo_tags WHERE tag_id = ? AND status = 'suggested'")
        .pluck()
        .all(t.id) as number[]
      acceptTags(
        db,
        withTag.filter((id) => id % 7 === 0),
        t.id,
        now,
      )
      rejectTags(
        db,
        withTag.filter((id) => id % 11 === 0),
        t.id,
        now,
      )
    }
    addTag(
      db,
      ids.filter((id) => id % 20 === 0),
      'holiday',
      now,
    )
  })()
}

const dir = mkdtempSync(join(tmpdir(), 'bench-library-'))
const file = join(dir, 'library.db')
try {
  const [, buildMs] = time(() => {
    const db = openDatabase(file)
    build(db)
    db.pragma('optimize')
    db.close()
  })
  const setup = openDatabase(file)
  const count = (sql: string): number => setup.prepare(sql).pluck().get() as number
  console.log(
    `Library: ${count('SELECT count(*) FROM photos')} photos, ${count('SELECT count(*) FROM predictions')} predictions, ` +
      `${count('SELECT count(*) FROM tags')} tags, ${count('SELECT count(*) FROM photo_tags')} photo tags ` +
      `(built in ${(buildMs / 1000).toFixed(1)} s)\n`,
  )
  setup.close()

  // Opening the library: what the Library screen needs for its first paint.
  const opens: number[] = []
  let db!: Db
  for (let i = 0; i < 5; i++) {
    db?.close()
    const [, openMs] = time(() => {
      db = openDatabase(file)
      listPhotos(db, { status: 'present' }, { limit: PAGE })
      countPhotos(db, { status: 'present' })
      tagCounts(db)
    })
    opens.push(openMs)
  }
  console.log(
    `open library (open DB + first page of ${PAGE} + count + tag counts): first ${ms(opens[0]!)}, then ${stats(opens.slice(1))}`,
  )
  const [, tagCountsMs] = time(() => tagCounts(db))
  console.log(`  of which tag counts (${tagCounts(db).length} tags): ${ms(tagCountsMs)}`)

  const byPhotos = tagCounts(db)
    .filter((t) => t.name !== 'holiday')
    .sort((a, b) => b.photos - a.photos)
  const common = byPhotos[0]!
  const rare = byPhotos.find((t) => t.photos > 0 && t.photos <= 10) ?? byPhotos.at(-1)!
  const holiday = findTag(db, 'holiday')!
  const firstPage = (filter: PhotoFilter, label: string): void => {
    const samples: number[] = []
    let found = 0
    for (let i = 0; i < 20; i++) {
      const [page, t] = time(() => listPhotos(db, filter, { limit: PAGE }))
      samples.push(t)
      found = page.photos.length
    }
    const [total, countMs] = time(() => countPhotos(db, filter))
    console.log(`${label}: first page (${found} of ${total}) ${stats(samples)}; count ${ms(countMs)}`)
  }
  console.log('')
  firstPage({ tagIds: [common.id] }, `filter by a common tag "${common.name}"`)
  firstPage({ tagIds: [rare.id] }, `filter by a rare tag "${rare.name}"`)
  firstPage({ tagIds: [holiday.id] }, 'filter by a person\'s tag "holiday"')
  firstPage({ needsReview: true }, 'filter "needs review"')
  firstPage({ modelId: MODEL, minProbability: 0.3, maxProbability: 0.4 }, 'filter top-1 probability 30–40 %')
  firstPage({ tagIds: [common.id], needsReview: true }, 'filter common tag + needs review')

  // Paging through the whole grid, as a fast scroll to the bottom would.
  console.log('')
  for (const [label, filter] of [
    ['all photos', {}],
    [`tag "${common.name}"`, { tagIds: [common.id] }],
  ] as [string, PhotoFilter][]) {
    const pages: number[] = []
    let after: number | null = null
    let seen = 0
    const [, allMs] = time(() => {
      do {
        const [page, t] = time(() => listPhotos(db, filter, { after, limit: PAGE }))
        pages.push(t)
        seen += page.photos.length
        after = page.nextAfter
      } while (after !== null)
    })
    console.log(
      `page through ${label}: ${seen} photos in ${pages.length} pages of ${PAGE}, ${ms(allMs)} in all; per page ${stats(pages)}`,
    )
  }

  // Search as you type: each keystroke asks for the matching tags and the grid's first page.
  console.log('')
  for (const word of ['golden retriever', 'tab', 'sea sn', 'zzz']) {
    const keystrokes: number[] = []
    for (let i = 1; i <= word.length; i++) {
      const typed = word.slice(0, i)
      const [, t] = time(() => {
        searchTags(db, typed, 10)
        listPhotos(db, { tagQuery: typed }, { limit: PAGE })
        countPhotos(db, { tagQuery: typed })
      })
      keystrokes.push(t)
    }
    const matches = countPhotos(db, { tagQuery: word })
    console.log(
      `search as you type "${word}" (${matches} photos at the end), per keystroke (tags + first page + count): ${stats(keystrokes)}`,
    )
  }

  console.log('')
  const [groups, groupsMs] = time(() => reviewGroups(db))
  console.log(`review groups: ${groups.length} classes in ${ms(groupsMs)}`)
  const queue: number[] = []
  for (let i = 0; i < 20; i++) queue.push(time(() => reviewQueue(db, { limit: 50 }))[1])
  console.log(`review queue, first 50: ${stats(queue)}`)
  const one: number[] = []
  for (let i = 0; i < 20; i++) one.push(time(() => reviewQueue(db, { tagId: common.id, limit: 50 }))[1])
  console.log(`review queue of "${common.name}", first 50: ${stats(one)}`)
  db.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
