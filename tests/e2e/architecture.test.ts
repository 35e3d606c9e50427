import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invokeHandler } from '../../src/main/ipc/dispatch'
import { contract } from '../../src/shared/ipc/contract'
import { IMAGENET_PREPROCESSING } from '../../src/shared/model-card'
import { openApp, type AppSession } from '../support/app-session'
import { waitForCards, waitForProvider } from '../support/cards'
import { dropFiles, fileFromDisk } from '../support/drop'
import { unzippedFixture } from '../support/fixture-models'
import { sharedPath } from '../support/shared'

const attr = (page: Page, selector: string, name: string): Promise<string[]> =>
  page.locator(selector).evaluateAll((els, n) => els.map((el) => el.getAttribute(n) ?? ''), name)

/** Whether a canvas holds more than one colour (a heat map was drawn, not a blank or flat fill). */
const canvasDrawn = (canvas: Locator): Promise<boolean> =>
  canvas.evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d')
    if (!context || canvas.width === 0 || canvas.height === 0) return false
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height)
    const first = data.slice(0, 4).join(',')
    for (let i = 4; i < data.length; i += 4) if (data.slice(i, i + 4).join(',') !== first) return true
    return false
  })

/**
 * One window for the file (its engine starts once). The main process's `models:architecture` fails while
 * `architectureFails` says so: the first test, before the page has read any model's architecture.
 */
describe('Photo detail and Architecture view', () => {
  let app: AppSession
  let architectureFails = false
  beforeAll(async () => {
    app = await openApp({
      handlers: (real) => ({
        ...real,
        'models:architecture': (input) => {
          if (architectureFails) throw new Error('The graph could not be read (test)')
          return real['models:architecture'](input)
        },
      }),
    })
    await waitForProvider(app.page, /^WASM/)
  })
  afterAll(async () => {
    await app?.close()
  })

  it("says clearly when a model's stages cannot be read, in the detail and on the Architecture screen", async () => {
    const { page } = app
    architectureFails = true
    try {
      await dropFiles(page, '[data-testid="drop-zone"]', [fileFromDisk(sharedPath('photos', 'coffee.png'))])
      await waitForCards(page, 1)
      await page.getByTestId('photo-card').click()
      await expect.poll(() => page.getByTestId('activations-error').textContent()).toMatch(/could not be read \(test\)/)
      await page.keyboard.press('Escape')
      await page.getByTestId('photo-detail').waitFor({ state: 'detached' })
      await page.keyboard.press('Control+3')
      await expect.poll(() => page.getByTestId('arch-error').textContent()).toMatch(/could not be read \(test\)/)
      expect(await page.getByTestId('arch-error').getByRole('button', { name: 'Try again' }).isVisible()).toBe(true)
    } finally {
      architectureFails = false
    }
    // Back to the Classify screen, empty, for the next test.
    await page.getByTestId('nav-classify').click()
    await page.getByRole('button', { name: 'Clear' }).click()
    await expect.poll(() => page.getByTestId('photo-card').count()).toBe(0)
  })

  it("opens a photo's detail with each stage's activations and the class activation map", async () => {
    const { page } = app
    await dropFiles(page, '[data-testid="drop-zone"]', [fileFromDisk(sharedPath('photos', 'chelsea.png'))])
    const [card] = await waitForCards(page, 1)
    expect(card!.predictions[0]!.label).toBe('cat')

    // Enter on the focused card opens its detail.
    await page.getByTestId('photo-card').focus()
    await page.keyboard.press('Enter')
    const detail = page.getByTestId('photo-detail')
    await detail.waitFor()
    await detail.getByTestId('activations-panel').waitFor({ timeout: 60_000 })

    const stages = '[data-testid="activation-stage"]'
    expect(await attr(page, stages, 'data-shape')).toEqual(['16×32×32', '16×32×32', '32×16×16', '64×8×8'])
    expect(await attr(page, stages, 'data-paper-name')).toEqual(['conv1', 'conv2_x', 'conv3_x', 'conv4_x'])
    expect(await page.getByTestId('activation-pooled').getAttribute('data-shape')).toBe('64')

    // Each stage's strongest channels, as heat maps at the map's own resolution, drawn once in view.
    for (const [i, side] of [32, 32, 16, 8].entries()) {
      const row = page.locator(stages).nth(i)
      await row.scrollIntoViewIfNeeded()
      expect(await row.getByTestId('channel-canvas').count()).toBe(16)
      const first = row.getByTestId('channel-canvas').first()
      await expect.poll(() => first.getAttribute('data-drawn')).toBe('true')
      expect(await first.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([side, side])
      expect(await canvasDrawn(first)).toBe(true)
      const means = await row
        .getByTestId('channel-tile')
        .evaluateAll((tiles) => tiles.map((t) => Number(t.getAttribute('data-mean'))))
      expect(means).toEqual([...means].sort((a, b) => b - a))
    }

    // The same run's predictions agree with the card's (the tapped model computes the same logits).
    const topP = Number(await detail.getByTestId('prediction').first().getAttribute('data-p'))
    expect(await detail.getByTestId('prediction').first().getAttribute('data-label')).toBe('cat')
    expect(topP).toBeCloseTo(card!.predictions[0]!.p, 4)

    // The CAM of the top class over the region the model saw.
    const overlay = page.getByTestId('cam-overlay')
    await expect.poll(() => overlay.getAttribute('data-drawn')).toBe('true')
    expect(await overlay.getAttribute('data-class-label')).toBe('cat')
    expect(await overlay.getAttribute('data-mode')).toBe('cam')
    expect(await overlay.getAttribute('data-map-size')).toBe('8×8')
    expect(await canvasDrawn(overlay)).toBe(true)
    expect(await page.getByTestId('cam-class').inputValue()).toBe('3')
    // The map's mean plus the class's bias is the class's logit (the head is a global pool and one linear layer).
    const explain = page.getByTestId('cam-explain')
    expect(await explain.textContent()).toMatch(/logit \d/)
    const read = async (name: string): Promise<number> => Number(await explain.getAttribute(name))
    const [mean, bias, logit] = [await read('data-mean'), await read('data-bias'), await read('data-logit')]
    expect(mean + bias).toBeCloseTo(logit, 3)
    expect(logit).toBeCloseTo(card!.logits![3]!, 3)

    // "Why cat and not dog": CAM(cat) − CAM(dog) in diverging colours.
    await page.getByTestId('cam-compare').selectOption('5')
    await expect.poll(() => overlay.getAttribute('data-mode')).toBe('contrast')
    expect(await overlay.getAttribute('data-compare-index')).toBe('5')
    expect(await page.getByTestId('cam-explain').textContent()).toMatch(/CAM\(cat\) − CAM\(dog\).*logit gap/)
    // Another class for A.
    await page.getByTestId('cam-class').selectOption('5')
    await expect.poll(() => overlay.getAttribute('data-class-label')).toBe('dog')

    // A channel enlarged over the photo; Esc closes it first, then the detail.
    await page.locator(stages).nth(2).getByTestId('channel-tile').first().click()
    const zoom = page.getByTestId('channel-zoom')
    await zoom.waitFor()
    expect(await zoom.getAttribute('data-stage')).toBe('layer2')
    expect(await canvasDrawn(zoom)).toBe(true)
    await page.keyboard.press('Escape')
    await zoom.waitFor({ state: 'detached' })
    expect(await detail.isVisible()).toBe(true)
    await page.keyboard.press('Escape')
    await detail.waitFor({ state: 'detached' })

    // A click on the card opens it again, instantly (the activations are kept).
    await page.getByTestId('photo-card').click()
    await page.getByTestId('activations-panel').waitFor({ timeout: 5_000 })
    await page.getByTestId('detail-close').click()
    await detail.waitFor({ state: 'detached' })
  })

  it("shows the active model's stages and blocks, read from its graph", async () => {
    const { page, services } = app
    const { token } = services.importer.grants.grant(unzippedFixture('resnet50-opset17.onnx'))
    const imported = contract['models:import'].output.parse(
      await invokeHandler(services.handlers, 'models:import', {
        token,
        name: 'ResNet-50 fixture',
        labels: { kind: 'builtin', id: 'imagenet-1k' },
        preprocessing: IMAGENET_PREPROCESSING,
      }),
    )
    services.library.setActive(imported.model.id)

    await page.keyboard.press('Control+3')
    await page.getByTestId('architecture-screen').waitFor()
    const rows = '[data-testid="arch-stage-row"]'
    await page.locator(`${rows}[data-output="2048×7×7"]`).waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('arch-model-name').textContent()).toContain('ResNet-50 fixture')
    expect(await attr(page, rows, 'data-output')).toEqual([
      '64×112×112',
      '64×56×56',
      '256×56×56',
      '512×28×28',
      '1024×14×14',
      '2048×7×7',
      '2048',
      '1000',
    ])
    expect(await attr(page, rows, 'data-stage-name')).toEqual([
      'conv1',
      'maxpool',
      'layer1',
      'layer2',
      'layer3',
      'layer4',
      'avgpool',
      'fc',
    ])
    expect(await page.getByTestId('arch-depth-formula').textContent()).toBe('50 = 1 + 16 × 3 + 1')
    expect(await page.getByTestId('arch-fact-params').textContent()).toBe('25.5 M')
    expect(await page.getByTestId('arch-fact-macs').textContent()).toBe('4.09 GMAC')
    const conv3 = page.locator(`${rows}[data-paper-name="conv3_x"]`)
    expect(await conv3.getByTestId('arch-downsampling').textContent()).toMatch(
      /÷2 at block\s1's 3×3 · projection in block\s1/,
    )

    // conv3_x opens to its 4 blocks: the first halves the map on its 3×3 and projects its shortcut.
    expect(await page.getByTestId('arch-block-row').count()).toBe(0)
    await conv3.click()
    const blocks = '[data-testid="arch-block-row"][data-stage-name="layer2"]'
    expect(await page.locator(blocks).count()).toBe(4)
    const first = page.locator(blocks).first()
    expect(await first.getAttribute('data-filters')).toBe('128,128,512')
    expect(await first.getAttribute('data-stride-at')).toBe('1')
    expect(await first.getAttribute('data-shortcut')).toBe('projection')
    expect(await first.getByTestId('arch-stride').textContent()).toBe('3×3 /2')
    expect(await first.getByTestId('arch-shortcut').textContent()).toBe('projection 1×1, 512, /2')
    expect(await attr(page, blocks, 'data-shortcut')).toEqual(['projection', 'identity', 'identity', 'identity'])
    expect(await attr(page, blocks, 'data-output')).toEqual(Array(4).fill('512×28×28'))

    // Keyboard: Enter on a stage's toggle opens it, ↓ moves to the next stage.
    const toggle = page.locator(`${rows}[data-paper-name="conv4_x"] [data-testid="arch-stage-toggle"]`)
    await toggle.focus()
    await page.keyboard.press('Enter')
    expect(await page.locator('[data-testid="arch-block-row"][data-stage-name="layer3"]').count()).toBe(6)
    expect(await toggle.getAttribute('aria-expanded')).toBe('true')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Space')
    expect(await page.locator('[data-testid="arch-block-row"][data-stage-name="layer4"]').count()).toBe(3)
    await conv3.click()
    expect(await page.locator(blocks).count()).toBe(0)
  })
})
