/**
 * Builds the label hierarchies the app ships (run once, by hand, when the curated levels change):
 *
 *   npx tsx scripts/build-hierarchy.ts [--wordnet /usr/share/wordnet] [--synsets ../shared/labels/imagenet-1k-synsets.txt] [--verbose]
 *
 * - `resources/labels/imagenet-1k.hierarchy.json`: each ImageNet class's path through the curated
 *   levels below, found by following WordNet 3.0's hypernym pointers (`@`, `@i`) from the class's
 *   synset (the synsets file gives each class its WordNet id, in index order). WordNet's `data.noun`
 *   (Debian's `wordnet-base`) is parsed here; nothing of WordNet is needed at run time.
 * - `resources/labels/cifar10.hierarchy.json`: CIFAR-10's two parents, animal and vehicle.
 *
 * A class's path is the chain of curated levels above it (outermost first) plus its own label (the
 * app's name, from `resources/labels/<labels>.txt`). The levels form a tree that mirrors WordNet (each
 * level's parent is a WordNet ancestor of it; checked). Where WordNet's multiple inheritance puts a
 * class under several curated branches (a wheeled vehicle is also a container), the deepest level wins,
 * then the one listed first. Prints the classes per level and checks a few facts (every dog breed
 * under dog, Persian cat under cat, espresso and pizza under food, sports car under vehicle|car).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseHierarchy, type Hierarchy } from '../src/shared/knowledge/hierarchy'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const labelsDir = join(repoRoot, 'resources', 'labels')

interface LevelSpec {
  /** WordNet 3.0 noun synsets: usually one; several where WordNet splits the notion (food). */
  wordnet: string[]
  /** The tag people use. */
  label: string
  /** The curated level above it (by label), a WordNet ancestor of it. */
  parent?: string
}

/**
 * The curated levels: tags people use, not every WordNet level. Parents before children; on a tie
 * between branches of equal depth, the level listed first wins.
 */
const LEVELS: LevelSpec[] = [
  { wordnet: ['n00015388'], label: 'animal' }, // animal, animate being, beast, brute, creature, fauna
  { wordnet: ['n02084071'], label: 'dog', parent: 'animal' }, // dog, domestic dog, Canis familiaris
  { wordnet: ['n02121620'], label: 'cat', parent: 'animal' }, // cat, true cat (house cats and wildcats)
  { wordnet: ['n02127808'], label: 'big cat', parent: 'animal' }, // big cat (lion, tiger, leopard…)
  { wordnet: ['n02131653'], label: 'bear', parent: 'animal' },
  { wordnet: ['n02484322'], label: 'monkey', parent: 'animal' },
  { wordnet: ['n01503061'], label: 'bird', parent: 'animal' },
  { wordnet: ['n02512053'], label: 'fish', parent: 'animal' },
  { wordnet: ['n01661091'], label: 'reptile', parent: 'animal' }, // reptile, reptilian
  { wordnet: ['n01726692'], label: 'snake', parent: 'reptile' }, // snake, serpent, ophidian
  { wordnet: ['n01627424'], label: 'amphibian', parent: 'animal' },
  { wordnet: ['n02159955'], label: 'insect', parent: 'animal' },
  { wordnet: ['n01772222'], label: 'spider', parent: 'animal' },
  { wordnet: ['n00007846'], label: 'person' }, // person, individual, someone…
  // food, nutrient (dishes, drinks) and food, solid food (produce): WordNet keeps them apart.
  { wordnet: ['n00021265', 'n07555863'], label: 'food' },
  { wordnet: ['n07705931'], label: 'fruit', parent: 'food' }, // edible fruit
  { wordnet: ['n07707451'], label: 'vegetable', parent: 'food' }, // vegetable, veggie, veg
  { wordnet: ['n07557434'], label: 'dish', parent: 'food' },
  { wordnet: ['n07881800'], label: 'drink', parent: 'food' }, // beverage, drink, drinkable, potable
  { wordnet: ['n00017222', 'n13086908'], label: 'plant' }, // plant, flora, plant life + plant part (seeds, nuts, ears)
  { wordnet: ['n11669921'], label: 'flower', parent: 'plant' }, // flower (angiospermous plant)
  { wordnet: ['n12992868'], label: 'fungus' },
  { wordnet: ['n04524313', 'n04019101'], label: 'vehicle' }, // vehicle + public transport (buses)
  { wordnet: ['n02958343'], label: 'car', parent: 'vehicle' }, // car, auto, automobile, machine, motorcar
  { wordnet: ['n04490091'], label: 'truck', parent: 'vehicle' }, // truck, motortruck
  { wordnet: ['n02924116'], label: 'bus', parent: 'vehicle' },
  { wordnet: ['n04468005', 'n03684823', 'n02959942'], label: 'train', parent: 'vehicle' }, // train, locomotive, railcar
  { wordnet: ['n04530566'], label: 'boat', parent: 'vehicle' }, // vessel, watercraft
  { wordnet: ['n02686568'], label: 'aircraft', parent: 'vehicle' },
  { wordnet: ['n04341686'], label: 'structure' }, // structure, construction
  { wordnet: ['n02913152'], label: 'building', parent: 'structure' }, // building, edifice
  { wordnet: ['n03405725'], label: 'furniture' }, // furniture, piece of furniture, article of furniture
  { wordnet: ['n03051540', 'n03380867'], label: 'clothing' }, // clothing + footwear
  { wordnet: ['n03183080'], label: 'device' },
  { wordnet: ['n03800933'], label: 'musical instrument', parent: 'device' }, // musical instrument, instrument
  { wordnet: ['n04565375'], label: 'weapon', parent: 'device' }, // weapon, arm, weapon system
  { wordnet: ['n04437953'], label: 'clock', parent: 'device' }, // timepiece, timekeeper, horologe
  { wordnet: ['n03278248', 'n04400289'], label: 'electronics' }, // electronic equipment + telecommunication equipment
  { wordnet: ['n03528263'], label: 'appliance' }, // home appliance, household appliance
  { wordnet: ['n04451818'], label: 'tool' },
  { wordnet: ['n03094503'], label: 'container' },
  // sports equipment + sports implement (rackets) + ball (WordNet's balls are game equipment, as puzzles are)
  { wordnet: ['n04285146', 'n04285622', 'n02778669'], label: 'sports equipment' },
  { wordnet: ['n09287968'], label: 'landscape' }, // geological formation, formation (cliff, valley, volcano, shore…)
]

/** CIFAR-10's two parents. */
const CIFAR10_PARENTS: Record<string, string[]> = {
  animal: ['bird', 'cat', 'deer', 'dog', 'frog', 'horse'],
  vehicle: ['airplane', 'automobile', 'ship', 'truck'],
}

// ---- arguments

const args = process.argv.slice(2)
function option(name: string, fallback: string): string {
  const at = args.indexOf(name)
  if (at < 0) return fallback
  const value = args[at + 1]
  if (value === undefined) throw new Error(`${name} needs a value`)
  return value
}
const wordnetDir = option('--wordnet', '/usr/share/wordnet')
const synsetsFile = option('--synsets', resolve(repoRoot, '..', 'shared', 'labels', 'imagenet-1k-synsets.txt'))
const verbose = args.includes('--verbose')

// ---- WordNet

interface Synset {
  words: string[]
  /** Hypernyms (`@`) and instance hypernyms (`@i`), as noun ids `n01234567`. */
  hypernyms: string[]
}

/**
 * Parses WordNet's `data.noun`: `offset lex_filenum ss_type w_cnt(hex) [word lex_id]… p_cnt [ptr offset pos st]… | gloss`.
 * License lines at the top start with two spaces and are skipped.
 */
function readWordnet(path: string): Map<string, Synset> {
  const synsets = new Map<string, Synset>()
  for (const line of readFileSync(path, 'latin1').split('\n')) {
    if (!/^\d{8} /.test(line)) continue
    const fields = line.split(' | ')[0]!.trim().split(' ')
    const wordCount = parseInt(fields[3]!, 16)
    const words: string[] = []
    for (let i = 0; i < wordCount; i++) {
      words.push(fields[4 + 2 * i]!.replace(/_/g, ' ').replace(/\([a-z]+\)$/, ''))
    }
    let at = 4 + 2 * wordCount
    const pointerCount = parseInt(fields[at++]!, 10)
    const hypernyms: string[] = []
    for (let i = 0; i < pointerCount; i++, at += 4) {
      const [symbol, offset, pos] = [fields[at], fields[at + 1], fields[at + 2]]
      if ((symbol === '@' || symbol === '@i') && pos === 'n') hypernyms.push(`n${offset}`)
    }
    if (Number.isNaN(wordCount) || Number.isNaN(pointerCount) || at > fields.length) {
      throw new Error(`${path}: cannot read the line of synset ${fields[0]}`)
    }
    synsets.set(`n${fields[0]}`, { words, hypernyms })
  }
  if (synsets.size < 50_000) throw new Error(`${path} holds only ${synsets.size} synsets: not WordNet 3.0's data.noun`)
  return synsets
}

const wordnet = readWordnet(join(wordnetDir, 'data.noun'))

const ancestorCache = new Map<string, Set<string>>()
/** Every synset above `id` (all hypernym paths), `id` excluded. */
function ancestors(id: string): Set<string> {
  const cached = ancestorCache.get(id)
  if (cached) return cached
  const synset = wordnet.get(id)
  if (synset === undefined) throw new Error(`WordNet has no noun synset ${id}`)
  const found = new Set<string>()
  for (const parent of synset.hypernyms) {
    found.add(parent)
    for (const above of ancestors(parent)) found.add(above)
  }
  ancestorCache.set(id, found)
  return found
}

// ---- the curated levels as a tree

interface Level extends LevelSpec {
  path: string[]
  order: number
}

const levels = new Map<string, Level>()

/** Whether `id` lies under one of `level`'s synsets (a synset of the level itself does not count). */
function isUnder(id: string, level: LevelSpec): boolean {
  const above = ancestors(id)
  return level.wordnet.some((w) => above.has(w))
}

LEVELS.forEach((spec, order) => {
  for (const id of spec.wordnet) {
    if (!wordnet.has(id)) throw new Error(`Level ${spec.label}: WordNet has no noun synset ${id}`)
  }
  if (levels.has(spec.label)) throw new Error(`Level ${spec.label} is listed twice`)
  let path = [spec.label]
  if (spec.parent !== undefined) {
    const parent = levels.get(spec.parent)
    if (parent === undefined) throw new Error(`Level ${spec.label}: its parent ${spec.parent} must be listed before it`)
    if (!spec.wordnet.every((id) => isUnder(id, parent))) {
      throw new Error(
        `Level ${spec.label} (${spec.wordnet}) is not under ${parent.label} (${parent.wordnet}) in WordNet`,
      )
    }
    path = [...parent.path, spec.label]
  }
  levels.set(spec.label, { ...spec, path, order })
  if (verbose) {
    const words = spec.wordnet.map((id) => `${id} ${wordnet.get(id)!.words.slice(0, 3).join(', ')}`)
    console.log(`level ${path.join('|')}: ${words.join('; ')}`)
  }
})
// WordNet's multiple inheritance: a level can lie under curated levels outside its chain (a car is a
// container too). Its classes then count under its own chain only; listed here for the curator.
const crossings: string[] = []
for (const level of levels.values()) {
  for (const other of levels.values()) {
    if (other === level || level.path.includes(other.label)) continue
    if (level.wordnet.some((id) => isUnder(id, other))) crossings.push(`${level.label} (also under ${other.label})`)
  }
}

/** The deepest curated level above a synset (ties: the one listed first), or undefined. */
function levelOf(id: string): Level | undefined {
  let best: Level | undefined
  for (const level of levels.values()) {
    if (!isUnder(id, level)) continue
    // Only a level whose whole chain is above the synset (always so when the tree mirrors WordNet).
    if (!level.path.every((label) => isUnder(id, levels.get(label)!))) continue
    if (best === undefined || level.path.length > best.path.length) best = level
  }
  return best
}

// ---- ImageNet-1k

function readLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
}

const SOURCE_IMAGENET =
  'Curated levels over WordNet 3.0 hypernyms of the ImageNet-1k class synsets; generated by scripts/build-hierarchy.ts.'
const SOURCE_CIFAR = 'CIFAR-10 classes under two parents; generated by scripts/build-hierarchy.ts.'

function buildImagenet(): Hierarchy {
  const names = readLines(join(labelsDir, 'imagenet-1k.txt'))
  const synsets = readLines(synsetsFile).map((line) => {
    const match = /^(n\d{8})\s/.exec(line)
    if (!match) throw new Error(`${synsetsFile}: expected "n01234567 name", found "${line}"`)
    return match[1]!
  })
  if (synsets.length !== names.length) {
    throw new Error(`${synsetsFile} has ${synsets.length} classes, imagenet-1k.txt ${names.length}`)
  }
  return {
    version: 1,
    labels: 'imagenet-1k',
    source: SOURCE_IMAGENET,
    levels: [...levels.values()].map(({ label, path, wordnet }) => ({ label, path, wordnet })),
    classes: names.map((label, index) => {
      const id = synsets[index]!
      const level = levelOf(id)
      return { index, label, path: [...(level?.path ?? []), label], wordnet: id }
    }),
  }
}

function buildCifar10(): Hierarchy {
  const names = readLines(join(labelsDir, 'cifar10.txt'))
  const parentOf = new Map(Object.entries(CIFAR10_PARENTS).flatMap(([parent, list]) => list.map((c) => [c, parent])))
  return {
    version: 1,
    labels: 'cifar10',
    source: SOURCE_CIFAR,
    levels: Object.keys(CIFAR10_PARENTS).map((label) => ({
      label,
      path: [label],
      wordnet: levels.get(label)!.wordnet,
    })),
    classes: names.map((label, index) => {
      const parent = parentOf.get(label)
      if (parent === undefined) throw new Error(`cifar10.txt: no parent for "${label}"`)
      return { index, label, path: [parent, label] }
    }),
  }
}

// ---- checks, summary, output

function check(hierarchy: Hierarchy, what: string, ok: boolean): void {
  if (!ok) {
    console.error(`FAILED (${hierarchy.labels}): ${what}`)
    process.exitCode = 1
  }
}

function sanity(imagenet: Hierarchy, cifar: Hierarchy): void {
  const byLabel = (h: Hierarchy, label: string) => h.classes.find((c) => c.label === label)?.path.join('|')
  const dogs = imagenet.classes.filter((c) => ancestors(c.wordnet!).has('n02084071'))
  check(imagenet, 'ImageNet classes 151–268 are the dog breeds', dogs.length === 118 && dogs[0]!.index === 151)
  for (const dog of dogs)
    check(imagenet, `${dog.label} under animal|dog`, dog.path.join('|') === `animal|dog|${dog.label}`)
  check(imagenet, 'Norfolk terrier', byLabel(imagenet, 'Norfolk terrier') === 'animal|dog|Norfolk terrier')
  check(imagenet, 'Persian cat under cat', byLabel(imagenet, 'Persian cat') === 'animal|cat|Persian cat')
  check(imagenet, 'espresso under food', byLabel(imagenet, 'espresso')?.startsWith('food|') === true)
  check(imagenet, 'pizza under food', byLabel(imagenet, 'pizza')?.startsWith('food|') === true)
  check(imagenet, 'sports car under vehicle|car', byLabel(imagenet, 'sports car') === 'vehicle|car|sports car')
  check(imagenet, 'goldfish under fish', byLabel(imagenet, 'goldfish') === 'animal|fish|goldfish')
  check(imagenet, 'banana under fruit', byLabel(imagenet, 'banana') === 'food|fruit|banana')
  check(imagenet, 'daisy under flower', byLabel(imagenet, 'daisy') === 'plant|flower|daisy')
  check(imagenet, 'volcano under landscape', byLabel(imagenet, 'volcano') === 'landscape|volcano')
  check(imagenet, 'crane (machine) is not a bird', !imagenet.classes[517]!.path.includes('bird'))
  check(imagenet, 'crane (bird) is a bird', imagenet.classes[134]!.path.join('|') === 'animal|bird|crane bird')
  check(cifar, 'CIFAR cat under animal', byLabel(cifar, 'cat') === 'animal|cat')
  check(cifar, 'CIFAR truck under vehicle', byLabel(cifar, 'truck') === 'vehicle|truck')
  // The same name must mean the same path in both files (XMP keywords are looked up by name).
  for (const c of cifar.classes) {
    const level = imagenet.levels.find((l) => l.label === c.label)
    if (level) check(cifar, `${c.label}: same path as ImageNet's level`, level.path.join('|') === c.path.join('|'))
  }
}

function summary(h: Hierarchy): void {
  console.log(`\n${h.labels}: ${h.classes.length} classes, ${h.levels.length} levels`)
  for (const level of h.levels) {
    const under = h.classes.filter(
      (c) => c.path.length > level.path.length && level.path.every((l, i) => c.path[i] === l),
    )
    const direct = under.filter((c) => c.path.length === level.path.length + 1)
    const examples = direct.slice(0, 4).map((c) => c.label)
    console.log(
      `  ${'  '.repeat(level.path.length - 1)}${level.label.padEnd(20 - 2 * level.path.length)} ${String(under.length).padStart(4)}` +
        (direct.length !== under.length ? ` (${direct.length} directly)` : '') +
        (examples.length ? `  e.g. ${examples.join(', ')}` : ''),
    )
    if (verbose) console.log(`      ${direct.map((c) => c.label).join(', ')}`)
  }
  const none = h.classes.filter((c) => c.path.length === 1)
  const examples = none.slice(0, 8).map((c) => c.label)
  console.log(
    `  (no level) ${String(none.length).padStart(9)}${examples.length ? `  e.g. ${examples.join(', ')}` : ''}`,
  )
  if (verbose && none.length > 0) console.log(`      ${none.map((c) => c.label).join(', ')}`)
}

/** Names that the files place on different paths: XMP gives them no path (see keywordPathIndex). */
function ambiguous(hierarchies: Hierarchy[]): void {
  const paths = new Map<string, Set<string>>()
  const add = (label: string, path: string[]): void => {
    paths.set(label, (paths.get(label) ?? new Set()).add(path.join('|')))
  }
  for (const h of hierarchies) {
    for (const level of h.levels) add(level.label, level.path)
    for (const c of h.classes) if (c.path.length > 1) add(c.label, c.path)
  }
  const found = [...paths].filter(([, p]) => p.size > 1).map(([label, p]) => `${label} (${[...p].join(', ')})`)
  console.log(`
Names on several paths (written without a path in XMP): ${found.join('; ') || 'none'}`)
}

/** One level or class per line: small, readable diffs when the levels change. */
function serialize(h: Hierarchy): string {
  const line = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(line).join(', ')}]`
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value).filter(([, v]) => v !== undefined)
      return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${line(v)}`).join(', ')} }`
    }
    return JSON.stringify(value)
  }
  return (
    '{\n' +
    `  "version": ${h.version},\n` +
    `  "labels": ${JSON.stringify(h.labels)},\n` +
    `  "source": ${JSON.stringify(h.source)},\n` +
    `  "levels": [\n${h.levels.map((l) => `    ${line(l)}`).join(',\n')}\n  ],\n` +
    `  "classes": [\n${h.classes.map((c) => `    ${line(c)}`).join(',\n')}\n  ]\n` +
    '}\n'
  )
}

function write(h: Hierarchy): void {
  const text = serialize(h)
  const parsed = parseHierarchy(text) // the app's own reader must accept it
  if (JSON.stringify(parsed) !== JSON.stringify(h)) throw new Error(`${h.labels}: the file does not read back as built`)
  const path = join(labelsDir, `${h.labels}.hierarchy.json`)
  writeFileSync(path, text)
  console.log(`wrote ${path} (${text.length} bytes)`)
}

if (crossings.length > 0) console.log(`Levels kept in one branch only: ${crossings.join(', ')}`)
const imagenet = buildImagenet()
const cifar = buildCifar10()
summary(imagenet)
summary(cifar)
ambiguous([imagenet, cifar])
sanity(imagenet, cifar)
if (process.exitCode) {
  console.error('\nSanity checks failed: nothing written.')
} else {
  console.log('')
  write(imagenet)
  write(cifar)
}
