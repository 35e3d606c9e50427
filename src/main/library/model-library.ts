import { createHash } from 'node:crypto'
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Db } from '../db/database'
import { parseModelCard, type ModelCard } from '../../shared/model-card'
import type { ModelSummary } from '../../shared/ipc/contract'

const ACTIVE_MODEL_KEY = 'active_model'

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

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
}

export interface ModelLibraryDirs {
  /** Read-only models shipped with the app. */
  builtinModelsDir: string
  /** The user's imported models, under the app's data folder. */
  modelsDir: string
}

/** The local library of models: one row per model in SQLite, its file on disk, its card. */
export class ModelLibrary {
  constructor(
    private readonly db: Db,
    private readonly dirs: ModelLibraryDirs,
  ) {}

  /**
   * Registers (or refreshes) the bundled models, checking each file against its card's sha256, so a
   * damaged installation is reported at start instead of producing wrong predictions.
   */
  async registerBuiltins(now: Date = new Date()): Promise<void> {
    for (const card of readBuiltinCards(this.dirs.builtinModelsDir)) {
      const file = join(this.dirs.builtinModelsDir, card.file)
      if (!existsSync(file)) throw new Error(`The bundled model file is missing: ${file}`)
      const digest = await sha256File(file)
      if (digest !== card.sha256) {
        throw new Error(`The bundled model ${card.file} is damaged (sha256 ${digest}, expected ${card.sha256}).`)
      }
      this.db
        .prepare(
          `INSERT INTO models (id, name, file, sha256, card, builtin, added_at)
           VALUES (@id, @name, @file, @sha256, @card, 1, @addedAt)
           ON CONFLICT (id) DO UPDATE SET file = excluded.file, sha256 = excluded.sha256,
             card = excluded.card, builtin = 1`,
        )
        .run({
          id: card.id,
          name: card.name,
          file: card.file,
          sha256: card.sha256,
          card: JSON.stringify(card),
          addedAt: now.toISOString(),
        })
    }
  }

  private rows(): ModelRow[] {
    return this.db
      .prepare('SELECT id, name, file, sha256, card, builtin FROM models ORDER BY builtin DESC, name')
      .all() as ModelRow[]
  }

  private row(id: string): ModelRow | undefined {
    return this.db.prepare('SELECT id, name, file, sha256, card, builtin FROM models WHERE id = ?').get(id) as
      ModelRow | undefined
  }

  activeId(): string {
    const setting = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(ACTIVE_MODEL_KEY) as
      { value: string } | undefined
    if (setting && this.row(setting.value)) return setting.value
    const first = this.rows()[0]
    if (!first) throw new Error('The model library is empty: the bundled model was not registered.')
    return first.id
  }

  setActive(id: string): void {
    if (!this.row(id)) throw new Error(`No model "${id}" in the library.`)
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(ACTIVE_MODEL_KEY, id)
  }

  card(id: string): ModelCard {
    const row = this.row(id)
    if (!row) throw new Error(`No model "${id}" in the library.`)
    return { ...parseModelCard(JSON.parse(row.card)), name: row.name }
  }

  list(): ModelSummary[] {
    const active = this.activeId()
    return this.rows().map((row) => {
      const card = parseModelCard(JSON.parse(row.card))
      return {
        id: row.id,
        name: row.name,
        builtin: row.builtin === 1,
        active: row.id === active,
        classes: card.output.classes,
        inputSize: [card.input.width, card.input.height],
      }
    })
  }

  /** The file of a model the library knows; undefined for anything else. */
  resolveFile(id: string): string | undefined {
    const row = this.row(id)
    if (!row) return undefined
    return join(row.builtin === 1 ? this.dirs.builtinModelsDir : this.dirs.modelsDir, row.file)
  }
}
