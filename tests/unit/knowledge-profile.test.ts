import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createNativeEngine } from '../../src/main/inference/native-ort'
import { openFeatureExtractor } from '../../src/main/inference/extract-features'
import { featureLayout } from '../../src/main/onnx/feature-graph'
import { fitProfile, KEPT_SHARE } from '../../src/main/knowledge/fit-profile'
import { seededRandom } from '../../src/shared/random'
import { readModelGraph } from '../../src/main/onnx'
import type { ClassifierCard } from '../../src/shared/engine/classifier'
import { featureLength, type FeatureLayout } from '../../src/shared/knowledge/features'
import { centredEnergy, ENERGY_FALLBACK_THRESHOLD, judge, oodScore, softmax } from '../../src/shared/knowledge/judge'
import {
  decodeFloat32,
  encodeFloat32,
  parseProfile,
  ProfileError,
  type KnowledgeProfile,
} from '../../src/shared/knowledge/profile'
import { unzippedFixture } from '../support/fixture-models'
import { repoRoot, sharedPath } from '../support/shared'

const models = join(repoRoot, 'resources', 'models')
const card = JSON.parse(readFileSync(join(models, 'resnet56-cifar10.card.json'), 'utf8')) as ClassifierCard & {
  sha256: string
}
const profileJson = (): unknown => JSON.parse(readFileSync(join(models, 'resnet56-cifar10.profile.json'), 'utf8'))
const expected = { sha256: card.sha256, featureLength: 384, classes: 10 }

interface Photo {
  name: string
  logits: Float32Array
  features: Float32Array
}

describe('the bundled model with its knowledge profile', () => {
  let photos: Photo[] = []
  let profile: KnowledgeProfile

  beforeAll(async () => {
    profile = parseProfile(profileJson(), expected)
    const dir = sharedPath('photos')
    const extractor = await openFeatureExtractor(join(models, 'resnet56-cifar10.onnx'), card, createNativeEngine(1))
    for await (const result of extractor.extract(readdirSync(dir).map((name) => join(dir, name)))) {
      if ('error' in result) throw new Error(`${result.path}: ${result.error}`)
      photos.push({ name: result.path.split('/').at(-1)!, logits: result.logits, features: result.features })
    }
    await extractor.release()
    photos = photos.sort((a, b) => a.name.localeCompare(b.name))
  })

  it('calls the cat photo a known cat and at least 5 of the 6 other photos unknown', () => {
    const verdicts = photos.map((photo) => ({ photo, ...judge(photo.logits, photo.features, profile) }))
    const chelsea = verdicts.find((v) => v.photo.name === 'chelsea.png')!
    expect(chelsea.verdict).toMatchObject({ unknown: false, source: 'profile' })
    const top = chelsea.probabilities.indexOf(Math.max(...chelsea.probabilities))
    expect(card.labels[top]).toBe('cat')
    const others = verdicts.filter((v) => v.photo.name !== 'chelsea.png')
    expect(others).toHaveLength(6)
    expect(others.filter((v) => v.verdict.unknown).length).toBeGreaterThanOrEqual(5)
  })

  it('calibrates without changing the ranking, and is fast', () => {
    for (const photo of photos) {
      const { probabilities } = judge(photo.logits, photo.features, profile)
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
      const byLogit = [...photo.logits.keys()].sort((a, b) => photo.logits[b]! - photo.logits[a]!)
      const byProbability = [...probabilities.keys()].sort((a, b) => probabilities[b]! - probabilities[a]!)
      expect(byProbability[0]).toBe(byLogit[0])
    }
    const started = performance.now()
    for (let i = 0; i < 1000; i++) judge(photos[0]!.logits, photos[0]!.features, profile)
    expect((performance.now() - started) / 1000).toBeLessThan(0.5) // ms per photo
  })

  it('falls back to the logits alone without a profile, or without features', () => {
    for (const photo of photos) {
      const { probabilities, verdict } = judge(photo.logits, photo.features, undefined)
      expect(verdict.source).toBe('energy')
      expect(verdict.ood).toBeCloseTo(centredEnergy(photo.logits), 12)
      expect(verdict.unknown).toBe(verdict.ood > ENERGY_FALLBACK_THRESHOLD)
      expect([...probabilities]).toEqual([...softmax(photo.logits)])
      const noFeatures = judge(photo.logits, undefined, profile)
      expect(noFeatures.verdict.source).toBe('energy')
      expect(noFeatures.verdict.unknown).toBe(noFeatures.verdict.ood > profile.energyThreshold)
    }
    // A flat prediction is as unsure as it gets: 0, whatever the class count or a constant added to the logits.
    expect(centredEnergy([3, 3, 3])).toBeCloseTo(0, 12)
    expect(centredEnergy(new Array(1000).fill(-7))).toBeCloseTo(0, 12)
    expect(centredEnergy([10, 0, 0])).toBeCloseTo(centredEnergy([15, 5, 5]), 12)
    expect(judge([0, 0, 0], undefined, undefined).verdict.unknown).toBe(true)
    expect(judge([20, 0, 0], undefined, undefined).verdict.unknown).toBe(false)
  })
})

describe('a profile file that cannot be used is refused with a clear message', () => {
  const refused = (json: unknown, expect_ = expected): string => {
    try {
      parseProfile(json, expect_)
    } catch (error) {
      expect(error).toBeInstanceOf(ProfileError)
      return (error as Error).message
    }
    throw new Error('accepted')
  }

  it('damaged', () => {
    expect(refused('not an object')).toMatch(/damaged/)
    expect(refused(null)).toMatch(/damaged/)
    expect(refused({ hello: 1 })).toMatch(/damaged.*not a knowledge profile/)
    const noThreshold = profileJson() as Record<string, unknown>
    delete noThreshold.threshold
    expect(refused(noThreshold)).toMatch(/damaged .*threshold/)
    const cut = profileJson() as { stages: { means: string }[] }
    cut.stages[1]!.means = cut.stages[1]!.means.slice(0, 32)
    expect(refused(cut)).toMatch(/damaged \(stage 2 \(layer1\): means holds 6 values, expected 480\)/)
    const junk = profileJson() as { stages: { center: string }[] }
    junk.stages[0]!.center = '!!!'
    expect(refused(junk)).toMatch(/damaged \(not base64 at stages\.0\.center\)/)
  })

  it('of another version', () => {
    expect(refused({ ...(profileJson() as object), version: 1 })).toBe(
      'The profile file has version 1; this app reads version 2. Build the profile again with this version of the app.',
    )
  })

  it("of another model, or of another model's size", () => {
    expect(refused(profileJson(), { ...expected, sha256: 'ab'.repeat(32) })).toBe(
      'This profile was built for another model (sha256 e8e89fe5da21…), not this one (sha256 abababababab…).',
    )
    expect(refused(profileJson(), { ...expected, featureLength: 128 })).toBe(
      'The profile describes 384 features per photo; this model gives 128.',
    )
    expect(refused(profileJson(), { ...expected, classes: 100 })).toBe(
      'The profile was built for 10 classes; this model has 100.',
    )
  })
})

/** Random features of a layout, clustered by class so that the fit has something to find. */
function synthetic(layout: FeatureLayout, classes: number, count: number, seed: number) {
  const random = seededRandom(seed)
  const length = featureLength(layout)
  const centres = Array.from({ length: classes }, () => Float32Array.from({ length }, () => random() * 2))
  const features: Float32Array[] = []
  const logits: Float32Array[] = []
  const labels: number[] = []
  for (let i = 0; i < count; i++) {
    const c = i % classes
    features.push(centres[c]!.map((v) => Math.max(0, v + (random() - 0.5) * 0.6)))
    logits.push(Float32Array.from({ length: classes }, (_, k) => (k === c ? 4 : 0) + (random() - 0.5) * 3))
    labels.push(c)
  }
  return { features, logits, labels }
}

describe('fitting a profile', () => {
  const layout: FeatureLayout = {
    stages: [
      { name: 'conv1', channels: 8 },
      { name: 'layer1', channels: 12 },
    ],
  }

  it('is deterministic, keeps 95% of what it was fitted on, and reads back from its JSON', () => {
    const data = synthetic(layout, 4, 200, 1)
    const input = { sha256: 'cd'.repeat(32), layout, classes: 4, ...data, builtAt: '2026-01-01T00:00:00.000Z' }
    const { profile, report } = fitProfile(input)
    expect(JSON.stringify(fitProfile(input).profile)).toBe(JSON.stringify(profile))
    expect(report).toMatchObject({ images: 200, labelled: 200, classesSeen: 4 })
    expect(report.keptShare).toBeGreaterThanOrEqual(KEPT_SHARE)
    const parsed = parseProfile(JSON.parse(JSON.stringify(profile)), {
      sha256: 'cd'.repeat(32),
      featureLength: 60,
      classes: 4,
    })
    const inside = data.features.map((f) => oodScore(f, parsed))
    expect(inside.filter((s) => s <= parsed.threshold).length / 200).toBeGreaterThanOrEqual(0.95)
    // Far from every class: unknown.
    const far = new Float32Array(60).fill(9)
    expect(judge(data.logits[0]!, far, parsed).verdict).toMatchObject({ unknown: true, source: 'profile' })
  })

  it('without labels: temperature 1, and says so', () => {
    const data = synthetic(layout, 4, 100, 2)
    const { profile, report } = fitProfile({
      sha256: 'cd'.repeat(32),
      layout,
      classes: ['a', 'b', 'c', 'd'],
      ...data,
      labels: data.labels.map(() => undefined),
    })
    expect(profile).toMatchObject({ labels: 'none', temperature: 1, classTemperatures: [1, 1, 1, 1] })
    expect(report.top1).toBeUndefined()
  })

  it('refuses too few photos', () => {
    const data = synthetic(layout, 4, 10, 3)
    expect(() => fitProfile({ sha256: 'cd'.repeat(32), layout, classes: 4, ...data })).toThrow(/at least 20 photos/)
  })

  it('stays a few MB for ResNet-50 (11,904 features, 1,000 classes) and scores fast', () => {
    const big = featureLayout(readModelGraph(readFileSync(unzippedFixture('resnet50-opset17.onnx'))))
    expect(featureLength(big)).toBe(11904)
    const data = synthetic(big, 1000, 40, 4)
    const { profile } = fitProfile({ sha256: 'ef'.repeat(32), layout: big, classes: 1000, ...data })
    const text = JSON.stringify(profile)
    expect(text.length).toBeLessThan(5e6)
    const parsed = parseProfile(JSON.parse(text), { sha256: 'ef'.repeat(32), featureLength: 11904, classes: 1000 })
    expect(parsed.stages.map((s) => [s.name, s.dims, s.rank])).toEqual([
      ['conv1', 192, 64],
      ['maxpool', 192, 64],
      ['layer1', 768, 64],
      ['layer2', 1024, 64],
      ['layer3', 2048, 64],
      ['layer4', 2048, 64],
    ])
    const started = performance.now()
    const scores = data.features.slice(0, 20).map((f) => judge(data.logits[0]!, f, parsed).verdict.ood)
    expect((performance.now() - started) / 20).toBeLessThan(20) // ms per photo
    for (const s of scores) expect(Number.isFinite(s)).toBe(true)
  })
})

describe('float32 arrays as base64', () => {
  it('round-trips, and refuses what is not whole float32s', () => {
    const values = Float32Array.from([0, -1.5, 3.25, 1e-20, 7e30])
    expect([...decodeFloat32(encodeFloat32(values))!]).toEqual([...values])
    expect(decodeFloat32('AAAA')).toBeUndefined() // 3 bytes
    expect(decodeFloat32('%%')).toBeUndefined()
  })
})
