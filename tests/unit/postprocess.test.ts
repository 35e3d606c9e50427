import { describe, expect, it } from 'vitest'
import { softmax, topK } from '../../src/shared/engine/postprocess'

const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0)

describe('softmax', () => {
  it('matches exp(x) / Σ exp(x) and sums to 1', () => {
    const p = softmax([1, 2, 3])
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)]
    const z = sum(e)
    e.forEach((v, i) => expect(p[i]).toBeCloseTo(v / z, 12))
    expect(sum(p)).toBeCloseTo(1, 12)
  })

  it('stays finite for very large and very negative logits', () => {
    const p = softmax([1000, 999, -1000, 0])
    expect(Array.from(p).every(Number.isFinite)).toBe(true)
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12)
    expect(p[2]).toBe(0)
    expect(sum(p)).toBeCloseTo(1, 12)
  })

  it('does not change when a constant is added to every logit', () => {
    const a = softmax([0.5, -2, 3, 1])
    const b = softmax([500.5, 498, 503, 501])
    Array.from(a).forEach((v, i) => expect(b[i]).toBeCloseTo(v, 9))
  })

  it('gives equal logits equal probability', () => {
    expect(Array.from(softmax([7, 7, 7, 7]))).toEqual([0.25, 0.25, 0.25, 0.25])
  })
})

describe('topK', () => {
  const labels = ['a', 'b', 'c', 'd', 'e']

  it('ranks the most probable first, with label, index and probability', () => {
    const top = topK([0.1, 2, -1, 5, 1], labels, 3)
    expect(top.map((c) => c.label)).toEqual(['d', 'b', 'e'])
    expect(top.map((c) => c.index)).toEqual([3, 1, 4])
    const p = softmax([0.1, 2, -1, 5, 1])
    expect(top[0]!.p).toBeCloseTo(p[3]!, 12)
    expect(top[0]!.p).toBeGreaterThan(top[1]!.p)
    expect(top[1]!.p).toBeGreaterThan(top[2]!.p)
  })

  it('keeps the lower index first on ties', () => {
    expect(topK([1, 3, 3, 0, 3], labels, 4).map((c) => c.index)).toEqual([1, 2, 4, 0])
  })

  it('returns every class when k exceeds the class count, and none for k = 0', () => {
    const all = topK([1, 2, 3, 4, 5], labels, 10)
    expect(all.map((c) => c.index)).toEqual([4, 3, 2, 1, 0])
    expect(sum(all.map((c) => c.p))).toBeCloseTo(1, 12)
    expect(topK([1, 2, 3, 4, 5], labels, 0)).toEqual([])
  })

  it('names classes without a label "class N"', () => {
    expect(topK([0, 9], ['only'], 2).map((c) => c.label)).toEqual(['class 1', 'only'])
  })

  it('works on a Float32Array slice of a batch', () => {
    const batch = new Float32Array([9, 0, 0, 0, 0, 9])
    expect(topK(batch.subarray(3, 6), ['x', 'y', 'z'], 1)[0]).toMatchObject({ label: 'z', index: 2 })
  })
})
