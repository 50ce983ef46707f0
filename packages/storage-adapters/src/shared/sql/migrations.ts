import { part, raw, sql, SqlScript } from './statement.js'
import { rowsOf, type SqlSteps, type SqlRunner } from './steps.js'

/** A migration: its number and its SQL (several statements). */
export interface Migration {
  id: number
  sql: string
}

/**
 * Applies the migrations not yet recorded in `table`, in order, recording each; run it in one
 * transaction that the store has made exclusive (SQLite's write lock, a Postgres advisory lock).
 */
export function* migrationSteps(migrations: readonly Migration[], table: string): SqlSteps<void> {
  yield sql`CREATE TABLE IF NOT EXISTS ${raw(table)} (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`
  const applied = new Set((yield* rowsOf<{ id: number | string }>(sql`SELECT id FROM ${raw(table)}`)).map((row) => Number(row.id)))
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue
    yield new SqlScript(migration.sql)
    yield sql`INSERT INTO ${raw(table)} (id, applied_at) VALUES (${migration.id}, ${new Date().toISOString()})`
  }
}

/**
 * Applies `migrations` (recorded in `table`) in one transaction, safe to run from several processes at
 * once: they migrate one after the other (SQLite's write lock, a Postgres advisory lock on the schema and
 * table), and each migration is applied once.
 */
export function applyMigrations(run: SqlRunner, migrations: readonly Migration[], table: string): Promise<void> {
  return run.transaction(function* () {
    yield sql`${part((dialect, param) => dialect.migrationLock(table, param))}`
    yield* migrationSteps(migrations, table)
  })
}
