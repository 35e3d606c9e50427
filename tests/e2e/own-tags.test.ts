import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApp, type AppSession } from '../support/app-session'
import { waitForProvider } from '../support/cards'
import { cifarHalfDir, sharedPath } from '../support/shared'
import { makeVariants } from '../support/variants'

const CLASSES = ['cat', 'ship', 'truck'] as const
const PER_CLASS = 10

async function tiles(page: Page): Promise<{ id: number; file: string }[]> {
  return page.$$eval('[data-testid="library-tile"]', (nodes) =>
    nodes.map((n) => ({ id: Number(n.getAttribute('data-photo-id')), file: n.getAttribute('data-file-name') ?? '' })),
  )
}

/** The tag's rows in the database: source and status by file name. */
function tagRows(app: AppSession, name: string): { file: string; source: string; status: string }[] {
  return (
    app.services.db
      .prepare(
        `SELECT p.path, pt.source, pt.status FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id
         JOIN photos p ON p.id = pt.photo_id WHERE t.name = ? ORDER BY p.path`,
      )
      .all(name) as { path: string; source: string; status: string }[]
  ).map((r) => ({ file: basename(r.path), source: r.source, status: r.status }))
}

/**
 * The person's own tags through the real UI: a library of CIFAR photos and seven copies of one photo, classified
 * by the library's job (which stores each photo's embedding); a tag learned from 5 photos tagged in the grid,
 * its suggestions in the review queue; "More like this"; the Duplicates view.
 */
describe('Own tags', () => {
  let app: AppSession
  let root: string
  let folder: string

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'resnet-lens-own-tags-'))
    folder = join(root, 'photos')
    mkdirSync(folder)
    for (const name of CLASSES) {
      for (const file of readdirSync(join(cifarHalfDir(), name)).sort().slice(0, PER_CLASS)) {
        copyFileSync(join(cifarHalfDir(), name, file), join(folder, `${name}-${file}`))
      }
    }
    copyFileSync(sharedPath('photos', 'chelsea.png'), join(folder, 'chelsea.png'))
    await makeVariants(sharedPath('photos', 'chelsea.png'), folder)
    app = await openApp()
    const { page } = app
    // Room for every tile of the grid (it renders the rows in view).
    await page.setViewportSize({ width: 1600, height: 1400 })
    await waitForProvider(page, /^WASM/)
    await page.keyboard.press('Control+4')
    await page.getByTestId('library-screen').waitFor()
    app.services.dialogAnswers.folders.push([folder])
    await page.getByTestId('library-add').click()
    await page.waitForFunction(
      () => document.querySelector('[data-testid="library-classify"]')?.getAttribute('data-state') === 'done',
      undefined,
      { timeout: 120_000 },
    )
  }, 180_000)
  afterAll(async () => {
    await app?.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('learns a tag from 5 photos tagged in the grid, and its suggestions come to the review queue', async () => {
    const { page } = app
    const all = await tiles(page)
    const ships = all.filter((t) => t.file.startsWith('ship-')).slice(0, 5)
    expect(ships).toHaveLength(5)
    // Select the five ships (Ctrl-click), then T: a new tag on the selection.
    await page.locator(`[data-testid="library-tile"][data-photo-id="${ships[0]!.id}"]`).click()
    for (const ship of ships.slice(1)) {
      await page.locator(`[data-testid="library-tile"][data-photo-id="${ship.id}"]`).click({ modifiers: ['Control'] })
    }
    await page.keyboard.press('t')
    await page.keyboard.type('boats')
    await page.keyboard.press('Enter')
    await expect.poll(() => tagRows(app, 'boats').length).toBe(5)

    await page.getByTestId('open-tag-manager').click()
    const manager = page.getByTestId('tag-manager')
    await manager.getByTestId('learn-tag-boats').click()
    const learned = manager.getByTestId('learned-tag')
    await expect.poll(() => learned.count(), { timeout: 30_000 }).toBe(1)
    expect(await learned.textContent()).toMatch(/boats/)
    expect(await learned.textContent()).toMatch(/5/)
    await expect.poll(() => tagRows(app, 'boats').filter((r) => r.source === 'learned').length).toBeGreaterThan(0)
    const suggested = tagRows(app, 'boats').filter((r) => r.status === 'suggested')
    expect(suggested.filter((r) => r.file.startsWith('ship-')).length / suggested.length).toBeGreaterThan(0.5)
    await page.keyboard.press('Escape')

    // The review queue asks about them, the least sure first.
    await page.keyboard.press('Control+5')
    await page.getByTestId('review-screen').waitFor()
    const group = page.locator('[data-testid="review-group"][data-tag-id]').filter({ hasText: 'boats' })
    await expect.poll(() => group.getAttribute('data-count')).toBe(String(suggested.length))
    await group.click()
    const item = page.getByTestId('review-item')
    await expect.poll(() => item.getAttribute('data-tag')).toBe('boats')
  })

  it('"More like this" ranks the grid by similarity to the photo in focus (M)', async () => {
    const { page } = app
    await page.keyboard.press('Control+4')
    await page.getByTestId('library-screen').waitFor()
    const ship = (await tiles(page)).find((t) => t.file.startsWith('ship-'))!
    await page.locator(`[data-testid="library-tile"][data-photo-id="${ship.id}"]`).click()
    await page.keyboard.press('m')
    await page.getByTestId('similar-filter').waitFor()
    await expect.poll(async () => (await tiles(page)).length).toBeGreaterThan(5)
    const ranked = await tiles(page)
    expect(ranked.map((t) => t.id)).not.toContain(ship.id)
    expect(ranked.slice(0, 5).filter((t) => t.file.startsWith('ship-')).length).toBeGreaterThanOrEqual(3)
    await page.getByTestId('similar-filter-clear').click()
    await page.getByTestId('similar-filter').waitFor({ state: 'detached' })
  })

  it('shows the copies of a photo side by side with the one to keep, and tags the others "duplicate"', async () => {
    const { page } = app
    await page.getByTestId('open-duplicates').click()
    const view = page.getByTestId('duplicates-view')
    await view.waitFor()
    const group = view.getByTestId('duplicate-group').filter({ hasText: 'chelsea' })
    await group.waitFor({ timeout: 60_000 })
    expect(await group.getByTestId('duplicate-photo').count()).toBe(7)
    expect(await group.getByTestId('duplicate-keep').count()).toBe(1)
    await group.getByTestId('duplicate-tag-others').click()
    await expect.poll(() => tagRows(app, 'duplicate').length).toBe(6)
    expect(tagRows(app, 'duplicate').map((r) => r.file)).not.toContain('chelsea-double.png')
  })
})
