/**
 * How closely one batch engine reproduces PyTorch on the CIFAR-10 test half: the bundled model through
 * the engine worker (decode → preprocess → onnxruntime) against `reference-predictions.csv`.
 * tests/unit/fidelity.test.ts checks these figures (on all 5,000 images for native CPU, on a sample
 * for WASM); `scripts/bench-fidelity.ts` prints them for every engine on all 5,000.
 */
import { withoutViews } from '../../src/shared/preprocess/views'
import { relative, sep } from 'node:path'
import type { WorkerBackend, WorkerResult } from '../../src/main/engine-process/protocol'
import type { WorkerEngine } from '../../src/main/engine/worker-engine'
import { readModel } from '../../src/main/inference/load-model'
import { createNativeEngine } from '../../src/main/inference/native-ort'
import { defaultModelPath, labelsDir } from '../../src/cli/paths'
import type { ReferenceRow } from './shared'

export interface FidelityFigures {
  images: number
  seconds: number
  /** Images whose top-1 differs from PyTorch's. */
  differ: number
  /** Top-1 agreement with PyTorch, in percent. */
  agreement: number
  /** Top-1 accuracy against the true labels, in percent: the engine's, and PyTorch's on the same images. */
  accuracy: number
  referenceAccuracy: number
  /** Mean |Δp| of the top-1 class where both agree (the CSV rounds to 4 places). */
  meanPDiff: number
}

/** At least this agreement, accuracy this close to PyTorch's, and this close in probability. */
export const FIDELITY_BOUNDS = { agreement: 99.5, accuracyPoints: 0.3, meanPDiff: 0.005 } as const

/**
 * Classifies `paths` (files under `dir`) on `backend` with the bundled model and compares the results
 * with `rows`, the reference rows of those files; every row must have a result.
 */
export async function measureFidelity(
  engine: WorkerEngine,
  backend: WorkerBackend,
  dir: string,
  paths: readonly string[],
  rows: readonly ReferenceRow[],
): Promise<FidelityFigures> {
  const { card } = await readModel(createNativeEngine(1), defaultModelPath, labelsDir)
  // The photo alone: with views its logits are the same (tests/unit/feature-graph.test.ts), at a sixth of the work.
  await engine.load(backend, { modelPath: defaultModelPath, card: withoutViews(card), sha256: card.sha256 }, backend)
  const started = performance.now()
  const results: WorkerResult[] = []
  for await (const result of engine.classify(backend, paths, { k: 1, batchSize: 50 })) results.push(result)
  const seconds = (performance.now() - started) / 1000
  await engine.release(backend)

  const byPath = new Map(results.map((r) => [relative(dir, r.path).split(sep).join('/'), r]))
  let agree = 0
  let correct = 0
  let referenceCorrect = 0
  let pDiff = 0
  for (const row of rows) {
    const result = byPath.get(row.path)
    if (!result || 'error' in result) throw new Error(`${row.path}: ${result ? result.error : 'not classified'}`)
    const top = result.top[0]!
    if (top.index === row.resnet56) agree++
    if (top.index === row.label) correct++
    if (row.resnet56 === row.label) referenceCorrect++
    if (top.index === row.resnet56) pDiff += Math.abs(top.p - row.resnet56P)
  }
  const n = rows.length
  return {
    images: n,
    seconds,
    differ: n - agree,
    agreement: (100 * agree) / n,
    accuracy: (100 * correct) / n,
    referenceAccuracy: (100 * referenceCorrect) / n,
    meanPDiff: pDiff / agree,
  }
}

/** The figures in one line, as the test and the bench print them. */
export function describeFidelity(backend: WorkerBackend, f: FidelityFigures): string {
  return (
    `fidelity (${backend}): ${f.images} images in ${f.seconds.toFixed(1)} s (${(f.images / f.seconds).toFixed(0)} images/s); ` +
    `top-1 agreement ${f.agreement.toFixed(2)}% (${f.differ} differ); ` +
    `accuracy ${f.accuracy.toFixed(2)}% vs reference ${f.referenceAccuracy.toFixed(2)}%; ` +
    `mean |Δp(top-1)| ${f.meanPDiff.toFixed(5)}`
  )
}

/** What is wrong with the figures (nothing: an empty list). */
export function fidelityProblems(f: FidelityFigures): string[] {
  const problems: string[] = []
  if (f.agreement < FIDELITY_BOUNDS.agreement) problems.push(`agreement ${f.agreement.toFixed(2)}% is under 99.5%`)
  if (Math.abs(f.accuracy - f.referenceAccuracy) > FIDELITY_BOUNDS.accuracyPoints)
    problems.push(`accuracy is more than 0.3 points from PyTorch's`)
  // Same top-1 but a different probability would mean preprocessing drifted.
  if (!(f.meanPDiff < FIDELITY_BOUNDS.meanPDiff)) problems.push(`mean |Δp(top-1)| ${f.meanPDiff} is not under 0.005`)
  return problems
}
