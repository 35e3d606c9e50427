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
  {
    version: 3,
    name: 'photo library, predictions, runs and tags',
    sql: `
      CREATE TABLE photos (
        id        INTEGER PRIMARY KEY,
        path      TEXT NOT NULL UNIQUE CHECK (length(path) > 0),
        size      INTEGER NOT NULL CHECK (size >= 0),
        mtime_ms  INTEGER NOT NULL,
        sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
        width     INTEGER NOT NULL CHECK (width > 0),
        height    INTEGER NOT NULL CHECK (height > 0),
        taken_at  TEXT,
        status    TEXT NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'missing')),
        added_at  TEXT NOT NULL,
        seen_at   TEXT NOT NULL
      ) STRICT;
      CREATE INDEX photos_by_sha256 ON photos (sha256);
      CREATE INDEX photos_missing ON photos (id) WHERE status = 'missing';

      CREATE TABLE runs (
        id           INTEGER PRIMARY KEY,
        model_id     TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        started_at   TEXT NOT NULL,
        finished_at  TEXT,
        status       TEXT NOT NULL DEFAULT 'running'
          CHECK (status IN ('running', 'finished', 'cancelled', 'failed', 'interrupted')),
        total        INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0),
        classified   INTEGER NOT NULL DEFAULT 0 CHECK (classified >= 0),
        failed       INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
        CHECK ((status = 'running') = (finished_at IS NULL) OR status = 'interrupted')
      ) STRICT;
      CREATE INDEX runs_by_model ON runs (model_id, id);

      -- One row per (photo, model) that has been through the model: k predictions, or an error.
      CREATE TABLE classifications (
        photo_id       INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
        model_id       TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        run_id         INTEGER REFERENCES runs (id) ON DELETE SET NULL,
        k              INTEGER NOT NULL CHECK (k >= 0),
        top_class      INTEGER,
        top_p          REAL CHECK (top_p IS NULL OR (top_p >= 0 AND top_p <= 1)),
        error          TEXT,
        classified_at  TEXT NOT NULL,
        PRIMARY KEY (photo_id, model_id),
        CHECK ((error IS NULL) = (k > 0)),
        CHECK ((top_p IS NULL) = (k = 0))
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX classifications_by_model ON classifications (model_id, photo_id, top_p);

      CREATE TABLE predictions (
        photo_id     INTEGER NOT NULL,
        model_id     TEXT NOT NULL,
        rank         INTEGER NOT NULL CHECK (rank >= 1),
        class_index  INTEGER NOT NULL CHECK (class_index >= 0),
        label        TEXT NOT NULL,
        probability  REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
        PRIMARY KEY (photo_id, model_id, rank),
        UNIQUE (photo_id, model_id, class_index),
        FOREIGN KEY (photo_id, model_id) REFERENCES classifications (photo_id, model_id) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE tags (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0 AND name = trim(name)),
        created_at  TEXT NOT NULL
      ) STRICT;

      -- Former names of renamed or merged tags, so a model label keeps landing on the tag it became.
      CREATE TABLE tag_aliases (
        name    TEXT PRIMARY KEY COLLATE NOCASE,
        tag_id  INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX tag_aliases_by_tag ON tag_aliases (tag_id);

      CREATE TABLE photo_tags (
        photo_id    INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
        tag_id      INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
        source      TEXT NOT NULL CHECK (source IN ('model', 'person')),
        status      TEXT NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected')),
        score       REAL CHECK (score IS NULL OR (score >= 0 AND score <= 1)),
        model_id    TEXT REFERENCES models (id) ON DELETE SET NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (photo_id, tag_id),
        CHECK (source = 'model' OR status <> 'suggested'),
        CHECK (status <> 'suggested' OR score IS NOT NULL)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX photo_tags_by_tag ON photo_tags (tag_id, photo_id, status);
      CREATE INDEX photo_tags_suggested ON photo_tags (photo_id) WHERE status = 'suggested';
      CREATE INDEX photo_tags_review ON photo_tags (tag_id, score, photo_id) WHERE status = 'suggested';
      CREATE INDEX photo_tags_by_model ON photo_tags (model_id) WHERE model_id IS NOT NULL;

      CREATE VIRTUAL TABLE tags_fts USING fts5 (
        name, content = 'tags', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER tags_fts_insert AFTER INSERT ON tags BEGIN
        INSERT INTO tags_fts (rowid, name) VALUES (new.id, new.name);
      END;
      CREATE TRIGGER tags_fts_delete AFTER DELETE ON tags BEGIN
        INSERT INTO tags_fts (tags_fts, rowid, name) VALUES ('delete', old.id, old.name);
      END;
      CREATE TRIGGER tags_fts_update AFTER UPDATE OF name ON tags BEGIN
        INSERT INTO tags_fts (tags_fts, rowid, name) VALUES ('delete', old.id, old.name);
        INSERT INTO tags_fts (rowid, name) VALUES (new.id, new.name);
      END;
    `,
  },
]
