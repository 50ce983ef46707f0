// The root entry loads no database driver: each store lives in its own entry, which loads only its own
// driver (`/sqlite` loads better-sqlite3, `/postgres` loads pg), so a PostgreSQL user needs no native build.
// What stays here needs neither: the stores' types and their migrations (SQL text).
export type { SqliteStoreOptions } from './sqlite/sqlite-store.js'
export type { PostgresStore, PostgresStoreOptions } from './postgres/postgres-store.js'
export { SQLITE_MIGRATIONS } from './sqlite/sqlite-migrations.js'
export { POSTGRES_MIGRATIONS } from './postgres/postgres-migrations.js'
