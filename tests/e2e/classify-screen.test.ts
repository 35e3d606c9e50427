import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApp, type AppSession } from '../support/app-session'
import { readCards, waitForCards, waitForProvider } from '../support/cards'
import { dropFiles, fileFromDisk, type FileToDrop } from '../support/drop'
import { cifarHalfDir, readReferencePredictions, sharedPath, type ReferenceRow } from '../support/shared'

const LABELS = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']

/** `count` reference rows spread evenly over the data set (every class included). */
function sampleRows(count: number, offset = 0): ReferenceRow[] {
  const rows = readReferencePredictions()
  const step = Math.floor(rows.length / count)
  return Array.from({ length: count }, (_, i) => rows[(i * step + offset) % rows.length]!)
}

/** The flat name a dropped CIFAR file gets, unique across class folders. */
const dropName = (row: ReferenceRow) => row.path.replace('/', '-')

function cifarFiles(rows: readonly ReferenceRow[]): FileToDrop[] {
  return rows.map((row) => fileFromDisk(join(cifarHalfDir(), row.path), dropName(row)))
}

async function chooseEngine(page: Page, engine: 'auto' | 'webgpu' | 'wasm'): Promise<void> {
  await page.getByTestId('engine-select').selectOption(engine)
}

async function clearCards(page: Page): Promise<void> {
  await page.getByRole('button', { name: /clear/i }).click()
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="photo-card"]').length === 0)
}

describe('Classify screen (WASM)', () => {
  let app: AppSession
  beforeAll(async () => {
    app = await openApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('runs in a cross-origin isolated page with the CSP and only the contract bridge exposed', async () => {
    const { page } = app
    const response = await page.request.get(app.server.url + '/')
    expect(response.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'")
    const facts = await page.evaluate(() => ({
      isolated: globalThis.crossOriginIsolated,
      apiKeys: Object.keys((globalThis as unknown as { api: object }).api).sort(),
      hasRequire: 'require' in globalThis,
      hasProcess: 'process' in globalThis,
    }))
    expect(facts).toEqual({
      isolated: true,
      apiKeys: ['invoke', 'pathForFile', 'on'].sort(),
      hasRequire: false,
      hasProcess: false,
    })
    expect(app.consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([])
    await expect(
      page.evaluate(() =>
        (globalThis as unknown as { api: { invoke(c: string): Promise<unknown> } }).api.invoke('fs:read'),
      ),
    ).rejects.toThrow(/Unknown IPC channel/)
  })

  it('shows the bundled model and the WASM provider with threads', async () => {
    const { page } = app
    await expect.poll(() => page.getByTestId('model-name').textContent()).toContain('ResNet-56')
    await dropFiles(page, '[data-testid="drop-zone"]', cifarFiles(sampleRows(1)))
    await waitForCards(page, 1)
    await waitForProvider(page, /^WASM · [2-9] threads$/)
    await clearCards(page)
  })

  it('classifies 100 dropped CIFAR photos as PyTorch does', async () => {
    const { page } = app
    const rows = sampleRows(100, 3)
    await dropFiles(page, '[data-testid="drop-zone"]', cifarFiles(rows))
    await waitForCards(page, rows.length)
    const cards = new Map((await readCards(page)).map((card) => [card.name, card]))
    let agree = 0
    for (const row of rows) {
      const card = cards.get(dropName(row))!
      expect(card, row.path).toBeDefined()
      expect(card.status, `${row.path}: ${card.error}`).toBe('done')
      expect(card.predictions).toHaveLength(5)
      if (card.predictions[0]!.label === LABELS[row.resnet56]) agree++
    }
    console.log(`browser path: ${agree}/${rows.length} top-1 labels agree with the PyTorch reference`)
    expect(agree / rows.length).toBeGreaterThanOrEqual(0.995)
    await clearCards(page)
  })

  it('shows predictions for a real photo and a clear error for a corrupt file, side by side', async () => {
    const { page } = app
    await dropFiles(page, '[data-testid="drop-zone"]', [
      fileFromDisk(sharedPath('photos', 'chelsea.png')),
      {
        name: 'corrupt.jpg',
        type: 'image/jpeg',
        bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(2048)]),
      },
    ])
    await waitForCards(page, 2)
    const cards = await readCards(page)
    const cat = cards.find((c) => c.name === 'chelsea.png')!
    const corrupt = cards.find((c) => c.name === 'corrupt.jpg')!
    expect(cat.status).toBe('done')
    expect(cat.predictions.map((p) => p.label)[0]).toBe('cat')
    const ps = cat.predictions.map((p) => p.p)
    expect(ps).toEqual([...ps].sort((a, b) => b - a))
    expect(ps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9)
    expect(corrupt.status).toBe('error')
    expect(corrupt.error).toMatch(/read|decode|image/i)
    await expect.poll(() => page.getByTestId('photo-card').count()).toBe(2)
    for (const card of await page.getByTestId('photo-card').all()) expect(await card.isVisible()).toBe(true)
    expect(app.consoleErrors.filter((e) => e.startsWith('pageerror'))).toEqual([])
  })
})

describe('Classify screen (WebGPU through SwiftShader)', () => {
  let app: AppSession
  beforeAll(async () => {
    app = await openApp({ webgpu: true })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('runs the WebGPU provider when chosen, with logits matching WASM within 1e-3', async () => {
    const { page } = app
    const rows = sampleRows(12, 7)
    await waitForProvider(page, /^WASM/)
    expect(await page.getByTestId('provider-reason').textContent()).toContain('only a software adapter')

    await chooseEngine(page, 'wasm')
    await dropFiles(page, '[data-testid="drop-zone"]', cifarFiles(rows))
    await waitForCards(page, rows.length)
    const wasm = new Map((await readCards(page)).map((c) => [c.name, c]))
    await clearCards(page)

    await chooseEngine(page, 'webgpu')
    await dropFiles(page, '[data-testid="drop-zone"]', cifarFiles(rows))
    await waitForCards(page, rows.length)
    await waitForProvider(page, /^WebGPU$/)
    const webgpu = await readCards(page)

    let maxDiff = 0
    for (const card of webgpu) {
      expect(card.status, card.error ?? '').toBe('done')
      expect(card.provider).toMatch(/WebGPU/)
      const reference = wasm.get(card.name)!
      expect(reference.provider).toMatch(/WASM/)
      expect(card.logits).toHaveLength(10)
      card.logits!.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - reference.logits![i]!))))
    }
    console.log(`WebGPU vs WASM on ${webgpu.length} images: max |logit difference| = ${maxDiff.toExponential(2)}`)
    expect(maxDiff).toBeLessThanOrEqual(1e-3)
  })
})
