import { mapMean } from '../../../shared/engine/activations'
import type { ActivationsResult } from './detail-store'

export interface ClassOption {
  index: number
  label: string
  logit: number
  /** Calibrated probability (as the photo's predictions show it). */
  p: number
}

/** The classes that have a CAM, most likely first. */
export function camOptions(result: ActivationsResult): ClassOption[] {
  const { logits, cam, labels, probabilities } = result
  if (!cam) return []
  return Array.from(cam.classes, (index) => ({
    index,
    label: labels[index] ?? `class ${index}`,
    logit: logits[index] ?? 0,
    p: probabilities[index] ?? 0,
  })).sort((a, b) => b.p - a.p || b.logit - a.logit || a.index - b.index)
}

export interface CamView {
  /** H×W: CAM(A), or CAM(A) − CAM(B). */
  map: Float32Array
  height: number
  width: number
  /** The map's mean; with `bias` it makes `logit` (the classifier's score, or the gap between two). */
  mean: number
  bias: number
  logit: number
}

/** CAM(a), or CAM(a) − CAM(b) for "why a and not b"; undefined when either class has no map. */
export function camView(result: ActivationsResult, a: number, b: number | null): CamView | undefined {
  const cam = result.cam
  if (!cam) return undefined
  const plane = cam.height * cam.width
  const slot = (c: number): number => cam.classes.indexOf(c)
  const ia = slot(a)
  if (ia < 0) return undefined
  const mapA = cam.maps.subarray(ia * plane, (ia + 1) * plane)
  const logitA = result.logits[a] ?? 0
  if (b === null || b === a) {
    return { map: mapA, height: cam.height, width: cam.width, mean: mapMean(mapA), bias: cam.bias[ia]!, logit: logitA }
  }
  const ib = slot(b)
  if (ib < 0) return undefined
  const mapB = cam.maps.subarray(ib * plane, (ib + 1) * plane)
  const map = new Float32Array(plane)
  for (let p = 0; p < plane; p++) map[p] = mapA[p]! - mapB[p]!
  return {
    map,
    height: cam.height,
    width: cam.width,
    mean: mapMean(map),
    bias: cam.bias[ia]! - cam.bias[ib]!,
    logit: logitA - (result.logits[b] ?? 0),
  }
}
