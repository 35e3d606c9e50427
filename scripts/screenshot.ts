/**
 * npm run screenshot: the README's pictures, taken from the built renderer in headless Chromium (run
 * `npm run build` first). Writes:
 * - docs/screenshot-classify.png: the Classify screen with dropped photos and their top-5;
 * - docs/screenshot-activations.png: chelsea.png's detail, with the class activation map and the
 *   Activations panel (the bundled ResNet-56);
 * - docs/screenshot-architecture.png: the ResNet-50 fixture's Architecture view with conv3_x open;
 * - docs/screenshot-jobs.png: a finished folder job of 500 CIFAR photos and its organize preview;
 * - docs/screenshot-models.png: the Models screen with the batch engine measured for the bundled model;
 * - docs/screenshot-duplicates.png: the Library's Duplicates view with seven copies of chelsea.png.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { invokeHandler as dispatch } from '../src/main/ipc/dispatch'
import { contract } from '../src/shared/ipc/contract'
import { IMAGENET_PREPROCESSING } from '../src/shared/model-card'
import { openApp } from '../tests/support/app-session'
import { waitForCards, waitForProvider } from '../tests/support/cards'
import { dropFiles, fileFromDisk } from '../tests/support/drop'
import { unzippedFixture } from '../tests/support/fixture-models'
import { cifarHalfDir, readReferencePredictions, repoRoot, sharedPath } from '../tests/support/shared'
import { makeVariants } from '../tests/support/variants'

const docs = join(repoRoot, 'docs')
const outputs = {
  classify: join(docs, 'screenshot-classify.png'),
  activations: join(docs, 'screenshot-activations.png'),
  architecture: join(docs, 'screenshot-architecture.png'),
  jobs: join(docs, 'screenshot-jobs.png'),
  models: join(docs, 'screenshot-models.png'),
  duplicates: join(docs, 'screenshot-duplicates.png'),
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

  // A finished folder job (the bundled model, on the batch engine) and its organize preview.
  await page.setViewportSize({ width: 1280, height: 860 })
  await page.keyboard.press('Control+2')
  const bundled = page.locator('[data-testid="model-card"][data-model-id="resnet56-cifar10"]')
  await bundled.getByTestId('set-active').click()
  await page.waitForFunction(
    () =>
      document
        .querySelector('[data-testid="model-card"][data-model-id="resnet56-cifar10"]')
        ?.getAttribute('data-active') === 'true',
  )
  const work = mkdtempSync(join(tmpdir(), 'resnet-lens-shots-'))
  try {
    const photos = join(work, 'Camera dump')
    mkdirSync(photos)
    for (const row of readReferencePredictions().filter((_, i) => i % 10 === 0))
      copyFileSync(join(cifarHalfDir(), row.path), join(photos, row.path.replace('/', '-')))
    await page.keyboard.press('Control+6')
    services.dialogAnswers.folder.push(photos)
    await page.getByTestId('jobs-new').first().click()
    const card = page.getByTestId('job-card')
    await page.waitForFunction(
      () => document.querySelector('[data-testid="job-card"]')?.getAttribute('data-state') === 'done',
      undefined,
      { timeout: 120_000 },
    )
    await card.getByTestId('job-organize').click()
    const dialog = page.getByTestId('organize-dialog')
    mkdirSync(join(work, 'Sorted'))
    services.dialogAnswers.folder.push(join(work, 'Sorted'))
    await dialog.getByTestId('organize-pick-out').click()
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="organize-preview"]')?.hasAttribute('disabled'),
    )
    await dialog.getByTestId('organize-preview').click()
    await dialog.getByTestId('organize-plan').waitFor()
    await shoot(page, outputs.jobs)
    await page.keyboard.press('Escape')

    await page.keyboard.press('Control+2')
    const engine = page.locator('[data-model-id="resnet56-cifar10"] [data-testid="batch-engine"]')
    await engine.getByTestId('batch-engine-reason').waitFor({ timeout: 60_000 })
    const resnet50 = page.locator(`[data-model-id="${imported.model.id}"] [data-testid="batch-engine"]`)
    await resnet50.getByTestId('measure-engines').click()
    await resnet50.getByTestId('batch-engine-reason').waitFor({ timeout: 120_000 })
    await bundled.scrollIntoViewIfNeeded()
    await shoot(page, outputs.models)

    // The Library's Duplicates view: a photo saved again resized, recompressed, rotated, cropped and converted.
    const copies = join(work, 'Copies')
    mkdirSync(copies)
    copyFileSync(sharedPath('photos', 'chelsea.png'), join(copies, 'chelsea.png'))
    await makeVariants(sharedPath('photos', 'chelsea.png'), copies)
    await page.keyboard.press('Control+4')
    await page.getByTestId('library-screen').waitFor()
    services.dialogAnswers.folders.push([copies])
    await page.getByTestId('library-add').click()
    await page.getByTestId('library-report').waitFor()
    await page.getByTestId('open-duplicates').click()
    await page.getByTestId('duplicate-group').filter({ hasText: 'chelsea' }).waitFor({ timeout: 120_000 })
    await shoot(page, outputs.duplicates)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
} finally {
  await app.close()
}
