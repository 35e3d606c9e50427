import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/main/db/database'
import { spawnWorkerThread } from '../../src/main/engine/engine-port'
import { readModel } from '../../src/main/engine/load-model'
import { createNativeEngine } from '../../src/main/engine/native-ort'
import { WorkerEngine } from '../../src/main/engine/worker-engine'
import { JobRunner, type JobClassifyFn } from '../../src/main/jobs'
import { buildPlan, executeOrganize, organizeSteps } from '../../src/main/organize'
import { defaultModelPath, labelsDir } from '../../src/cli/paths'
import { cifarHalfDir, readReferencePredictions } from '../support/shared'
import { CIFAR_CLASSES, census, openLibrary, snapshot } from '../crash/organize-helpers'

/** The bundled model's top-1 accuracy on this half of the CIFAR-10 test set (fidelity.test.ts). */
const FIDELITY_ACCURACY = 89.06

// The whole CIFAR half (5,000 JPEGs) through a folder job and a copy organize with threshold 0: every
// photo lands in exactly one class folder, byte for byte, and the share in the folder of its true
// class is the model's accuracy.
describe('organize the CIFAR-10 test half', () => {
  let dir: string
  let db: Db
  let modelId: string
  const engine = new WorkerEngine(spawnWorkerThread)
  let classify: JobClassifyFn
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'organize-cifar-'))
    ;({ db, modelId } = await openLibrary(join(dir, 'library.db')))
    // The batch engine the app and the CLI choose on a CPU-only machine: onnxruntime-node in the engine worker.
    const { card } = await readModel(createNativeEngine(1), defaultModelPath, labelsDir)
    await engine.load('native', { modelPath: defaultModelPath, card, sha256: card.sha256 }, 'native')
    classify = (_modelId, paths, signal) =>
      engine.classify('native', paths, { batchSize: 50, ...(signal && { signal }) })
  })
  afterAll(async () => {
    await engine.close()
    db?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('5,000 in, 5,000 out, same bytes, and the accuracy share in the right folders', { timeout: 150_000 }, async () => {
    const source = cifarHalfDir()
    const out = join(dir, 'sorted')
    const t0 = performance.now()
    const runner = new JobRunner({ db, classify })
    const job = await runner.start(runner.create({ folder: source, modelId }).id)
    const t1 = performance.now()
    expect(job).toMatchObject({ state: 'done', total: 5000, classified: 5000, failed: 0, reused: 0 })
    // The reference CSV beside the images is the only file skipped.
    expect(runner.errors(job.id).map((e) => [relative(source, e.path), e.reason])).toEqual([
      ['reference-predictions.csv', 'not an image file (.csv)'],
    ])

    const plan = await buildPlan(db, { jobId: job.id, modelId, out, threshold: 0, mode: 'copy' })
    expect(plan.steps).toHaveLength(5000)
    expect(plan.skipped).toEqual([])
    // Threshold 0: every photo the model knows goes to its top-1 class; those it does not, to _unknown.
    const unknown = plan.steps.filter((s) => s.kind === 'unknown').length
    expect(plan.groups.map((g) => g.folder).sort()).toEqual(
      unknown > 0 ? ['_unknown', ...CIFAR_CLASSES] : [...CIFAR_CLASSES],
    )
    const report = await executeOrganize(db, plan)
    const t2 = performance.now()
    expect(report.problems).toEqual([])
    expect(report.run).toMatchObject({ state: 'done', total: 5000, steps: { done: 5000 } })

    // Census: the multiset of hashes out equals the multiset in; nothing else was written.
    const input = new Map([...snapshot(source)].filter(([p]) => p.endsWith('.jpg')))
    const output = snapshot(out)
    expect(input.size).toBe(5000)
    expect(output.size).toBe(5000)
    expect(census(output)).toEqual(census(input))
    // Every class folder holds images of several true classes whose names repeat (cat/0000.jpg and
    // dog/0000.jpg both predicted "cat"): the later ones are suffixed, none is lost.
    const names = [...output.keys()]
    expect(names.filter((p) => !/^(_unknown|[a-z]+)\/\d{4}( \([2-9]\))?\.jpg$/.test(p))).toEqual([])
    const suffixed = names.filter((p) => p.includes(' (')).length

    // The share of photos in the folder of their true class (the source's folder) is the accuracy; a
    // photo the model does not know counts by the class it is closest to (its top-1).
    const closest = new Map(plan.steps.map((s) => [s.source, s.closest]))
    let right = 0
    for (const step of organizeSteps(db, report.run.id)) {
      const truth = relative(source, step.source).split(sep)[0]
      const top1 = step.folder === '_unknown' ? closest.get(step.source) : step.folder
      if (top1 === truth) right++
    }
    const share = (100 * right) / 5000
    const reference = readReferencePredictions()
    const referenceAccuracy = (100 * reference.filter((r) => r.resnet56 === r.label).length) / reference.length
    console.log(
      `organize-cifar: classify ${((t1 - t0) / 1000).toFixed(1)} s (${(5000 / ((t1 - t0) / 1000)).toFixed(0)} img/s), ` +
        `plan + copy ${((t2 - t1) / 1000).toFixed(1)} s; in the true class folder: ${right}/5000 = ${share.toFixed(2)}% ` +
        `(fidelity ${FIDELITY_ACCURACY}%, PyTorch ${referenceAccuracy.toFixed(2)}%); ` +
        `census ${input.size} in, ${output.size} out, ${census(output).length} distinct hashes, ${suffixed} suffixed names; ` +
        `${unknown} unknown to the model`,
    )
    expect(Math.abs(share - FIDELITY_ACCURACY)).toBeLessThanOrEqual(0.3)
  })
})
