/**
 * npx tsx scripts/bench-ood.ts: how well the bundled model knows what it doesn't know.
 *
 * Reads the CIFAR-10 test half (5,000 photos), the dev set's non-CIFAR photos, documents and textures, and the
 * seven sample photos through the bundled ResNet-56 for logits and features. Then:
 * 1. Held out (the figures that count): a fresh profile is fitted (`fitProfile`, labels from folders) on a seeded
 *    random half of the CIFAR photos and measured on the other half and on the non-CIFAR sets, side by side with
 *    the logit-only fallback (centred energy at `ENERGY_FALLBACK_THRESHOLD`, plain softmax): per category AUROC,
 *    FPR at 95% TPR and the share flagged unknown at the threshold; the share of CIFAR photos kept, top-1 on the
 *    kept vs overall, ECE (15 bins) before and after calibration.
 * 2. The shipped profile (`resources/models/resnet56-cifar10.profile.json`) on the whole set: in-sample for the
 *    CIFAR photos, which it was fitted on, so labelled as such.
 * Nothing is fitted on the non-CIFAR sets; they only measure.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { defaultModelPath } from '../src/cli/paths'
import { openFeatureExtractor } from '../src/main/inference/extract-features'
import { fitProfile } from '../src/main/knowledge/fit-profile'
import { auroc, expectedCalibrationError, fprAt95 } from '../src/main/knowledge/metrics'
import { shuffledIndices } from '../src/main/knowledge/linalg'
import { seededRandom } from '../src/shared/random'
import { profilePathFor } from '../src/main/knowledge/load-knowledge'
import { parseModelCard } from '../src/shared/model-card'
import { ENERGY_FALLBACK_THRESHOLD, judge } from '../src/shared/knowledge/judge'
import { parseProfile, type KnowledgeProfile } from '../src/shared/knowledge/profile'
import { cifarHalfDir, sharedPath } from '../tests/support/shared'

interface Sample {
  path: string
  logits: Float32Array
  features: Float32Array
}

const started = performance.now()
const card = parseModelCard(JSON.parse(readFileSync(defaultModelPath.replace(/\.onnx$/, '.card.json'), 'utf8')))
const extractor = await openFeatureExtractor(defaultModelPath, card)

function imagesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return imagesUnder(path)
      return /\.(jpe?g|png)$/i.test(name) ? [path] : []
    })
}

async function read(dir: string): Promise<Sample[]> {
  const out: Sample[] = []
  for await (const result of extractor.extract(imagesUnder(dir))) {
    if ('error' in result) throw new Error(`${result.path}: ${result.error}`)
    out.push(result)
  }
  return out
}

const cifar = await read(cifarHalfDir())
const categories = ['photos', 'documents', 'textures'] as const
const outside = new Map<string, Sample[]>()
for (const name of categories) outside.set(name, await read(sharedPath('datasets', 'ood-dev', name)))
const samples = await read(sharedPath('photos'))
await extractor.release()
const readSeconds = (performance.now() - started) / 1000
const labelOf = (s: Sample): number => card.labels.indexOf(basename(dirname(s.path)))

// ---- figures ----

type Judge = (s: Sample) => ReturnType<typeof judge>

interface Figures {
  rows: string[][]
  kept: number
  top1: number
  top1Kept: number
  eceBefore: number
  eceAfter: number
}

function figures(inside: Sample[], judgeOf: Judge): Figures {
  const verdicts = inside.map(judgeOf)
  const scores = verdicts.map((v) => v.verdict.ood)
  const rows = categories.map((name) => {
    const other = outside.get(name)!.map(judgeOf)
    const otherScores = other.map((v) => v.verdict.ood)
    return [
      name,
      auroc(scores, otherScores).toFixed(3),
      fprAt95(scores, otherScores).toFixed(3),
      pct(other.filter((v) => v.verdict.unknown).length / other.length),
    ]
  })
  const predicted = inside.map((s) => argmax(s.logits))
  const correct = inside.map((s, i) => predicted[i] === labelOf(s))
  const keptIdx = verdicts.flatMap((v, i) => (v.verdict.unknown ? [] : [i]))
  return {
    rows,
    kept: keptIdx.length / inside.length,
    top1: correct.filter(Boolean).length / inside.length,
    top1Kept: keptIdx.filter((i) => correct[i]).length / keptIdx.length,
    eceBefore: expectedCalibrationError(
      inside.map((s) => Math.max(...judge(s.logits, undefined, undefined).probabilities)),
      correct,
    ),
    eceAfter: expectedCalibrationError(
      verdicts.map((v) => Math.max(...v.probabilities)),
      correct,
    ),
  }
}

function argmax(values: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i
  return best
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)))
  const line = (r: string[]) =>
    '  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')
  return [line(header), ...rows.map(line)].join('\n')
}

function sideBySide(a: Figures, b: Figures, names: [string, string]): string {
  const header = ['category', `AUROC ${names[0]}`, `FPR95`, `flagged`, `AUROC ${names[1]}`, `FPR95`, `flagged`]
  const rows = a.rows.map((row, i) => [...row, ...b.rows[i]!.slice(1)])
  const id = (f: Figures) =>
    `kept ${pct(f.kept)} of CIFAR, top-1 ${pct(f.top1Kept)} on kept vs ${pct(f.top1)} overall, ` +
    `ECE ${pct(f.eceBefore)} before, ${pct(f.eceAfter)} after calibration`
  return `${table(header, rows)}\n  ${names[0]}: ${id(a)}\n  ${names[1]}: ${id(b)}`
}

// 1. Held out: fit on one half, measure on the other.
const order = shuffledIndices(cifar.length, seededRandom(2024))
const fitPart = order.slice(0, cifar.length / 2).map((i) => cifar[i]!)
const heldPart = order.slice(cifar.length / 2).map((i) => cifar[i]!)
const fitStarted = performance.now()
const { profile: halfProfile, report } = fitProfile({
  sha256: card.sha256,
  layout: extractor.layout,
  classes: card.labels,
  features: fitPart.map((s) => s.features),
  logits: fitPart.map((s) => s.logits),
  labels: fitPart.map(labelOf),
})
const fitSeconds = (performance.now() - fitStarted) / 1000
const withProfile =
  (profile: KnowledgeProfile): Judge =>
  (s) =>
    judge(s.logits, s.features, profile)
const fallback: Judge = (s) => judge(s.logits, undefined, undefined)

console.log(
  `Know what it doesn't know: ${card.name}; ${cifar.length} CIFAR-10 test photos, ` +
    categories.map((c) => `${outside.get(c)!.length} ${c}`).join(', ') +
    ` (read in ${readSeconds.toFixed(1)} s)`,
)
console.log(
  `\n1. Held out: profile fitted on ${fitPart.length} CIFAR photos (labels from folders; ${fitSeconds.toFixed(1)} s), ` +
    `measured on the other ${heldPart.length}. Threshold ${report.threshold.toFixed(1)} (cross-fit keep ` +
    `${pct(report.keptShare)}), temperature ${report.temperature.toFixed(3)}; fallback: centred energy > ` +
    `${ENERGY_FALLBACK_THRESHOLD}, plain softmax.`,
)
console.log(sideBySide(figures(heldPart, withProfile(halfProfile)), figures(heldPart, fallback), ['profile', 'energy']))

// How much the held-out share kept moves with the split (the threshold targets 95% in expectation).
const keptShares: number[] = []
for (let split = 0; split < 10; split++) {
  const shuffled = shuffledIndices(cifar.length, seededRandom(split + 1))
  const a = shuffled.slice(0, cifar.length / 2).map((i) => cifar[i]!)
  const b = shuffled.slice(cifar.length / 2).map((i) => cifar[i]!)
  const { profile } = fitProfile({
    sha256: card.sha256,
    layout: extractor.layout,
    classes: card.labels,
    features: a.map((s) => s.features),
    logits: a.map((s) => s.logits),
    labels: a.map(() => undefined),
  })
  keptShares.push(b.filter((s) => !judge(s.logits, s.features, profile).verdict.unknown).length / b.length)
}
const meanKept = keptShares.reduce((x, y) => x + y, 0) / keptShares.length
console.log(
  `  CIFAR kept over 10 other random half splits: mean ${pct(meanKept)}, ` +
    `from ${pct(Math.min(...keptShares))} to ${pct(Math.max(...keptShares))}`,
)

// 2. The shipped profile on the whole set.
const shippedPath = profilePathFor(defaultModelPath)!
let shipped: KnowledgeProfile | undefined
try {
  shipped = parseProfile(JSON.parse(readFileSync(shippedPath, 'utf8')), {
    sha256: card.sha256,
    featureLength: halfProfile.model.featureLength,
    classes: card.output.classes,
  })
} catch (error) {
  console.log(`\n2. No shipped profile to measure (${error instanceof Error ? error.message : String(error)}).`)
}
if (shipped) {
  console.log(
    `\n2. The shipped profile (${shipped.images} photos, built ${shipped.builtAt}) on all ${cifar.length} CIFAR photos: ` +
      'IN-SAMPLE for CIFAR (it was fitted on them; its threshold comes from a 5-fold cross-fit). ' +
      `Threshold ${shipped.threshold.toFixed(1)}, cross-fit keep ${pct(shipped.keptShare)}.`,
  )
  console.log(sideBySide(figures(cifar, withProfile(shipped)), figures(cifar, fallback), ['shipped', 'energy']))
  console.log('\n   The sample photos (chelsea.png is a cat; the others are none of the classes):')
  const rows = samples.map((s) => {
    const p = judge(s.logits, s.features, shipped)
    const e = fallback(s)
    const top = argmax(p.probabilities)
    return [
      basename(s.path),
      `${card.labels[top]} ${p.probabilities[top]!.toFixed(2)}`,
      `${p.verdict.ood.toFixed(1)} ${p.verdict.unknown ? 'unknown' : 'known'}`,
      `${e.verdict.ood.toFixed(2)} ${e.verdict.unknown ? 'unknown' : 'known'}`,
    ]
  })
  console.log(table(['photo', 'top class', 'profile', 'energy'], rows))
}
console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(1)} s`)
