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
]
