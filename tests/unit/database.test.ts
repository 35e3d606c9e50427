import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate, openDatabase } from '../../src/main/db/database'
import { migrations } from '../../src/main/db/migrations'

describe('library database', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'db-test-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('creates the latest schema from empty, with WAL and foreign keys on', () => {
    const db = openDatabase(join(dir, 'library.db'))
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    const tables = db
      .prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'")
      .all()
    expect(tables).toEqual(
      expect.arrayContaining([
        { name: 'models', strict: 1 },
        { name: 'settings', strict: 1 },
      ]),
    )
    db.close()
  })

  it('is idempotent: reopening applies nothing twice and keeps the data', () => {
    const file = join(dir, 'library.db')
    const first = openDatabase(file)
    first.prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run()
    first.close()
    const second = openDatabase(file)
    expect(second.prepare('SELECT value FROM settings WHERE key = ?').get('k')).toEqual({ value: 'v' })
    second.close()
  })

  it('enforces the STRICT column types and checks', () => {
    const db = openDatabase(join(dir, 'library.db'))
    const insert = db.prepare(
      'INSERT INTO models (id, name, file, sha256, card, builtin, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    expect(() => insert.run('m', 'M', 'm.onnx', 'x'.repeat(64), '{not json', 0, 'now')).toThrow(/CHECK/)
    expect(() => insert.run('m', 'M', 'm.onnx', 'short', '{}', 0, 'now')).toThrow(/CHECK/)
    expect(() => insert.run('m', 'M', 'm.onnx', 'x'.repeat(64), '{}', 'yes', 'now')).toThrow(
      /cannot store TEXT value in INTEGER column/,
    )
    db.close()
  })

  it('rolls a failing migration back whole and leaves the version unchanged', () => {
    const db = new Database(join(dir, 'broken.db'))
    const broken = [
      ...migrations,
      {
        version: 99,
        name: 'broken',
        sql: 'CREATE TABLE half_done (x INTEGER) STRICT; INSERT INTO no_such_table VALUES (1);',
      },
    ]
    expect(() => migrate(db, broken)).toThrow(/no such table/)
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({ n: 0 })
    db.close()
  })

  it('migrates a database from every earlier version, keeping its rows', () => {
    for (const from of migrations.slice(0, -1)) {
      const file = join(dir, `from-v${from.version}.db`)
      const old = new Database(file)
      migrate(
        old,
        migrations.filter((m) => m.version <= from.version),
      )
      old
        .prepare('INSERT INTO models (id, name, file, sha256, card, builtin, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run('bundled', 'Bundled', 'b.onnx', 'a'.repeat(64), '{}', 1, 'then')
      old
        .prepare('INSERT INTO models (id, name, file, sha256, card, builtin, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run('mine', 'Mine', 'm.onnx', 'b'.repeat(64), '{}', 0, 'then')
      // From version 2 on, the app itself records a bundled model's origin.
      if (from.version >= 2) old.prepare("UPDATE models SET origin = 'bundled' WHERE builtin = 1").run()
      old.close()

      const db = openDatabase(file)
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
      expect(db.prepare('SELECT id, origin, file_bytes FROM models ORDER BY id').all()).toEqual([
        { id: 'bundled', origin: 'bundled', file_bytes: 0 },
        { id: 'mine', origin: 'imported', file_bytes: 0 },
      ])
      db.close()
    }
  })

  it('keeps one row per model file (sha256 is unique)', () => {
    const db = openDatabase(join(dir, 'library.db'))
    const insert = db.prepare(
      'INSERT INTO models (id, name, file, sha256, card, builtin, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    insert.run('a', 'A', 'a.onnx', 'c'.repeat(64), '{}', 0, 'now')
    expect(() => insert.run('b', 'B', 'b.onnx', 'c'.repeat(64), '{}', 0, 'now')).toThrow(/UNIQUE/)
    db.close()
  })

  it('refuses a database from a newer version of the app', () => {
    const file = join(dir, 'future.db')
    const db = new Database(file)
    db.pragma('user_version = 1000')
    db.close()
    expect(() => openDatabase(file)).toThrow(/newer than this app understands/)
  })
})
