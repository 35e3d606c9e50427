/**
 * npx tsx scripts/bench-duplicates.ts: near-duplicate photos (issue #12), measured.
 *
 * The 5,000 CIFAR-10 test photos plus six generated copies (tests/support/variants.ts: ×0.5, ×2, JPEG q50,
 * EXIF-rotated, 5% crop, PNG↔JPEG) of 500 of them chosen with a fixed seed, written to a temporary folder and all
 * hashed with `perceptualHash`. Then, grouped by `groupByHash` at `DEFAULT_MAX_DISTANCE` (and around it):
 * - recall of the true pairs: each copy with its original and the copies of one photo with each other (21 pairs
 *   per photo), counted when both are in one group;
 * - pairs of distinct CIFAR photos put in one group, listed (CIFAR's test set holds a few genuine near-duplicates:
 *   the same picture with other colours or a pixel's shift);
 * - hashing time per photo, grouping time, and grouping time for 50,000 random hashes.
 * Then the same with the bundled model's embedding confirming each pair (cosine), as the app does.
 * `--fit`: refits the hash's projections on the ood-dev images and their copies and prints the constants for
 * src/main/duplicates/perceptual-hash.ts (nothing CIFAR is used).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultModelPath } from '../src/cli/paths'
import { DEFAULT_MIN_SIMILARITY, groupByHash, type Similarity } from '../src/main/duplicates/find-duplicates'
import {
  DEFAULT_MAX_DISTANCE,
  FEATURE_COUNT,
  hammingDistance,
  hashFeatures,
  hashPixels,
  perceptualHash,
} from '../src/main/duplicates/perceptual-hash'
import { openFeatureExtractor } from '../src/main/inference/extract-features'
import { embed, embeddingSpecFor } from '../src/shared/embedding/embedding'
import { featureLength } from '../src/shared/knowledge/features'
import { parseProfile } from '../src/shared/knowledge/profile'
import { cholesky, invertLower, shuffledIndices, symmetricEigen } from '../src/main/knowledge/linalg'
import { seededRandom } from '../src/shared/random'
import { mapWithConcurrency } from '../src/main/util/map-with-concurrency'
import { parseModelCard } from '../src/shared/model-card'
import { cifarHalfDir, sharedPath } from '../tests/support/shared'
import { makeVariants } from '../tests/support/variants'

const concurrency = Math.max(2, availableParallelism())
const tmp = mkdtempSync(join(tmpdir(), 'bench-duplicates-'))
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }))

interface Item {
  /** Index of the original photo this is (a copy of). */
  source: number
  kind: string
  path: string
}

function imagesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return imagesUnder(path)
      return /\.(jpe?g|png)$/i.test(entry.name) ? [path] : []
    })
}

/** The originals and, for the chosen ones, their six copies (written under `tmp`). */
async function withVariants(originals: string[], chosen: number[], folder: string): Promise<Item[]> {
  const items: Item[] = originals.map((path, source) => ({ source, kind: 'original', path }))
  const copies = await mapWithConcurrency(chosen, concurrency, async (source) =>
    (await makeVariants(originals[source]!, join(tmp, folder, String(source)))).map((v) => ({ source, ...v })),
  )
  return items.concat(copies.flat())
}

if (process.argv.includes('--fit')) {
  await fit()
  process.exit(0)
}

const originals = imagesUnder(cifarHalfDir())
const chosen = shuffledIndices(originals.length, seededRandom(12)).slice(0, 500)
let t = performance.now()
const items = await withVariants(originals, chosen, 'cifar')
console.log(
  `${originals.length} CIFAR photos, ${items.length - originals.length} copies of ${chosen.length} (${((performance.now() - t) / 1000).toFixed(1)} s to write)`,
)

t = performance.now()
const hashes = await mapWithConcurrency(items, concurrency, (item) => perceptualHash(item.path))
const hashMs = performance.now() - t
console.log(
  `hashing: ${(hashMs / items.length).toFixed(2)} ms per photo wall-clock (${concurrency} at once), ${(hashMs / 1000).toFixed(1)} s for ${items.length}`,
)

const copiesOf = new Map<number, number[]>()
items.forEach((item, i) => {
  if (item.kind === 'original') return
  let list = copiesOf.get(item.source)
  if (!list) copiesOf.set(item.source, (list = [item.source]))
  list.push(i)
})
const truePairs: [number, number][] = []
for (const list of copiesOf.values())
  for (let a = 0; a < list.length; a++) for (let b = a + 1; b < list.length; b++) truePairs.push([list[a]!, list[b]!])

// Per kind: the distance of each copy to its original.
const byKind = new Map<string, number[]>()
for (const list of copiesOf.values())
  for (const i of list.slice(1)) {
    const kind = items[i]!.kind
    byKind.set(kind, [...(byKind.get(kind) ?? []), hammingDistance(hashes[i]!, hashes[list[0]!]!)])
  }
const quantile = (values: number[], q: number): number =>
  values.sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!
console.log(
  'distance copy–original (median / p99 / max):',
  [...byKind].map(([kind, d]) => `${kind} ${quantile(d, 0.5)}/${quantile(d, 0.99)}/${Math.max(...d)}`).join(', '),
)

function measure(
  label: string,
  maxDistance: number,
  similarity?: Similarity,
  minSimilarity?: number,
  list = false,
): void {
  const start = performance.now()
  const groups = groupByHash(
    hashes.map((hash, i) => ({ key: String(i), hash })),
    maxDistance,
    similarity,
    minSimilarity,
  )
  const ms = performance.now() - start
  const groupOf = new Int32Array(items.length).fill(-1)
  groups.forEach((group, g) => group.forEach((key) => (groupOf[Number(key)] = g)))
  const found = truePairs.filter(([a, b]) => groupOf[a]! >= 0 && groupOf[a] === groupOf[b]).length
  const falsePairs: string[] = []
  for (const group of groups) {
    const sources = [...new Set(group.map((key) => items[Number(key)]!.source))]
    for (let a = 0; a < sources.length; a++)
      for (let b = a + 1; b < sources.length; b++) {
        const [pa, pb] = [sources[a]!, sources[b]!]
        const name = (i: number): string => originals[i]!.slice(cifarHalfDir().length + 1)
        falsePairs.push(`${name(pa)} ~ ${name(pb)} (${hammingDistance(hashes[pa]!, hashes[pb]!)} bits)`)
      }
  }
  console.log(
    `${label}: recall ${((100 * found) / truePairs.length).toFixed(2)}% of ${truePairs.length} true pairs, ` +
      `${falsePairs.length} pairs of distinct CIFAR photos grouped, ${groups.length} groups, grouping ${ms.toFixed(0)} ms`,
  )
  if (list) for (const pair of falsePairs) console.log(`    ${pair}`)
}

for (const d of [
  DEFAULT_MAX_DISTANCE - 2,
  DEFAULT_MAX_DISTANCE - 1,
  DEFAULT_MAX_DISTANCE + 1,
  DEFAULT_MAX_DISTANCE + 2,
])
  measure(`hash ≤ ${d} bits`, d)
measure(`hash ≤ ${DEFAULT_MAX_DISTANCE} bits (default)`, DEFAULT_MAX_DISTANCE, undefined, undefined, true)

const random = seededRandom(7)
const synthetic = Array.from({ length: 50_000 }, (_, i) => ({
  key: String(i),
  hash: (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32)),
}))
for (const d of [DEFAULT_MAX_DISTANCE, 11]) {
  t = performance.now()
  groupByHash(synthetic, d)
  console.log(`grouping 50,000 random hashes at ≤ ${d} bits: ${(performance.now() - t).toFixed(0)} ms`)
}
// Clustered: 5,000 photos with 9 near copies each (3 bits flipped), the worst case for buckets of one picture.
const clustered = synthetic.map(({ key }, i) => {
  let hash = synthetic[i - (i % 10)]!.hash
  if (i % 10) for (let k = 0; k < 3; k++) hash ^= 1n << BigInt(Math.floor(random() * 64))
  return { key, hash }
})
t = performance.now()
const clusteredGroups = groupByHash(clustered, DEFAULT_MAX_DISTANCE)
console.log(
  `grouping 50,000 hashes in 5,000 clusters of 10: ${(performance.now() - t).toFixed(0)} ms, ${clusteredGroups.length} groups`,
)

{
  // The app's confirmation: the bundled model's embedding (with its profile), as its engines compute it.
  const card = parseModelCard(JSON.parse(readFileSync(defaultModelPath.replace(/\.onnx$/, '.card.json'), 'utf8')))
  const extractor = await openFeatureExtractor(defaultModelPath, card)
  const profile = parseProfile(JSON.parse(readFileSync(defaultModelPath.replace(/\.onnx$/, '.profile.json'), 'utf8')), {
    sha256: card.sha256,
    featureLength: featureLength(extractor.layout),
    classes: card.output.classes,
    views: card.preprocessing.views,
  })
  const spec = embeddingSpecFor(extractor.layout, profile)
  t = performance.now()
  const embeddings = new Map<string, Float32Array>()
  for await (const result of extractor.extract(items.map((item) => item.path))) {
    if ('error' in result) throw new Error(`${result.path}: ${result.error}`)
    embeddings.set(result.path, embed(result.features, spec))
  }
  await extractor.release()
  console.log(
    `embeddings (ResNet-56, the app's embedding, ${embeddings.size}): ${((performance.now() - t) / 1000).toFixed(1)} s`,
  )
  const similarity: Similarity = (a, b) => {
    const x = embeddings.get(items[Number(a)]!.path)
    const y = embeddings.get(items[Number(b)]!.path)
    if (!x || !y) return undefined
    let dot = 0
    for (let k = 0; k < x.length; k++) dot += x[k]! * y[k]!
    return dot
  }
  const cosines = truePairs.map(([a, b]) => similarity(String(a), String(b))!)
  console.log(
    `cosine of true pairs: p1 ${quantile(cosines, 0.01).toFixed(3)}, median ${quantile(cosines, 0.5).toFixed(3)}`,
  )
  for (const min of [DEFAULT_MIN_SIMILARITY, 0.4, 0.8])
    for (const d of [DEFAULT_MAX_DISTANCE, DEFAULT_MAX_DISTANCE + 2])
      measure(
        `hash ≤ ${d} bits and cosine ≥ ${min}`,
        d,
        similarity,
        min,
        d === DEFAULT_MAX_DISTANCE + 2 && min === DEFAULT_MIN_SIMILARITY,
      )
}

/**
 * The LDA behind the hash: between-photo covariance of the features over the ood-dev images, within-pair
 * covariance over (copy − original) for their six kinds of copies (ridge: 5% of its mean variance), the 64
 * leading generalised eigenvectors, as int8 rows; offsets are each row's projection of the mean image.
 */
async function fit(): Promise<void> {
  const files = ['photos', 'documents', 'textures'].flatMap((dir) =>
    imagesUnder(sharedPath('datasets', 'ood-dev', dir)),
  )
  const fitItems = await withVariants(
    files,
    files.map((_, i) => i),
    'ood',
  )
  const features = await mapWithConcurrency(fitItems, concurrency, async (item) =>
    hashFeatures(await hashPixels(item.path)),
  )
  const D = FEATURE_COUNT
  const n = files.length
  const mean = new Float64Array(D)
  for (let i = 0; i < n; i++) for (let k = 0; k < D; k++) mean[k]! += features[i]![k]! / n
  const between = new Float64Array(D * D)
  for (let i = 0; i < n; i++)
    for (let a = 0; a < D; a++)
      for (let b = 0; b < D; b++)
        between[a * D + b]! += ((features[i]![a]! - mean[a]!) * (features[i]![b]! - mean[b]!)) / n
  const within = new Float64Array(D * D)
  const copies = fitItems.length - n
  for (let i = n; i < fitItems.length; i++) {
    const f = features[i]!
    const g = features[fitItems[i]!.source]!
    for (let a = 0; a < D; a++)
      for (let b = 0; b < D; b++) within[a * D + b]! += ((f[a]! - g[a]!) * (f[b]! - g[b]!)) / copies
  }
  let trace = 0
  for (let k = 0; k < D; k++) trace += within[k * D + k]!
  for (let k = 0; k < D; k++) within[k * D + k]! += (0.05 * trace) / D
  const li = invertLower(cholesky(within, D), D)
  const m = new Float64Array(D * D)
  for (let a = 0; a < D; a++)
    for (let b = 0; b < D; b++) {
      let s = 0
      for (let k = 0; k < D; k++) for (let l = 0; l < D; l++) s += li[a * D + k]! * between[k * D + l]! * li[b * D + l]!
      m[a * D + b] = s
    }
  const { vectors } = symmetricEigen(m, D)
  const projection = new Int8Array(64 * D)
  const offsets = Buffer.alloc(64 * 4)
  for (let j = 0; j < 64; j++) {
    const w = new Float64Array(D)
    for (let a = 0; a < D; a++) for (let k = 0; k < D; k++) w[a]! += li[k * D + a]! * vectors[k * D + j]!
    const scale = 127 / Math.max(...w.map(Math.abs))
    let offset = 0
    for (let a = 0; a < D; a++) {
      projection[j * D + a] = Math.round(w[a]! * scale)
      offset += projection[j * D + a]! * mean[a]!
    }
    offsets.writeFloatLE(offset, 4 * j)
  }
  console.log(`fitted on ${n} ood-dev images and ${copies} copies`)
  console.log(`const PROJECTION_BASE64 =\n  '${Buffer.from(projection.buffer).toString('base64')}'`)
  console.log(`const OFFSETS_BASE64 =\n  '${offsets.toString('base64')}'`)
}
