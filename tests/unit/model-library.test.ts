import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/main/db/database'
import { ModelLibrary, sha256File } from '../../src/main/models/model-library'
import { parseModelCard } from '../../src/shared/model-card'
import { repoRoot, sharedPath } from '../support/shared'

const bundledModels = join(repoRoot, 'resources', 'models')

describe('model library', () => {
  let dir: string
  let db: Db
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'library-test-'))
    db = openDatabase(join(dir, 'library.db'))
  })
  afterEach(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('ships the default model byte-identical to ../shared, with a card that matches it', async () => {
    const card = parseModelCard(JSON.parse(readFileSync(join(bundledModels, 'resnet56-cifar10.card.json'), 'utf8')))
    const facts = JSON.parse(readFileSync(sharedPath('models', 'resnet56-cifar10.json'), 'utf8'))
    expect(await sha256File(join(bundledModels, card.file))).toBe(facts.sha256)
    expect(card.sha256).toBe(facts.sha256)
    expect(card.labels).toEqual(facts.labels)
    expect(card.params).toBe(facts.params)
    expect(card.preprocessing.mean).toEqual(facts.input.mean)
    expect(card.preprocessing.std).toEqual(facts.input.std)
    expect([card.input.height, card.input.width]).toEqual(facts.input.shape.slice(2))
    expect(
      readFileSync(join(repoRoot, 'resources', 'labels', 'cifar10.txt'), 'utf8')
        .trim()
        .split('\n'),
    ).toEqual(card.labels)
  })

  it('registers the bundled model on first start and makes it active', async () => {
    const library = new ModelLibrary(db, { builtinModelsDir: bundledModels, modelsDir: join(dir, 'models') })
    await library.registerBuiltins()
    await library.registerBuiltins() // a second start changes nothing
    expect(library.list()).toEqual([
      expect.objectContaining({
        id: 'resnet56-cifar10',
        name: 'ResNet-56 (CIFAR-10)',
        builtin: true,
        active: true,
        origin: 'bundled',
        classes: 10,
        inputSize: [32, 32],
        fileBytes: 3438067,
      }),
    ])
    await expect(library.delete('resnet56-cifar10')).rejects.toThrow(/comes with the app and cannot be deleted/)
    expect(library.activeId()).toBe('resnet56-cifar10')
    expect(library.resolveFile('resnet56-cifar10')).toBe(join(bundledModels, 'resnet56-cifar10.onnx'))
    expect(library.resolveFile('../../etc/passwd')).toBeUndefined()
    expect(() => library.setActive('nope')).toThrow(/No model "nope"/)
  })

  it('refuses a damaged bundled model', async () => {
    const fakeBundle = join(dir, 'bundle')
    mkdirSync(fakeBundle)
    copyFileSync(join(bundledModels, 'resnet56-cifar10.card.json'), join(fakeBundle, 'resnet56-cifar10.card.json'))
    const bytes = readFileSync(join(bundledModels, 'resnet56-cifar10.onnx'))
    bytes[1000] = bytes[1000]! ^ 0xff
    writeFileSync(join(fakeBundle, 'resnet56-cifar10.onnx'), bytes)
    const library = new ModelLibrary(db, { builtinModelsDir: fakeBundle, modelsDir: join(dir, 'models') })
    await expect(library.registerBuiltins()).rejects.toThrow(/is damaged/)
    expect(() => library.activeId()).toThrow(/library is empty/)
  })
})
