/**
 * npx tsx scripts/bench-own-tags.ts [VIEWS=0 before it for the photo alone]: own tags (issue #12) with the bundled model: the embedding
 * (`embeddingSpecFor`, `embed`) and the learned head (`learnHead`, `scoreAll`).
 *
 * Reads the CIFAR-10 test half (5,000 photos) and the dev set's photos, documents and textures through the bundled
 * ResNet-56 for logits and features. Then:
 * 1. Learning four tags (cifar, photos, documents, textures) from 5 and from 20 random photos a tag, measured on
 *    all the others: balanced accuracy (top-1 = the highest head score) and per-tag precision and recall, averaged
 *    over 20 seeded draws; the same draws with the baseline (nearest class mean on the L2-normalised pooled
 *    features) and with the embedding made without a profile.
 * 2. Similar photos: precision at 10 (same CIFAR class) among the 5,000 CIFAR photos, each against the others by
 *    cosine similarity, for the embedding, the raw logits and the pooled features. The shipped profile was fitted
 *    on these photos, so also held out: a profile fitted on a seeded half, measured on the other half.
 * 3. Time to learn one tag (20 photos with it, 60 without) and to rescore 50,000 embeddings with its head.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { defaultModelPath } from '../src/cli/paths'
import { openFeatureExtractor } from '../src/main/inference/extract-features'
import { fitProfile } from '../src/main/knowledge/fit-profile'
import { profilePathFor } from '../src/main/knowledge/load-knowledge'
import { embed, embeddingSpecFor } from '../src/shared/embedding/embedding'
import { learningParts, type EmbeddingSpec } from '../src/shared/embedding/embedding-spec'
import { stageOffset } from '../src/shared/knowledge/features'
import { parseProfile } from '../src/shared/knowledge/profile'
import { learnHead, scoreAll } from '../src/shared/learning/learn-head'
import { seededRandom } from '../src/shared/random'
import type { LearnedHead } from '../src/shared/learning/learned-head'
import { parseModelCard } from '../src/shared/model-card'
import { withoutViews } from '../src/shared/preprocess/views'
import { cifarHalfDir, sharedPath } from '../tests/support/shared'

interface Sample {
  path: string
  logits: Float32Array
  features: Float32Array
  tag: number
  cifarClass: number
}

const TAGS = ['cifar', 'photos', 'documents', 'textures'] as const
const DRAWS = 20
const started = performance.now()
const bundledCard = parseModelCard(JSON.parse(readFileSync(defaultModelPath.replace(/\.onnx$/, '.card.json'), 'utf8')))
// The bundled card runs each photo on views (src/shared/preprocess/views.ts): the mirror and 2 × 2 tiles.
// VIEWS=0: the photo alone, for comparison.
const card = process.env['VIEWS'] === '0' ? withoutViews(bundledCard) : bundledCard
const extractor = await openFeatureExtractor(defaultModelPath, card)
const layout = extractor.layout

function imagesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return imagesUnder(path)
      return /\.(jpe?g|png)$/i.test(name) ? [path] : []
    })
}

async function read(dir: string, tag: number): Promise<Sample[]> {
  const out: Sample[] = []
  for await (const result of extractor.extract(imagesUnder(dir))) {
    if ('error' in result) throw new Error(`${result.path}: ${result.error}`)
    const cifarClass = tag === 0 ? card.labels.indexOf(basename(dirname(result.path))) : -1
    out.push({ ...result, tag, cifarClass })
  }
  return out
}

const samples: Sample[] = await read(cifarHalfDir(), 0)
for (let t = 1; t < TAGS.length; t++) samples.push(...(await read(sharedPath('datasets', 'ood-dev', TAGS[t]!), t)))
await extractor.release()
const cifar = samples.filter((s) => s.tag === 0)
console.log(
  `Own tags: ${card.name}; ${TAGS.map((t, i) => `${samples.filter((s) => s.tag === i).length} ${t}`).join(', ')} ` +
    `(read in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
)

const profile = parseProfile(JSON.parse(readFileSync(profilePathFor(defaultModelPath)!, 'utf8')), {
  sha256: card.sha256,
  featureLength: samples[0]!.features.length,
  classes: card.output.classes,
  views: card.preprocessing.views,
})
const spec = embeddingSpecFor(layout, profile)
const plainSpec = embeddingSpecFor(layout)
const embedAll = (s: EmbeddingSpec, of: readonly Sample[]): Float32Array[] => of.map((x) => embed(x.features, s))
const embeddings = embedAll(spec, samples)
const plainEmbeddings = embedAll(plainSpec, samples)
const pooledStart = stageOffset(layout, layout.stages.length - 1)
const pooledChannels = layout.stages.at(-1)!.channels
const unit = (v: ArrayLike<number>): Float32Array => {
  const out = Float32Array.from(v)
  const norm = Math.hypot(...out) || 1
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / norm
  return out
}
const pooled = samples.map((s) => unit(s.features.subarray(pooledStart, pooledStart + pooledChannels)))
const dims = embeddings[0]!.length
console.log(
  `Embedding: ${dims} values (${spec.blocks.map((b, i) => `${i < layout.stages.length ? layout.stages[i]!.name : `tiles ${layout.stages[i - layout.stages.length]!.name}`} ${b.end - b.start}→${(b.projection?.length ?? 0) / (b.end - b.start) || b.end - b.start} ×${b.weight.toFixed(2)}`).join(', ')}); ` +
    `without a profile ${plainEmbeddings[0]!.length} values.`,
)

// ---- 1. Learning four tags ----

type Scorer = (train: number[]) => (i: number) => ArrayLike<number>

function headScorer(vectors: Float32Array[], of: EmbeddingSpec): Scorer {
  return (train) => {
    const head: LearnedHead = learnHead(
      train.map((i) => ({ embedding: vectors[i]!, positive: [TAGS[samples[i]!.tag]!] })),
      { tags: TAGS, parts: learningParts(of) },
    )
    return (i) => {
      const e = vectors[i]!
      const scores = new Float32Array(TAGS.length)
      for (let t = 0; t < TAGS.length; t++) {
        let s = head.bias[t]!
        for (let j = 0; j < head.dims; j++) s += head.weights[t * head.dims + j]! * e[j]!
        scores[t] = s
      }
      return scores
    }
  }
}

const nearestClassMean: Scorer = (train) => {
  const means = TAGS.map(() => new Float32Array(pooledChannels))
  for (const i of train) {
    const mean = means[samples[i]!.tag]!
    for (let j = 0; j < pooledChannels; j++) mean[j] = mean[j]! + pooled[i]![j]!
  }
  const units = means.map(unit)
  return (i) => units.map((m) => m.reduce((sum, v, j) => sum + v * pooled[i]![j]!, 0))
}

interface Learning {
  balanced: number
  precision: number[]
  recall: number[]
  fitMs: number
}

function learning(scorer: Scorer, perTag: number): Learning {
  const precision = TAGS.map(() => 0)
  const recall = TAGS.map(() => 0)
  let balanced = 0
  let fitMs = 0
  for (let draw = 0; draw < DRAWS; draw++) {
    const random = seededRandom(1000 + draw)
    const train: number[] = []
    for (let t = 0; t < TAGS.length; t++) {
      const pool = samples.flatMap((s, i) => (s.tag === t ? [i] : []))
      for (let k = 0; k < perTag; k++) {
        const j = k + Math.floor(random() * (pool.length - k))
        ;[pool[k], pool[j]] = [pool[j]!, pool[k]!]
        train.push(pool[k]!)
      }
    }
    const fitStarted = performance.now()
    const score = scorer(train)
    fitMs += performance.now() - fitStarted
    const taught = new Set(train)
    const confusion = TAGS.map(() => TAGS.map(() => 0))
    samples.forEach((s, i) => {
      if (taught.has(i)) return
      const scores = score(i)
      let best = 0
      for (let t = 1; t < TAGS.length; t++) if (scores[t]! > scores[best]!) best = t
      confusion[s.tag]![best] = confusion[s.tag]![best]! + 1
    })
    TAGS.forEach((_, t) => {
      const row = confusion[t]!.reduce((a, b) => a + b, 0)
      const column = confusion.reduce((a, r) => a + r[t]!, 0)
      recall[t] = recall[t]! + confusion[t]![t]! / row / DRAWS
      precision[t] = precision[t]! + (column ? confusion[t]![t]! / column : 0) / DRAWS
      balanced += confusion[t]![t]! / row / TAGS.length / DRAWS
    })
  }
  return { balanced, precision, recall, fitMs: fitMs / DRAWS }
}

const f2 = (x: number): string => x.toFixed(2)
const f3 = (x: number): string => x.toFixed(3)
console.log(
  `\n1. Learning the tags ${TAGS.join(', ')} from k random photos a tag, measured on all the others ` +
    `(${DRAWS} seeded draws; top-1 = the highest score; P/R = per-tag precision/recall):`,
)
const methods: [string, Scorer][] = [
  ['learnHead on the embedding', headScorer(embeddings, spec)],
  ['learnHead, embedding without profile', headScorer(plainEmbeddings, plainSpec)],
  ['baseline: NCM on L2 pooled features', nearestClassMean],
]
for (const perTag of [5, 20]) {
  for (const [name, scorer] of methods) {
    const r = learning(scorer, perTag)
    const perTagText = TAGS.map((t, i) => `${t} ${f2(r.precision[i]!)}/${f2(r.recall[i]!)}`).join(', ')
    console.log(
      `  k=${String(perTag).padStart(2)}  ${name.padEnd(38)} balanced accuracy ${f3(r.balanced)}  P/R: ${perTagText}` +
        `  (fit ${r.fitMs.toFixed(0)} ms)`,
    )
  }
}

// ---- 1b. A subject among the CIFAR photos (what the tiles could spoil) ----

{
  // Like the app: 5 photos of one class accepted, 200 random photos of a 500-photo library as stand-in negatives
  // (some of them of the class); measured by the share of the class among the suggestions and by AUROC.
  const library = cifar
    .flatMap((s) => s)
    .filter((s, i, all) => all.slice(0, i).filter((o) => o.cifarClass === s.cifarClass).length < 50)
  const indexOf = new Map(samples.map((s, i) => [s, i]))
  const lines: string[] = []
  for (const [name, vectors, of] of [
    ['the embedding', embeddings, spec],
    ['its photo part only', embeddings, { ...spec, leadingDims: undefined, blocks: spec.blocks }],
  ] as const) {
    let right = 0
    let suggested = 0
    let auroc = 0
    let runs = 0
    for (let c = 0; c < card.labels.length; c++) {
      const random = seededRandom(500 + c)
      const members = library.filter((s) => s.cifarClass === c)
      const positives = members.slice(0, 5)
      const others = library.filter((s) => !positives.includes(s))
      for (let i = others.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[others[i], others[j]] = [others[j]!, others[i]!]
      }
      const vector = (s: Sample): Float32Array => vectors[indexOf.get(s)!]!
      const parts = name === 'the embedding' ? learningParts(of) : [of.leadingDims ?? spec.leadingDims ?? dims]
      const head = learnHead(
        [
          ...positives.map((s) => ({ embedding: vector(s), positive: ['t'] })),
          ...others.slice(0, 200).map((s) => ({ embedding: vector(s), positive: [], negative: ['t'] })),
        ],
        { tags: ['t'], parts },
      )
      const rest = library.filter((s) => !positives.includes(s))
      const matrix = new Float32Array(rest.length * head.dims)
      rest.forEach((s, r) => matrix.set(vector(s), r * head.dims))
      const p = scoreAll(head, matrix, rest.length)
      const picked = rest.filter((_, r) => p[r]! >= head.thresholds[0]!)
      right += picked.length ? picked.filter((s) => s.cifarClass === c).length / picked.length : 0
      suggested += picked.length
      let below = 0
      let negativesSeen = 0
      let positivesSeen = 0
      rest
        .map((s, r) => ({ y: s.cifarClass === c, p: p[r]! }))
        .sort((a, b) => a.p - b.p)
        .forEach((x) => (x.y ? (positivesSeen++, (below += negativesSeen)) : negativesSeen++))
      auroc += below / (positivesSeen * negativesSeen)
      runs++
    }
    lines.push(
      `  ${name.padEnd(22)} share of the class among the suggestions ${f2(right / runs)} ` +
        `(${(suggested / runs).toFixed(0)} suggested of ${library.length - 5}), AUROC ${f3(auroc / runs)}`,
    )
  }
  console.log(
    `\n1b. One CIFAR class learned from 5 photos in a library of ${library.length} CIFAR photos, 200 of the others as ` +
      `stand-in negatives (as the app does), each of the ${card.labels.length} classes:`,
  )
  for (const line of lines) console.log(line)
}

// ---- 2. Similar photos ----

function precisionAt10(vectors: readonly Float32Array[], of: readonly Sample[]): number {
  const n = vectors.length
  const units = vectors.map(unit)
  let hits = 0
  const similarity = new Float32Array(n)
  for (let q = 0; q < n; q++) {
    const a = units[q]!
    for (let i = 0; i < n; i++) {
      const b = units[i]!
      let s = 0
      for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!
      similarity[i] = s
    }
    similarity[q] = -Infinity
    // The 10 most similar: a partial selection.
    const top: number[] = []
    for (let i = 0; i < n; i++) {
      if (top.length < 10 || similarity[i]! > similarity[top[top.length - 1]!]!) {
        let at = Math.min(top.length, 9)
        if (top.length < 10) top.push(i)
        else top[9] = i
        while (at > 0 && similarity[top[at - 1]!]! < similarity[i]!) {
          top[at] = top[at - 1]!
          at--
        }
        top[at] = i
      }
    }
    for (const i of top) if (of[i]!.cifarClass === of[q]!.cifarClass) hits++
  }
  return hits / (10 * n)
}

const cifarIndex = samples.flatMap((s, i) => (s.tag === 0 ? [i] : []))
const pick = <T>(all: readonly T[], indices: readonly number[]): T[] => indices.map((i) => all[i]!)
console.log(
  `\n2. Similar photos: precision at 10 (same class) among the ${cifar.length} CIFAR photos, cosine similarity:`,
)
console.log(
  `  embedding ${f3(precisionAt10(pick(embeddings, cifarIndex), cifar))} (shipped profile: fitted on these photos), ` +
    `without profile ${f3(precisionAt10(pick(plainEmbeddings, cifarIndex), cifar))}, ` +
    `raw logits ${f3(
      precisionAt10(
        cifar.map((s) => s.logits),
        cifar,
      ),
    )}, ` +
    `pooled features ${f3(precisionAt10(pick(pooled, cifarIndex), cifar))}`,
)
{
  const random = seededRandom(2024)
  const order = cifar.map((_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const fitPart = order.slice(0, order.length / 2).map((i) => cifar[i]!)
  const heldPart = order.slice(order.length / 2).map((i) => cifar[i]!)
  const { profile: halfProfile } = fitProfile({
    sha256: card.sha256,
    layout,
    classes: card.labels,
    features: fitPart.map((s) => s.features),
    logits: fitPart.map((s) => s.logits),
    labels: fitPart.map((s) => s.cifarClass),
  })
  const halfSpec = embeddingSpecFor(layout, halfProfile)
  console.log(
    `  held out (profile fitted on a seeded half, measured on the other ${heldPart.length}): ` +
      `embedding ${f3(precisionAt10(embedAll(halfSpec, heldPart), heldPart))}, ` +
      `raw logits ${f3(
        precisionAt10(
          heldPart.map((s) => s.logits),
          heldPart,
        ),
      )}, ` +
      `pooled features ${f3(
        precisionAt10(
          heldPart.map((s) => s.features.subarray(pooledStart, pooledStart + pooledChannels)),
          heldPart,
        ),
      )}`,
  )
}

// ---- 3. Time ----

{
  const random = seededRandom(7)
  const positives = samples.flatMap((s, i) => (s.tag === 2 ? [i] : [])).slice(0, 20)
  const negatives = [0, 1, 3].flatMap((t) => samples.flatMap((s, i) => (s.tag === t ? [i] : [])).slice(0, 20))
  const examples = [
    ...positives.map((i) => ({ embedding: embeddings[i]!, positive: ['documents'] })),
    ...negatives.map((i) => ({ embedding: embeddings[i]!, positive: [], negative: ['documents'] })),
  ]
  const fitStarted = performance.now()
  const head = learnHead(examples, { parts: learningParts(spec) })
  const fitMs = performance.now() - fitStarted
  const line = [`\n3. Time: learning one tag from 20 photos with it and 60 without ${fitMs.toFixed(0)} ms;`]
  for (const length of [dims, 2368]) {
    const n = 50_000
    const synthetic = new Float32Array(n * length)
    for (let i = 0; i < synthetic.length; i++) synthetic[i] = random() - 0.5
    const wide: LearnedHead =
      length === dims ? head : { ...head, dims: length, weights: Float32Array.from({ length }, () => random() - 0.5) }
    const scoreStarted = performance.now()
    const p = scoreAll(wide, synthetic, n)
    const scoreMs = performance.now() - scoreStarted
    if (p.length !== n) throw new Error('scoreAll gave the wrong number of scores')
    line.push(`rescoring ${n.toLocaleString('en')} embeddings of ${length} values ${scoreMs.toFixed(0)} ms`)
    if (length === dims) line.push(`(together ${(fitMs + scoreMs).toFixed(0)} ms; goal < 1,000 ms);`)
  }
  console.log(`${line.join(' ')} (the ${2368} values of a ResNet-50's embedding).`)
}
console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(1)} s`)
