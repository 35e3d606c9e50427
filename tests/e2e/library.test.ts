import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApp, type AppSession } from '../support/app-session'
import { waitForProvider } from '../support/cards'
import { bundledModelVerdicts } from '../support/node-verdicts'
import { cifarHalfDir, readReferencePredictions } from '../support/shared'

const CLASSES = ['cat', 'ship', 'truck'] as const
const PER_CLASS = 4

/**
 * Four photos of each class that PyTorch's ResNet-56 gets right with p ≥ 0.6 and that the bundled model's profile
 * knows, with a calibrated p ≥ 0.6 (the engine worker's figure): each becomes a suggestion.
 */
async function pickPhotos(): Promise<{ path: string; file: string; label: string; p: number }[]> {
  const labels = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
  const rows = readReferencePredictions()
  const candidates = CLASSES.flatMap((name) =>
    rows
      .filter(
        (r) => r.path.startsWith(`${name}/`) && r.resnet56 === r.label && r.resnet56P >= 0.6 && r.resnet56P <= 0.99,
      )
      .slice(0, 3 * PER_CLASS),
  )
  const verdicts = await bundledModelVerdicts(candidates.map((r) => join(cifarHalfDir(), r.path)))
  return CLASSES.flatMap((name) =>
    candidates
      .filter((r) => r.path.startsWith(`${name}/`))
      .map((r) => ({ row: r, node: verdicts.get(join(cifarHalfDir(), r.path))! }))
      .filter(({ node }) => !node.verdict.unknown && node.label === name && node.p >= 0.6)
      .slice(0, PER_CLASS)
      .map(({ row, node }) => ({
        path: row.path,
        file: `${name}-${basename(row.path)}`,
        label: labels[row.label]!,
        p: node.p,
      })),
  )
}

interface TagRow {
  photoId: number
  file: string
  status: string
  source: string
  score: number | null
}

/** What the database says about one tag: each photo with it, by file name. */
function tagRows(app: AppSession, name: string): TagRow[] {
  return (
    app.services.db
      .prepare(
        `SELECT pt.photo_id AS photoId, p.path, pt.status, pt.source, pt.score FROM photo_tags pt
         JOIN tags t ON t.id = pt.tag_id JOIN photos p ON p.id = pt.photo_id WHERE t.name = ? ORDER BY pt.photo_id`,
      )
      .all(name) as { photoId: number; path: string; status: string; source: string; score: number | null }[]
  ).map((r) => ({ photoId: r.photoId, file: basename(r.path), status: r.status, source: r.source, score: r.score }))
}

function statusOf(app: AppSession, photoId: number, tagId: number): string | undefined {
  return app.services.db
    .prepare('SELECT status FROM photo_tags WHERE photo_id = ? AND tag_id = ?')
    .pluck()
    .get(photoId, tagId) as string | undefined
}

/** The tiles the grid shows now: file name, id, and their tags with status. */
async function tiles(page: Page): Promise<{ id: number; file: string; tags: { name: string; status: string }[] }[]> {
  return page.$$eval('[data-testid="library-tile"]', (nodes) =>
    nodes.map((n) => ({
      id: Number(n.getAttribute('data-photo-id')),
      file: n.getAttribute('data-file-name') ?? '',
      tags: [...n.querySelectorAll('[data-testid="tile-tag"]')].map((t) => ({
        name: t.getAttribute('data-tag') ?? '',
        status: t.getAttribute('data-status') ?? '',
      })),
    })),
  )
}

async function gridFiles(page: Page): Promise<string[]> {
  return (await tiles(page)).map((t) => t.file).sort()
}

describe('Library and Review', () => {
  let app: AppSession
  let root: string
  let folder: string
  let photos: Awaited<ReturnType<typeof pickPhotos>> = []

  beforeAll(async () => {
    photos = await pickPhotos()
    root = mkdtempSync(join(tmpdir(), 'resnet-lens-library-'))
    folder = join(root, 'holiday')
    mkdirSync(join(folder, 'day2'), { recursive: true })
    photos.forEach((p, i) => copyFileSync(join(cifarHalfDir(), p.path), join(folder, i % 2 ? 'day2' : '', p.file)))
    writeFileSync(join(folder, 'day2', 'notes.txt'), 'not a photo')
    app = await openApp()
  })
  afterAll(async () => {
    await app?.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('adds a dropped folder, says what it skipped, and classifies the photos with the active model', async () => {
    expect(photos).toHaveLength(CLASSES.length * PER_CLASS)
    const { page } = app
    await waitForProvider(page, /^WASM/)
    await page.keyboard.press('Control+4')
    await page.getByTestId('library-screen').waitFor()
    await page.getByTestId('library-empty').waitFor()

    // A folder dropped from the file manager: Chromium gets its real path (CDP), the bridge maps it.
    await page.evaluate(
      ([name, path]) => {
        ;(globalThis as unknown as { __testDropPaths: Record<string, string> }).__testDropPaths = { [name!]: path! }
      },
      [basename(folder), folder],
    )
    const cdp = await page.context().newCDPSession(page)
    const box = (await page.getByTestId('library-grid').boundingBox())!
    const data = { items: [], files: [folder], dragOperationsMask: 1 }
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
      await cdp.send('Input.dispatchDragEvent', { type, x: box.x + box.width / 2, y: box.y + box.height / 2, data })
    }

    const report = page.getByTestId('library-report')
    await expect.poll(() => report.getAttribute('data-added'), { timeout: 30_000 }).toBe(String(photos.length))
    expect(await report.getAttribute('data-skipped')).toBe('1')
    expect(await report.getByTestId('report-skipped').getAttribute('data-path')).toBe(join(folder, 'day2', 'notes.txt'))
    expect(await report.textContent()).toMatch(/not an image file/)

    // Classified in the renderer's engine, recorded in batches; every photo gets its suggestion.
    const job = page.getByTestId('library-classify')
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    expect(await job.getAttribute('data-done')).toBe(String(photos.length))
    expect(await job.getAttribute('data-failed')).toBe('0')
    await expect
      .poll(async () => (await tiles(page)).filter((t) => t.tags.some((g) => g.status === 'suggested')).length)
      .toBe(photos.length)
    for (const name of CLASSES) {
      const rows = tagRows(app, name)
      expect(rows.map((r) => r.file).sort()).toEqual(
        photos
          .filter((p) => p.label === name)
          .map((p) => p.file)
          .sort(),
      )
      for (const row of rows) {
        expect(row).toMatchObject({ status: 'suggested', source: 'model' })
        const reference = photos.find((p) => p.file === row.file)!
        expect(Math.abs(row.score! - reference.p)).toBeLessThan(0.02)
      }
    }
    const counts = page.getByTestId('library-counts')
    expect(await counts.getAttribute('data-total')).toBe(String(photos.length))
    expect(await counts.textContent()).toMatch(/12 photos · 12 need review/)

    // The same folder through "Add photos…" and the folder dialog: nothing new.
    app.services.dialogAnswers.folders.push([folder])
    await page.getByTestId('library-add').click()
    await expect.poll(() => report.textContent()).toMatch(/Added 0 photos · 12 already in the library/)
  })

  it('reviews suggestions with the keyboard: A accepts, R rejects, Z undoes', async () => {
    const { page } = app
    await page.keyboard.press('Control+5')
    await page.getByTestId('review-screen').waitFor()
    const groups = page.getByTestId('review-group')
    await expect.poll(() => groups.count()).toBe(CLASSES.length + 1)
    expect(await groups.first().getAttribute('data-count')).toBe(String(photos.length))

    const item = page.getByTestId('review-item')
    await item.waitFor()
    const read = async () => ({
      photoId: Number(await item.getAttribute('data-photo-id')),
      tagId: Number(await item.getAttribute('data-tag-id')),
      tag: (await item.getAttribute('data-tag'))!,
      score: Number(await item.getAttribute('data-score')),
    })
    // Class by class (by name), the least sure first.
    const first = await read()
    const cats = tagRows(app, 'cat')
    expect(first.tag).toBe('cat')
    expect(first.score).toBeCloseTo(Math.min(...cats.map((r) => r.score!)), 6)
    expect(await page.getByTestId('review-accept').getAttribute('title')).toMatch(/\(A\)$/)

    await page.keyboard.press('a')
    await expect.poll(() => statusOf(app, first.photoId, first.tagId)).toBe('accepted')
    await expect.poll(async () => (await read()).photoId).not.toBe(first.photoId)
    const second = await read()
    expect(second.score).toBeGreaterThanOrEqual(first.score)

    await page.keyboard.press('r')
    await expect.poll(() => statusOf(app, second.photoId, second.tagId)).toBe('rejected')
    expect(statusOf(app, first.photoId, first.tagId)).toBe('accepted')

    // Z undoes the last decision and goes back to it.
    await page.keyboard.press('z')
    await expect.poll(() => statusOf(app, second.photoId, second.tagId)).toBe('suggested')
    await expect.poll(async () => (await read()).photoId).toBe(second.photoId)
    expect(await item.getAttribute('data-decision')).toBe('')
    expect(statusOf(app, first.photoId, first.tagId)).toBe('accepted')

    // ← goes back to the accepted one; → forward again.
    await page.keyboard.press('ArrowLeft')
    await expect.poll(async () => (await read()).photoId).toBe(first.photoId)
    expect(await item.getAttribute('data-decision')).toBe('accepted')
    await page.keyboard.press('ArrowRight')
    await expect.poll(async () => (await read()).photoId).toBe(second.photoId)
  })

  it('filters by tag and by search, and bulk-accepts a keyboard selection', async () => {
    const { page } = app
    await page.keyboard.press('Control+4')
    await page.getByTestId('library-screen').waitFor()
    const ships = tagRows(app, 'ship').filter((r) => r.status !== 'rejected')
    const expected = photos
      .filter((p) => p.label === 'ship')
      .map((p) => p.file)
      .sort()
    expect(ships.map((r) => r.file).sort()).toEqual(expected)

    // The tag filter.
    const shipTagId = app.services.db.prepare("SELECT id FROM tags WHERE name = 'ship'").pluck().get() as number
    await page.getByTestId('filter-tag').selectOption(String(shipTagId))
    await expect.poll(() => gridFiles(page)).toEqual(expected)
    expect(await page.getByTestId('library-counts').getAttribute('data-total')).toBe(String(expected.length))
    await page.getByTestId('filter-tag').selectOption('')
    await expect.poll(() => gridFiles(page).then((f) => f.length)).toBe(photos.length)

    // The top-1 probability of the active model, from 90 %.
    const sure = (
      app.services.db
        .prepare(
          "SELECT p.path FROM classifications c JOIN photos p ON p.id = c.photo_id WHERE c.model_id = 'resnet56-cifar10' AND c.top_p >= 0.9",
        )
        .pluck()
        .all() as string[]
    )
      .map((path) => basename(path))
      .sort()
    expect(sure.length).toBeGreaterThan(0)
    expect(sure.length).toBeLessThan(photos.length)
    await page.getByTestId('filter-min-p').fill('90')
    await page.getByTestId('filter-min-p').press('Enter')
    await expect.poll(() => gridFiles(page)).toEqual(sure)
    await page.getByTestId('filter-clear').click()
    await expect.poll(() => gridFiles(page).then((f) => f.length)).toBe(photos.length)

    // Search as you type: '/' focuses the search.
    await page.getByTestId('library-grid').focus()
    await page.keyboard.press('/')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('library-search')
    await page.keyboard.type('shi')
    await expect.poll(() => gridFiles(page)).toEqual(expected)

    // Into the grid (Enter), then the keyboard: → focuses and selects the first, Shift+→ extends to the second.
    await page.keyboard.press('Enter')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Shift+ArrowRight')
    const selected = await page.$$eval('[data-testid="library-tile"][data-selected="true"]', (nodes) =>
      nodes.map((n) => Number(n.getAttribute('data-photo-id'))),
    )
    expect(selected).toHaveLength(2)
    expect(await page.getByTestId('bulk-actions').getAttribute('data-count')).toBe('2')
    await page.keyboard.press('a')
    for (const id of selected) await expect.poll(() => statusOf(app, id, shipTagId)).toBe('accepted')
    const others = ships.filter((r) => !selected.includes(r.photoId))
    for (const row of others) expect(statusOf(app, row.photoId, shipTagId)).toBe('suggested')
    await expect
      .poll(async () =>
        (await tiles(page))
          .filter((t) => selected.includes(t.id))
          .map((t) => t.tags.find((g) => g.name === 'ship')?.status),
      )
      .toEqual(['accepted', 'accepted'])

    // Z undoes the bulk decision.
    await page.keyboard.press('z')
    for (const id of selected) await expect.poll(() => statusOf(app, id, shipTagId)).toBe('suggested')
    expect(app.consoleErrors).toEqual([])
  })

  it('adds tags with autocomplete, removes, renames, writes sidecars and exports', async () => {
    const { page, services } = app
    // Esc clears the search, a second Esc goes back to the grid.
    await page.keyboard.press('/')
    await page.keyboard.press('Escape')
    await page.keyboard.press('Escape')
    await expect.poll(() => gridFiles(page).then((f) => f.length)).toBe(photos.length)
    const selectedIds = () =>
      page.$$eval('[data-testid="library-tile"][data-selected="true"]', (nodes) =>
        nodes.map((n) => Number(n.getAttribute('data-photo-id'))),
      )

    // The mouse: a click selects one, Ctrl-click adds one, Shift-click selects the range from the last click.
    // (Read once every tile is drawn: a refresh of the grid can be under way.)
    let all: Awaited<ReturnType<typeof tiles>> = []
    await expect.poll(async () => (all = await tiles(page)).length).toBe(photos.length)
    const tile = (i: number) => page.locator(`[data-testid="library-tile"][data-photo-id="${all[i]!.id}"]`)
    await tile(0).click()
    await tile(2).click({ modifiers: ['Control'] })
    await expect.poll(selectedIds).toEqual([all[0]!.id, all[2]!.id])
    await tile(5).click({ modifiers: ['Shift'] })
    await expect.poll(selectedIds).toEqual([2, 3, 4, 5].map((i) => all[i]!.id))
    // Ctrl+A selects every loaded photo, Esc none; Enter shows the photo in focus large.
    await page.keyboard.press('Control+a')
    await expect.poll(() => selectedIds().then((ids) => ids.length)).toBe(photos.length)
    await page.keyboard.press('Escape')
    await expect.poll(selectedIds).toEqual([])
    await page.keyboard.press('Enter')
    await page.getByTestId('library-viewer').waitFor()
    expect(
      await page.getByTestId('library-viewer').locator('[data-photo-id]').first().getAttribute('data-photo-id'),
    ).toBe(String(all[5]!.id))
    await page.keyboard.press('Escape')
    await page.getByTestId('library-viewer').waitFor({ state: 'detached' })

    await page.keyboard.press('Home')
    const [first, second] = await tiles(page)

    // T: a new tag on the photo in focus.
    await page.keyboard.press('t')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('add-tag-input')
    await page.keyboard.type('Holiday 2026')
    await page.keyboard.press('Enter')
    const holiday = () => tagRows(app, 'Holiday 2026')
    await expect.poll(() => holiday().map((r) => r.photoId)).toEqual([first!.id])
    expect(holiday()[0]).toMatchObject({ status: 'accepted', source: 'person' })
    // The field empties once the page has the main process's answer (typing before that is lost).
    await expect.poll(() => page.getByTestId('add-tag-input').inputValue()).toBe('')

    // The next photo: the same tag picked from the autocomplete list.
    await page.getByTestId('library-grid').focus()
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('t')
    await page.keyboard.type('hol')
    await page.getByTestId('add-tag-option').first().waitFor()
    expect(await page.getByTestId('add-tag-option').first().getAttribute('data-tag')).toBe('Holiday 2026')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    await expect.poll(() => holiday().map((r) => r.photoId)).toEqual([first!.id, second!.id])
    expect(services.db.prepare("SELECT count(*) FROM tags WHERE name LIKE 'hol%'").pluck().get()).toBe(1)

    // Remove it from the second photo, and Z puts it back.
    await page.getByTestId('remove-tag').selectOption({ label: 'Holiday 2026' })
    await expect.poll(() => holiday().map((r) => r.photoId)).toEqual([first!.id])
    await page.getByTestId('library-grid').focus()
    await page.keyboard.press('z')
    await expect.poll(() => holiday().map((r) => r.photoId)).toEqual([first!.id, second!.id])

    // Rename in the tag manager.
    await page.getByTestId('open-tag-manager').click()
    const manager = page.getByTestId('tag-manager')
    await manager.locator('[data-testid="tag-row"][data-tag="Holiday 2026"]').getByTestId('tag-rename').click()
    await manager.getByTestId('tag-rename-input').fill('Summer')
    await manager.getByTestId('tag-rename-input').press('Enter')
    await manager.locator('[data-testid="tag-row"][data-tag="Summer"]').waitFor()
    expect(tagRows(app, 'Summer').map((r) => r.photoId)).toEqual([first!.id, second!.id])
    await page.keyboard.press('Escape')
    await manager.waitFor({ state: 'detached' })
    await expect
      .poll(async () => (await tiles(page)).find((t) => t.id === first!.id)?.tags.map((t) => t.name))
      .toContain('Summer')

    // XMP sidecar of the photo in focus, with its accepted tags.
    await page.getByTestId('library-grid').focus()
    await page.keyboard.press('Home')
    await page.getByTestId('write-sidecars').click()
    await expect.poll(() => page.getByTestId('notice').textContent()).toMatch(/Wrote 1 XMP sidecar/)
    const path = services.photos.photo(first!.id).photo.path
    expect(readFileSync(`${path}.xmp`, 'utf8')).toContain('Summer')

    // Export as CSV, where the save dialog says.
    const target = join(root, 'export.csv')
    services.dialogAnswers.exportFile.push(target)
    await page.getByTestId('export-csv').click()
    await expect.poll(() => existsSync(target)).toBe(true)
    const csv = readFileSync(target, 'utf8').trim().split('\n')
    expect(csv).toHaveLength(photos.length + 1)
    expect(app.consoleErrors).toEqual([])
  })
})
