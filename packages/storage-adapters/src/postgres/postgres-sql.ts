import pg from 'pg'
import type { DbFailure } from '../shared/errors.js'
import type { SqlDialect } from '../shared/sql/dialect.js'
import { compile, SqlScript, type SqlFragment } from '../shared/sql/statement.js'
import { runStepsAsync, type SqlResult, type SqlRunner } from '../shared/sql/steps.js'
import type { PgDb, Query } from './postgres-db.js'

/** SQLSTATE of a unique violation. */
const UNIQUE_VIOLATION = '23505'

/** The SQLSTATE of an error the server reported; `undefined` for anything else (a socket error, say). */
export function sqlState(error: unknown): string | undefined {
  if (!(error instanceof pg.DatabaseError)) return undefined
  return typeof error.code === 'string' ? error.code : undefined
}

/** Errors that mean the server could not be reached or refused the session. */
function isConnectionFailure(error: unknown): boolean {
  const state = sqlState(error)
  if (state !== undefined) {
    // 08: connection exception, 28: invalid authorization, 3D000: no such database, 57P0x: server shutting down.
    return state.startsWith('08') || state.startsWith('28') || state === '3D000' || /^57P0[1-3]$/.test(state)
  }
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true // ECONNREFUSED, ENOTFOUND, ETIMEDOUT, ...
  const message = error instanceof Error ? error.message : ''
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(message)
}

/** What a pg error means. */
export function describePostgresFailure(error: unknown): DbFailure | undefined {
  const detail = error instanceof Error ? error.message : String(error)
  if (isConnectionFailure(error)) return { kind: 'unreachable', code: sqlState(error) ?? String((error as { code?: unknown }).code ?? ''), detail }
  const code = sqlState(error)
  if (code === undefined) return undefined
  const { table, detail: keyDetail } = error as pg.DatabaseError
  // "Key (collection_seq, key)=(1, a) already exists." says which key; the message only names the index.
  if (code === UNIQUE_VIOLATION) return { kind: 'duplicate', code, detail: keyDetail ?? detail, table }
  // Class 22, a data exception: a value the column cannot hold.
  if (code.startsWith('22')) return { kind: 'invalid-value', code, detail }
  return { kind: 'other', code, detail }
}

/** PostgreSQL's spelling of what differs between the databases. */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  placeholder: (n) => `$${n}`,
  lock: (mode) => ` FOR ${mode.toUpperCase()}`,
  startsWith: (column, value, param) => `starts_with(${column}, ${param(value)})`,
  // Identity columns number the rows.
  insertionOrder: () => null,
  listOf: (select) => `ARRAY(${select})`,
  // Held until the transaction ends; keyed by schema and table, so other schemas migrate meanwhile.
  migrationLock: (table, param) => `SELECT pg_advisory_xact_lock(1397969750, hashtext(current_schema() || '.' || ${param(table)}))`,
  describeFailure: describePostgresFailure,
}

/** Runs one statement on `query` (whose failures are already store errors). */
export function postgresExecutor(query: Query): (statement: SqlFragment) => Promise<SqlResult> {
  return async (fragment) => {
    const { text, values } = compile(fragment, postgresDialect)
    // A script goes out as a simple query, which may hold several statements.
    const result = fragment instanceof SqlScript ? await query(text) : await query(text, values)
    return { rows: result.rows, count: result.rowCount ?? 0 }
  }
}

/** Runs shared statements through the store's pool: a transaction on one connection, or autocommit statements. */
export function createPostgresRunner(db: PgDb): SqlRunner {
  return {
    dialect: postgresDialect,
    transaction: (steps, signal) => db.transaction((query) => runStepsAsync(steps(), postgresExecutor(query)), signal),
    autocommit: (steps, signal) => db.withClient((query) => runStepsAsync(steps(), postgresExecutor(query)), signal),
  }
}
