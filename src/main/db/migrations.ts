/**
 * Numbered schema migrations, applied in order; `PRAGMA user_version` records the last one applied.
 * Never edit a migration that has shipped: add the next number.
 */
export interface Migration {
  version: number
  name: string
  sql: string
  /**
   * Rebuilds a table that others reference: foreign keys are off while it runs (so dropping the old
   * table deletes nothing through ON DELETE), and checked before it commits.
   */
  rebuildsReferencedTable?: true
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
  {
    version: 4,
    name: 'folder jobs and the organize journal',
    sql: `
      -- A folder job: scan a folder into the library, then classify its photos with one model.
      CREATE TABLE jobs (
        id           INTEGER PRIMARY KEY,
        folder       TEXT NOT NULL CHECK (length(folder) > 0),
        model_id     TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        options      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
        state        TEXT NOT NULL DEFAULT 'queued'
          CHECK (state IN ('queued', 'running', 'paused', 'cancelled', 'done', 'failed')),
        -- Photos of the folder; of them, classified by this job, failed, and already classified
        -- (same photo or same content) when the job met them. Files the scan could not take.
        total        INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0),
        classified   INTEGER NOT NULL DEFAULT 0 CHECK (classified >= 0),
        failed       INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
        reused       INTEGER NOT NULL DEFAULT 0 CHECK (reused >= 0),
        skipped      INTEGER NOT NULL DEFAULT 0 CHECK (skipped >= 0),
        message      TEXT,
        created_at   TEXT NOT NULL,
        started_at   TEXT,
        updated_at   TEXT NOT NULL,
        finished_at  TEXT,
        CHECK ((state IN ('cancelled', 'done', 'failed')) = (finished_at IS NOT NULL))
      ) STRICT;
      CREATE INDEX jobs_unfinished ON jobs (id) WHERE state IN ('queued', 'running');

      -- The photos a job's scans found, and what the job did with each (NULL: not yet).
      CREATE TABLE job_photos (
        job_id    INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        photo_id  INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
        outcome   TEXT CHECK (outcome IS NULL OR outcome IN ('classified', 'failed', 'reused')),
        PRIMARY KEY (job_id, photo_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX job_photos_by_photo ON job_photos (photo_id);

      CREATE TABLE job_errors (
        id      INTEGER PRIMARY KEY,
        job_id  INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        stage   TEXT NOT NULL CHECK (stage IN ('scan', 'classify')),
        path    TEXT NOT NULL,
        reason  TEXT NOT NULL,
        at      TEXT NOT NULL,
        UNIQUE (job_id, stage, path)
      ) STRICT;

      -- An organize run: its plan journaled whole before the first file is touched, each step's state
      -- written before and after its file operation, so it can be finished, rolled back or undone.
      CREATE TABLE organize_runs (
        id           INTEGER PRIMARY KEY,
        job_id       INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
        model_id     TEXT NOT NULL,
        folder       TEXT,
        out          TEXT NOT NULL CHECK (length(out) > 0),
        mode         TEXT NOT NULL CHECK (mode IN ('copy', 'move')),
        threshold    REAL NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
        state        TEXT NOT NULL DEFAULT 'running'
          CHECK (state IN ('running', 'done', 'rolling-back', 'rolled-back', 'undoing', 'undone')),
        created_at   TEXT NOT NULL,
        finished_at  TEXT,
        undone_at    TEXT
      ) STRICT;

      CREATE TABLE organize_steps (
        run_id     INTEGER NOT NULL REFERENCES organize_runs (id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL CHECK (seq >= 1),
        photo_id   INTEGER,
        source     TEXT NOT NULL,
        dest       TEXT NOT NULL,
        folder     TEXT NOT NULL,
        label      TEXT,
        p          REAL,
        sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
        size       INTEGER NOT NULL CHECK (size >= 0),
        mtime_ms   INTEGER NOT NULL,
        state      TEXT NOT NULL DEFAULT 'pending'
          CHECK (state IN ('pending', 'started', 'done', 'failed', 'undoing', 'undone', 'kept')),
        note       TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (run_id, seq),
        UNIQUE (run_id, dest)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX organize_steps_by_state ON organize_steps (run_id, state);
      CREATE INDEX organize_steps_by_source ON organize_steps (source);

      -- Folders a run created (journaled before mkdir), removed by undo when empty.
      CREATE TABLE organize_dirs (
        run_id  INTEGER NOT NULL REFERENCES organize_runs (id) ON DELETE CASCADE,
        path    TEXT NOT NULL,
        PRIMARY KEY (run_id, path)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'engine calibrations',
    sql: `
      -- How fast each engine ran a model on this machine (a short run of the model alone), so batch
      -- jobs and the CLI pick the fastest engine without measuring again. NULL: the engine is not
      -- available here, and note says why.
      CREATE TABLE engine_calibrations (
        model_sha256       TEXT NOT NULL,
        machine            TEXT NOT NULL,
        engine             TEXT NOT NULL CHECK (engine IN ('webgpu', 'wasm', 'native')),
        images_per_second  REAL CHECK (images_per_second IS NULL OR images_per_second > 0),
        note               TEXT,
        measured_at        TEXT NOT NULL,
        PRIMARY KEY (model_sha256, machine, engine)
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: 'the unknown verdict and hierarchy levels',
    sql: `
      -- Whether the photo is one of the things the model knows (a photo that is none of its classes
      -- gets no suggested tags). ood: the out-of-distribution score, higher = less like what the model
      -- knows; ood_source: what it came from. Rows from before (and error rows) have no score and are known.
      ALTER TABLE classifications ADD COLUMN ood REAL;
      ALTER TABLE classifications ADD COLUMN unknown INTEGER NOT NULL DEFAULT 0 CHECK (unknown IN (0, 1));
      ALTER TABLE classifications ADD COLUMN ood_source TEXT
        CHECK (ood_source IS NULL OR ood_source IN ('profile', 'energy'));
      CREATE INDEX classifications_unknown ON classifications (model_id, photo_id) WHERE unknown = 1;

      -- The levels of the label hierarchy (dog, vehicle...) with the summed probability of the classes
      -- under them, as the engine gave them: the tag store backs off to the most specific sure level
      -- when the top class is unsure, and again when the suggestion threshold changes.
      CREATE TABLE prediction_levels (
        photo_id  INTEGER NOT NULL,
        model_id  TEXT NOT NULL,
        label     TEXT NOT NULL,
        path      TEXT NOT NULL CHECK (json_valid(path) AND json_type(path) = 'array'),
        depth     INTEGER NOT NULL CHECK (depth >= 1),
        p         REAL NOT NULL CHECK (p >= 0 AND p <= 1),
        PRIMARY KEY (photo_id, model_id, path),
        FOREIGN KEY (photo_id, model_id) REFERENCES classifications (photo_id, model_id) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'library jobs',
    rebuildsReferencedTable: true,
    sql: `
      -- A job is a folder's (scan the folder into the library, then classify its photos) or the
      -- library's (classify the library's photos the model has no result for). Same columns as before
      -- plus kind; a library job has no folder.
      CREATE TABLE jobs_new (
        id           INTEGER PRIMARY KEY,
        kind         TEXT NOT NULL DEFAULT 'folder' CHECK (kind IN ('folder', 'library')),
        folder       TEXT CHECK (CASE kind WHEN 'folder' THEN coalesce(length(folder), 0) > 0 ELSE folder IS NULL END),
        model_id     TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        options      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
        state        TEXT NOT NULL DEFAULT 'queued'
          CHECK (state IN ('queued', 'running', 'paused', 'cancelled', 'done', 'failed')),
        total        INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0),
        classified   INTEGER NOT NULL DEFAULT 0 CHECK (classified >= 0),
        failed       INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
        reused       INTEGER NOT NULL DEFAULT 0 CHECK (reused >= 0),
        skipped      INTEGER NOT NULL DEFAULT 0 CHECK (skipped >= 0),
        message      TEXT,
        created_at   TEXT NOT NULL,
        started_at   TEXT,
        updated_at   TEXT NOT NULL,
        finished_at  TEXT,
        CHECK ((state IN ('cancelled', 'done', 'failed')) = (finished_at IS NOT NULL))
      ) STRICT;
      INSERT INTO jobs_new (id, kind, folder, model_id, options, state, total, classified, failed, reused, skipped,
                            message, created_at, started_at, updated_at, finished_at)
        SELECT id, 'folder', folder, model_id, options, state, total, classified, failed, reused, skipped,
               message, created_at, started_at, updated_at, finished_at FROM jobs;
      DROP TABLE jobs;
      ALTER TABLE jobs_new RENAME TO jobs;
      CREATE INDEX jobs_unfinished ON jobs (id) WHERE state IN ('queued', 'running');
    `,
  },
  {
    version: 8,
    name: 'own tags: embeddings, perceptual hashes, learned tags',
    sql: `
      -- A photo content's embedding for one model (see src/shared/embedding/): L2-normalised, float16
      -- little-endian. Keyed by content, so copies of a photo share it; written with the predictions.
      CREATE TABLE embeddings (
        model_id  TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
        -- The embedding definition it was made with; another version is not comparable.
        version   INTEGER NOT NULL CHECK (version > 0),
        dims      INTEGER NOT NULL CHECK (dims > 0),
        vector    BLOB NOT NULL CHECK (length(vector) = 2 * dims),
        PRIMARY KEY (model_id, sha256)
      ) STRICT, WITHOUT ROWID;

      -- A photo content's perceptual hash (64 bits, big-endian), for near-duplicates.
      CREATE TABLE photo_hashes (
        sha256    TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        version   INTEGER NOT NULL CHECK (version > 0),
        hash      BLOB NOT NULL CHECK (length(hash) = 8)
      ) STRICT, WITHOUT ROWID;

      -- A tag learned from the person's examples: a head over one model's embeddings.
      CREATE TABLE learned_tags (
        tag_id      INTEGER PRIMARY KEY REFERENCES tags (id) ON DELETE CASCADE,
        model_id    TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        head        TEXT NOT NULL CHECK (json_valid(head)),
        positives   INTEGER NOT NULL CHECK (positives >= 0),
        negatives   INTEGER NOT NULL CHECK (negatives >= 0),
        trained_at  TEXT NOT NULL
      ) STRICT;

      -- Suggestions may now come from a learned tag (source 'learned') as well as from a model.
      CREATE TABLE photo_tags_new (
        photo_id    INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
        tag_id      INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
        source      TEXT NOT NULL CHECK (source IN ('model', 'person', 'learned')),
        status      TEXT NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected')),
        score       REAL CHECK (score IS NULL OR (score >= 0 AND score <= 1)),
        model_id    TEXT REFERENCES models (id) ON DELETE SET NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (photo_id, tag_id),
        CHECK (source <> 'person' OR status <> 'suggested'),
        CHECK (status <> 'suggested' OR score IS NOT NULL)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO photo_tags_new SELECT photo_id, tag_id, source, status, score, model_id, created_at, updated_at
        FROM photo_tags;
      DROP TABLE photo_tags;
      ALTER TABLE photo_tags_new RENAME TO photo_tags;
      CREATE INDEX photo_tags_by_tag ON photo_tags (tag_id, photo_id, status);
      CREATE INDEX photo_tags_suggested ON photo_tags (photo_id) WHERE status = 'suggested';
      CREATE INDEX photo_tags_review ON photo_tags (tag_id, score, photo_id) WHERE status = 'suggested';
      CREATE INDEX photo_tags_by_model ON photo_tags (model_id) WHERE model_id IS NOT NULL;
    `,
  },
]
