import type Database from 'better-sqlite3'
import { toStoreError, type DbFailure } from '../shared/errors.js'
import type { SqlDialect } from '../shared/sql/dialect.js'
import { compile, SqlScript, type SqlFragment } from '../shared/sql/statement.js'
import { runSteps, type SqlResult, type SqlRunner } from '../shared/sql/steps.js'

/** What a better-sqlite3 error means (its `code` is SQLite's extended result code). */
export function describeSqliteFailure(error: unknown): DbFailure | undefined {
  const code = (error as { code?: unknown } | null)?.code
  if (!(error instanceof Error) || typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined
  const detail = error.message
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    // "UNIQUE constraint failed: file_info.collection_pk, file_info.key"
    return { kind: 'duplicate', code, detail, table: /constraint failed: (\w+)\./.exec(detail)?.[1] }
  }
  if (code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG' || code === 'SQLITE_RANGE') return { kind: 'invalid-value', code, detail }
  return { kind: 'other', code, detail }
}

/** SQLite's spelling of what differs between the databases. */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  placeholder: () => '?',
  // A write transaction holds the database's one write lock from BEGIN IMMEDIATE on: nothing to lock row by row.
  lock: () => '',
  startsWith: (column, value, param) => `substr(${column}, 1, length(${param(value)})) = ${param(value)}`,
  // The next number after the highest: the write lock makes this safe, and it stays monotonic (unlike rowid reuse).
  insertionOrder: (table) => ({ column: 'seq', value: `(SELECT COALESCE(MAX(seq), 0) + 1 FROM ${table})` }),
  listOf: (select) => `(SELECT json_group_array(value) FROM (${select}))`,
  // BEGIN IMMEDIATE took the write lock: one migrating connection at a time, across processes.
  migrationLock: () => 'SELECT 1',
  describeFailure: describeSqliteFailure,
}

/** The store's error for a better-sqlite3 failure (see shared/errors.ts). */
export const sqliteStoreError = (error: unknown): unknown => toStoreError(error, describeSqliteFailure, { database: 'SQLite' })

/** A statement cache: preparing costs more than running, so each SQL text is prepared once per connection. */
export function statementCache(db: Database.Database): (sql: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>()
  return (sql) => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }
}

/**
 * Runs statements of the shared SQL layer on one better-sqlite3 connection (`prepare`: its statement
 * cache). Every transaction is `BEGIN IMMEDIATE`: it takes the write lock first, so two processes'
 * transactions run one after the other instead of failing on upgrade. Failures are store errors
 * (shared/errors.ts).
 */
export function createSqliteSqlRunner(db: Database.Database, prepare = statementCache(db)): SqlRunner & {
  execute(statement: SqlFragment): SqlResult
} {
  const execute = (fragment: SqlFragment): SqlResult => {
    const { text, values } = compile(fragment, sqliteDialect)
    try {
      if (fragment instanceof SqlScript) {
        db.exec(text)
        return { rows: [], count: 0 }
      }
      const statement = prepare(text)
      if (statement.reader) {
        const rows = statement.all(...values)
        return { rows, count: rows.length }
      }
      return { rows: [], count: statement.run(...values).changes }
    } catch (error) {
      throw sqliteStoreError(error)
    }
  }
  const guarded = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn())
    } catch (error) {
      return Promise.reject(sqliteStoreError(error))
    }
  }
  return {
    dialect: sqliteDialect,
    execute,
    transaction: (steps) => guarded(() => db.transaction(() => runSteps(steps(), execute)).immediate()),
    autocommit: (steps) => guarded(() => runSteps(steps(), execute)),
  }
}
