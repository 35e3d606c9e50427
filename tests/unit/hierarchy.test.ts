import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  keywordPathIndex,
  levelScores,
  parseHierarchy,
  pathOf,
  suggestion,
  type Hierarchy,
} from '../../src/shared/knowledge/hierarchy'
import { hierarchyFile, keywordPath, loadHierarchy, shippedLabelsDir } from '../../src/main/knowledge/hierarchies'
import { readSidecarKeywords, writeSidecarKeywords } from '../../src/main/photos/xmp'
import { mergeXmpKeywords } from '../../src/main/photos/xmp-packet'
import { repoRoot, sharedPath } from '../support/shared'

const labelsDir = join(repoRoot, 'resources', 'labels')
const work = mkdtempSync(join(tmpdir(), 'hierarchy-test-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const lines = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')

/** A small hierarchy: five dog breeds, two cats, a car, and a class under no level. */
const TOY: Hierarchy = parseHierarchy({
  version: 1,
  labels: 'toy',
  levels: [
    { label: 'animal', path: ['animal'] },
    { label: 'dog', path: ['animal', 'dog'] },
    { label: 'cat', path: ['animal', 'cat'] },
    { label: 'vehicle', path: ['vehicle'] },
    { label: 'car', path: ['vehicle', 'car'] },
  ],
  classes: [
    ...['beagle', 'Norfolk terrier', 'pug', 'boxer', 'collie'].map((label, index) => ({
      index,
      label,
      path: ['animal', 'dog', label],
    })),
    { index: 5, label: 'tabby', path: ['animal', 'cat', 'tabby'] },
    { index: 6, label: 'Persian cat', path: ['animal', 'cat', 'Persian cat'] },
    { index: 7, label: 'sports car', path: ['vehicle', 'car', 'sports car'] },
    { index: 8, label: 'ballpoint', path: ['ballpoint'] },
  ],
})

const top = (probabilities: number[]): { label: string; index: number; p: number } => {
  const index = probabilities.indexOf(Math.max(...probabilities))
  return { label: TOY.classes[index]!.label, index, p: probabilities[index]! }
}

describe('levelScores and suggestion: backing off to the level the model is sure of', () => {
  it('five dog breeds at 0.17 each suggest "dog" at 0.85, not a breed', () => {
    const p = [0.17, 0.17, 0.17, 0.17, 0.17, 0.05, 0.04, 0.03, 0.03]
    const levels = levelScores(p, TOY)
    expect(levels.map((l) => l.label)).toEqual(['animal', 'dog', 'cat'])
    expect(levels[0]!.p).toBeCloseTo(0.94, 10)
    expect(levels[1]).toEqual({ label: 'dog', path: ['animal', 'dog'], p: expect.closeTo(0.85, 10) })
    expect(suggestion(top(p), levels, 0.8)).toEqual({ label: 'dog', path: ['animal', 'dog'], p: expect.closeTo(0.85) })
    // Above the dog's 0.85 only the coarser level is sure enough.
    expect(suggestion(top(p), levels, 0.9)).toEqual({ label: 'animal', path: ['animal'], p: expect.closeTo(0.94) })
  })

  it('a sure class stays the class, with its path', () => {
    const p = [0.02, 0.9, 0.02, 0.02, 0.01, 0.01, 0.01, 0.005, 0.005]
    const levels = levelScores(p, TOY)
    expect(suggestion(top(p), levels, 0.8, TOY)).toEqual({
      label: 'Norfolk terrier',
      path: ['animal', 'dog', 'Norfolk terrier'],
      p: 0.9,
    })
    expect(suggestion({ ...top(p), path: ['x', 'Norfolk terrier'] }, levels, 0.8)?.path).toEqual([
      'x',
      'Norfolk terrier',
    ])
    expect(suggestion(top(p), levels, 0.8)?.path).toEqual(['Norfolk terrier']) // no hierarchy at hand
  })

  it('nothing over the threshold: no suggestion', () => {
    const p = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.15]
    const levels = levelScores(p, TOY)
    expect(levels.find((l) => l.label === 'animal')?.p).toBeCloseTo(0.7)
    expect(suggestion(top(p), levels, 0.8)).toBeUndefined()
    expect(suggestion(top(p), [], 0.8)).toBeUndefined()
  })

  it('the most specific sure level wins over a more probable coarser one; at equal depth the more probable', () => {
    const levels = [
      { label: 'animal', path: ['animal'], p: 0.95 },
      { label: 'cat', path: ['animal', 'cat'], p: 0.6 },
      { label: 'dog', path: ['animal', 'dog'], p: 0.7 },
    ]
    expect(suggestion({ label: 'x', index: 0, p: 0.3 }, levels, 0.5)?.label).toBe('dog')
    expect(suggestion({ label: 'x', index: 0, p: 0.3 }, levels, 0.65)?.label).toBe('dog')
    expect(suggestion({ label: 'x', index: 0, p: 0.3 }, levels, 0.75)?.label).toBe('animal')
  })

  it('levels under the floor are left out; the rest sorted by p', () => {
    const p = [0, 0, 0, 0, 0, 0.03, 0.01, 0.9, 0.06]
    expect(levelScores(p, TOY).map((l) => [l.label, Number(l.p.toFixed(2))])).toEqual([
      ['car', 0.9],
      ['vehicle', 0.9],
    ])
    // Equal p: the more specific level first.
    expect(levelScores(p, TOY, 0.01).map((l) => l.label)).toEqual(['car', 'vehicle', 'cat', 'animal'])
    expect(levelScores(Float32Array.from(p), TOY).length).toBe(2)
    expect(() => levelScores([0.5, 0.5], TOY)).toThrow(RangeError)
  })

  it('pathOf gives a class its path, by index', () => {
    expect(pathOf(TOY, 6)).toEqual(['animal', 'cat', 'Persian cat'])
    expect(pathOf(TOY, 8)).toEqual(['ballpoint'])
    expect(() => pathOf(TOY, 9)).toThrow(RangeError)
  })
})

describe('parseHierarchy', () => {
  const good = {
    version: 1,
    labels: 'x',
    levels: [{ label: 'a', path: ['a'] }],
    classes: [{ index: 0, label: 'b', path: ['a', 'b'] }],
  }

  it('reads the JSON text or the parsed value', () => {
    expect(parseHierarchy(JSON.stringify(good))).toEqual(good)
    expect(parseHierarchy(good)).toEqual(good)
  })

  it('refuses what is not a consistent hierarchy, saying why', () => {
    expect(() => parseHierarchy('{')).toThrow(/cannot be read/)
    expect(() => parseHierarchy({ ...good, version: 2 })).toThrow(/Not a label hierarchy/)
    const classes = (c: unknown[]) => ({ ...good, classes: c })
    expect(() => parseHierarchy(classes([{ index: 1, label: 'b', path: ['a', 'b'] }]))).toThrow(/index order/)
    expect(() => parseHierarchy(classes([{ index: 0, label: 'b', path: ['z', 'b'] }]))).toThrow(/not a level/)
    expect(() => parseHierarchy(classes([{ index: 0, label: 'b', path: ['a', 'c'] }]))).toThrow(/end with its label/)
    expect(() => parseHierarchy(classes([{ index: 0, label: 'a|b', path: ['a|b'] }]))).toThrow(/"\|"/)
    expect(() => parseHierarchy({ ...good, levels: [{ label: 'b', path: ['a', 'b'] }] })).toThrow(/parent/)
    expect(() => parseHierarchy({ ...good, levels: [good.levels[0], good.levels[0]] })).toThrow(/twice/)
  })
})

describe('the shipped hierarchies', () => {
  it('ImageNet-1k: every class in index order, with the app’s labels and the WordNet ids of the synsets file', async () => {
    const imagenet = (await loadHierarchy(labelsDir, 'imagenet-1k'))!
    const names = lines(join(labelsDir, 'imagenet-1k.txt'))
    const synsets = lines(sharedPath('labels', 'imagenet-1k-synsets.txt')).map((l) => l.slice(0, 9))
    expect(imagenet.labels).toBe('imagenet-1k')
    expect(imagenet.classes.map((c) => c.label)).toEqual(names)
    expect(imagenet.classes.map((c) => c.wordnet)).toEqual(synsets)
    expect(imagenet.levels.length).toBeGreaterThanOrEqual(20)
    expect(imagenet.levels.length).toBeLessThanOrEqual(45)
    for (const c of imagenet.classes) expect(c.path.length).toBeLessThanOrEqual(4) // up to 3 levels + the class
  })

  it('ImageNet-1k: dog breeds under dog, Persian cat under cat, espresso and pizza under food, sports car under vehicle|car', async () => {
    const imagenet = (await loadHierarchy(labelsDir, 'imagenet-1k'))!
    const path = (label: string) => imagenet.classes.find((c) => c.label === label)!.path.join('|')
    for (let i = 151; i <= 268; i++) expect(pathOf(imagenet, i).slice(0, 2)).toEqual(['animal', 'dog'])
    expect(imagenet.classes.filter((c) => c.path[1] === 'dog').length).toBe(118)
    expect(path('Norfolk terrier')).toBe('animal|dog|Norfolk terrier')
    expect(path('Persian cat')).toBe('animal|cat|Persian cat')
    expect(path('espresso')).toBe('food|drink|espresso')
    expect(path('pizza')).toBe('food|dish|pizza')
    expect(path('banana')).toBe('food|fruit|banana')
    expect(path('sports car')).toBe('vehicle|car|sports car')
    expect(path('goldfish')).toBe('animal|fish|goldfish')
    expect(path('daisy')).toBe('plant|flower|daisy')
    expect(path('grand piano')).toBe('device|musical instrument|grand piano')
    expect(path('volcano')).toBe('landscape|volcano')
    // Keyed by index: the crane bird and the crane machine are apart.
    expect(pathOf(imagenet, 134)).toEqual(['animal', 'bird', 'crane bird'])
    expect(pathOf(imagenet, 517)).toEqual(['device', 'crane'])
  })

  it('ImageNet-1k: the back-off on a real vector, terriers spread → "dog"', async () => {
    const imagenet = (await loadHierarchy(labelsDir, 'imagenet-1k'))!
    const p = new Float32Array(1000)
    const terriers = imagenet.classes.filter((c) => / terrier$/.test(c.label)).slice(0, 5)
    for (const c of terriers) p[c.index] = 0.17
    p[281] = 0.15 // tabby
    const levels = levelScores(p, imagenet)
    const first = { ...terriers[0]!, p: 0.17 }
    expect(suggestion(first, levels, 0.8)).toEqual({
      label: 'dog',
      path: ['animal', 'dog'],
      p: expect.closeTo(0.85, 5),
    })
    expect(levels[0]).toMatchObject({ label: 'animal', p: expect.closeTo(1, 5) })
  })

  it('CIFAR-10: two parents, animal and vehicle', async () => {
    const cifar = (await loadHierarchy(labelsDir, 'cifar10'))!
    expect(cifar.levels.map((l) => l.path)).toEqual([['animal'], ['vehicle']])
    expect(cifar.classes.map((c) => c.label)).toEqual(lines(join(labelsDir, 'cifar10.txt')))
    expect(Object.fromEntries(cifar.classes.map((c) => [c.label, c.path.join('|')]))).toEqual({
      airplane: 'vehicle|airplane',
      automobile: 'vehicle|automobile',
      bird: 'animal|bird',
      cat: 'animal|cat',
      deer: 'animal|deer',
      dog: 'animal|dog',
      frog: 'animal|frog',
      horse: 'animal|horse',
      ship: 'vehicle|ship',
      truck: 'vehicle|truck',
    })
    // Two dogs, a cat and a bird unsure among themselves: "animal".
    const levels = levelScores([0.01, 0.01, 0.2, 0.2, 0.05, 0.3, 0.1, 0.1, 0.02, 0.01], cifar)
    expect(suggestion({ label: 'dog', index: 5, p: 0.3 }, levels, 0.8)).toMatchObject({
      label: 'animal',
      path: ['animal'],
    })
  })

  it('loadHierarchy: by a model card’s labelsSource; none for custom labels; a broken file is an error', async () => {
    expect(await loadHierarchy(labelsDir, undefined)).toBeUndefined()
    expect(await loadHierarchy(labelsDir, 'my labels.txt')).toBeUndefined()
    expect(await loadHierarchy(labelsDir, 'no-such-set')).toBeUndefined()
    expect(hierarchyFile(labelsDir, 'cifar10')).toBe(join(labelsDir, 'cifar10.hierarchy.json'))
    const dir = join(work, 'labels')
    mkdirSync(dir)
    writeFileSync(join(dir, 'broken.hierarchy.json'), '{"version": 1')
    await expect(loadHierarchy(dir, 'broken')).rejects.toThrow(
      `${join(dir, 'broken.hierarchy.json')}: Not a label hierarchy`,
    )
    copyFileSync(join(labelsDir, 'cifar10.hierarchy.json'), join(dir, 'other.hierarchy.json'))
    await expect(loadHierarchy(dir, 'other')).rejects.toThrow(/the hierarchy of cifar10, not of other/)
  })

  it('keywordPath: class and level names, the same path in both label sets; none for the unknown and the ambiguous', () => {
    expect(shippedLabelsDir()).toBe(labelsDir)
    expect(keywordPath('Norfolk terrier')).toEqual(['animal', 'dog', 'Norfolk terrier'])
    expect(keywordPath('dog')).toEqual(['animal', 'dog']) // CIFAR's class and ImageNet's level agree
    expect(keywordPath('cat')).toEqual(['animal', 'cat'])
    expect(keywordPath('truck')).toEqual(['vehicle', 'truck'])
    expect(keywordPath('ship')).toEqual(['vehicle', 'ship'])
    expect(keywordPath('animal')).toEqual(['animal'])
    expect(keywordPath(' sports car ')).toEqual(['vehicle', 'car', 'sports car'])
    expect(keywordPath('ballpoint')).toBeUndefined() // an ImageNet class under no curated level
    expect(keywordPath('sunset')).toBeUndefined()
    expect(keywordPath('Dog')).toBeUndefined() // exact names only
    expect(keywordPath('amphibian')).toBeUndefined() // the animal level, and ImageNet's amphibious vehicle
    const index = keywordPathIndex([
      TOY,
      parseHierarchy({
        ...TOY,
        labels: 'other',
        classes: TOY.classes.map((c) => (c.index === 0 ? { ...c, path: ['animal', 'cat', 'beagle'] } : c)),
      }),
    ])
    expect(index('beagle')).toBeUndefined()
    expect(index('pug')).toEqual(['animal', 'dog', 'pug'])
  })
})

describe('XMP keywords with their hierarchy path', () => {
  let photos = 0
  function newPhoto(): string {
    const folder = join(work, `p${photos++}`)
    mkdirSync(folder, { recursive: true })
    const path = join(folder, 'IMG_1.jpg')
    copyFileSync(sharedPath('photos', 'rocket.jpg'), path)
    return path
  }

  function exiftool(file: string): { subject: string[]; hierarchy: string[] } {
    let out: string
    try {
      out = execFileSync('exiftool', ['-j', '-XMP-dc:Subject', '-XMP-lr:HierarchicalSubject', file], {
        encoding: 'utf8',
      })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error('exiftool is not installed: `apt-get install -y libimage-exiftool-perl` (CI installs it).')
      }
      throw error
    }
    const [record] = JSON.parse(out) as Record<string, unknown>[]
    const list = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String))
    return { subject: list(record!.Subject), hierarchy: list(record!.HierarchicalSubject) }
  }

  it('exiftool reads animal|dog|Norfolk terrier as HierarchicalSubject and Norfolk terrier as Subject; removing the tag removes both', async () => {
    const photo = newPhoto()
    await writeSidecarKeywords(photo, ['Norfolk terrier', 'sunset'])
    expect(exiftool(`${photo}.xmp`)).toEqual({
      subject: ['Norfolk terrier', 'sunset'],
      hierarchy: ['animal|dog|Norfolk terrier', 'ResNet Lens|sunset'],
    })
    const read = await readSidecarKeywords(photo)
    expect(read?.appKeywords).toEqual(['Norfolk terrier', 'sunset'])
    expect(read?.keywords).toEqual(['Norfolk terrier', 'sunset'])

    await writeSidecarKeywords(photo, ['dog', 'sunset'])
    expect(exiftool(`${photo}.xmp`)).toEqual({
      subject: ['sunset', 'dog'],
      hierarchy: ['ResNet Lens|sunset', 'animal|dog'],
    })
    await writeSidecarKeywords(photo, [])
    expect(exiftool(`${photo}.xmp`)).toEqual({ subject: [], hierarchy: [] })
    expect(readFileSync(`${photo}.xmp`, 'utf8')).not.toContain('resnetLens:hierarchicalSubject')
  })

  it('what the app wrote before (ResNet Lens|dog) is its own still, and is rewritten as the path', async () => {
    const photo = newPhoto()
    writeFileSync(`${photo}.xmp`, mergeXmpKeywords(null, ['dog', 'sunset']).xml) // the old format
    expect((await readSidecarKeywords(photo))?.appKeywords).toEqual(['dog', 'sunset'])
    const result = await writeSidecarKeywords(photo, ['dog', 'sunset'])
    expect(result).toMatchObject({ written: true, subject: ['dog', 'sunset'] })
    expect(result.hierarchicalSubject).toEqual(['ResNet Lens|sunset', 'animal|dog'])
    expect((await writeSidecarKeywords(photo, ['dog', 'sunset'])).written).toBe(false)
    writeFileSync(`${photo}.xmp`, mergeXmpKeywords(null, ['dog']).xml)
    expect((await writeSidecarKeywords(photo, [])).hierarchicalSubject).toEqual([]) // old entry, tag removed
  })

  it('the same path filed by the person stays theirs', async () => {
    const photo = newPhoto()
    // The person picked animal|dog from the tree in digiKam, on a photo the app has no dog for.
    await writeSidecarKeywords(photo, ['sunset'])
    const person = readFileSync(`${photo}.xmp`, 'utf8')
      .replace('<rdf:li>sunset</rdf:li>', '<rdf:li>sunset</rdf:li><rdf:li>dog</rdf:li>')
      .replace('<rdf:li>ResNet Lens|sunset</rdf:li>', '<rdf:li>ResNet Lens|sunset</rdf:li><rdf:li>animal|dog</rdf:li>')
    writeFileSync(`${photo}.xmp`, person)
    expect((await readSidecarKeywords(photo))?.appKeywords).toEqual(['sunset'])
    const cleared = await writeSidecarKeywords(photo, [])
    expect(cleared.subject).toEqual(['dog'])
    expect(cleared.hierarchicalSubject).toEqual(['animal|dog'])
    // The app accepting "dog" too adds nothing: the keyword is the person's already.
    const again = await writeSidecarKeywords(photo, ['dog'])
    expect(again).toMatchObject({ written: false, subject: ['dog'], hierarchicalSubject: ['animal|dog'] })
    expect((await readSidecarKeywords(photo))?.appKeywords).toEqual([])
  })

  it('a keyword path can be given (or none, for the old behaviour)', async () => {
    const photo = newPhoto()
    const result = await writeSidecarKeywords(photo, ['dog', 'kitten'], {
      keywordPath: (k) => (k === 'kitten' ? ['pets', 'kitten'] : undefined),
    })
    expect(result.hierarchicalSubject).toEqual(['ResNet Lens|dog', 'pets|kitten'])
    expect((await readSidecarKeywords(photo))?.appKeywords).toEqual(['dog', 'kitten'])
  })
})
