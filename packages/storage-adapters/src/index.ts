// The root entry loads no database driver: each store lives in its own entry, which loads only its own
// driver (`/sqlite` loads better-sqlite3, `/postgres` loads pg), so a PostgreSQL user needs no native build.
// What stays here needs neither: the stores' types and their migrations (SQL text).
export type { SqliteStoreOptions } from './sqlite/sqlite-store.js'
export type { PostgresStore, PostgresStoreOptions } from './postgres/postgres-store.js'
export { SQLITE_MIGRATIONS } from './sqlite/sqlite-migrations.js'
export { POSTGRES_MIGRATIONS } from './postgres/postgres-migrations.js'

// The SQL layer both stores are written in, for tables of your own beside the store's (the reference
// server keeps its tokens, agents and credentials so): statements written once as `sql` templates, run
// as steps by a runner of `/sqlite` (`createSqliteSqlRunner`) or `/postgres` (`createPostgresSqlRunner`),
// with the stores' placeholders, locks and error mapping.
export { sql, raw, join, EMPTY, SqlFragment } from './shared/sql/statement.js'
export { rowsOf, firstOf, countOf, type SqlResult, type SqlRunner, type SqlSteps } from './shared/sql/steps.js'
export { applyMigrations, type Migration } from './shared/sql/migrations.js'
