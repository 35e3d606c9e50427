import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { openFeatureExtractor } from '../../src/main/inference/extract-features'
import { createNativeEngine } from '../../src/main/inference/native-ort'
import { embed, embeddingSpecFor } from '../../src/shared/embedding/embedding'
import type { ClassifierCard } from '../../src/shared/engine/classifier'
import { parseProfile } from '../../src/shared/knowledge/profile'
import {
  bestThreshold,
  learnHead,
  plattScaling,
  scoreAll,
  uncertainty,
  type TagExample,
} from '../../src/shared/learning/learn-head'
import { headScores, sigmoid } from '../../src/shared/learning/learned-head'
import { fitLogistic } from '../../src/shared/learning/logistic'
import { seededRandom } from '../../src/shared/random'
import { repoRoot, sharedPath } from '../support/shared'

const models = join(repoRoot, 'resources', 'models')
const card = JSON.parse(readFileSync(join(models, 'resnet56-cifar10.card.json'), 'utf8')) as ClassifierCard & {
  sha256: string
}

describe('logistic regression', () => {
  it('gives the same fit over the examples’ span as over the dimensions', () => {
    const random = seededRandom(5)
    const dims = 6
    const rows = Array.from({ length: 12 }, (_, i) =>
      Float64Array.from({ length: dims }, (_, j) => random() - 0.5 + (i % 2 && j === 0 ? 0.3 : 0)),
    )
    const labels = rows.map((_, i) => i % 2)
    const costs = rows.map(() => 1 / 12)
    const primal = fitLogistic({ rows, dims, labels, costs }, 0.1) // 12 rows > 6 dims: over the dimensions
    // The same problem padded with zero dimensions (more dims than rows): over the examples' span.
    const padded = rows.map((r) => Float64Array.from({ length: 20 }, (_, j) => (j < dims ? r[j]! : 0)))
    const dual = fitLogistic({ rows: padded, dims: 20, labels, costs }, 0.1)
    expect(dual.bias).toBeCloseTo(primal.bias, 5)
    for (let j = 0; j < dims; j++) expect(dual.weights[j]).toBeCloseTo(primal.weights[j]!, 5)
    // At the optimum the gradient vanishes: Σ cᵢ(pᵢ − yᵢ)xᵢ + λw = 0.
    for (let j = 0; j < dims; j++) {
      let g = 0.1 * primal.weights[j]!
      rows.forEach((r, i) => {
        let f = primal.bias
        for (let k = 0; k < dims; k++) f += primal.weights[k]! * r[k]!
        g += costs[i]! * (sigmoid(f) - labels[i]!) * r[j]!
      })
      expect(Math.abs(g)).toBeLessThan(1e-6)
    }
  })

  it('calibrates with a positive slope and picks the threshold that separates held-out probabilities', () => {
    const scores = [-3, -2, -1.5, -1, 0.5, 1, 2, 2.5]
    const labels = [0, 0, 0, 1, 0, 1, 1, 1]
    const { slope } = plattScaling(scores, labels, () => 1 / 8)
    expect(slope).toBeGreaterThan(0)
    expect(bestThreshold([0.1, 0.2, 0.3, 0.7, 0.8, 0.9], [0, 0, 0, 1, 1, 1])).toBeCloseTo(0.5, 6)
    expect(bestThreshold([0.1, 0.2, 0.6, 0.7, 0.8, 0.9], [0, 0, 0, 1, 1, 1])).toBeCloseTo(0.65, 6)
    expect(bestThreshold([0.01, 0.02, 0.03], [0, 1, 1])).toBeCloseTo(0.05, 6) // kept within [0.05, 0.95]
  })
})

describe('uncertainty and rescoring', () => {
  it('is 1 at the threshold and 0 at certainty', () => {
    expect(uncertainty(0.5)).toBe(1)
    expect(uncertainty(0)).toBe(0)
    expect(uncertainty(1)).toBe(0)
    expect(uncertainty(0.8, 0.8)).toBe(1)
    expect(uncertainty(0.9, 0.8)).toBeCloseTo(0.5, 9)
    expect(uncertainty(0.4, 0.8)).toBeCloseTo(0.5, 9)
  })

  it('scores many embeddings as headScores does one at a time', () => {
    const random = seededRandom(9)
    const dims = 37
    const head = {
      tags: ['a', 'b', 'c'],
      dims,
      weights: Float32Array.from({ length: 3 * dims }, () => random() - 0.5),
      bias: Float32Array.of(0.1, -0.2, 0.3),
      thresholds: [0.5, 0.5, 0.5],
    }
    const n = 50
    const embeddings = Float32Array.from({ length: n * dims }, () => random() - 0.5)
    const all = scoreAll(head, embeddings, n)
    for (let i = 0; i < n; i++) {
      const one = headScores(head, embeddings.subarray(i * dims, (i + 1) * dims))
      for (let t = 0; t < 3; t++) expect(all[i * 3 + t]).toBeCloseTo(sigmoid(one[t]!), 5)
    }
    expect(() => scoreAll(head, embeddings, n + 1)).toThrow()
  })

  it('needs a positive and a negative for each tag', () => {
    const e = new Float32Array(4).fill(0.5)
    expect(() => learnHead([{ embedding: e, positive: ['a'] }])).toThrow(/one photo with it and one without/)
    expect(() => learnHead([{ embedding: e, positive: [], negative: ['a'] }])).toThrow(/No tag/)
  })
})

describe('learning tags from a few real photos', () => {
  const kinds = ['cifar', 'photos', 'documents', 'textures'] as const
  const embeddings = new Map<string, Float32Array[]>()

  beforeAll(async () => {
    const profile = parseProfile(JSON.parse(readFileSync(join(models, 'resnet56-cifar10.profile.json'), 'utf8')), {
      sha256: card.sha256,
      featureLength: 384,
      classes: 10,
    })
    const extractor = await openFeatureExtractor(join(models, 'resnet56-cifar10.onnx'), card, createNativeEngine(1))
    const spec = embeddingSpecFor(extractor.layout, profile)
    for (const kind of kinds) {
      // 40 photos a kind; the CIFAR ones spread over the ten classes.
      const paths =
        kind === 'cifar'
          ? card.labels.flatMap((label) => {
              const dir = sharedPath('datasets', 'cifar10-test-half', label)
              return readdirSync(dir)
                .sort()
                .slice(0, 4)
                .map((name) => join(dir, name))
            })
          : readdirSync(sharedPath('datasets', 'ood-dev', kind))
              .sort()
              .slice(0, 40)
              .map((name) => join(sharedPath('datasets', 'ood-dev', kind), name))
      const list: Float32Array[] = []
      for await (const result of extractor.extract(paths)) {
        if ('error' in result) throw new Error(`${result.path}: ${result.error}`)
        list.push(embed(result.features, spec))
      }
      // A seeded shuffle so that the taught photos are not the first files of each folder only.
      const random = seededRandom(3)
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[list[i], list[j]] = [list[j]!, list[i]!]
      }
      embeddings.set(kind, list)
    }
    await extractor.release()
  })

  it('learns four tags from 10 photos each and tells most held-out photos apart', () => {
    const taught: TagExample[] = kinds.flatMap((kind) =>
      embeddings
        .get(kind)!
        .slice(0, 10)
        .map((embedding) => ({ embedding, positive: [kind] })),
    )
    const head = learnHead(taught)
    expect(head.tags).toEqual([...kinds])
    expect(head.thresholds.every((t) => t >= 0.05 && t <= 0.95)).toBe(true)
    let balanced = 0
    kinds.forEach((kind, k) => {
      const held = embeddings.get(kind)!.slice(10)
      const right = held.filter((e) => {
        const s = headScores(head, e)
        return s.indexOf(Math.max(...s)) === k
      }).length
      balanced += right / held.length / kinds.length
    })
    // Measured 0.68–0.79 on the full sets from 5–20 photos a tag (scripts/bench-own-tags.ts); chance is 0.25.
    expect(balanced).toBeGreaterThanOrEqual(0.6)
  })

  it('learns one tag from photos with it and rejected suggestions only', () => {
    const documents = embeddings.get('documents')!
    const others = [...embeddings.get('photos')!, ...embeddings.get('textures')!, ...embeddings.get('cifar')!]
    const examples: TagExample[] = [
      ...documents.slice(0, 8).map((embedding) => ({ embedding, positive: ['documents'] })),
      ...others
        .filter((_, i) => i % 8 === 0)
        .map((embedding) => ({ embedding, positive: [], negative: ['documents'] })),
    ]
    const head = learnHead(examples)
    expect(head.tags).toEqual(['documents'])
    const heldDocuments = documents.slice(8)
    const heldOthers = others.filter((_, i) => i % 8 !== 0)
    const p = (e: Float32Array): number => sigmoid(headScores(head, e)[0]!)
    const found = heldDocuments.filter((e) => p(e) >= head.thresholds[0]!).length / heldDocuments.length
    const rejected = heldOthers.filter((e) => p(e) < head.thresholds[0]!).length / heldOthers.length
    expect(found).toBeGreaterThanOrEqual(0.7)
    expect(rejected).toBeGreaterThanOrEqual(0.7)
    // The review queue: the least sure first, and those are near the threshold.
    const sure = [...heldDocuments, ...heldOthers].map((e) => uncertainty(p(e), head.thresholds[0]))
    expect(Math.max(...sure)).toBeLessThanOrEqual(1)
    expect(Math.min(...sure)).toBeGreaterThanOrEqual(0)
  })
})
