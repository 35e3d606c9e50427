import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApp, type AppSession } from '../support/app-session'
import { waitForCards, waitForProvider } from '../support/cards'
import { dropFiles, fileFromDisk } from '../support/drop'
import { importCifarModel, RESNET20 } from '../support/import-model'
import { cifarHalfDir, readReferenceColumn } from '../support/shared'

const card = (page: Page, id: string) => page.locator(`[data-testid="model-card"][data-model-id="${id}"]`)

async function stageOutputs(page: Page, id: string): Promise<string[]> {
  return card(page, id)
    .locator('[data-testid="stage-row"]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-output') ?? ''))
}

describe('Models screen', () => {
  let app: AppSession
  beforeAll(async () => {
    app = await openApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('shows the bundled model with the stages read from its graph', async () => {
    const { page } = app
    await page.getByTestId('nav-models').click()
    await card(page, 'resnet56-cifar10').waitFor()
    expect(await card(page, 'resnet56-cifar10').getAttribute('data-active')).toBe('true')
    expect(await stageOutputs(page, 'resnet56-cifar10')).toEqual(
      expect.arrayContaining(['16×32×32', '32×16×16', '64×8×8']),
    )
    expect(await card(page, 'resnet56-cifar10').getByTestId('depth-formula').textContent()).toContain('1 + 27 × 2 + 1')
    expect(await card(page, 'resnet56-cifar10').getByTestId('delete').isDisabled()).toBe(true)
  })

  it('measures the engines for batch jobs and shows the choice with its reason; the setting overrides it', async () => {
    const { page } = app
    await page.getByTestId('nav-models').click()
    const row = card(page, 'resnet56-cifar10').getByTestId('batch-engine')
    // The window's own engine loads first: the figures are this test's subject, not a busy start-up
    // (tests/unit/engine.test.ts measures under load).
    await waitForProvider(page, /^WASM/)
    await row.getByTestId('measure-engines').click()
    await row.getByTestId('batch-engine-reason').waitFor({ timeout: 60_000 })
    // The reason is part of the check so that a failure says what was measured.
    const reason = await row.getByTestId('batch-engine-reason').textContent()
    expect({ engine: await row.getByTestId('batch-engine-name').textContent(), reason }).toMatchObject({
      engine: 'native CPU',
    })
    // This Chromium runs without WebGPU: the window answers the main process's question with the reason.
    expect(reason).toMatch(/^native CPU: [\d.]+ img\/s; WASM [\d.]+ img\/s; WebGPU: no WebGPU \(.+\)$/)
    const stored = app.services.db
      .prepare('SELECT engine, images_per_second AS ips FROM engine_calibrations ORDER BY engine')
      .all() as { engine: string; ips: number | null }[]
    expect(stored.map((m) => [m.engine, m.ips === null])).toEqual([
      ['native', false],
      ['wasm', false],
      ['webgpu', true],
    ])

    await page.getByTestId('engine-override').selectOption('wasm')
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-model-id="resnet56-cifar10"] [data-testid="batch-engine"]')
          ?.getAttribute('data-engine') === 'wasm',
    )
    expect(await row.getByTestId('batch-engine-reason').textContent()).toMatch(
      /^WASM: [\d.]+ img\/s \(chosen with settings\)/,
    )
    await page.getByTestId('engine-override').selectOption('auto')
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-model-id="resnet56-cifar10"] [data-testid="batch-engine"]')
          ?.getAttribute('data-engine') === 'native',
    )
  })

  it('refuses a file that is not a model, with the reason, and adds nothing', async () => {
    const { page, services } = app
    const notes = join(services.dataDir, 'notes.onnx')
    writeFileSync(notes, 'shopping list: milk, eggs\n'.repeat(50))
    services.dialogAnswers.model.push(notes)
    await page.getByTestId('import-model').click()
    await expect.poll(() => page.getByTestId('import-error').textContent()).toMatch(/not an ONNX model/)
    await page.keyboard.press('Escape')
    await page.getByTestId('import-dialog').waitFor({ state: 'detached' })
    expect(services.library.list()).toHaveLength(1)
  })

  it('imports a model through the UI, activates it, classifies with it, and deletes it', async () => {
    const { page, services } = app
    const imported = await importCifarModel(app, RESNET20(), 'ResNet-20 reference')
    expect(imported).toMatchObject({ origin: 'imported', classes: 10 })
    await card(page, imported.id).waitFor()
    expect(await stageOutputs(page, imported.id)).toEqual(expect.arrayContaining(['16×32×32', '32×16×16', '64×8×8']))
    expect(readdirSync(services.paths.modelsDir).sort()).toEqual([`${imported.id}.card.json`, `${imported.id}.onnx`])

    await card(page, imported.id).getByTestId('set-active').click()
    await expect.poll(() => card(page, imported.id).getAttribute('data-active')).toBe('true')
    await expect.poll(() => page.getByTestId('model-name').textContent()).toContain('ResNet-20 reference')

    // Classify with it: its labels are PyTorch's for the same model.
    await page.getByTestId('nav-classify').click()
    const reference = readReferenceColumn('resnet20_ref')
    const paths = [
      'airplane/0000.jpg',
      'cat/0002.jpg',
      'frog/0004.jpg',
      'ship/0006.jpg',
      'truck/0008.jpg',
      'dog/0010.jpg',
    ]
    await dropFiles(
      page,
      '[data-testid="drop-zone"]',
      paths.map((p) => fileFromDisk(join(cifarHalfDir(), p), p.replace('/', '-'))),
    )
    const cards = await waitForCards(page, paths.length)
    const card20 = new Map(cards.map((c) => [c.name, c]))
    let agree = 0
    for (const path of paths) {
      const result = card20.get(path.replace('/', '-'))!
      expect(result.status).toBe('done')
      if (result.predictions[0]!.index === reference.get(path)) agree++
    }
    expect(agree).toBeGreaterThanOrEqual(paths.length - 1)

    // Delete it: asked once, then gone with its files; the bundled model is active again.
    await page.getByTestId('nav-models').click()
    await card(page, imported.id).getByTestId('delete').click()
    await page.getByTestId('confirm-dialog').getByTestId('confirm-delete').click()
    await card(page, imported.id).waitFor({ state: 'detached' })
    expect(await card(page, 'resnet56-cifar10').getAttribute('data-active')).toBe('true')
    expect(services.library.list().map((m) => m.id)).toEqual(['resnet56-cifar10'])
    expect(readdirSync(services.paths.modelsDir)).toEqual([])
  })

  it('imports a model file dropped on the window', async () => {
    const { page } = app
    await page.evaluate((path) => {
      ;(globalThis as unknown as { __testDropPaths: Record<string, string> }).__testDropPaths = {
        'resnet20-cifar10-ref.onnx': path,
      }
    }, RESNET20())
    await dropFiles(page, '[data-testid="models-screen"]', [fileFromDisk(RESNET20())])
    const dialog = page.getByTestId('import-dialog')
    await dialog.waitFor()
    await expect.poll(() => dialog.getByTestId('import-classes').textContent()).toContain('10')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })

    // Dropped on the Classify screen, a model file is taken to the import too (not classified as a photo).
    await page.getByTestId('nav-classify').click()
    const photosBefore = await page.getByTestId('photo-card').count()
    await dropFiles(page, '[data-testid="drop-zone"]', [fileFromDisk(RESNET20())])
    await page.getByTestId('models-screen').waitFor()
    await dialog.waitFor()
    await page.keyboard.press('Escape')
    await page.getByTestId('nav-classify').click()
    expect(await page.getByTestId('photo-card').count()).toBe(photosBefore)
  })
})
