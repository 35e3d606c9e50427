import { relative, sep } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { spawnWorkerThread } from '../../src/main/engine/engine-port'
import type { WorkerBackend, WorkerResult } from '../../src/main/engine/engine-protocol'
import { readModel } from '../../src/main/engine/load-model'
import { createNativeEngine } from '../../src/main/engine/native-ort'
import { WorkerEngine } from '../../src/main/engine/worker-engine'
import { collectInputs } from '../../src/cli/walk'
import { defaultModelPath, labelsDir } from '../../src/cli/paths'
import { cifarHalfDir, readReferencePredictions } from '../support/shared'

// The bundled model through each batch engine (walk → decode → preprocess in the engine worker →
// onnxruntime-node's CPU or onnxruntime-web's WASM) against PyTorch's predictions on the 5,000
// CIFAR-10 test JPEGs. WebGPU's agreement with both is checked in tests/e2e/classify-screen.test.ts.
describe('fidelity to PyTorch on cifar10-test-half', () => {
  const engine = new WorkerEngine(spawnWorkerThread)
  afterAll(() => engine.close())

  it.each<WorkerBackend>(['native', 'wasm'])(
    '%s: agrees with the reference on ≥ 99.5% of images, accuracy within 0.3 points',
    { timeout: 180_000 },
    async (backend) => {
      const { card } = await readModel(createNativeEngine(1), defaultModelPath, labelsDir)
      await engine.load(backend, { modelPath: defaultModelPath, card, sha256: card.sha256 }, backend)
      const reference = readReferencePredictions()
      const dir = cifarHalfDir()
      const inputs = await collectInputs([dir])
      expect(inputs).toHaveLength(reference.length)

      const started = performance.now()
      const results: WorkerResult[] = []
      for await (const result of engine.classify(
        backend,
        inputs.map((input) => input.path),
        { k: 1, batchSize: 50 },
      ))
        results.push(result)
      const seconds = (performance.now() - started) / 1000
      await engine.release(backend)

      const byPath = new Map(results.map((r) => [relative(dir, r.path).split(sep).join('/'), r]))
      let agree = 0
      let correct = 0
      let referenceCorrect = 0
      let pDiff = 0
      for (const row of reference) {
        const result = byPath.get(row.path)
        if (!result || 'error' in result) throw new Error(`${row.path}: ${result ? result.error : 'not classified'}`)
        const top = result.top[0]!
        if (top.index === row.resnet56) agree++
        if (top.index === row.label) correct++
        if (row.resnet56 === row.label) referenceCorrect++
        if (top.index === row.resnet56) pDiff += Math.abs(top.p - row.resnet56P)
      }
      const n = reference.length
      const agreement = (100 * agree) / n
      const accuracy = (100 * correct) / n
      const referenceAccuracy = (100 * referenceCorrect) / n
      const meanPDiff = pDiff / agree
      console.log(
        `fidelity (${backend}): ${n} images in ${seconds.toFixed(1)} s (${(n / seconds).toFixed(0)} images/s); ` +
          `top-1 agreement ${agreement.toFixed(2)}% (${n - agree} differ); ` +
          `accuracy ${accuracy.toFixed(2)}% vs reference ${referenceAccuracy.toFixed(2)}%; ` +
          `mean |Δp(top-1)| ${meanPDiff.toFixed(5)}`,
      )
      expect(agreement).toBeGreaterThanOrEqual(99.5)
      expect(Math.abs(accuracy - referenceAccuracy)).toBeLessThanOrEqual(0.3)
      // Same top-1 but a different probability would mean preprocessing drifted (the CSV rounds to 4 places).
      expect(meanPDiff).toBeLessThan(0.005)
    },
  )
})
