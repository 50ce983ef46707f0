export * from './server-store.js'
export { sqliteDb, postgresDb, type SqlDb, type PostgresDbOptions } from './sql.js'
