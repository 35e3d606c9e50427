import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  catalogCardFacts,
  catalogDisplayName,
  catalogPreprocessing,
  loadCatalog,
  parseCatalog,
  type CatalogEntry,
} from '../../src/main/models/catalog'
import { IMAGENET_PREPROCESSING, parseModelCard } from '../../src/shared/model-card'
import { repoRoot, sharedPath } from '../support/shared'

const shippedFile = join(repoRoot, 'resources', 'catalog.json')

describe('model catalog', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'catalog-test-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('ships the facts of ../shared/models/catalog.json unchanged, and they parse', () => {
    const facts = JSON.parse(readFileSync(sharedPath('models', 'catalog.json'), 'utf8'))
    const shipped = JSON.parse(readFileSync(shippedFile, 'utf8'))
    expect(shipped).toEqual(facts)

    const catalog = loadCatalog(shippedFile)
    expect(catalog.source).toBe(facts.source)
    expect(catalog.models.map((m) => m.id)).toEqual(facts.models.map((m: { id: string }) => m.id))
    // Parsing only adds a display name; every fact is kept as it is.
    expect(catalog.models).toEqual(facts.models.map((m: object) => ({ ...m, name: expect.any(String) })))
  })

  it('every entry has a sha256, a size, an https URL ending in its file, and a label list that ships', () => {
    const catalog = loadCatalog(shippedFile)
    expect(catalog.models.length).toBeGreaterThanOrEqual(12)
    for (const entry of catalog.models) {
      expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(entry.bytes).toBeGreaterThan(0)
      expect(Number.isInteger(entry.bytes)).toBe(true)
      const url = new URL(entry.url)
      expect(url.protocol).toBe('https:')
      expect(url.pathname.endsWith(`/${entry.file}`)).toBe(true)
      expect(entry.file).toBe(`${entry.id}.onnx`)
      expect(entry.imagenet_top1).toBeLessThanOrEqual(entry.imagenet_top5)
      const labels = readFileSync(join(repoRoot, 'resources', 'labels', `${entry.labels}.txt`), 'utf8')
        .trim()
        .split('\n')
      expect(labels).toHaveLength(entry.labels === 'imagenet-1k' ? 1000 : 10)
    }
    expect(new Set(catalog.models.map((m) => m.sha256)).size).toBe(catalog.models.length)
  })

  it('maps the zoo entries to the ImageNet preprocessing: shorter side 256, 224 × 224 input', () => {
    for (const entry of loadCatalog(shippedFile).models) {
      const facts = catalogCardFacts(entry)
      expect(facts.preprocessing).toEqual(IMAGENET_PREPROCESSING)
      expect(facts.preprocessing).not.toBe(IMAGENET_PREPROCESSING) // a copy, safe to change
      expect(facts.preprocessing.shorterSide).toBe(256)
      expect(facts.input).toEqual({ height: 224, width: 224 })
      expect(facts.labels).toBe('imagenet-1k')
      expect(facts.metrics).toEqual({ imagenet_top1: entry.imagenet_top1, imagenet_top5: entry.imagenet_top5 })
      expect(catalogPreprocessing(entry)).toEqual(IMAGENET_PREPROCESSING)
    }
  })

  it('derives the preprocessing for other sizes, in a form model cards accept', () => {
    const [first] = loadCatalog(shippedFile).models
    const entry: CatalogEntry = {
      ...first!,
      preprocess: { resize_shorter: 342, center_crop: 299, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
    }
    const facts = catalogCardFacts(entry)
    expect(facts.preprocessing).toEqual({
      resize: 'shorter-side',
      shorterSide: 342,
      interpolation: 'bilinear',
      colorOrder: 'RGB',
      scale: 1 / 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
    })
    expect(facts.input).toEqual({ height: 299, width: 299 })
    const card = parseModelCard({
      id: entry.id,
      name: entry.name,
      architecture: 'ResNet-18',
      file: entry.file,
      sha256: entry.sha256,
      source: entry.url,
      input: { name: 'data', layout: 'NCHW', channels: 3, ...facts.input },
      output: { name: 'resnetv15_dense0_fwd', classes: 2 },
      labels: ['a', 'b'],
      preprocessing: facts.preprocessing,
      metrics: facts.metrics,
    })
    expect(card.preprocessing.shorterSide).toBe(342)
  })

  it('names entries from their ids', () => {
    const names = loadCatalog(shippedFile).models.map((m) => m.name)
    expect(names).toContain('ResNet-18 v1 (opset 7)')
    expect(names).toContain('ResNet-50 v1 (opset 12, int8)')
    expect(names).toContain('ResNet-152 v2 (opset 7)')
    expect(new Set(names).size).toBe(names.length)
    expect(catalogDisplayName('mobilenet')).toBe('mobilenet')
  })

  it('rejects a bad catalog file with a message naming the file and the problem', () => {
    const missing = join(dir, 'missing.json')
    expect(() => loadCatalog(missing)).toThrow(/The model catalog .*missing\.json cannot be read/)

    const notJson = join(dir, 'not-json.json')
    writeFileSync(notJson, '{ "models": [')
    expect(() => loadCatalog(notJson)).toThrow(/not-json\.json is not valid JSON/)

    const good = JSON.parse(readFileSync(shippedFile, 'utf8'))
    const bad = structuredClone(good)
    bad.models[0].sha256 = 'abc'
    bad.models[1].url = 'http://example.com/model.onnx'
    bad.models[2].bytes = -1
    bad.models[3].labels = 'klingon'
    bad.models[4].file = '../../evil.onnx'
    const badFile = join(dir, 'bad.json')
    writeFileSync(badFile, JSON.stringify(bad))
    let message = ''
    try {
      loadCatalog(badFile)
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/bad\.json is invalid/)
    for (const where of [
      'models[0].sha256',
      'models[1].url',
      'models[2].bytes',
      'models[3].labels',
      'models[4].file',
    ]) {
      expect(message).toContain(where)
    }

    const twice = structuredClone(good)
    twice.models[5].id = twice.models[6].id
    expect(() => parseCatalog(twice)).toThrow(/duplicate id "resnet50-v1-12-int8"\n.*models\[6\]\.id/)

    expect(() => parseCatalog({ source: 'x', models: [] })).toThrow(/invalid/)
    const crop = structuredClone(good)
    crop.models[0].preprocess.center_crop = 300
    expect(() => parseCatalog(crop)).toThrow(/center_crop must not be larger than resize_shorter/)
  })
})
