import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/main/db/database'
import { spawnWorkerThread } from '../../src/main/engine/engine-port'
import { readModel } from '../../src/main/inference/load-model'
import { createNativeEngine } from '../../src/main/inference/native-ort'
import { WorkerEngine } from '../../src/main/engine/worker-engine'
import { JobRunner } from '../../src/main/jobs'
import { buildPlan, executeOrganize, organizeSteps } from '../../src/main/organize'
import { defaultModelPath, labelsDir } from '../../src/cli/paths'
import { cifarHalfDir, readReferencePredictions } from '../support/shared'
import { CIFAR_CLASSES, census, openLibrary, snapshot } from '../crash/organize-helpers'
import type { ModelClassifyFn } from '../../src/main/inference/classify-result'

/** Every 5th image of the CIFAR half: 1,000 JPEGs, 100 per class, their names repeating across classes. */
const SAMPLE_EVERY = 5
const PHOTOS = 1000

// A sample of the CIFAR half through a folder job and a copy organize with threshold 0: every photo
// lands in exactly one class folder, byte for byte, and the share in the folder of its true class is
// the model's accuracy on those photos (PyTorch's: the model agrees with it on ≥ 99.5% of them,
// fidelity.test.ts). These hold photo by photo, so a fifth of the half proves them as the whole did.
describe('organize the CIFAR-10 test half', () => {
  let dir: string
  /** The sample with the reference CSV beside it, as in the data set's folder. */
  let source: string
  const sample = readReferencePredictions().filter((_, i) => i % SAMPLE_EVERY === 0)
  let db: Db
  let modelId: string
  const engine = new WorkerEngine(spawnWorkerThread)
  let classify: ModelClassifyFn
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'organize-cifar-'))
    source = join(dir, 'cifar10-test-half')
    for (const cls of CIFAR_CLASSES) mkdirSync(join(source, cls), { recursive: true })
    for (const row of sample) copyFileSync(join(cifarHalfDir(), row.path), join(source, row.path))
    copyFileSync(join(cifarHalfDir(), 'reference-predictions.csv'), join(source, 'reference-predictions.csv'))
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

  it('1,000 in, 1,000 out, same bytes, and the accuracy share in the right folders', { timeout: 150_000 }, async () => {
    expect(sample).toHaveLength(PHOTOS)
    const out = join(dir, 'sorted')
    const t0 = performance.now()
    const runner = new JobRunner({ db, classify })
    const job = await runner.start(runner.create({ folder: source, modelId }).id)
    const t1 = performance.now()
    expect(job).toMatchObject({ state: 'done', total: PHOTOS, classified: PHOTOS, failed: 0, reused: 0 })
    // The reference CSV beside the images is the only file skipped.
    expect(runner.errors(job.id).map((e) => [relative(source, e.path), e.reason])).toEqual([
      ['reference-predictions.csv', 'not an image file (.csv)'],
    ])

    const plan = await buildPlan(db, { jobId: job.id, modelId, out, threshold: 0, mode: 'copy' })
    expect(plan.steps).toHaveLength(PHOTOS)
    expect(plan.skipped).toEqual([])
    // Threshold 0: every photo the model knows goes to its top-1 class; those it does not, to _unknown.
    const unknown = plan.steps.filter((s) => s.kind === 'unknown').length
    expect(plan.groups.map((g) => g.folder).sort()).toEqual(
      unknown > 0 ? ['_unknown', ...CIFAR_CLASSES] : [...CIFAR_CLASSES],
    )
    const report = await executeOrganize(db, plan)
    const t2 = performance.now()
    expect(report.problems).toEqual([])
    expect(report.run).toMatchObject({ state: 'done', total: PHOTOS, steps: { done: PHOTOS } })

    // Census: the multiset of hashes out equals the multiset in; nothing else was written.
    const input = new Map([...snapshot(source)].filter(([p]) => p.endsWith('.jpg')))
    const output = snapshot(out)
    expect(input.size).toBe(PHOTOS)
    expect(output.size).toBe(PHOTOS)
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
    const share = (100 * right) / PHOTOS
    // PyTorch's accuracy on the same photos.
    const referenceAccuracy = (100 * sample.filter((r) => r.resnet56 === r.label).length) / PHOTOS
    console.log(
      `organize-cifar: classify ${((t1 - t0) / 1000).toFixed(1)} s (${(PHOTOS / ((t1 - t0) / 1000)).toFixed(0)} img/s), ` +
        `plan + copy ${((t2 - t1) / 1000).toFixed(1)} s; in the true class folder: ${right}/${PHOTOS} = ${share.toFixed(2)}% ` +
        `(PyTorch ${referenceAccuracy.toFixed(2)}%); ` +
        `census ${input.size} in, ${output.size} out, ${census(output).length} distinct hashes, ${suffixed} suffixed names; ` +
        `${unknown} unknown to the model`,
    )
    expect(Math.abs(share - referenceAccuracy)).toBeLessThanOrEqual(0.3)
  })
})
