/**
 * npm run bench (fidelity): the bundled model through each batch engine on all 5,000 CIFAR-10 test
 * JPEGs against PyTorch's predictions, with the bounds tests/unit/fidelity.test.ts holds (there on all
 * 5,000 for native CPU and on a 1,000-image sample for WASM). Exits 1 when a figure is out of bounds.
 */
import { spawnWorkerThread } from '../src/main/engine/engine-port'
import { WorkerEngine } from '../src/main/engine/worker-engine'
import { collectInputs } from '../src/main/fs/collect-inputs'
import { describeFidelity, fidelityProblems, measureFidelity } from '../tests/support/fidelity'
import { cifarHalfDir, readReferencePredictions } from '../tests/support/shared'

const engine = new WorkerEngine(spawnWorkerThread)
const dir = cifarHalfDir()
const rows = readReferencePredictions()
const paths = (await collectInputs([dir])).map((input) => input.path)
try {
  for (const backend of ['native', 'wasm'] as const) {
    const figures = await measureFidelity(engine, backend, dir, paths, rows)
    console.log(describeFidelity(backend, figures))
    for (const problem of fidelityProblems(figures)) {
      console.error(`  ${backend}: ${problem}`)
      process.exitCode = 1
    }
  }
} finally {
  await engine.close()
}
