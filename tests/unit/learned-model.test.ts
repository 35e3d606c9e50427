import { runCliScript, type CliRun } from '../support/run-cli'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blockDims, embeddingDims, type EmbeddingSpec } from '../../src/shared/embedding/embedding-spec'
import { featureLength, layoutWithViews, type FeatureLayout } from '../../src/shared/knowledge/features'
import { parseProfile } from '../../src/shared/knowledge/profile'
import { headScores, type LearnedHead } from '../../src/shared/learning/learned-head'
import { parseModelCard, type ModelCard } from '../../src/shared/model-card'
import { parseTeachArgs } from '../../src/cli/teach-args'
import { UsageError } from '../../src/cli/usage'
import { openFeatureExtractor } from '../../src/main/inference/extract-features'
import { createNativeEngine } from '../../src/main/inference/native-ort'
import { createWasmEngine, type NodeEngine } from '../../src/main/inference/node-ort'
import { writeLearnedModel } from '../../src/main/own-tags/learned-model'
import { readModelGraph } from '../../src/main/onnx'
import { LEARNED_OUTPUT, spliceLearnedHead } from '../../src/main/onnx/learned-head'
import { repoRoot, sharedPath } from '../support/shared'

const baseModelPath = join(repoRoot, 'resources', 'models', 'resnet56-cifar10.onnx')
const baseCard = parseModelCard(
  JSON.parse(readFileSync(join(repoRoot, 'resources', 'models', 'resnet56-cifar10.card.json'), 'utf8')),
)

/** The embedding by its definition (`embedding-spec.ts`), in doubles: what the graph must compute. */
function referenceEmbedding(features: Float32Array, spec: EmbeddingSpec): Float64Array {
  const parts: number[][] = []
  for (const block of spec.blocks) {
    const n = block.end - block.start
    let x = Array.from(features.subarray(block.start, block.end), (v, i) => {
      let value = block.log1p ? Math.log1p(v) : v
      if (block.center) value -= block.center[i]!
      if (block.scale) value /= block.scale[i]!
      return value
    })
    if (block.projection) {
      const dims = blockDims(block)
      const projected = new Array<number>(dims).fill(0)
      for (let i = 0; i < n; i++)
        for (let d = 0; d < dims; d++) projected[d]! += x[i]! * block.projection[i * dims + d]!
      x = projected
    }
    const norm = Math.hypot(...x)
    parts.push(x.map((v) => (norm > 1e-12 ? v / norm : 0) * block.weight))
  }
  const all = parts.flat()
  const norm = Math.hypot(...all)
  return Float64Array.from(all, (v) => (norm > 1e-12 ? v / norm : 0))
}

function referenceScores(features: Float32Array, spec: EmbeddingSpec, head: LearnedHead): Float64Array {
  const e = referenceEmbedding(features, spec)
  return Float64Array.from(head.tags, (_, t) =>
    e.reduce((sum, v, i) => sum + v * head.weights[t * head.dims + i]!, head.bias[t]!),
  )
}

/** A deterministic pseudo-random stream in [−0.5, 0.5). */
function random(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 16807) % 2147483647
    return s / 2147483647 - 0.5
  }
}

/** Three blocks: one with log1p, center, scale and a projection; one with log1p only; one plain. Three tags. */
function testSpecAndHead(layout: FeatureLayout): { spec: EmbeddingSpec; head: LearnedHead } {
  const rnd = random(7)
  const floats = (n: number, f: () => number = rnd) => Float32Array.from({ length: n }, f)
  const length = featureLength(layout)
  const spec: EmbeddingSpec = {
    version: 1,
    blocks: [
      {
        start: 0,
        end: 48,
        log1p: true,
        center: floats(48, () => 0.3 + rnd() * 0.2),
        scale: floats(48, () => 0.5 + Math.abs(rnd())),
        projection: floats(48 * 12),
        weight: 0.8,
      },
      { start: 48, end: 240, log1p: true, weight: 1.2 },
      { start: length - 64, end: length, log1p: false, weight: 1 },
    ],
  }
  const dims = embeddingDims(spec)
  const tags = ['photos', 'documents', 'textures']
  const head: LearnedHead = {
    tags,
    dims,
    weights: floats(tags.length * dims, () => rnd() * 4),
    bias: floats(tags.length),
    thresholds: tags.map(() => 0.5),
  }
  return { spec, head }
}

function listImages(dir: string, count: number): string[] {
  return readdirSync(dir)
    .filter((name) => /\.(jpe?g|png)$/i.test(name))
    .sort()
    .slice(0, count)
    .map((name) => join(dir, name))
}

const ood = (kind: string) => sharedPath('datasets', 'ood-dev', kind)
const cifar = (label: string) => sharedPath('datasets', 'cifar10-test-half', label)

let work: string
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'learned-model-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('a model saved from learned tags (spliceLearnedHead, writeLearnedModel)', () => {
  // The bundled card runs the model on views: the features have the views' part after the photo's own.
  const layout: FeatureLayout = layoutWithViews(
    [
      { name: 'conv1', channels: 16 },
      { name: 'layer1', channels: 16 },
      { name: 'layer2', channels: 32 },
      { name: 'layer3', channels: 64 },
    ],
    baseCard.preprocessing.views,
  )
  const { spec, head } = testSpecAndHead(layout)
  const images = [
    ...listImages(ood('photos'), 4),
    ...listImages(ood('documents'), 3),
    ...listImages(ood('textures'), 3),
    ...listImages(cifar('cat'), 3),
    ...listImages(cifar('ship'), 3),
  ]

  it('outputs only the head scores, and its graph report still finds the stages', () => {
    const saved = spliceLearnedHead(readFileSync(baseModelPath), spec, head, baseCard.preprocessing.views)
    const report = readModelGraph(saved)
    expect(report.output).toMatchObject({ name: LEARNED_OUTPUT, classes: 3 })
    expect(report.input.name).toBe('input')
    expect(report.stages.map((s) => `${s.name}:${s.kind}`)).toEqual([
      'conv1:stem',
      'layer1:residual',
      'layer2:residual',
      'layer3:residual',
      'avgpool:global-pool',
      'fc:classifier',
    ])
    expect(report.stages.filter((s) => s.kind === 'residual').map((s) => [s.blocks, ...s.output])).toEqual([
      [9, 16, 32, 32],
      [9, 32, 16, 16],
      [9, 64, 8, 8],
    ])
    // The head: the block's projection (MatMul) and the tags' scores (Gemm), [tags] out.
    const fc = report.stages.at(-1)!
    expect(fc.output).toEqual([3])
    expect(fc.ownLayers.map((l) => `${l.op}:${l.filters}`)).toEqual(['MatMul:12', 'Gemm:3'])
    // The base model's own classifier (its fc weights) is gone.
    expect(report.operatorCounts['Gemm']).toBe(1)
  })

  it('refuses a spec or head that does not fit the model', () => {
    const base = readFileSync(baseModelPath)
    const tooLong: EmbeddingSpec = { version: 1, blocks: [{ start: 300, end: 400, log1p: false, weight: 1 }] }
    expect(() => spliceLearnedHead(base, tooLong, { ...head, dims: 100 })).toThrow(/feature values/)
    expect(() => spliceLearnedHead(base, spec, { ...head, dims: head.dims - 1 }, baseCard.preprocessing.views)).toThrow(
      /reads/,
    )
  })

  for (const [name, create] of [
    ['native CPU', () => createNativeEngine(2)],
    ['WASM', () => createWasmEngine(2)],
  ] as [string, () => NodeEngine][]) {
    it(`scores real photos as the reference computes them from the features (${name})`, async () => {
      const outPath = join(work, `splice-${name === 'WASM' ? 'wasm' : 'native'}.onnx`)
      const now = new Date('2025-01-02T03:04:05Z')
      const examples = { photos: { positives: 5, negatives: 10 } }
      const { card, cardPath } = await writeLearnedModel(outPath, {
        baseModelPath,
        baseCard,
        spec,
        head,
        examples,
        now,
      })
      expect(cardPath).toBe(join(work, `splice-${name === 'WASM' ? 'wasm' : 'native'}.onnx.card.json`))
      expect(parseModelCard(JSON.parse(readFileSync(cardPath, 'utf8')))).toEqual(card)
      expect(card).toMatchObject({
        labels: head.tags,
        output: { name: 'logits', classes: 3 },
        input: baseCard.input,
        preprocessing: baseCard.preprocessing,
        learned: {
          baseSha256: baseCard.sha256,
          date: '2025-01-02T03:04:05.000Z',
          examples: [
            { tag: 'photos', positives: 5, negatives: 10 },
            { tag: 'documents', positives: 0, negatives: 0 },
            { tag: 'textures', positives: 0, negatives: 0 },
          ],
        },
      })
      // The engines splice the features output into the saved model too: one run gives the logits (the head's
      // scores) and the features they must be the scores of.
      const extractor = await openFeatureExtractor(outPath, card, create())
      expect(extractor.layout).toEqual(layout)
      let worst = 0
      let count = 0
      try {
        for await (const file of extractor.extract(images)) {
          if ('error' in file) throw new Error(`${file.path}: ${file.error}`)
          const expected = referenceScores(file.features, spec, head)
          for (let t = 0; t < 3; t++) worst = Math.max(worst, Math.abs(file.logits[t]! - expected[t]!))
          count++
        }
      } finally {
        await extractor.release()
      }
      expect(count).toBe(images.length)
      expect(worst).toBeLessThan(1e-4)
    })
  }
})

describe('teach arguments', () => {
  it('parses tags, model and out; refuses bad ones with a usage error', () => {
    expect(parseTeachArgs(['--tag', 'a=x', '-t', 'b=y/z=w', '--out', 'm.onnx'])).toEqual({
      help: false,
      options: {
        tags: [
          { name: 'a', dir: 'x' },
          { name: 'b', dir: 'y/z=w' },
        ],
        model: undefined,
        out: 'm.onnx',
      },
    })
    expect(parseTeachArgs(['-h'])).toEqual({ help: true })
    for (const bad of [
      ['--tag', 'a=x', '--out', 'm.onnx'],
      ['--tag', 'a=x', '--tag', 'b=y'],
      ['--tag', 'a=x', '--tag', 'b=y', '--out', 'm.bin'],
      ['--tag', 'a', '--tag', 'b=y', '--out', 'm.onnx'],
      ['--tag', 'a=x', '--tag', 'a=y', '--out', 'm.onnx'],
      ['--tag', 'a=x', '--tag', 'b=y', '--out', 'm.onnx', 'extra'],
      ['--frobnicate'],
    ]) {
      expect(() => parseTeachArgs(bad)).toThrow(UsageError)
    }
  })
})

type Run = CliRun

function runCli(script: string, args: string[]): Promise<Run> {
  return runCliScript(script, args, { cwd: work })
}

/** A folder of links to the first `count` images of `dir` (after skipping `skip`). */
function folderOf(name: string, dir: string, skip: number, count: number): string {
  const folder = join(work, name)
  mkdirSync(folder, { recursive: true })
  for (const file of listImages(dir, skip + count).slice(skip)) symlinkSync(file, join(folder, file.split('/').at(-1)!))
  return folder
}

describe('npm run teach, then npm run classify with the saved model', () => {
  it('exits 1 saying so when a tag has fewer than 5 photos or a folder is missing; 2 for usage', async () => {
    const few = folderOf('few', ood('textures'), 0, 3)
    const enough = folderOf('enough', ood('photos'), 0, 5)
    const out = join(work, 'never.onnx')
    const small = await runCli('teach.ts', ['--tag', `a=${few}`, '--tag', `b=${enough}`, '--out', out])
    expect(small.code).toBe(1)
    expect(small.stderr).toMatch(/tag "a": .* has 3 photos; at least 5 are needed/)
    const missing = await runCli('teach.ts', ['--tag', `a=${join(work, 'nope')}`, '--tag', `b=${enough}`, '--out', out])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/tag "a": folder .*nope not found/)
    const unwritable = await runCli('teach.ts', [
      '--tag',
      `a=${enough}`,
      '--tag',
      `b=${enough}`,
      '--out',
      join(work, 'no-such-folder', 'm.onnx'),
    ])
    expect(unwritable.code).toBe(1)
    expect(unwritable.stderr).toMatch(/cannot write .*the folder does not exist/)
    const usage = await runCli('teach.ts', ['--tag', `a=${enough}`])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/Usage: npm run teach/)
  })

  it('learns four tags from small folders; classify with MODEL.onnx agrees with the head computed in the app', async () => {
    const { embed, embeddingSpecFor } = await import('../../src/shared/embedding/embedding')
    const { learnHead } = await import('../../src/shared/learning/learn-head')
    const tags = { photos: ood('photos'), documents: ood('documents'), textures: ood('textures'), cifar: cifar('frog') }
    const train = Object.entries(tags).map(([tag, dir]) => ({ tag, dir: folderOf(`train-${tag}`, dir, 0, 6) }))
    const heldOut = folderOf('held-out', ood('photos'), 6, 4)
    for (const [tag, dir] of Object.entries(tags)) folderOf(`held-out/${tag}`, dir, 6, 2)
    const out = join(work, 'tags.onnx')
    const taught = await runCli('teach.ts', [...train.flatMap((t) => ['--tag', `${t.tag}=${t.dir}`]), '--out', out])
    expect(taught.stderr).toMatch(/Saved/)
    expect(taught.code).toBe(0)
    const card: ModelCard = parseModelCard(JSON.parse(readFileSync(join(work, 'tags.onnx.card.json'), 'utf8')))
    expect(card.labels).toEqual(Object.keys(tags))
    expect(card.learned?.examples.map((e) => [e.positives, e.negatives])).toEqual(Object.keys(tags).map(() => [6, 18]))
    expect(readModelGraph(readFileSync(out)).stages.filter((s) => s.kind === 'residual')).toHaveLength(3)

    const classified = await runCli('classify.ts', ['--model', out, '--json', '--engine', 'native', heldOut])
    expect(classified.stderr).toMatch(/Model: Learned tags/)
    expect(classified.code).toBe(0)
    const top1 = new Map(
      classified.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { path: string; top: { label: string }[] })
        .map((r) => [r.path, r.top[0]!.label]),
    )

    // The app side: the base model's features → embed → the head's scores, learned as the CLI learns them.
    const extractor = await openFeatureExtractor(baseModelPath, baseCard, createNativeEngine(2))
    try {
      // As the CLI does: the base model's profile (beside it) centres and whitens the earlier stages.
      const profile = parseProfile(
        JSON.parse(readFileSync(join(repoRoot, 'resources', 'models', 'resnet56-cifar10.profile.json'), 'utf8')),
        {
          sha256: baseCard.sha256,
          featureLength: featureLength(extractor.layout),
          classes: 10,
          views: baseCard.preprocessing.views,
        },
      )
      const spec = embeddingSpecFor(extractor.layout, profile)
      const embeddings = new Map<string, Float32Array[]>()
      for (const { tag, dir } of train) {
        const rows: Float32Array[] = []
        for await (const file of extractor.extract(listImages(dir, 100)))
          if ('features' in file) rows.push(embed(file.features, spec))
        embeddings.set(tag, rows)
      }
      const tagNames = [...embeddings.keys()]
      const head = learnHead(
        tagNames.flatMap((tag) => embeddings.get(tag)!.map((embedding) => ({ embedding, positive: [tag] }))),
        { tags: tagNames },
      )
      const paths = [...top1.keys()]
      expect(paths.length).toBe(12)
      for await (const file of extractor.extract(paths)) {
        if (!('features' in file)) throw new Error(file.error)
        const scores = headScores(head, embed(file.features, spec))
        const best = scores.indexOf(Math.max(...scores))
        expect(`${file.path}: ${top1.get(file.path)}`).toBe(`${file.path}: ${head.tags[best]}`)
      }
    } finally {
      await extractor.release()
    }
  }, 120_000)
})
