import type { Statement } from 'better-sqlite3'
import type { Db } from './database'

const cache = new WeakMap<Db, Map<string, Statement>>()

/** `db.prepare(sql)`, compiled once per connection (hot paths run it per photo). */
export function stmt(db: Db, sql: string): Statement {
  let statements = cache.get(db)
  if (!statements) cache.set(db, (statements = new Map()))
  let statement = statements.get(sql)
  if (!statement) statements.set(sql, (statement = db.prepare(sql)))
  return statement
}
