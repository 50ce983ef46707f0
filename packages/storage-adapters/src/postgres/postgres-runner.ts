import type pg from 'pg'
import { InventoryError } from '@shuttersense/inventory-core'
import type { SqlRunner } from '../shared/sql/steps.js'
import { createPgDb } from './postgres-db.js'
import { createPostgresRunner } from './postgres-sql.js'

/** Options of {@link createPostgresSqlRunner}: a pool to share (the store's), or a connection string for one of its own. */
export interface PostgresSqlRunnerOptions {
  /** Schema of the tables; every connection's `search_path`. @default 'public' */
  schema?: string | undefined
  /** A pool to use (not ended by `close()`), e.g. a Postgres store's `pool`. */
  pool?: pg.Pool | undefined
  /** For a pool of the runner's own, when `pool` is not given. */
  connectionString?: string | undefined
  /** Connections of the runner's own pool. @default 10 */
  poolSize?: number | undefined
}

/**
 * Runs statements of the shared SQL layer (`sql`, steps, migrations from `@shuttersense/inventory-storage`)
 * on PostgreSQL, with the store's connection handling and error mapping: for tables of your own beside
 * the store's, in the same schema.
 */
export function createPostgresSqlRunner(options: PostgresSqlRunnerOptions): SqlRunner & { close(): Promise<void> } {
  if (options.pool === undefined && options.connectionString === undefined) {
    throw new InventoryError('INVALID_ARGUMENT', 'createPostgresSqlRunner needs a pool or a connection string')
  }
  const db = createPgDb({
    connectionString: options.connectionString ?? '',
    schema: options.schema ?? 'public',
    pool: options.pool,
    poolSize: options.poolSize,
  })
  return { ...createPostgresRunner(db), close: () => db.close() }
}
