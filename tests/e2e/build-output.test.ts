import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { workerThreadPort } from '../../src/main/engine/engine-port'
import { WorkerEngine } from '../../src/main/engine/worker-engine'
import { parseModelCard } from '../../src/shared/model-card'
import { repoRoot, sharedPath } from '../support/shared'

describe('built app', () => {
  it('emits the preload as one CommonJS file, as a sandboxed renderer requires', () => {
    const preload = readFileSync(join(repoRoot, 'out', 'preload', 'index.cjs'), 'utf8')
    expect(preload).toMatch(/require\(["']electron["']\)/)
    expect(preload).not.toMatch(/^\s*import\s/m)
    expect(preload).not.toMatch(/require\(["']\.\.?\//) // no local chunks: sandboxed preloads cannot load them
  })

  it('opens every window with the secure web preferences', () => {
    const main = readFileSync(join(repoRoot, 'out', 'main', 'index.js'), 'utf8')
    expect(main).toMatch(/contextIsolation:\s*true/)
    expect(main).toMatch(/sandbox:\s*true/)
    expect(main).toMatch(/nodeIntegration:\s*false/)
    expect(main).toContain('setPermissionRequestHandler')
    expect(main).toContain('setWindowOpenHandler')
  })

  it('ships onnxruntime-web assets inside the renderer (the app is offline)', () => {
    const html = readFileSync(join(repoRoot, 'out', 'renderer', 'index.html'), 'utf8')
    expect(html).not.toMatch(/https?:\/\//)
    const assets = readdirSync(join(repoRoot, 'out', 'renderer', 'assets'))
    expect(assets.some((name) => /^ort-wasm-simd-threaded.*\.wasm$/.test(name))).toBe(true)
  })

  it('builds the engine worker as its own entry, without Electron, and it classifies', async () => {
    const script = join(repoRoot, 'out', 'main', 'engine-worker.js')
    // The worker and every chunk it imports: none of them may need Electron.
    const source = readFileSync(script, 'utf8')
    const chunks = [...source.matchAll(/from ["']\.\/(chunks\/[^"']+)["']/g)].map((m) =>
      join(repoRoot, 'out', 'main', m[1]!),
    )
    expect(chunks.length).toBeGreaterThan(0)
    for (const file of [script, ...chunks])
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from ["']electron["']/)
    // The utility process runs this very file; a worker thread offers the same parentPort messages.
    const engine = new WorkerEngine(() => workerThreadPort(new Worker(script)))
    try {
      const modelPath = join(repoRoot, 'resources', 'models', 'resnet56-cifar10.onnx')
      const card = parseModelCard(JSON.parse(readFileSync(modelPath.replace(/\.onnx$/, '.card.json'), 'utf8')))
      expect(await engine.load('m', { modelPath, card, sha256: card.sha256 }, 'native')).toEqual({
        provider: expect.stringMatching(/^native CPU/),
        knowledge: { source: 'energy', note: 'no profile' },
        // The photo's own 384 statistics, the mirror average (384), the tiles' first three stages (192).
        featureLength: 384 + 384 + 192,
      })
      const results = []
      for await (const result of engine.classify('m', [sharedPath('photos', 'chelsea.png')], { k: 1 }))
        results.push(result)
      expect(results).toEqual([
        {
          path: sharedPath('photos', 'chelsea.png'),
          top: [expect.objectContaining({ label: 'cat' })],
          verdict: expect.objectContaining({ source: 'energy' }),
          // Without a profile, the embedding of the layers' log1p statistics (see embeddingSpecFor).
          embedding: { version: expect.any(Number), vector: expect.any(Float32Array) },
        },
      ])
      const [only] = results
      expect('embedding' in only! && Math.hypot(...only.embedding!.vector)).toBeCloseTo(1, 5)
    } finally {
      await engine.close()
    }
  })
})
