import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AppInfo } from '../shared/ipc/contract'
import { openDatabase } from './db/database'
import { EventHub } from './ipc/event-hub'
import { createHandlers, type Dialogs, type Services } from './ipc/handlers'
import { loadCatalog, type CatalogEntry } from './models/catalog'
import { CatalogDownloads } from './models/catalog-downloads'
import { FileGrants } from './fs/file-grants'
import { describeBuiltin, readGraphForImport } from './models/graph-reading'
import type { ImportDeps } from './models/import-model'
import { ModelArtifacts } from './models/model-artifacts'
import { createAppBatchEngine, type AppBatchEngine } from './engine/app-batch-engine'
import { spawnWorkerThread, type SpawnEnginePort } from './engine/engine-port'
import { RendererRoute } from './engine/renderer-route'
import { WebgpuRequests } from './engine/webgpu-requests'
import { findPhotoByPath } from './photo-library/photos'
import { artifactUrlPath } from './models/model-artifacts'
import { JobsService } from './jobs/jobs-service'
import { OrganizeService } from './organize/organize-service'
import { DuplicatesService } from './own-tags/duplicates-service'
import { LearnedTagsService } from './own-tags/learned-tags-service'
import { saveLearnedModel } from './own-tags/save-learned-model'
import { SimilarService } from './own-tags/similar-service'
import { JobRunner } from './jobs/runner'
import { PhotoLibraryService } from './photo-library/library-service'
import { ModelLibrary } from './models/model-library'
import { fitProfileInWorker } from './knowledge/fit-in-worker'
import { ProfileBuilds } from './knowledge/profile-builds'
import { modelEmbeddingVersion } from './knowledge/embedding-version'
import { learningParts } from '../shared/embedding/embedding-spec'
import type { AppPaths } from './paths'
import type { HandlerTable } from '../shared/ipc/contract'

export interface AppServices extends Services {
  events: EventHub
  handlers: HandlerTable
  paths: AppPaths
  close(): Promise<void>
}

export interface CreateServicesOptions {
  paths: AppPaths
  appInfo: Omit<AppInfo, 'dataDir'>
  dialogs: Dialogs
  /** Tests point catalog downloads at a loopback server. */
  resolveCatalogUrl?: (entry: CatalogEntry) => string
  /** Starts the engine worker batch jobs run on: a utility process in the app, a worker thread by default. */
  spawnEngine?: SpawnEnginePort
}

/** The composition root of the main process: the app and the tests build their services here. */
export async function createServices(options: CreateServicesOptions): Promise<AppServices> {
  const { paths } = options
  mkdirSync(paths.modelsDir, { recursive: true })
  const db = openDatabase(paths.databaseFile)
  try {
    const library = new ModelLibrary(db, {
      builtinModelsDir: join(paths.resourcesDir, 'models'),
      modelsDir: paths.modelsDir,
    })
    await library.registerBuiltins(describeBuiltin)
    const events = new EventHub()
    const importer: ImportDeps = {
      library,
      grants: new FileGrants(),
      readGraph: readGraphForImport,
      labelsDir: join(paths.resourcesDir, 'labels'),
    }
    const catalog = new CatalogDownloads({
      catalog: loadCatalog(join(paths.resourcesDir, 'catalog.json')),
      downloadsDir: join(paths.dataDir, 'downloads'),
      importDeps: importer,
      emit: events.emit,
      ...(options.resolveCatalogUrl && { resolveUrl: options.resolveCatalogUrl }),
    })
    const webgpu = new WebgpuRequests({
      emit: events.emit,
      // A window whose page listens for the request, not merely one that exists.
      hasWindow: () => events.hasSubscribers('engine:measureWebgpu'),
      modelUrl: (id) => artifactUrlPath(id, 'model'),
    })
    const route = new RendererRoute({
      emit: events.emit,
      hasWindow: () => events.hasSubscribers('engine:classifyBatch'),
      photoIdOf: (path) => findPhotoByPath(db, path)?.id,
    })
    // A window that closes (or stops listening) ends what it was asked at once, not at the time limit.
    events.onChange(() => {
      webgpu.windowGone()
      route.windowGone()
    })
    const engine: AppBatchEngine = createAppBatchEngine({
      db,
      library,
      spawn: options.spawnEngine ?? spawnWorkerThread,
      measureWebgpu: (model) => webgpu.measure(model),
      route,
      labelsDir: importer.labelsDir,
    })
    const artifacts = new ModelArtifacts(library, join(paths.dataDir, 'cache'), importer.labelsDir)
    // Photos classified without the embedding a model makes now are classified again for it.
    // The parts of each model's embedding a learned tag may read, by model and embedding version.
    const learningPartsOf = new Map<string, number[]>()
    const embeddingVersion = modelEmbeddingVersion(
      { library, featureLayout: (id) => artifacts.featureLayout(id) },
      (modelId, spec) => learningPartsOf.set(`${modelId}:${spec.version}`, learningParts(spec)),
    )
    const runner = new JobRunner({
      db,
      classify: engine.classify,
      onProgress: (p) => events.emit('jobs:progress', p),
      embeddingVersion,
    })
    const jobs = new JobsService({ db, runner, models: library, emit: events.emit, embeddingVersion })
    const organize = new OrganizeService({ db, jobs: runner, folders: jobs.folders, emit: events.emit })
    const profiles = new ProfileBuilds({
      library,
      extract: (modelId, paths, signal) => engine.extract(modelId, paths, signal),
      layout: (modelId) => artifacts.featureLayout(modelId),
      fit: fitProfileInWorker,
      emit: events.emit,
    })
    const photos = new PhotoLibraryService({ db, thumbsDir: join(paths.dataDir, 'thumbs'), emit: events.emit })
    const activeModelId = () => library.activeId()
    const items = (ids: readonly number[]) => photos.items(ids)
    const learned = new LearnedTagsService({
      db,
      activeModelId,
      emit: events.emit,
      learningParts: (modelId, version) => learningPartsOf.get(`${modelId}:${version}`),
    })
    const services: Services = {
      db,
      emit: events.emit,
      jobs,
      organize,
      engines: engine,
      profiles,
      webgpu,
      route,
      photos,
      similar: new SimilarService({ db, items, activeModelId }),
      duplicates: new DuplicatesService({ db, items, activeModelId, emit: events.emit }),
      learned,
      saveLearnedModel: (input) =>
        saveLearnedModel(
          {
            learned,
            importer,
            featureLayout: (id) => artifacts.featureLayout(id),
            workDir: join(paths.dataDir, 'cache'),
          },
          input,
        ),
      appInfo: { ...options.appInfo, dataDir: paths.dataDir },
      library,
      artifacts,
      importer,
      catalog,
      dialogs: options.dialogs,
    }
    return {
      ...services,
      db,
      events,
      paths,
      handlers: createHandlers(services),
      async close() {
        catalog.cancelAll()
        await catalog.idle()
        // The running job stops after the image in flight and stays 'running': the next start resumes it.
        learned.close()
        services.similar.close()
        await organize.close()
        await jobs.close()
        await profiles.close()
        await engine.close()
        db.close()
      },
    }
  } catch (error) {
    db.close()
    throw error
  }
}
