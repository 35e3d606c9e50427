import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Db } from '../../src/main/db/database'
import { createHandlers } from '../../src/main/ipc/handlers'
import { ModelLibrary } from '../../src/main/library/model-library'
import type { HandlerTable } from '../../src/shared/ipc/contract'
import { repoRoot } from './shared'

export interface TestServices {
  dataDir: string
  db: Db
  library: ModelLibrary
  handlers: HandlerTable
  dispose(): void
}

/** The main process's services over a real database in a fresh temp data folder. */
export async function createTestServices(): Promise<TestServices> {
  const dataDir = mkdtempSync(join(tmpdir(), 'resnet-lens-test-'))
  const modelsDir = join(dataDir, 'models')
  mkdirSync(modelsDir)
  const db = openDatabase(join(dataDir, 'library.db'))
  const library = new ModelLibrary(db, { builtinModelsDir: join(repoRoot, 'resources', 'models'), modelsDir })
  await library.registerBuiltins()
  const handlers = createHandlers({
    appInfo: { name: 'ResNet Lens', version: packageVersion(), platform: process.platform, dataDir },
    library,
  })
  return {
    dataDir,
    db,
    library,
    handlers,
    dispose() {
      db.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
}
