import { basename } from 'node:path'
import {
  contract,
  isChannel,
  type AppInfo,
  type Channel,
  type EmitEvent,
  type HandlerTable,
} from '../../shared/ipc/contract'
import type { Db } from '../db/database'
import type { PhotoLibraryService } from '../tags/library-service'
import { createJobsHandlers } from './jobs-handlers'
import { createLibraryHandlers } from './library-handlers'
import { createEngineHandlers } from './engine-handlers'
import { createKnowledgeHandlers } from './knowledge-handlers'
import type { ProfileBuilds } from '../knowledge/profile-builds'
import type { AppBatchEngine } from '../engine/app-batch-engine'
import type { RendererRoute } from '../engine/renderer-route'
import type { WebgpuRequests } from '../engine/webgpu-requests'
import type { JobsService } from '../jobs/jobs-service'
import type { CatalogDownloads } from '../library/catalog-downloads'
import { importModel, inspectModelFile, type ImportDeps } from '../library/import-model'
import { readLabelsFile } from '../library/labels'
import type { ModelLibrary } from '../library/model-library'
import { artifactUrlPath, type ModelArtifacts } from '../library/model-artifacts'

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
  engines: AppBatchEngine
  profiles: ProfileBuilds
  webgpu: WebgpuRequests
  route: RendererRoute
  emit: EmitEvent
}

/** The one handler table: Electron's ipcMain registers it in the app, tests serve it to a page. */
export function createHandlers(services: Services): HandlerTable {
  const { library, artifacts, importer, catalog, dialogs } = services
  return {
    ...createLibraryHandlers({
      db: services.db,
      photos: services.photos,
      emit: services.emit,
      pickFolders: () => dialogs.pickPhotoFolders(),
      pickExportFile: (format) => dialogs.pickExportFile(format),
    }),
    ...createEngineHandlers(services.engines, services.webgpu, services.route),
    ...createJobsHandlers({ jobs: services.jobs, pickFolder: (purpose) => dialogs.pickFolder(purpose) }),
    ...createKnowledgeHandlers({ profiles: services.profiles, pickFolder: () => dialogs.pickFolder('profile') }),
    'app:info': () => services.appInfo,
    'models:list': () => library.list(),
    'models:active': () => {
      const id = library.activeId()
      return {
        card: library.card(id),
        modelUrl: artifactUrlPath(id, 'features'),
        profileUrl: artifactUrlPath(id, 'profile'),
        hierarchyUrl: artifactUrlPath(id, 'hierarchy'),
      }
    },
    'models:architecture': ({ id }) => artifacts.architecture(id),
    'models:setActive': ({ id }) => {
      library.setActive(id)
      return library.list()
    },
    'models:rename': ({ id, name }) => {
      library.rename(id, name)
      return library.list()
    },
    'models:delete': async ({ id }) => {
      services.profiles.cancel(id)
      await library.delete(id)
      return library.list()
    },
    'models:pickFile': async () => {
      const path = await dialogs.pickModelFile()
      return path === null ? null : importer.grants.grant(path)
    },
    'models:grantDropped': ({ path }) => {
      if (!/\.onnx$/i.test(path)) throw new Error(`${basename(path)} is not an .onnx model file.`)
      return importer.grants.grant(path)
    },
    'models:inspect': ({ token }) => inspectModelFile(importer, token),
    'models:import': (request) => importModel(importer, request),
    'labels:pickFile': async () => {
      const path = await dialogs.pickLabelsFile()
      if (path === null) return null
      return { source: basename(path), labels: await readLabelsFile(path) }
    },
    'catalog:list': () => catalog.list(),
    'catalog:download': ({ id }) => ({ started: catalog.start(id) }),
    'catalog:cancel': ({ id }) => ({ cancelled: catalog.cancel(id) }),
  }
}

export class IpcInputError extends Error {
  override name = 'IpcInputError'
}

/** Parses the request with its channel's schema, runs the handler, and checks the reply. */
export async function dispatch(table: HandlerTable, channel: unknown, input: unknown): Promise<unknown> {
  if (!isChannel(channel)) throw new IpcInputError(`Unknown IPC channel: ${String(channel)}`)
  const spec = contract[channel]
  const parsed = spec.input.safeParse(input)
  if (!parsed.success) throw new IpcInputError(`Invalid request on ${channel}: ${parsed.error.message}`)
  const handler = table[channel] as (input: unknown) => unknown
  return spec.output.parse(await handler(parsed.data))
}

export type { Channel }
