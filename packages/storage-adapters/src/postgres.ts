export { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js'
export { POSTGRES_MIGRATIONS } from './postgres/postgres-migrations.js'
export { createPostgresSqlRunner, type PostgresSqlRunnerOptions } from './postgres/postgres-runner.js'
