import { describe, expect, it } from 'vitest'
import { auroc, expectedCalibrationError, fprAt95, keepThreshold } from '../../src/main/knowledge/metrics'

describe('OOD and calibration metrics on hand-checked inputs', () => {
  it('AUROC: the share of (inside, outside) pairs ranked right, ties half', () => {
    expect(auroc([0.1, 0.2], [0.3, 0.4])).toBe(1)
    expect(auroc([0.3, 0.4], [0.1, 0.2])).toBe(0)
    expect(auroc([1, 1], [1, 1])).toBe(0.5)
    // Pairs (outside > inside): 2>1 yes, 2>3 no, 4>1 yes, 4>3 yes.
    expect(auroc([1, 3], [2, 4])).toBe(0.75)
    // One tie among four pairs: (2 vs 2) half, 3>2, 3>1, 2>1.
    expect(auroc([1, 2], [2, 3])).toBe(0.875)
    expect(() => auroc([], [1])).toThrow()
  })

  it('keep threshold and FPR at 95% TPR', () => {
    const inside = Array.from({ length: 20 }, (_, i) => i + 1) // 1…20
    expect(keepThreshold(inside, 0.95)).toBe(19) // the 19th smallest keeps 19 of 20
    expect(keepThreshold(inside, 1)).toBe(20)
    expect(keepThreshold([5], 0.5)).toBe(5)
    // Kept: 18 and 19 of [18, 19, 20, 21].
    expect(fprAt95(inside, [18, 19, 20, 21])).toBe(0.5)
    expect(fprAt95(inside, [30])).toBe(0)
  })

  it('ECE over 15 equal bins', () => {
    // One bin (14/15, 1]: accuracy 0.5, confidence 0.95.
    expect(expectedCalibrationError([0.95, 0.95], [true, false])).toBeCloseTo(0.45, 12)
    // Two bins, each weighted by its share: |1 − 0.95|·2/4 + |0 − 0.3|·2/4.
    expect(expectedCalibrationError([0.95, 0.95, 0.3, 0.3], [true, true, false, false])).toBeCloseTo(0.175, 12)
    // Perfectly calibrated: 0.
    expect(expectedCalibrationError([0.5, 0.5], [true, false])).toBeCloseTo(0, 12)
    // Bin edges: 1/15 belongs to the first bin, just above it to the second; 0 to the first.
    expect(expectedCalibrationError([1 / 15, 0], [false, false], 15)).toBeCloseTo(1 / 30, 12)
    expect(expectedCalibrationError([], [])).toBe(0)
  })
})
