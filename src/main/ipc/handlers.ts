import type { AppInfo, EmitEvent, HandlerTable, ModelSummary } from '../../shared/ipc/contract'
import type { Db } from '../db/database'
import type { AppBatchEngine } from '../engine/app-batch-engine'
import type { RendererRoute } from '../engine/renderer-route'
import type { WebgpuRequests } from '../engine/webgpu-requests'
import type { JobsService } from '../jobs/jobs-service'
import type { ProfileBuilds } from '../knowledge/profile-builds'
import type { CatalogDownloads } from '../models/catalog-downloads'
import type { ImportDeps } from '../models/import-model'
import type { ModelArtifacts } from '../models/model-artifacts'
import type { ModelLibrary } from '../models/model-library'
import type { OrganizeService } from '../organize/organize-service'
import type { DuplicatesService } from '../own-tags/duplicates-service'
import type { LearnedTagsService } from '../own-tags/learned-tags-service'
import type { SimilarService } from '../own-tags/similar-service'
import type { PhotoLibraryService } from '../photo-library/library-service'
import { createCatalogHandlers } from './catalog-handlers'
import { createEngineHandlers } from './engine-handlers'
import { createJobsHandlers } from './jobs-handlers'
import { createKnowledgeHandlers } from './knowledge-handlers'
import { createLibraryHandlers } from './library-handlers'
import { createModelHandlers } from './model-handlers'
import { createOwnTagHandlers } from './own-tag-handlers'
import { createReviewHandlers } from './review-handlers'
import { createTagHandlers } from './tag-handlers'

/** The system's file dialogs (Electron's in the app; tests answer with fixture paths). */
export interface Dialogs {
  pickModelFile(): Promise<string | null>
  pickLabelsFile(): Promise<string | null>
  /** Folders (or photos) to add to the library; null when cancelled. */
  pickPhotoFolders(): Promise<string[] | null>
  /** Where to save an export; null when cancelled. */
  pickExportFile(format: 'csv' | 'json'): Promise<string | null>
  /**
   * A folder: the one a job classifies, the output of an organize run (may be created), or the photos a knowledge
   * profile is built from; null when cancelled.
   */
  pickFolder(purpose: 'job' | 'organize-out' | 'profile'): Promise<string | null>
}

export interface Services {
  appInfo: AppInfo
  library: ModelLibrary
  artifacts: ModelArtifacts
  importer: ImportDeps
  catalog: CatalogDownloads
  dialogs: Dialogs
  db: Db
  photos: PhotoLibraryService
  jobs: JobsService
  organize: OrganizeService
  engines: AppBatchEngine
  profiles: ProfileBuilds
  webgpu: WebgpuRequests
  route: RendererRoute
  emit: EmitEvent
  similar: SimilarService
  duplicates: DuplicatesService
  learned: LearnedTagsService
  saveLearnedModel(input: { name: string; tagIds: number[] }): Promise<ModelSummary>
}

/**
 * The one handler table, gathered from each domain's handlers: Electron's ipcMain registers it in the app
 * (through `dispatch`), tests serve it to a page or call it directly.
 */
export function createHandlers(services: Services): HandlerTable {
  const { db, photos, emit, dialogs } = services
  return {
    'app:info': () => services.appInfo,
    ...createModelHandlers({
      library: services.library,
      artifacts: services.artifacts,
      importer: services.importer,
      profiles: services.profiles,
      pickModelFile: () => dialogs.pickModelFile(),
      pickLabelsFile: () => dialogs.pickLabelsFile(),
    }),
    ...createCatalogHandlers(services.catalog),
    ...createKnowledgeHandlers({ profiles: services.profiles, pickFolder: () => dialogs.pickFolder('profile') }),
    ...createLibraryHandlers({
      db,
      photos,
      jobs: services.jobs,
      emit,
      pickFolders: () => dialogs.pickPhotoFolders(),
      pickExportFile: (format) => dialogs.pickExportFile(format),
    }),
    ...createTagHandlers(db, emit, (tagIds) => services.learned.relearnSoon(tagIds)),
    ...createOwnTagHandlers({
      similar: services.similar,
      duplicates: services.duplicates,
      learned: services.learned,
      saveModel: (input) => services.saveLearnedModel(input),
    }),
    ...createReviewHandlers(db, photos),
    ...createJobsHandlers({
      jobs: services.jobs,
      organize: services.organize,
      pickFolder: (purpose) => dialogs.pickFolder(purpose),
    }),
    ...createEngineHandlers(services.engines, services.webgpu, services.route),
  }
}
