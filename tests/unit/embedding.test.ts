import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { openFeatureExtractor } from '../../src/main/inference/extract-features'
import { createNativeEngine } from '../../src/main/inference/native-ort'
import { embed, embeddingSpecFor, MAX_UNPROJECTED_STAGE_VALUES, similarity } from '../../src/shared/embedding/embedding'
import { fromFloat16Bits, fromFloat16Bytes, toFloat16Bits, toFloat16Bytes } from '../../src/shared/embedding/float16'
import { embeddingDims, learningParts, type EmbeddingSpec } from '../../src/shared/embedding/embedding-spec'
import type { ClassifierCard } from '../../src/shared/engine/classifier'
import { layoutWithViews, type FeatureLayout } from '../../src/shared/knowledge/features'
import { parseProfile, type KnowledgeProfile } from '../../src/shared/knowledge/profile'
import { repoRoot, sharedPath } from '../support/shared'

const models = join(repoRoot, 'resources', 'models')
const card = JSON.parse(readFileSync(join(models, 'resnet56-cifar10.card.json'), 'utf8')) as ClassifierCard & {
  sha256: string
}

describe('float16 codec', () => {
  it('writes exact half values and their little-endian bytes', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00)
    expect(toFloat16Bits(-2)).toBe(0xc000)
    expect(toFloat16Bits(65504)).toBe(0x7bff)
    expect(toFloat16Bits(2 ** -14)).toBe(0x0400) // smallest normal
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001) // smallest subnormal
    expect(toFloat16Bits(0)).toBe(0)
    expect(toFloat16Bits(-0)).toBe(0x8000)
    expect(Array.from(toFloat16Bytes(Float32Array.of(1, -2)))).toEqual([0x00, 0x3c, 0x00, 0xc0])
  })

  it('rounds to nearest, ties to even, and overflows to infinity', () => {
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00) // tie: stays even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02) // tie: up to even
    expect(toFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01) // above the tie
    expect(toFloat16Bits(65519)).toBe(0x7bff)
    expect(toFloat16Bits(65520)).toBe(0x7c00)
    expect(toFloat16Bits(1e6)).toBe(0x7c00)
    expect(toFloat16Bits(-Infinity)).toBe(0xfc00)
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true)
    expect(toFloat16Bits(2 ** -25)).toBe(0) // tie between 0 and the smallest subnormal: even
    expect(toFloat16Bits(1.5 * 2 ** -24)).toBe(0x0002) // tie: up to even
    expect(toFloat16Bits(2 ** -26)).toBe(0)
  })

  it('round-trips every half exactly and other values within half a unit in the last place', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromFloat16Bits(h)
      if (Number.isNaN(v)) continue
      expect(toFloat16Bits(v)).toBe(h)
    }
    let random = 12345
    const values = Float32Array.from({ length: 20_000 }, () => {
      random = (random * 1103515245 + 12345) % 2 ** 31
      return (random / 2 ** 31 - 0.5) * 2 ** ((random % 40) - 24)
    })
    const back = fromFloat16Bytes(toFloat16Bytes(values))
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!
      const ulp = Math.abs(v) >= 2 ** -14 ? 2 ** (Math.floor(Math.log2(Math.abs(v))) - 10) : 2 ** -24
      expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(ulp / 2)
    }
    expect(() => fromFloat16Bytes(new Uint8Array(3))).toThrow(/bytes/)
  })
})

const resnet50Layout: FeatureLayout = {
  stages: [
    { name: 'conv1', channels: 64 },
    { name: 'maxpool', channels: 64 },
    { name: 'layer1', channels: 256 },
    { name: 'layer2', channels: 512 },
    { name: 'layer3', channels: 1024 },
    { name: 'layer4', channels: 2048 },
  ],
}

describe('the embedding spec', () => {
  it('is only the pooled features for a ResNet-50 without a profile', () => {
    const spec = embeddingSpecFor(resnet50Layout)
    expect(spec.blocks).toHaveLength(1)
    expect(spec.blocks[0]).toMatchObject({ start: 3 * (64 + 64 + 256 + 512 + 1024), log1p: true })
    expect(embeddingDims(spec)).toBe(2048)
    expect(2048).toBeGreaterThan(MAX_UNPROJECTED_STAGE_VALUES)
  })

  it('makes unit-length vectors whose blocks follow the spec (centre, scale, projection, weight)', () => {
    const spec: EmbeddingSpec = {
      version: 1,
      blocks: [
        { start: 0, end: 2, log1p: false, center: Float32Array.of(1, 1), scale: Float32Array.of(1, 2), weight: 1 },
        { start: 2, end: 4, log1p: true, projection: Float32Array.of(1, 0, 0, 1, 1, 1), weight: 2 },
      ],
    }
    const features = Float32Array.of(4, 9, Math.E - 1, 0)
    // Block 1: (3, 4) / 5; block 2: log1p → (1, 0) · [[1,0,0],[1,1,1]] = (1, 0, 0), times 2.
    const expected = [0.6, 0.8, 2, 0, 0].map((v) => v / Math.sqrt(5))
    const e = embed(features, spec)
    expect(e).toHaveLength(5)
    expected.forEach((v, i) => expect(e[i]).toBeCloseTo(v, 6))
    expect(() => embed(new Float32Array(3), spec)).toThrow(/outside/)
  })
})

describe('the bundled model’s embedding on real photos', () => {
  let profile: KnowledgeProfile
  let layout: FeatureLayout
  const features = new Map<string, Float32Array[]>()
  const groups = ['cat', 'automobile', 'documents', 'textures'] as const

  beforeAll(async () => {
    profile = parseProfile(JSON.parse(readFileSync(join(models, 'resnet56-cifar10.profile.json'), 'utf8')), {
      sha256: card.sha256,
      featureLength: 384,
      classes: 10,
    })
    const extractor = await openFeatureExtractor(join(models, 'resnet56-cifar10.onnx'), card, createNativeEngine(1))
    layout = extractor.layout
    for (const group of groups) {
      const dir =
        group === 'cat' || group === 'automobile'
          ? sharedPath('datasets', 'cifar10-test-half', group)
          : sharedPath('datasets', 'ood-dev', group)
      const paths = readdirSync(dir)
        .sort()
        .slice(0, 12)
        .map((name) => join(dir, name))
      const list: Float32Array[] = []
      for await (const result of extractor.extract(paths)) {
        if ('error' in result) throw new Error(`${result.path}: ${result.error}`)
        list.push(result.features)
      }
      features.set(group, list)
    }
    await extractor.release()
  })

  it('whitens the four stages with the profile, the pooled features carrying half the length', () => {
    // The photo alone: a card without views.
    const spec = embeddingSpecFor({ stages: layout.stages }, profile)
    expect(spec.blocks.map((b) => [b.start, b.end])).toEqual([
      [0, 48],
      [48, 96],
      [96, 160],
      [192, 256],
    ])
    expect(spec.blocks.every((b) => b.center && b.projection && b.log1p)).toBe(true)
    expect(embeddingDims(spec)).toBe(224)
    const last = spec.blocks.at(-1)!.weight ** 2
    expect(last / (last + 3)).toBeCloseTo(0.5, 6)
  })

  it('with views: the photo-and-mirror average in place of the photo, then the tiles’ first three stages', () => {
    // The bundled card asks for the mirror and 2×2 tiles.
    expect(layout).toEqual(layoutWithViews(layout.stages, { flip: true, tiles: 2 }))
    const spec = embeddingSpecFor(layout, profile)
    // After the photo's own 384 statistics: the mirror average (384 on), then the tiles' first three stages (768 on).
    expect(spec.blocks.map((b) => [b.start, b.end])).toEqual([
      [384, 432],
      [432, 480],
      [480, 544],
      [576, 640],
      [768, 816],
      [816, 864],
      [864, 928],
    ])
    expect(spec.blocks.map((b) => b.weight)).toEqual([1, 1, 1, spec.blocks[3]!.weight, 0.5, 0.5, 0.5])
    expect(spec.leadingDims).toBe(224)
    expect(learningParts(spec)).toEqual([224, 384])
    expect(learningParts(embeddingSpecFor({ stages: layout.stages }, profile))).toEqual([224])
  })

  it.each([true, false])('finds photos of the same kind as the most similar (profile: %s)', (withProfile) => {
    const spec = embeddingSpecFor(layout, withProfile ? profile : undefined)
    const vectors = new Map(groups.map((g) => [g, features.get(g)!.map((f) => embed(f, spec))]))
    for (const v of vectors.values()) for (const e of v) expect(Math.hypot(...e)).toBeCloseTo(1, 5)
    // Each photo's most similar other photo is mostly of its own kind (chance: about 1 in 4).
    const all = groups.flatMap((g) => vectors.get(g)!.map((e) => ({ g, e })))
    let same = 0
    all.forEach((x, i) => {
      let best = -1
      all.forEach((y, j) => {
        if (j !== i && (best < 0 || similarity(x.e, y.e) > similarity(x.e, all[best]!.e))) best = j
      })
      if (all[best]!.g === x.g) same++
    })
    expect(same / all.length).toBeGreaterThanOrEqual(0.75)
    // float16 storage keeps similarities within 0.01.
    const a = vectors.get('cat')![0]!
    const b = vectors.get('cat')![1]!
    const stored = fromFloat16Bytes(toFloat16Bytes(a))
    expect(Math.abs(similarity(stored, b) - similarity(a, b))).toBeLessThan(0.01)
  })
})
