import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServices, type AppServices, type CreateServicesOptions } from '../../src/main/create-services'
import type { Dialogs } from '../../src/main/ipc/handlers'
import { appPaths } from '../../src/main/paths'
import { repoRoot } from './shared'

export interface TestServices extends AppServices {
  dataDir: string
  /** Answers for the next file dialogs (null = the person cancels). */
  dialogAnswers: {
    model: (string | null)[]
    labels: (string | null)[]
    folders: (string[] | null)[]
    exportFile: (string | null)[]
    /** Folders for jobs and organize outputs, in the order asked. */
    folder: (string | null)[]
  }
  dispose(): Promise<void>
}

/** The main process's services over a real database in a fresh temp data folder. */
export async function createTestServices(
  options: Pick<CreateServicesOptions, 'resolveCatalogUrl'> = {},
): Promise<TestServices> {
  const dataDir = mkdtempSync(join(tmpdir(), 'resnet-lens-test-'))
  const dialogAnswers: TestServices['dialogAnswers'] = {
    model: [],
    labels: [],
    folders: [],
    exportFile: [],
    folder: [],
  }
  const dialogs: Dialogs = {
    pickModelFile: async () => dialogAnswers.model.shift() ?? null,
    pickLabelsFile: async () => dialogAnswers.labels.shift() ?? null,
    pickPhotoFolders: async () => dialogAnswers.folders.shift() ?? null,
    pickExportFile: async () => dialogAnswers.exportFile.shift() ?? null,
    pickFolder: async () => dialogAnswers.folder.shift() ?? null,
  }
  const services = await createServices({
    paths: appPaths({
      resourcesDir: join(repoRoot, 'resources'),
      rendererDir: join(repoRoot, 'out', 'renderer'),
      dataDir,
    }),
    appInfo: { name: 'ResNet Lens', version: packageVersion(), platform: process.platform },
    dialogs,
    ...options,
  })
  return Object.assign(services, {
    dataDir,
    dialogAnswers,
    async dispose() {
      await services.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  })
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
}
