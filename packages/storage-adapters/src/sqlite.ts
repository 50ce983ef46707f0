export { createSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js'
export { SQLITE_MIGRATIONS } from './sqlite/sqlite-migrations.js'
export { createSqliteSqlRunner } from './sqlite/sqlite-sql.js'
