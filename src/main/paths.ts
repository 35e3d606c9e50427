import { join } from 'node:path'

export interface AppPaths {
  /** Read-only resources shipped with the app (models, labels). */
  resourcesDir: string
  /** The built renderer. */
  rendererDir: string
  /** The user's data: library.db, models/, thumbs/. */
  dataDir: string
  databaseFile: string
  modelsDir: string
}

export function appPaths(options: { resourcesDir: string; rendererDir: string; dataDir: string }): AppPaths {
  return {
    ...options,
    databaseFile: join(options.dataDir, 'library.db'),
    modelsDir: join(options.dataDir, 'models'),
  }
}
