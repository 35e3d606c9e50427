import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/main/db/database'
import { EventHub } from '../../src/main/ipc/event-hub'
import { parseCatalog } from '../../src/main/models/catalog'
import { CatalogDownloads } from '../../src/main/models/catalog-downloads'
import { FileGrants } from '../../src/main/fs/file-grants'
import { readGraphForImport } from '../../src/main/models/graph-reading'
import { ModelLibrary } from '../../src/main/models/model-library'
import type { DownloadProgress } from '../../src/shared/ipc/contract'
import { startFixtureServer, type FixtureServer } from '../support/fixture-http-server'
import { repoRoot, sharedPath } from '../support/shared'

const fixture = () => sharedPath('models', 'reference', 'resnet20-cifar10-ref.onnx')

describe('catalog downloads into the library', () => {
  let dir: string
  let db: Db
  let server: FixtureServer
  let library: ModelLibrary
  let progress: DownloadProgress[]
  let downloads: CatalogDownloads

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catalog-downloads-'))
    mkdirSync(join(dir, 'models'))
    db = openDatabase(join(dir, 'library.db'))
    library = new ModelLibrary(db, {
      builtinModelsDir: join(repoRoot, 'resources', 'models'),
      modelsDir: join(dir, 'models'),
    })
    await library.registerBuiltins()
    server = await startFixtureServer(fixture(), {
      '/ok.onnx': { kind: 'normal' },
      '/bad.onnx': { kind: 'wrong-bytes' },
    })
    const bytes = readFileSync(fixture())
    const entry = (id: string, file: string) => ({
      id,
      file,
      url: `https://models.example/${file}`,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      imagenet_top1: 91.7,
      imagenet_top5: 99.7,
      labels: 'cifar10',
      preprocess: { resize_shorter: 32, center_crop: 32, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    })
    const events = new EventHub()
    progress = []
    events.subscribe((_, payload) => progress.push(payload as DownloadProgress))
    downloads = new CatalogDownloads({
      catalog: parseCatalog({ source: 'test', models: [entry('good-1', 'ok.onnx'), entry('tampered-1', 'bad.onnx')] }),
      downloadsDir: join(dir, 'downloads'),
      importDeps: {
        library,
        grants: new FileGrants(),
        readGraph: readGraphForImport,
        labelsDir: join(repoRoot, 'resources', 'labels'),
      },
      emit: events.emit,
      resolveUrl: (e) => server.url(`/${e.file}`),
    })
  })

  afterEach(async () => {
    await downloads.idle()
    await server.close()
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('downloads, verifies and imports an entry, reporting progress to the end', async () => {
    expect(downloads.list().map((e) => e.state)).toEqual(['available', 'available'])
    expect(downloads.start('good-1')).toBe(true)
    expect(downloads.start('good-1')).toBe(false) // already running
    await downloads.idle()

    const last = progress.at(-1)!
    expect(last).toMatchObject({ id: 'good-1', state: 'done' })
    const model = library.summary(last.modelId!)
    expect(model).toMatchObject({ origin: 'catalog', classes: 10, inputSize: [32, 32], labelsSource: 'cifar10' })
    expect(library.card(model.id).metrics).toMatchObject({ imagenet_top1: 91.7 })
    expect(downloads.list()[0]).toMatchObject({ state: 'installed', installedModelId: model.id })
    expect(readdirSync(join(dir, 'downloads'))).toEqual([]) // moved into the library, nothing left behind
    expect(existsSync(library.resolveFile(model.id)!)).toBe(true)
  })

  it('never imports a tampered download', async () => {
    const before = library.list()
    downloads.start('tampered-1')
    await downloads.idle()
    expect(progress.at(-1)).toMatchObject({ id: 'tampered-1', state: 'failed', error: expect.stringMatching(/sha256/) })
    expect(library.list()).toEqual(before)
    expect(readdirSync(join(dir, 'models'))).toEqual([])
  })
})
