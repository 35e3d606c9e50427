import { mkdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { openDatabase, type Db } from '../main/db/database'
import type { ModelFile } from '../main/inference/load-model'

/**
 * The CLI's own database (jobs, results, the organize journal), outside any folder it organizes:
 * `$RESNET_LENS_CLI_DB`, else `cli.db` in the user's data folder for the platform.
 */
export function defaultCliDbPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.RESNET_LENS_CLI_DB) return resolve(env.RESNET_LENS_CLI_DB)
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'ResNet Lens', 'cli.db')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'ResNet Lens', 'cli.db')
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'resnet-lens', 'cli.db')
}

export function openCliDatabase(file: string): Db {
  mkdirSync(dirname(resolve(file)), { recursive: true })
  return openDatabase(resolve(file))
}

/**
 * The id under which the CLI's database knows a model file: the row with the same sha256 if there is
 * one (its results are reused), else a new row named after the card (with the hash's start added when
 * another file already has that id). The row's `file` is the model's absolute path, for `--resume`.
 */
export function registerCliModel(db: Db, model: ModelFile): string {
  const { card } = model
  const file = resolve(model.modelPath)
  const known = db.prepare('SELECT id FROM models WHERE sha256 = ?').pluck().get(card.sha256) as string | undefined
  if (known !== undefined) {
    db.prepare('UPDATE models SET file = ? WHERE id = ?').run(file, known)
    return known
  }
  const taken = db.prepare('SELECT 1 FROM models WHERE id = ?').get(card.id) !== undefined
  const id = taken ? `${card.id.slice(0, 55)}-${card.sha256.slice(0, 8)}` : card.id
  db.prepare(
    `INSERT INTO models (id, name, file, sha256, card, builtin, origin, file_bytes, added_at)
     VALUES (?, ?, ?, ?, ?, 0, 'imported', ?, ?)`,
  ).run(
    id,
    card.name,
    file,
    card.sha256,
    JSON.stringify({ ...card, id }),
    statSync(file).size,
    new Date().toISOString(),
  )
  return id
}

/** The model file the CLI registered under an id. */
export function cliModelFile(db: Db, id: string): string | undefined {
  return db.prepare('SELECT file FROM models WHERE id = ?').pluck().get(id) as string | undefined
}
