import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FileChooser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HandlerTable } from '../../src/shared/ipc/contract'
import { openApp, type AppSession } from '../support/app-session'
import { waitForCards, waitForProvider } from '../support/cards'
import { dropFiles, fileFromDisk } from '../support/drop'
import { cifarHalfDir, sharedPath } from '../support/shared'

/** Starts a test on an empty Classify screen: the cards an earlier test left are cleared (as a person would). */
async function emptyScreen(page: Page): Promise<void> {
  if ((await page.getByTestId('photo-card').count()) === 0) return
  await page.getByRole('button', { name: 'Clear' }).click()
  await expect.poll(() => page.getByTestId('photo-card').count()).toBe(0)
}

/**
 * How a person works the Classify screen: open, keys, folders, clear and undo, failures. One window for the
 * file (its engine starts once): each test starts on an empty screen, and the failures reload the page
 * with the main process answering `models:active` as the test says.
 */
describe('Classify screen interactions', () => {
  let app: AppSession
  /** How the main process answers `models:active` (undefined: the real handler). */
  let activeModel: HandlerTable['models:active'] | undefined
  beforeAll(async () => {
    app = await openApp({
      handlers: (real) => ({
        ...real,
        'models:active': (input) => (activeModel ?? real['models:active'])(input),
      }),
    })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('walks a folder dropped from the file manager, and says what it skipped', async () => {
    // Chromium gets real file paths (CDP Input.dispatchDragEvent), as from the OS, so
    // DataTransferItem.webkitGetAsEntry gives real directory entries.
    const root = mkdtempSync(join(tmpdir(), 'resnet-lens-drop-'))
    try {
      const folder = join(root, 'holiday')
      mkdirSync(join(folder, 'day2', 'evening'), { recursive: true })
      copyFileSync(join(cifarHalfDir(), 'cat', '0000.jpg'), join(folder, 'cat.jpg'))
      copyFileSync(join(cifarHalfDir(), 'ship', '0000.jpg'), join(folder, 'day2', 'ship.jpg'))
      copyFileSync(join(cifarHalfDir(), 'frog', '0000.jpg'), join(folder, 'day2', 'evening', 'frog.jpg'))
      writeFileSync(join(folder, 'day2', 'notes.txt'), 'not a photo')

      const { page } = app
      await emptyScreen(page)
      await waitForProvider(page, /^WASM/)
      const cdp = await page.context().newCDPSession(page)
      const box = (await page.getByTestId('drop-zone').boundingBox())!
      const data = { items: [], files: [folder], dragOperationsMask: 1 }
      for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
        await cdp.send('Input.dispatchDragEvent', { type, x: box.x + box.width / 2, y: box.y + box.height / 2, data })
      }
      const cards = await waitForCards(page, 3)
      expect(cards.map((c) => c.name).sort()).toEqual(['cat.jpg', 'frog.jpg', 'ship.jpg'])
      expect(cards.every((c) => c.status === 'done')).toBe(true)
      expect(await page.getByTestId('notice').textContent()).toContain('notes.txt')
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('clears the cards and brings them back with Undo', async () => {
    const { page } = app
    await emptyScreen(page)
    await dropFiles(page, '[data-testid="drop-zone"]', [
      fileFromDisk(join(cifarHalfDir(), 'cat', '0000.jpg'), 'cat.jpg'),
      fileFromDisk(join(cifarHalfDir(), 'ship', '0000.jpg'), 'ship.jpg'),
    ])
    await waitForCards(page, 2)
    await page.getByRole('button', { name: 'Clear' }).click()
    await expect.poll(() => page.getByTestId('photo-card').count()).toBe(0)
    await page.getByRole('button', { name: /Undo/ }).click()
    const cards = await waitForCards(page, 2)
    expect(cards.map((c) => c.name).sort()).toEqual(['cat.jpg', 'ship.jpg'])
    expect(cards.map((c) => c.status)).toEqual(['done', 'done'])
  })

  // Last of the tests on the working app: it chooses WASM and reloads the page.
  it('opens photos with the Open button and Ctrl+O, and remembers the engine choice', async () => {
    const { page } = app
    await emptyScreen(page)
    // Listen first: Playwright turns on file-chooser interception asynchronously, and a key pressed
    // before that lands opens a chooser nobody sees (this raced on a loaded CI machine).
    const choosers: FileChooser[] = []
    page.on('filechooser', (chooser) => choosers.push(chooser))
    await expect.poll(() => page.locator('main').textContent()).toContain('Drop photos or a folder here')
    await waitForProvider(page, /^WASM · \d+ threads?$/)
    expect(await page.getByTestId('provider-reason').textContent()).toMatch(/WebGPU/)
    expect(await page.getByRole('button', { name: /Open photos/ }).getAttribute('title')).toMatch(/Ctrl\+O|⌘O/)

    // Press again (every 5 s) while no chooser came: a lost key press is not what this test is about.
    let pressedAt = -Infinity
    await expect
      .poll(
        async () => {
          if (choosers.length === 0 && Date.now() - pressedAt >= 5_000) {
            pressedAt = Date.now()
            await page.keyboard.press('Control+O')
          }
          return choosers.length
        },
        { timeout: 60_000 },
      )
      .toBeGreaterThan(0)
    expect(choosers[0]!.isMultiple()).toBe(true)

    await page.getByTestId('open-input').setInputFiles([sharedPath('photos', 'chelsea.png')])
    const [card] = await waitForCards(page, 1)
    expect(card!.predictions[0]!.label).toBe('cat')
    expect(card!.predictions[0]!.text).toMatch(/^cat \d+\.\d %$/)

    await page.getByTestId('engine-select').selectOption('wasm')
    await expect.poll(() => page.getByTestId('provider-reason').textContent()).toMatch(/WASM chosen/)
    await page.reload()
    expect(await page.getByTestId('engine-select').inputValue()).toBe('wasm')
  })

  it('shows a clear banner when the main process cannot give the model', async () => {
    activeModel = () => {
      throw new Error('the library database is locked')
    }
    await app.page.reload()
    const banner = app.page.getByTestId('model-error')
    await banner.waitFor({ timeout: 30_000 })
    expect(await banner.textContent()).toContain('the library database is locked')
  })

  it('shows a clear banner when the model file cannot be fetched', async () => {
    activeModel = async () => ({
      ...(await app.services.handlers['models:active'](undefined)),
      modelUrl: '/library/models/nope.features.onnx',
      // The window loads this copy first (the bundled card has views; see LoadRequest).
      photoModelUrl: '/library/models/nope.photo-features.onnx',
    })
    await app.page.reload()
    const banner = app.page.getByTestId('model-error')
    await banner.waitFor({ timeout: 30_000 })
    expect(await banner.textContent()).toMatch(/could not be loaded.*HTTP 404/)
    expect(await app.page.getByTestId('provider').textContent()).toBe('Not running')
  })
})
