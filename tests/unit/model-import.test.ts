import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-web'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/main/db/database'
import { FileGrants } from '../../src/main/fs/file-grants'
import { readGraphForImport } from '../../src/main/models/graph-reading'
import {
  importModel,
  inspectModelFile,
  MAX_MODEL_FILE_BYTES,
  type ImportDeps,
} from '../../src/main/models/import-model'
import { ModelLibrary } from '../../src/main/models/model-library'
import { decodeImage } from '../../src/main/photos/decode'
import { Classifier } from '../../src/shared/engine/classifier'
import { CIFAR_PREPROCESSING } from '../../src/shared/model-card'
import { buildOnnx } from '../support/onnx-builder'
import { cifarHalfDir, repoRoot, sharedPath } from '../support/shared'

const resnet20 = () => sharedPath('models', 'reference', 'resnet20-cifar10-ref.onnx')

describe('importing a model into the library', () => {
  let dir: string
  let work: string
  let db: Db
  let deps: ImportDeps

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'model-import-'))
    work = join(dir, 'elsewhere')
    mkdirSync(work)
    db = openDatabase(join(dir, 'library.db'))
    const library = new ModelLibrary(db, {
      builtinModelsDir: join(repoRoot, 'resources', 'models'),
      modelsDir: join(dir, 'models'),
    })
    await library.registerBuiltins()
    deps = {
      library,
      grants: new FileGrants(),
      readGraph: readGraphForImport,
      labelsDir: join(repoRoot, 'resources', 'labels'),
    }
  })
  afterEach(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const grant = (path: string) => deps.grants.grant(path).token
  const modelsDirFiles = () => {
    try {
      return readdirSync(join(dir, 'models')).sort()
    } catch {
      return []
    }
  }

  it('previews, imports, recognises a re-import, and the imported model classifies like the reference', async () => {
    const token = grant(resnet20())
    const preview = await inspectModelFile(deps, token)
    expect(preview).toMatchObject({
      fileName: 'resnet20-cifar10-ref.onnx',
      input: { height: 32, width: 32 },
      output: { classes: 10 },
      suggestedLabels: 'cifar10',
      preprocessing: CIFAR_PREPROCESSING,
    })
    expect(preview.existingModelId).toBeUndefined()
    expect(preview.graph.stages.filter((s) => s.kind === 'residual').map((s) => s.blocks)).toEqual([3, 3, 3])

    const { model, alreadyPresent } = await importModel(deps, {
      token,
      name: 'ResNet-20 reference',
      labels: { kind: 'builtin', id: 'cifar10' },
      preprocessing: preview.preprocessing,
    })
    expect(alreadyPresent).toBe(false)
    expect(model).toMatchObject({ name: 'ResNet-20 reference', origin: 'imported', classes: 10, builtin: false })
    expect(modelsDirFiles()).toEqual([`${model.id}.card.json`, `${model.id}.onnx`])
    expect(readFileSync(join(dir, 'models', `${model.id}.onnx`))).toEqual(readFileSync(resnet20()))
    const cardOnDisk = JSON.parse(readFileSync(join(dir, 'models', `${model.id}.card.json`), 'utf8'))
    expect(cardOnDisk).toMatchObject({ id: model.id, sha256: model.sha256, labelsSource: 'cifar10' })

    // The same file again: recognised by its hash, nothing added.
    const again = await importModel(deps, {
      token: grant(resnet20()),
      name: 'Copy',
      labels: { kind: 'builtin', id: 'cifar10' },
      preprocessing: preview.preprocessing,
    })
    expect(again).toMatchObject({ alreadyPresent: true, model: { id: model.id } })
    expect((await inspectModelFile(deps, grant(resnet20()))).existingModelId).toBe(model.id)
    expect(deps.library.list()).toHaveLength(2)

    // It runs: its card drives the same classifier as the bundled model's.
    ort.env.wasm.numThreads = 1
    const classifier = await Classifier.create(
      ort,
      readFileSync(deps.library.resolveFile(model.id)!),
      deps.library.card(model.id),
      { executionProviders: ['wasm'] },
    )
    const [header, ...lines] = readFileSync(join(cifarHalfDir(), 'reference-predictions.csv'), 'utf8')
      .trim()
      .split('\n')
    const column = header!.split(',').indexOf('resnet20_ref')
    const rows = lines.slice(0, 40).map((line) => line.split(','))
    const results = await classifier.classify(
      await Promise.all(rows.map((r) => decodeImage(join(cifarHalfDir(), r[0]!)))),
      1,
    )
    await classifier.release()
    const agree = results.filter((r, i) => r.top[0]!.index === Number(rows[i]![column])).length
    expect(agree).toBeGreaterThanOrEqual(39)

    // Delete: row and files go, the bundled model becomes active again.
    deps.library.setActive(model.id)
    await deps.library.delete(model.id)
    expect(deps.library.list().map((m) => m.id)).toEqual(['resnet56-cifar10'])
    expect(deps.library.activeId()).toBe('resnet56-cifar10')
    expect(modelsDirFiles()).toEqual([])
  })

  const badInputs: { name: string; make: () => string; message: RegExp }[] = [
    {
      name: 'a file that is not ONNX',
      make: () => {
        const path = join(work, 'notes.onnx')
        writeFileSync(path, 'these are my notes, not a model\n'.repeat(100))
        return path
      },
      message: /not an ONNX model/,
    },
    {
      name: 'a truncated ONNX file',
      make: () => {
        const path = join(work, 'truncated.onnx')
        const bytes = readFileSync(resnet20())
        writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)))
        return path
      },
      message: /truncated or damaged/,
    },
    {
      name: 'a graph that is not an image classifier',
      make: () => {
        const path = join(work, 'tabular.onnx')
        writeFileSync(
          path,
          buildOnnx({ input: ['N', 20], output: ['N', 20], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }),
        )
        return path
      },
      message: /not an image classifier|image input/,
    },
    {
      name: 'an input larger than 1024×1024',
      make: () => {
        const path = join(work, 'huge-input.onnx')
        writeFileSync(
          path,
          buildOnnx({
            input: ['N', 3, 2048, 2048],
            output: ['N', 3],
            nodes: [
              { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['p'] },
              { op: 'Flatten', inputs: ['p'], outputs: ['y'] },
            ],
          }),
        )
        return path
      },
      message: /2048.*1024|1024.*2048/,
    },
    {
      name: 'an unsupported operator',
      make: () => {
        const path = join(work, 'fancy.onnx')
        writeFileSync(
          path,
          buildOnnx({
            input: ['N', 3, 32, 32],
            output: ['N', 3],
            nodes: [
              { op: 'FancyOp', inputs: ['x'], outputs: ['f'] },
              { op: 'GlobalAveragePool', inputs: ['f'], outputs: ['p'] },
              { op: 'Flatten', inputs: ['p'], outputs: ['y'] },
            ],
          }),
        )
        return path
      },
      message: /FancyOp/,
    },
    {
      name: 'a file over 1 GiB (refused before it is read)',
      make: () => {
        const path = join(work, 'enormous.onnx')
        writeFileSync(path, '')
        truncateSync(path, MAX_MODEL_FILE_BYTES + 1) // sparse: no disk space used
        return path
      },
      message: /over 1 GiB/,
    },
  ]

  for (const bad of badInputs) {
    it(`refuses ${bad.name} with a clear message and leaves the library unchanged`, async () => {
      const before = { rows: deps.library.list(), files: modelsDirFiles() }
      const token = grant(bad.make())
      await expect(inspectModelFile(deps, token)).rejects.toThrow(bad.message)
      await expect(
        importModel(deps, {
          token,
          name: 'Bad',
          labels: { kind: 'builtin', id: 'cifar10' },
          preprocessing: CIFAR_PREPROCESSING,
        }),
      ).rejects.toThrow(bad.message)
      expect(deps.library.list()).toEqual(before.rows)
      expect(modelsDirFiles()).toEqual(before.files)
    })
  }

  it('refuses labels that do not fit the output size, leaving the library unchanged', async () => {
    const before = deps.library.list()
    await expect(
      importModel(deps, {
        token: grant(resnet20()),
        name: 'Wrong labels',
        labels: { kind: 'list', source: 'nine.txt', labels: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] },
        preprocessing: CIFAR_PREPROCESSING,
      }),
    ).rejects.toThrow('nine.txt has 9 labels, but the model has 10 outputs.')
    await expect(
      importModel(deps, {
        token: grant(resnet20()),
        name: 'ImageNet labels',
        labels: { kind: 'builtin', id: 'imagenet-1k' },
        preprocessing: CIFAR_PREPROCESSING,
      }),
    ).rejects.toThrow('imagenet-1k has 1000 labels, but the model has 10 outputs.')
    expect(deps.library.list()).toEqual(before)
    expect(modelsDirFiles()).toEqual([])
  })

  it('only reads files the person chose', async () => {
    await expect(inspectModelFile(deps, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(/choose it again/)
  })
})
