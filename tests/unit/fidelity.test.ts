import { relative, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnWorkerThread } from '../../src/main/engine/engine-port'
import type { WorkerBackend } from '../../src/main/engine-process/protocol'
import { WorkerEngine } from '../../src/main/engine/worker-engine'
import { collectInputs } from '../../src/main/fs/collect-inputs'
import { describeFidelity, fidelityProblems, measureFidelity } from '../support/fidelity'
import { cifarHalfDir, readReferencePredictions, type ReferenceRow } from '../support/shared'

/** WASM runs every 10th image (50 per class): its full 5,000-image figures are printed by `npm run bench`. */
const WASM_SAMPLE_EVERY = 10

// The bundled model through each batch engine (walk → decode → preprocess in the engine worker →
// onnxruntime-node's CPU or onnxruntime-web's WASM) against PyTorch's predictions on the 5,000
// CIFAR-10 test JPEGs: all of them on native CPU, 1,000 on WASM (about 5× slower here; the two share
// everything but the runtime). WebGPU's agreement with both is checked in tests/e2e/classify-screen.test.ts.
describe('fidelity to PyTorch on cifar10-test-half', () => {
  const engine = new WorkerEngine(spawnWorkerThread)
  const dir = cifarHalfDir()
  const reference = readReferencePredictions()
  /** The images the folder walk finds, as absolute paths. */
  let walked: string[]
  beforeAll(async () => {
    walked = (await collectInputs([dir])).map((input) => input.path)
  })
  afterAll(() => engine.close())

  it('the walk finds every reference image, and nothing else', () => {
    const found = walked.map((path) => relative(dir, path).split(sep).join('/')).sort()
    expect(found).toEqual(reference.map((row) => row.path).sort())
  })

  const rowsFor: Record<WorkerBackend, ReferenceRow[]> = {
    native: reference,
    wasm: reference.filter((_, i) => i % WASM_SAMPLE_EVERY === 0),
  }

  it.each<WorkerBackend>(['native', 'wasm'])(
    '%s: agrees with the reference on ≥ 99.5% of images, accuracy within 0.3 points',
    { timeout: 180_000 },
    async (backend) => {
      const rows = rowsFor[backend]
      const wanted = new Set(rows.map((row) => row.path))
      const paths = walked.filter((path) => wanted.has(relative(dir, path).split(sep).join('/')))
      expect(paths).toHaveLength(rows.length)
      const figures = await measureFidelity(engine, backend, dir, paths, rows)
      console.log(describeFidelity(backend, figures))
      expect(fidelityProblems(figures)).toEqual([])
    },
  )
})
