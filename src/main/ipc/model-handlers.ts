import { basename } from 'node:path'
import type { DomainHandlers, modelChannels } from '../../shared/ipc/contract'
import type { ProfileBuilds } from '../knowledge/profile-builds'
import { importModel, inspectModelFile, type ImportDeps } from '../models/import-model'
import { readLabelsFile } from '../models/labels'
import type { ModelLibrary } from '../models/model-library'
import { artifactUrlPath, type ModelArtifacts } from '../models/model-artifacts'
import { IpcInputError } from './input-error'

export interface ModelHandlerDeps {
  library: ModelLibrary
  artifacts: ModelArtifacts
  importer: ImportDeps
  /** A model's profile build stops when the model is deleted. */
  profiles: ProfileBuilds
  /** The system's file dialogs for a model file and a labels file; null when the person cancels. */
  pickModelFile(): Promise<string | null>
  pickLabelsFile(): Promise<string | null>
}

/**
 * The model library's channels: the list and the active model, renaming and deleting, and importing a file the
 * person picked or dropped (kept behind a token) with its labels.
 */
export function createModelHandlers(deps: ModelHandlerDeps): DomainHandlers<typeof modelChannels> {
  const { library, artifacts, importer } = deps
  return {
    'models:list': () => library.list(),
    'models:active': () => {
      const id = library.activeId()
      const card = library.card(id)
      return {
        card,
        modelUrl: artifactUrlPath(id, 'features'),
        ...(card.preprocessing.views && { photoModelUrl: artifactUrlPath(id, 'photo-features') }),
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
      deps.profiles.cancel(id)
      await library.delete(id)
      return library.list()
    },
    'models:pickFile': async () => {
      const path = await deps.pickModelFile()
      return path === null ? null : importer.grants.grant(path)
    },
    'models:grantDropped': ({ path }) => {
      if (!/\.onnx$/i.test(path)) throw new IpcInputError(`${basename(path)} is not an .onnx model file.`)
      return importer.grants.grant(path)
    },
    'models:inspect': ({ token }) => inspectModelFile(importer, token),
    'models:import': (request) => importModel(importer, request),
    'labels:pickFile': async () => {
      const path = await deps.pickLabelsFile()
      if (path === null) return null
      return { source: basename(path), labels: await readLabelsFile(path) }
    },
  }
}
