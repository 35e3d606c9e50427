/**
 * `npx tsx scripts/bench-grid.ts [photos]` (after `npx electron-vite build`): how the Library screen
 * behaves with a large library, in headless Chromium over the real renderer bundle and the real
 * main-process services (the test bridge stands in for Electron's IPC).
 *
 * Builds a library of 50,000 photos (hard links to four CIFAR-10 JPEGs under different names, so every
 * row is a real file and the four thumbnails are made once), each with the bundled model's top-5 and its
 * suggestions at the default threshold, and some decisions. Then prints:
 * - the time from opening the Library to the first screen of tiles, and to their thumbnails;
 * - the time to filter by a tag (first screen of its photos, with the count);
 * - scrolling: 5,000 px/s for 5 s (and a faster fling), frame times measured with requestAnimationFrame
 *   in the page: frames, frames over 32 ms ("dropped"), p95 and worst frame, how many tiles the page
 *   held at most, and the share of frames with grey (not yet loaded) tiles on screen;
 * - a jump to the middle of the grid: the time until its tiles are loaded (keyset pages are read in order).
 * Measured 10 s after the engine is ready (BENCH_SETTLE_MS=0 measures right away: on a 2-core machine the
 * engine's WebAssembly compilation then costs frames).
 */
import { createHash } from 'node:crypto'
import os from 'node:os'
import { linkSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { addPhoto } from '../src/main/photo-library'
import { acceptTags, recordPredictions, rejectTags, addTag, type ScoredClass } from '../src/main/tags'
import { openApp } from '../tests/support/app-session'
import { waitForProvider } from '../tests/support/cards'
import { cifarHalfDir } from '../tests/support/shared'

const PHOTOS = Number(process.argv[2] ?? 50_000)
/** How long to wait after the engine is ready (BENCH_SETTLE_MS; 0 measures a cold start). */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 10_000)
const MODEL = 'resnet56-cifar10'
const SOURCES = ['cat/0000.jpg', 'ship/0000.jpg', 'truck/0000.jpg', 'frog/0000.jpg']
const LABELS = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']

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

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`
}

function buildLibrary(app: Awaited<ReturnType<typeof openApp>>): void {
  const { db, dataDir } = app.services
  const folder = join(dataDir, 'bench-photos')
  mkdirSync(folder, { recursive: true })
  const sources = SOURCES.map((path) => {
    const file = join(cifarHalfDir(), path)
    const bytes = readFileSync(file)
    return { file, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }
  })
  const rand = random(7)
  let clock = Date.UTC(2025, 0, 1)
  const now = (): Date => new Date((clock += 1000))
  db.transaction(() => {
    for (let n = 0; n < PHOTOS; n++) {
      const source = sources[n % sources.length]!
      const path = join(folder, `IMG_${String(n).padStart(6, '0')}.jpg`)
      linkSync(source.file, path)
      const photo = addPhoto(
        db,
        {
          path,
          size: source.size,
          mtimeMs: 1_700_000_000_000 + n,
          sha256: source.sha256,
          width: 32,
          height: 32,
          takenAt: null,
        },
        now,
      )
      const order = [...LABELS.keys()].sort(() => rand() - 0.5).slice(0, 5)
      let left = 1
      const top: ScoredClass[] = order.map((index, rank) => {
        const p = rank === 4 ? left * 0.5 : left * (rank === 0 ? 0.2 + 0.79 * rand() : 0.6 * rand())
        left -= p
        return { index, label: LABELS[index]!, p }
      })
      top.sort((a, b) => b.p - a.p)
      recordPredictions(db, { photoId: photo.id, modelId: MODEL, top, threshold: 0.5 }, now)
    }
    // A person's decisions: every 7th photo's suggestions accepted, every 11th's rejected; every 20th tagged.
    const tags = db.prepare('SELECT id FROM tags').pluck().all() as number[]
    for (const tagId of tags) {
      const ids = db
        .prepare("SELECT photo_id FROM photo_tags WHERE tag_id = ? AND status = 'suggested'")
        .pluck()
        .all(tagId) as number[]
      acceptTags(
        db,
        ids.filter((id) => id % 7 === 0),
        tagId,
        now,
      )
      rejectTags(
        db,
        ids.filter((id) => id % 11 === 0),
        tagId,
        now,
      )
    }
    const all = db.prepare('SELECT id FROM photos').pluck().all() as number[]
    addTag(
      db,
      all.filter((id) => id % 20 === 0),
      'holiday',
      now,
    )
  })()
  db.pragma('optimize')
}

/**
 * Waits (in the page) until the grid's visible cells all hold photos (and, with `images`, their
 * thumbnails are decoded); with `click`, clicks that element first. Resolves the time it took.
 */
function waitForScreen(page: Page, images: boolean, click?: string): Promise<number> {
  return page.evaluate(
    async ({ images, click }) => {
      const start = performance.now()
      if (click) document.querySelector<HTMLElement>(click)!.click()
      for (;;) {
        const grid = document.querySelector<HTMLElement>('[data-testid="library-grid"]')
        if (grid) {
          const g = grid.getBoundingClientRect()
          const visible = (el: Element): boolean => {
            const r = el.getBoundingClientRect()
            return r.bottom > g.top && r.top < g.bottom
          }
          const tiles = [...grid.querySelectorAll('[data-testid="library-tile"]')].filter(visible)
          const holes = [...grid.querySelectorAll('[data-testid="library-tile-placeholder"]')].filter(visible)
          const decoded = (t: Element): boolean => {
            const img = t.querySelector('img')
            return img !== null && img.complete && img.naturalWidth > 0
          }
          if (tiles.length > 0 && holes.length === 0 && (!images || tiles.every(decoded))) {
            return performance.now() - start
          }
        }
        await new Promise((r) => requestAnimationFrame(r))
      }
    },
    { images, click },
  )
}

interface ScrollStats {
  frames: number
  dropped: number
  p95: number
  worst: number
  mean: number
  maxTiles: number
  framesWithHoles: number
  distance: number
  loaded: number
}

/** Scrolls the grid at `speed` px/s for `seconds`, one step per animation frame, and times the frames. */
function scroll(page: Page, speed: number, seconds: number): Promise<ScrollStats> {
  return page.evaluate(
    async ({ speed, seconds }) => {
      const grid = document.querySelector<HTMLElement>('[data-testid="library-grid"]')!
      const intervals: number[] = []
      let maxTiles = 0
      let framesWithHoles = 0
      const startTop = grid.scrollTop
      await new Promise<void>((resolve) => {
        let last = performance.now()
        const start = last
        const step = (now: number): void => {
          intervals.push(now - last)
          last = now
          grid.scrollTop = startTop + (speed * (now - start)) / 1000
          maxTiles = Math.max(
            maxTiles,
            grid.querySelectorAll('[data-testid="library-tile"], [data-testid="library-tile-placeholder"]').length,
          )
          const g = grid.getBoundingClientRect()
          const hole = [...grid.querySelectorAll('[data-testid="library-tile-placeholder"]')].some((el) => {
            const r = el.getBoundingClientRect()
            return r.bottom > g.top && r.top < g.bottom
          })
          if (hole) framesWithHoles++
          if (now - start < seconds * 1000) requestAnimationFrame(step)
          else resolve()
        }
        requestAnimationFrame((now) => {
          last = now
          requestAnimationFrame(step)
        })
      })
      const sorted = [...intervals].sort((a, b) => a - b)
      return {
        frames: intervals.length,
        dropped: intervals.filter((t) => t > 32).length,
        p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
        worst: sorted.at(-1) ?? 0,
        mean: intervals.reduce((a, b) => a + b, 0) / Math.max(1, intervals.length),
        maxTiles,
        framesWithHoles,
        distance: grid.scrollTop - startTop,
        loaded: Number(grid.dataset.loaded),
      }
    },
    { speed, seconds },
  )
}

function report(label: string, s: ScrollStats): void {
  console.log(
    `${label}: ${s.frames} frames (${(1000 / s.mean).toFixed(0)} fps mean), ${s.dropped} over 32 ms, ` +
      `p95 ${ms(s.p95)}, worst ${ms(s.worst)}; ${Math.round(s.distance).toLocaleString('en-US')} px scrolled; ` +
      `at most ${s.maxTiles} tiles in the page; grey tiles on screen in ${s.framesWithHoles} frames; ` +
      `${s.loaded.toLocaleString('en-US')} photos loaded`,
  )
}

const app = await openApp()
try {
  const { page, services } = app
  const built = performance.now()
  buildLibrary(app)
  const count = (sql: string): number => services.db.prepare(sql).pluck().get() as number
  console.log(
    `Library: ${count('SELECT count(*) FROM photos').toLocaleString('en-US')} photos, ` +
      `${count('SELECT count(*) FROM photo_tags').toLocaleString('en-US')} photo tags, ` +
      `${count("SELECT count(*) FROM photos p WHERE EXISTS (SELECT 1 FROM photo_tags WHERE photo_id = p.id AND status = 'suggested')").toLocaleString('en-US')} need review ` +
      `(built in ${((performance.now() - built) / 1000).toFixed(1)} s)`,
  )
  // The engine loads the model at start and the browser keeps compiling ORT's WebAssembly in the background
  // for several seconds: on a small machine that competes with the page. Measure once it has settled.
  const provider = await waitForProvider(page, /^(WASM|WebGPU)/)
  await page.waitForTimeout(SETTLE_MS)
  const size = page.viewportSize()!
  console.log(
    `Window ${size.width} × ${size.height} px, headless Chromium ${app.browser.version()}, ` +
      `${os.cpus().length} CPU cores; engine ${provider}, measured ${(SETTLE_MS / 1000).toFixed(0)} s after it started\n`,
  )

  // Opening the Library: the first screen of tiles, then their thumbnails.
  const tilesMs = await waitForScreen(page, false, '[data-testid="nav-library"]')
  const thumbsMs = await waitForScreen(page, true)
  const columns = await page.getByTestId('library-grid').getAttribute('data-columns')
  const onScreen = await page.$$eval('[data-testid="library-tile"]', (t) => t.length)
  console.log(
    `open the Library: first screen of tiles in ${ms(tilesMs)} ` +
      `(${columns} columns, ${onScreen} tiles in the page), thumbnails shown ${ms(thumbsMs)} later`,
  )

  // Filtering by a tag.
  const tag = services.db.prepare("SELECT id, name FROM tags WHERE name = 'ship'").get() as { id: number; name: string }
  const expected = count(
    `SELECT count(*) FROM photo_tags WHERE tag_id = ${tag.id} AND status IN ('suggested', 'accepted')`,
  )
  const filterMs = await page.evaluate(
    async ({ id, total }) => {
      const select = document.querySelector<HTMLSelectElement>('[data-testid="filter-tag"]')!
      const start = performance.now()
      select.value = String(id)
      select.dispatchEvent(new Event('change', { bubbles: true }))
      for (;;) {
        const counts = document.querySelector('[data-testid="library-counts"]')
        const first = document.querySelector('[data-testid="library-tile"]')
        const shows = first?.querySelector(`[data-testid="tile-tag"][data-tag-id="${id}"]`)
        if (counts?.getAttribute('data-total') === String(total) && shows) return performance.now() - start
        await new Promise((r) => requestAnimationFrame(r))
      }
    },
    { id: tag.id, total: expected },
  )
  console.log(`filter by the tag "${tag.name}" (${expected.toLocaleString('en-US')} photos): ${ms(filterMs)}`)
  const clearMs = await page.evaluate(async () => {
    const select = document.querySelector<HTMLSelectElement>('[data-testid="filter-tag"]')!
    const start = performance.now()
    select.value = ''
    select.dispatchEvent(new Event('change', { bubbles: true }))
    for (;;) {
      const grid = document.querySelector('[data-testid="library-grid"]')
      if (Number(grid?.getAttribute('data-total')) > 40_000 && document.querySelector('[data-testid="library-tile"]')) {
        return performance.now() - start
      }
      await new Promise((r) => requestAnimationFrame(r))
    }
  })
  console.log(`back to every photo: ${ms(clearMs)}\n`)

  await waitForScreen(page, true)
  report('scroll 5,000 px/s for 5 s', await scroll(page, 5000, 5))
  report('fling 25,000 px/s for 2 s', await scroll(page, 25_000, 2))

  // A jump to the middle: the pages before it are read in order (keyset), the tiles fill when they arrive.
  const jumpMs = await page.evaluate(async () => {
    const grid = document.querySelector<HTMLElement>('[data-testid="library-grid"]')!
    const start = performance.now()
    grid.scrollTop = grid.scrollHeight / 2
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r))
      const g = grid.getBoundingClientRect()
      const holes = [...grid.querySelectorAll('[data-testid="library-tile-placeholder"]')].some((el) => {
        const r = el.getBoundingClientRect()
        return r.bottom > g.top && r.top < g.bottom
      })
      if (!holes && grid.querySelector('[data-testid="library-tile"]')) return performance.now() - start
    }
  })
  const loaded = Number(await page.getByTestId('library-grid').getAttribute('data-loaded'))
  console.log(
    `jump to the middle (scrollbar): tiles there after ${ms(jumpMs)} (${loaded.toLocaleString('en-US')} photos loaded by then)`,
  )
  report('scroll 5,000 px/s for 5 s from the middle', await scroll(page, 5000, 5))
  if (app.consoleErrors.length > 0) console.log('\npage errors:', app.consoleErrors.slice(0, 5))
} finally {
  await app.close()
}
