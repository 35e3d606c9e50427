import { sha256File } from '../fs/hash'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Db } from '../db/database'
import { readSetting, writeSetting } from '../db/settings'
import { parseModelCard, type ModelCard } from '../../shared/model-card'
import type { ModelSummary } from '../../shared/ipc/contract'

export { sha256File }

const ACTIVE_MODEL_KEY = 'active_model'

export type ModelOrigin = ModelSummary['origin']

/** The cards of the models shipped in `resources/models` (`<name>.card.json` beside `<name>.onnx`). */
export function readBuiltinCards(builtinModelsDir: string): ModelCard[] {
  return readdirSync(builtinModelsDir)
    .filter((name) => name.endsWith('.card.json'))
    .sort()
    .map((name) => parseModelCard(JSON.parse(readFileSync(join(builtinModelsDir, name), 'utf8'))))
}

interface ModelRow {
  id: string
  name: string
  file: string
  sha256: string
  card: string
  builtin: number
  origin: ModelOrigin
  file_bytes: number
  added_at: string
}

export interface ModelLibraryDirs {
  /** Read-only models shipped with the app. */
  builtinModelsDir: string
  /** The user's imported models, under the app's data folder. */
  modelsDir: string
}

export interface NewModel {
  card: ModelCard
  /** File name inside the models folder, already in place. */
  file: string
  fileBytes: number
  origin: Exclude<ModelOrigin, 'bundled'>
}

export class ModelNotFoundError extends Error {
  constructor(id: string) {
    super(`No model "${id}" in the library.`)
  }
}

const COLUMNS = 'id, name, file, sha256, card, builtin, origin, file_bytes, added_at'

/** The local library of models: one row per model in SQLite, its file on disk, its card. */
export class ModelLibrary {
  constructor(
    private readonly db: Db,
    readonly dirs: ModelLibraryDirs,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Registers (or refreshes) the bundled models, checking each file against its card's sha256, so a
   * damaged installation is reported at start instead of producing wrong predictions.
   * `describe` may add what the graph says (stages, parameters) to the card.
   */
  async registerBuiltins(describe: (card: ModelCard, file: string) => ModelCard = (card) => card): Promise<void> {
    for (const shipped of readBuiltinCards(this.dirs.builtinModelsDir)) {
      const file = join(this.dirs.builtinModelsDir, shipped.file)
      if (!existsSync(file)) throw new Error(`The bundled model file is missing: ${file}`)
      const digest = await sha256File(file)
      if (digest !== shipped.sha256) {
        throw new Error(`The bundled model ${shipped.file} is damaged (sha256 ${digest}, expected ${shipped.sha256}).`)
      }
      const card = describe(shipped, file)
      this.db
        .prepare(
          `INSERT INTO models (id, name, file, sha256, card, builtin, origin, file_bytes, added_at)
           VALUES (@id, @name, @file, @sha256, @card, 1, 'bundled', @fileBytes, @addedAt)
           ON CONFLICT (id) DO UPDATE SET file = excluded.file, sha256 = excluded.sha256,
             card = excluded.card, builtin = 1, origin = 'bundled', file_bytes = excluded.file_bytes`,
        )
        .run({
          id: card.id,
          name: card.name,
          file: card.file,
          sha256: card.sha256,
          card: JSON.stringify(card),
          fileBytes: statSync(file).size,
          addedAt: this.now().toISOString(),
        })
    }
  }

  private rows(): ModelRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM models ORDER BY builtin DESC, name, id`).all() as ModelRow[]
  }

  private row(id: string): ModelRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM models WHERE id = ?`).get(id) as ModelRow | undefined
  }

  private requireRow(id: string): ModelRow {
    const row = this.row(id)
    if (!row) throw new ModelNotFoundError(id)
    return row
  }

  has(id: string): boolean {
    return this.row(id) !== undefined
  }

  /** The id of the model holding exactly this file, if any. */
  findBySha256(sha256: string): string | undefined {
    const row = this.db.prepare('SELECT id FROM models WHERE sha256 = ?').get(sha256) as { id: string } | undefined
    return row?.id
  }

  activeId(): string {
    const setting = readSetting(this.db, ACTIVE_MODEL_KEY)
    if (setting !== undefined && this.row(setting)) return setting
    const first = this.rows()[0]
    if (!first) throw new Error('The model library is empty: the bundled model was not registered.')
    return first.id
  }

  setActive(id: string): void {
    this.requireRow(id)
    writeSetting(this.db, ACTIVE_MODEL_KEY, id)
  }

  card(id: string): ModelCard {
    const row = this.requireRow(id)
    return { ...parseModelCard(JSON.parse(row.card)), name: row.name }
  }

  summary(id: string): ModelSummary {
    return this.toSummary(this.requireRow(id), this.activeId())
  }

  list(): ModelSummary[] {
    const active = this.activeId()
    return this.rows().map((row) => this.toSummary(row, active))
  }

  private toSummary(row: ModelRow, activeId: string): ModelSummary {
    const card = parseModelCard(JSON.parse(row.card))
    return {
      id: row.id,
      name: row.name,
      builtin: row.builtin === 1,
      active: row.id === activeId,
      origin: row.origin,
      source: card.source,
      classes: card.output.classes,
      inputSize: [card.input.width, card.input.height],
      fileBytes: row.file_bytes,
      sha256: row.sha256,
      addedAt: row.added_at,
      ...(card.labelsSource !== undefined && { labelsSource: card.labelsSource }),
      ...(card.graph !== undefined && { graph: card.graph }),
    }
  }

  /** Adds a model whose file is already in the models folder (the importer puts it there). */
  add(model: NewModel): ModelSummary {
    this.db
      .prepare(
        `INSERT INTO models (id, name, file, sha256, card, builtin, origin, file_bytes, added_at)
         VALUES (@id, @name, @file, @sha256, @card, 0, @origin, @fileBytes, @addedAt)`,
      )
      .run({
        id: model.card.id,
        name: model.card.name,
        file: model.file,
        sha256: model.card.sha256,
        card: JSON.stringify(model.card),
        origin: model.origin,
        fileBytes: model.fileBytes,
        addedAt: this.now().toISOString(),
      })
    return this.summary(model.card.id)
  }

  rename(id: string, name: string): void {
    this.requireRow(id)
    const trimmed = name.trim()
    if (trimmed === '') throw new Error('A model needs a name.')
    this.db.prepare('UPDATE models SET name = ? WHERE id = ?').run(trimmed, id)
  }

  /**
   * Removes an imported model: its row first (so the library never lists a model without a file),
   * then its files. The bundled model cannot be deleted; deleting the active model makes the bundled
   * one active again.
   */
  async delete(id: string): Promise<void> {
    const row = this.requireRow(id)
    if (row.builtin === 1) throw new Error(`"${row.name}" comes with the app and cannot be deleted.`)
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM models WHERE id = ?').run(id)
      this.db.prepare('DELETE FROM settings WHERE key = ? AND value = ?').run(ACTIVE_MODEL_KEY, id)
    })()
    await Promise.all([
      rm(join(this.dirs.modelsDir, row.file), { force: true }),
      rm(join(this.dirs.modelsDir, `${row.id}.card.json`), { force: true }),
      rm(this.userProfilePath(row.id), { force: true }),
    ])
  }

  /**
   * The model's knowledge profile: the one built in the app (in the models folder) or else, for a bundled model,
   * the one shipped beside it; undefined when there is none.
   */
  profilePath(id: string): string | undefined {
    const row = this.row(id)
    if (!row) return undefined
    const own = this.userProfilePath(id)
    if (existsSync(own)) return own
    if (row.builtin !== 1) return undefined
    const shipped = join(this.dirs.builtinModelsDir, row.file.replace(/\.onnx$/i, '.profile.json'))
    return existsSync(shipped) ? shipped : undefined
  }

  /** Where a profile built in the app for this model is kept (it wins over a shipped one). */
  userProfilePath(id: string): string {
    return join(this.dirs.modelsDir, `${id}.profile.json`)
  }

  /** The file of a model the library knows; undefined for anything else. */
  resolveFile(id: string): string | undefined {
    const row = this.row(id)
    if (!row) return undefined
    return join(row.builtin === 1 ? this.dirs.builtinModelsDir : this.dirs.modelsDir, row.file)
  }
}
