import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addPhoto } from '../../src/main/photo-library'
import { openApp, type AppSession } from '../support/app-session'
import { waitForCards, waitForProvider, type CardState } from '../support/cards'
import { dropFiles, fileFromDisk } from '../support/drop'
import { sha256Of } from '../support/files'
import { repoRoot, sharedPath } from '../support/shared'
import type { ClassifyResult } from '../../src/main/inference/classify-result'
import { similarity } from '../../src/shared/embedding/embedding'
import { bundledModelVerdicts } from '../support/node-verdicts'

/** The bundled model's knowledge profile: without it the verdicts fall back to the logits (energy). */
const PROFILE = join(repoRoot, 'resources', 'models', 'resnet56-cifar10.profile.json')
/**
 * A cat, and two photos that are none of CIFAR-10's classes (a cup of coffee; a deep-sky photo). Not rocket.jpg:
 * a rocket on its launch pad is close enough to the ships the model knows that the profile calls it known.
 */
const PHOTOS = ['chelsea.png', 'coffee.png', 'hubble_deep_field.jpg']
/** On WebGPU (SwiftShader, about a second a photo): the cat and one unknown photo, a verdict of each kind. */
const WEBGPU_PHOTOS = ['chelsea.png', 'hubble_deep_field.jpg']
const UNKNOWN = /^Not one of the 10 things ResNet-56 \(CIFAR-10\) knows$/

function requireProfile(): void {
  if (!existsSync(PROFILE)) {
    throw new Error(
      `${PROFILE} is missing: the bundled model ships its knowledge profile (the unknown verdict needs it)`,
    )
  }
}

async function dropPhotos(page: Page, names: readonly string[]): Promise<Map<string, CardState>> {
  await dropFiles(
    page,
    '[data-testid="drop-zone"]',
    names.map((name) => fileFromDisk(sharedPath('photos', name))),
  )
  return new Map((await waitForCards(page, names.length)).map((card) => [card.name, card]))
}

/** Waits for the WebGPU session; a session that could not start fails at once, with the engine's reason. */
async function waitForWebGpu(page: Page): Promise<void> {
  const provider = await waitForProvider(page, /^(WebGPU|Not running)$/)
  expect(provider, (await page.getByTestId('provider-reason').textContent()) ?? '').toBe('WebGPU')
}

async function clearCards(page: Page): Promise<void> {
  await page.getByRole('button', { name: /clear/i }).click()
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="photo-card"]').length === 0)
}

/** The cat is known and tagged cat; the others say what they are not, with their closest class as a hint. */
function expectVerdicts(cards: Map<string, CardState>, names: readonly string[] = PHOTOS): void {
  const cat = cards.get('chelsea.png')!
  expect(cat.status, cat.error ?? '').toBe('done')
  expect(cat.verdict).toBe('known')
  expect(cat.verdictText).toBeNull()
  expect(cat.predictions).toHaveLength(5)
  expect(cat.predictions[0]!.label).toBe('cat')
  for (const name of names.filter((n) => n !== 'chelsea.png')) {
    const card = cards.get(name)!
    expect(card.status, `${name}: ${card.error}`).toBe('done')
    expect(card.verdict, name).toBe('unknown')
    expect(card.verdictText, name).toMatch(UNKNOWN)
    // The hint names the calibrated top-1, which is kept out of the card's top (the scores are folded away).
    expect(card.closest, name).toBe(`closest: ${card.predictions[0]!.label}`)
  }
}

/** Each card's OOD score (its `data-ood`), by file name. */
async function oodOf(page: Page): Promise<Map<string, number>> {
  return new Map(
    await page.$$eval('[data-testid="photo-card"]', (cards) =>
      cards.map((c) => [c.getAttribute('data-file-name') ?? '', Number(c.getAttribute('data-ood'))] as const),
    ),
  )
}

/**
 * One window for the file, in a Chromium with a (software) WebGPU adapter: WASM first, then WebGPU, whose
 * verdicts and OOD scores are checked against the WASM cards (SwiftShader builds the WebGPU session once).
 */
describe('Unknown photos on the Classify screen', () => {
  let app: AppSession
  /** The OOD score of each photo's card on WASM (the second test), which WebGPU's must match. */
  const wasmOod = new Map<string, number>()
  beforeAll(async () => {
    requireProfile()
    app = await openApp({ webgpu: true, engine: 'wasm' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('says the model knows its 10 classes from the bundled profile', async () => {
    const { page } = app
    await waitForProvider(page, /^WASM/)
    const line = page.getByTestId('model-knowledge')
    await line.waitFor()
    expect(await line.textContent(), (await line.getAttribute('data-note')) ?? '').toBe('knows 10 classes · profile')
    expect(await line.getAttribute('data-source')).toBe('profile')
  })

  it('shows the cat as a cat and the others as none of the things the model knows (WASM)', async () => {
    const { page } = app
    await waitForProvider(page, /^WASM/)
    const cards = await dropPhotos(page, PHOTOS)
    expectVerdicts(cards)
    for (const card of cards.values()) expect(card.provider).toMatch(/WASM/)
    for (const [name, ood] of await oodOf(page)) wasmOod.set(name, ood)

    // The unknown card's text is plain to see; its closest classes stay folded and muted.
    const deepSky = page.locator('[data-testid="photo-card"][data-file-name="hubble_deep_field.jpg"]')
    expect(await deepSky.getByTestId('verdict-text').isVisible()).toBe(true)
    expect(await deepSky.getByTestId('closest').isVisible()).toBe(true)
    expect(await deepSky.getByTestId('prediction').first().isVisible()).toBe(false)
    expect(await deepSky.getByText('Unknown', { exact: true }).isVisible()).toBe(true)
    const cat = page.locator('[data-testid="photo-card"][data-file-name="chelsea.png"]')
    expect(await cat.getByTestId('prediction').first().isVisible()).toBe(true)
    expect(await cat.getByTestId('verdict').count()).toBe(0)

    // The photo's detail says the same.
    await deepSky.click()
    const detail = page.getByTestId('photo-detail')
    await detail.waitFor()
    const predictions = detail.getByTestId('detail-predictions')
    await predictions.waitFor({ timeout: 60_000 })
    expect(await predictions.getAttribute('data-verdict')).toBe('unknown')
    expect(await predictions.getByTestId('verdict-text').textContent()).toMatch(UNKNOWN)
    expect(await predictions.getByTestId('closest').textContent()).toBe(cards.get('hubble_deep_field.jpg')!.closest)
    await page.keyboard.press('ArrowLeft')
    await expect.poll(() => detail.getByTestId('detail-predictions').getAttribute('data-verdict')).toBe('unknown')
    await page.keyboard.press('ArrowLeft')
    await expect.poll(() => detail.getByTestId('detail-predictions').getAttribute('data-verdict')).toBe('known')
    expect(await detail.getByTestId('verdict').count()).toBe(0)
    await page.keyboard.press('Escape')
    await detail.waitFor({ state: 'detached' })

    expect(app.consoleErrors.filter((e) => e.startsWith('pageerror'))).toEqual([])
    await clearCards(page)
  })

  it('gives the same verdicts on WebGPU (SwiftShader) as on WASM, on the cards and in batch jobs', async () => {
    const { page, services } = app
    expect([...wasmOod.keys()].sort(), 'the WASM cards of the test above').toEqual([...PHOTOS].sort())
    await page.getByTestId('engine-select').selectOption('webgpu')
    await waitForWebGpu(page)
    await expect.poll(() => page.getByTestId('model-knowledge').getAttribute('data-source')).toBe('profile')
    const webgpu = await dropPhotos(page, WEBGPU_PHOTOS)
    expectVerdicts(webgpu, WEBGPU_PHOTOS)
    for (const card of webgpu.values()) expect(card.provider).toBe('WebGPU')
    const webgpuOod = await oodOf(page)
    for (const name of WEBGPU_PHOTOS) {
      const a = webgpuOod.get(name)!
      const b = wasmOod.get(name)!
      expect(Number.isFinite(a) && Number.isFinite(b), name).toBe(true)
      expect(Math.abs(a - b), `${name}: WebGPU ${a}, WASM ${b}`).toBeLessThanOrEqual(1e-2 * Math.max(1, Math.abs(b)))
    }

    // A batch job's photos through the window's engine (`engine:classifyBatch` → `engine:batchResults`),
    // while it is still WebGPU: SwiftShader builds the WebGPU session once for the whole test.
    const paths = WEBGPU_PHOTOS.map((name) => sharedPath('photos', name))
    for (const path of paths) {
      const { size, mtimeMs } = statSync(path)
      addPhoto(services.db, { path, size, mtimeMs, sha256: sha256Of(path), width: 1, height: 1, takenAt: null })
    }
    const results: ClassifyResult[] = []
    async function* chunks(): AsyncGenerator<readonly string[]> {
      yield paths
    }
    for await (const batch of services.route.classifyBatches('resnet56-cifar10', chunks())) results.push(...batch)
    expect(results).toHaveLength(WEBGPU_PHOTOS.length)
    const byName = new Map(results.map((r) => [r.path.split('/').pop()!, r]))
    for (const name of WEBGPU_PHOTOS) {
      const result = byName.get(name)!
      if (!('top' in result)) throw new Error(`${name}: ${result.error}`)
      expect(result.verdict, name).toBeDefined()
      expect(result.verdict!.source).toBe('profile')
      expect(result.verdict!.unknown, name).toBe(name !== 'chelsea.png')
      const ood = webgpuOod.get(name)!
      expect(Math.abs(result.verdict!.ood - ood), name).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(ood)))
      expect(result.levels?.length ?? 0, name).toBeGreaterThan(0)
    }
    const cat = byName.get('chelsea.png')!
    expect('top' in cat && cat.top[0]!.label).toBe('cat')

    // The batch ran the card's views on WebGPU (the cards above, the photo alone): the embedding the library keeps
    // is the one the engine worker makes on native CPU.
    const native = await bundledModelVerdicts(paths)
    for (const path of paths) {
      const result = results.find((r) => r.path === path)!
      const reference = native.get(path)!.embedding!
      if (!('top' in result) || !result.embedding) throw new Error(`${path}: no embedding from the window`)
      expect(result.embedding.version).toBe(reference.version)
      expect(result.embedding.vector).toHaveLength(384)
      expect(similarity(result.embedding.vector, reference.vector), path).toBeGreaterThan(0.999)
    }
  })
})
