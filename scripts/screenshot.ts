/**
 * npm run screenshot: the README's pictures, taken from the built renderer in headless Chromium (run
 * `npm run build` first). Writes:
 * - docs/screenshot-classify.png: the Classify screen with dropped photos and their top-5;
 * - docs/screenshot-activations.png: chelsea.png's detail, with the class activation map and the
 *   Activations panel (the bundled ResNet-56);
 * - docs/screenshot-architecture.png: the ResNet-50 fixture's Architecture view with conv3_x open.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { dispatch } from '../src/main/ipc/handlers'
import { contract } from '../src/shared/ipc/contract'
import { IMAGENET_PREPROCESSING } from '../src/shared/model-card'
import { openApp } from '../tests/support/app-session'
import { waitForCards, waitForProvider } from '../tests/support/cards'
import { dropFiles, fileFromDisk } from '../tests/support/drop'
import { unzippedFixture } from '../tests/support/fixture-models'
import { cifarHalfDir, repoRoot, sharedPath } from '../tests/support/shared'

const docs = join(repoRoot, 'docs')
const outputs = {
  classify: join(docs, 'screenshot-classify.png'),
  activations: join(docs, 'screenshot-activations.png'),
  architecture: join(docs, 'screenshot-architecture.png'),
}

/** Waits until every canvas of the selector in view has been drawn. */
async function waitForDrawn(page: Page, selector: string): Promise<void> {
  await page.waitForFunction((s) => {
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>(s)].filter((c) => {
      const box = c.getBoundingClientRect()
      return box.bottom > 0 && box.top < innerHeight
    })
    return canvases.length > 0 && canvases.every((c) => c.dataset.drawn === 'true')
  }, selector)
}

async function shoot(page: Page, path: string): Promise<void> {
  await page.mouse.move(0, 0)
  await page.waitForTimeout(250)
  await page.screenshot({ path })
  console.log(`wrote ${path}`)
}

const app = await openApp()
try {
  const { page, services } = app
  mkdirSync(docs, { recursive: true })
  await page.setViewportSize({ width: 1280, height: 800 })
  await waitForProvider(page, /^WASM/)

  // The Classify screen.
  const files = [
    fileFromDisk(sharedPath('photos', 'chelsea.png')),
    fileFromDisk(sharedPath('photos', 'coffee.png')),
    fileFromDisk(sharedPath('photos', 'rocket.jpg')),
    fileFromDisk(join(cifarHalfDir(), 'airplane', '0000.jpg'), 'airplane-0000.jpg'),
    fileFromDisk(join(cifarHalfDir(), 'horse', '0010.jpg'), 'horse-0010.jpg'),
    fileFromDisk(join(cifarHalfDir(), 'frog', '0004.jpg'), 'frog-0004.jpg'),
    fileFromDisk(join(cifarHalfDir(), 'truck', '0002.jpg'), 'truck-0002.jpg'),
    { name: 'notes.jpg', type: 'image/jpeg', bytes: new TextEncoder().encode('not really a photo') },
  ]
  await dropFiles(page, '[data-testid="drop-zone"]', files)
  await waitForCards(page, files.length)
  await shoot(page, outputs.classify)

  // chelsea.png's detail: the CAM of its top class and each stage's strongest channels.
  await page.locator('[data-testid="photo-card"][data-file-name="chelsea.png"]').click()
  await page.getByTestId('activations-panel').waitFor({ timeout: 120_000 })
  await page.locator('[data-testid="cam-overlay"][data-drawn="true"]').waitFor()
  await waitForDrawn(page, '[data-testid="channel-canvas"]')
  await shoot(page, outputs.activations)
  await page.keyboard.press('Escape')
  await page.getByTestId('photo-detail').waitFor({ state: 'detached' })

  // The ResNet-50 fixture's architecture, conv3_x open on its four blocks.
  const { token } = services.importer.grants.grant(unzippedFixture('resnet50-opset17.onnx'))
  const imported = contract['models:import'].output.parse(
    await dispatch(services.handlers, 'models:import', {
      token,
      name: 'ResNet-50',
      labels: { kind: 'builtin', id: 'imagenet-1k' },
      preprocessing: IMAGENET_PREPROCESSING,
    }),
  )
  services.library.setActive(imported.model.id)
  await page.setViewportSize({ width: 1280, height: 1164 })
  await page.keyboard.press('Control+3')
  await page.locator('[data-testid="arch-stage-row"][data-paper-name="conv3_x"]').click()
  await page.locator('[data-testid="arch-block-row"][data-stage-name="layer2"]').first().waitFor()
  await page.waitForFunction(() => document.querySelector('[data-testid="model-name"]')?.textContent === 'ResNet-50')
  await waitForProvider(page, /^WASM/)
  await shoot(page, outputs.architecture)
} finally {
  await app.close()
}
