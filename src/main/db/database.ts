import Database from 'better-sqlite3'
import { migrations as allMigrations, type Migration } from './migrations'

export type Db = Database.Database

/** Applies every migration newer than the database, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[] = allMigrations): number {
  const current = db.pragma('user_version', { simple: true }) as number
  const latest = migrations.at(-1)?.version ?? 0
  if (current > latest) {
    throw new Error(
      `The library database is at version ${current}, newer than this app understands (${latest}). ` +
        'Update the app, or move the database aside.',
    )
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue
    // PRAGMA foreign_keys is a no-op inside a transaction: it is switched around it.
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number
    if (migration.rebuildsReferencedTable) db.pragma('foreign_keys = OFF')
    try {
      db.transaction(() => {
        db.exec(migration.sql)
        const broken = db.pragma('foreign_key_check') as unknown[]
        if (broken.length > 0) throw new Error(`Migration ${migration.version} broke ${broken.length} references.`)
        db.pragma(`user_version = ${migration.version}`)
      })()
    } finally {
      if (migration.rebuildsReferencedTable) db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`)
    }
  }
  return db.pragma('user_version', { simple: true }) as number
}

/** Opens (creating if needed) the library database: WAL, foreign keys on, migrated to the latest schema. */
export function openDatabase(file: string): Db {
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    db.pragma('synchronous = NORMAL')
    migrate(db)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}
