import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnWorkerThread } from '../../src/main/engine/engine-port'
import { WorkerEngine } from '../../src/main/engine/worker-engine'
import { parseModelCard } from '../../src/shared/model-card'
import { openApp, type AppSession } from '../support/app-session'
import { readCards, waitForCards, waitForProvider, type CardState } from '../support/cards'
import { dropFiles, fileFromDisk, type FileToDrop } from '../support/drop'
import { invoke } from '../support/page-ipc'
import { cifarHalfDir, readReferencePredictions, repoRoot, sharedPath, type ReferenceRow } from '../support/shared'

const LABELS = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']

/** `count` reference rows spread evenly over the data set (every class included from 10 on). */
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
    await expect(invoke(page, 'fs:read')).rejects.toMatchObject({
      kind: 'invalid-input',
      message: expect.stringMatching(/^Unknown IPC channel/),
    })
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

// SwiftShader emulates the GPU on the CPU (about 2.5 s a photo here: the bundled card runs six views of each,
// and its shaders take long to build), so one window runs both WebGPU checks on the same 4 photos spread over
// the CIFAR half (4 of its classes): their logits against the other engines, and their top-1 against PyTorch;
// native CPU and WASM run many more (the 100 photos above, and 5,000 in fidelity.test.ts).
describe('Classify screen (WebGPU through SwiftShader)', () => {
  let app: AppSession
  const rows = sampleRows(4, 3)
  /** The photos whose logits are compared across engines: all of them. */
  const logitRows = rows
  /** The cards classified on WebGPU by the first test, read by the second. */
  let webgpuCards: CardState[] = []
  let webgpuSeconds = 0
  beforeAll(async () => {
    app = await openApp({ webgpu: true })
  })
  afterAll(async () => {
    await app?.close()
  })

  it(
    'runs the WebGPU provider when chosen; WebGPU, WASM and native CPU logits agree within 1e-3',
    { timeout: 600_000 },
    async () => {
      const { page } = app
      await waitForProvider(page, /^WASM/)
      expect(await page.getByTestId('provider-reason').textContent()).toContain('only a software adapter')

      await chooseEngine(page, 'wasm')
      await dropFiles(page, '[data-testid="drop-zone"]', cifarFiles(logitRows))
      await waitForCards(page, logitRows.length)
      const wasm = new Map((await readCards(page)).map((c) => [c.name, c]))
      await clearCards(page)

      await chooseEngine(page, 'webgpu')
      const started = performance.now()
      await dropFiles(page, '[data-testid="drop-zone"]', cifarFiles(rows))
      webgpuCards = await waitForCards(page, rows.length, 600_000)
      webgpuSeconds = (performance.now() - started) / 1000
      await waitForProvider(page, /^WebGPU$/)
      expect(webgpuCards).toHaveLength(rows.length)
      const webgpu = webgpuCards.filter((card) => wasm.has(card.name))
      expect(webgpu).toHaveLength(logitRows.length)

      // The same files through the batch engines (the engine worker: onnxruntime-node and onnxruntime-web's WASM in Node).
      const native = await workerLogits('native', logitRows)
      const nodeWasm = await workerLogits('wasm', logitRows)
      const maxDiff = { 'WebGPU–WASM': 0, 'WebGPU–native': 0, 'WASM–native': 0, 'WASM (Node)–native': 0 }
      const widen = (key: keyof typeof maxDiff, a: readonly number[], b: ArrayLike<number>): void => {
        expect(a).toHaveLength(10)
        expect(b).toHaveLength(10)
        a.forEach((v, i) => (maxDiff[key] = Math.max(maxDiff[key], Math.abs(v - b[i]!))))
      }
      for (const card of webgpu) {
        expect(card.status, card.error ?? '').toBe('done')
        expect(card.provider).toMatch(/WebGPU/)
        const reference = wasm.get(card.name)!
        expect(reference.provider).toMatch(/WASM/)
        const row = logitRows.find((r) => dropName(r) === card.name)!
        widen('WebGPU–WASM', card.logits!, reference.logits!)
        widen('WebGPU–native', card.logits!, native.get(row.path)!)
        widen('WASM–native', reference.logits!, native.get(row.path)!)
        widen('WASM (Node)–native', [...nodeWasm.get(row.path)!], native.get(row.path)!)
      }
      console.log(
        `${webgpu.length} images, max |logit difference|: ` +
          Object.entries(maxDiff)
            .map(([pair, diff]) => `${pair} ${diff.toExponential(2)}`)
            .join(', '),
      )
      for (const diff of Object.values(maxDiff)) expect(diff).toBeLessThanOrEqual(1e-3)
    },
  )

  it("reproduces PyTorch's top-1 on 4 CIFAR photos of 4 classes", () => {
    expect(webgpuCards, 'the WebGPU cards of the test above').toHaveLength(rows.length)
    const byName = new Map(webgpuCards.map((card) => [card.name, card]))
    let agree = 0
    for (const row of rows) {
      const card = byName.get(dropName(row))!
      expect(card.status, card.error ?? '').toBe('done')
      expect(card.provider).toMatch(/WebGPU/)
      if (card.predictions[0]?.label === LABELS[row.resnet56]) agree++
    }
    console.log(
      `WebGPU (SwiftShader): ${agree}/${rows.length} top-1 agree with PyTorch (${((100 * agree) / rows.length).toFixed(2)} %), ${webgpuSeconds.toFixed(1)} s`,
    )
    expect(agree / rows.length).toBeGreaterThanOrEqual(0.995)
  })
})

/** Each row's logits from the engine worker's backend, by dataset path. */
async function workerLogits(
  backend: 'native' | 'wasm',
  rows: readonly ReferenceRow[],
): Promise<Map<string, Float32Array>> {
  const card = parseModelCard(
    JSON.parse(readFileSync(join(repoRoot, 'resources', 'models', 'resnet56-cifar10.card.json'), 'utf8')),
  )
  const engine = new WorkerEngine(spawnWorkerThread)
  try {
    await engine.load(
      backend,
      { modelPath: join(repoRoot, 'resources', 'models', 'resnet56-cifar10.onnx'), card, sha256: card.sha256 },
      backend,
    )
    const logits = new Map<string, Float32Array>()
    const paths = rows.map((row) => join(cifarHalfDir(), row.path))
    for await (const result of engine.classify(backend, paths, { logits: true })) {
      if (!('top' in result) || !result.logits)
        throw new Error(`${result.path}: ${'error' in result ? result.error : 'no logits'}`)
      logits.set(rows[paths.indexOf(result.path)]!.path, result.logits)
    }
    return logits
  } finally {
    await engine.close()
  }
}
