/**
 * Numbered schema migrations, applied in order; `PRAGMA user_version` records the last one applied.
 * Never edit a migration that has shipped: add the next number.
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'model library and settings',
    sql: `
      CREATE TABLE models (
        id        TEXT PRIMARY KEY,
        name      TEXT NOT NULL CHECK (length(name) > 0),
        file      TEXT NOT NULL,
        sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
        card      TEXT NOT NULL CHECK (json_valid(card)),
        builtin   INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
        added_at  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'model origin, file size, one row per file',
    sql: `
      ALTER TABLE models ADD COLUMN origin TEXT NOT NULL DEFAULT 'imported'
        CHECK (origin IN ('bundled', 'imported', 'catalog'));
      ALTER TABLE models ADD COLUMN file_bytes INTEGER NOT NULL DEFAULT 0 CHECK (file_bytes >= 0);
      UPDATE models SET origin = 'bundled' WHERE builtin = 1;
      CREATE UNIQUE INDEX models_by_sha256 ON models (sha256);
    `,
  },
]
