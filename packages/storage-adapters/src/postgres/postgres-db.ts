import pg from 'pg'
import { InventoryError } from '@shuttersense/inventory-core'
import { throwIfAborted } from '@shuttersense/inventory-core/internal'
import { toStoreError as toSharedStoreError } from '../shared/errors.js'
import { describePostgresFailure, sqlState } from './postgres-sql.js'

/** A query runner bound to one checked-out client; maps driver failures to `InventoryError`. */
export type Query = <Row extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string | pg.QueryConfig,
  params?: readonly unknown[],
) => Promise<pg.QueryResult<Row>>

/** Connection handling shared by the store and its job queue. */
export interface PgDb {
  readonly pool: pg.Pool
  readonly schema: string
  /** Runs `fn` on one client outside a transaction (autocommit). */
  withClient<T>(fn: (query: Query) => Promise<T>, signal?: AbortSignal): Promise<T>
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. `pipelined`
   * tells whether the connection accepts statements before earlier ones are answered (see {@link createStatementQueue}).
   */
  transaction<T>(fn: (query: Query, tx: { pipelined: boolean }) => Promise<T>, signal?: AbortSignal): Promise<T>
  /** One statement in autocommit mode. */
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string | pg.QueryConfig,
    params?: readonly unknown[],
    signal?: AbortSignal,
  ): Promise<pg.QueryResult<Row>>
  close(): Promise<void>
}

export interface PgDbOptions {
  connectionString: string
  schema: string
  poolSize?: number | undefined
  pool?: pg.Pool | undefined
  connectionTimeoutMs?: number | undefined
}

/** Statements sent one after the other on a transaction's connection, without waiting for each answer when it pipelines. */
export interface StatementQueue {
  /**
   * Sends a statement. On a pipelining connection this returns once at most `maxInFlight` statements
   * are unanswered; otherwise once the statement is answered. Throws the first failure seen.
   */
  send(sql: string | pg.QueryConfig, params?: readonly unknown[]): Promise<void>
  /** Sends a statement whose answer the caller needs, in order with the others. */
  request<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string | pg.QueryConfig, params?: readonly unknown[]): Promise<pg.QueryResult<Row>>
  /** Waits for every statement sent; throws the first failure. */
  drain(): Promise<void>
}

export function createStatementQueue(query: Query, pipelined: boolean, maxInFlight = 4): StatementQueue {
  const pending: Promise<unknown>[] = []
  // Without pipelining, a statement is issued only once the one before it is answered (the driver
  // would queue it, but warns about that).
  let previous: Promise<unknown> = Promise.resolve()
  const issue = <Row extends pg.QueryResultRow>(sql: string | pg.QueryConfig, params?: readonly unknown[]): Promise<pg.QueryResult<Row>> => {
    if (pipelined) return query<Row>(sql, params)
    // After a failure the rest is not sent: each answers with that first failure.
    const answer = previous.then(() => query<Row>(sql, params))
    answer.catch(() => undefined)
    previous = answer
    return answer
  }
  return {
    async send(sql, params) {
      const answer = issue(sql, params)
      if (!pipelined) {
        await answer
        return
      }
      // The failure is thrown by whoever awaits it below; this keeps it from being "unhandled" meanwhile.
      answer.catch(() => undefined)
      pending.push(answer)
      while (pending.length > maxInFlight) await pending.shift()
    },
    request<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string | pg.QueryConfig, params?: readonly unknown[]) {
      const answer = issue<Row>(sql, params)
      // Whoever needs it awaits it; until then a failure is not "unhandled" (drain() reports it too).
      answer.catch(() => undefined)
      pending.push(answer)
      return answer
    },
    async drain() {
      while (pending.length > 0) await pending.shift()
    },
  }
}

/** `name` as a quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return pg.escapeIdentifier(name)
}

/** The connection string without its password (and without query parameters), for messages. */
export function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString)
    url.password = ''
    url.search = ''
    return url.toString()
  } catch {
    return 'PostgreSQL (connection string not shown)'
  }
}

/**
 * The schema each connection's `search_path` was last set to by a store of this module. Shared by all
 * stores, so two stores on one supplied pool (different schemas) each set their own before use.
 */
const searchPaths = new WeakMap<pg.PoolClient, string>()

/**
 * Creates the pool (unless one is given) and the helpers every store call runs through. Each
 * connection's `search_path` is set to `schema` on its first checkout (and again only if another
 * store on a shared pool changed it), so the SQL names no schema.
 */
export function createPgDb(options: PgDbOptions): PgDb {
  const schema = options.schema
  if (schema.length === 0 || schema.includes('\u0000') || Buffer.byteLength(schema) > 63) {
    throw new InventoryError('INVALID_ARGUMENT', `schema must be a PostgreSQL identifier of 1 to 63 bytes: "${schema}"`)
  }
  const target = describeTarget(options.connectionString)
  const ownPool = options.pool === undefined
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      // TCP keepalive: a connection cut without a FIN (a dropped NAT entry) fails instead of hanging a query.
      keepAlive: true,
      // Statements of one transaction go out without waiting for each answer where the store asks for
      // it (the FileInfo write); everything else still awaits each statement.
      pipeline: true,
    })
  // An idle connection that the server drops raises 'error' on the pool; the pool discards it, and the
  // next checkout opens a new one. Without a listener Node would crash the process.
  if (ownPool) pool.on('error', () => undefined)

  const searchPath = `SET search_path TO ${quoteIdentifier(schema)}`
  let closed = false

  /** The error a store call throws for a driver failure (shared/errors.ts); `connecting`: while opening a connection. */
  const toStoreError = (error: unknown, connecting = false): unknown =>
    toSharedStoreError(error, describePostgresFailure, { database: 'PostgreSQL', at: target, connecting })

  /** A checked-out client with its search_path set; `release(error)` discards a broken connection. */
  const acquire = async (signal: AbortSignal | undefined): Promise<{ client: pg.PoolClient; release: (error?: Error) => void }> => {
    throwIfAborted(signal)
    if (closed) throw new InventoryError('STORE_ERROR', 'the PostgreSQL store is closed')
    let client: pg.PoolClient
    try {
      client = await pool.connect()
    } catch (error) {
      throw toStoreError(error, true)
    }
    // A connection that breaks while checked out (between two statements) raises 'error' on the
    // client, which has no listener then; record it so the connection is discarded on release.
    let failure: Error | undefined
    const onError = (error: Error): void => {
      failure = error
    }
    client.on('error', onError)
    const release = (error?: Error): void => {
      client.off('error', onError)
      client.release(error ?? failure)
    }
    if (searchPaths.get(client) !== schema) {
      try {
        await client.query(searchPath)
      } catch (error) {
        release(error as Error)
        throw toStoreError(error, true)
      }
      searchPaths.set(client, schema)
    }
    return { client, release }
  }

  /** Runs statements on `client`; a failure without SQLSTATE (the connection broke) is reported to `onBroken`. */
  const bind = (client: pg.PoolClient, onBroken: (error: Error) => void): Query =>
    (async (sql: string | pg.QueryConfig, params?: readonly unknown[]) => {
      try {
        return await (typeof sql === 'string'
          ? client.query(sql, params as unknown[] | undefined)
          : client.query(params === undefined ? sql : { ...sql, values: params as unknown[] }))
      } catch (error) {
        if (sqlState(error) === undefined) onBroken(error as Error)
        throw toStoreError(error)
      }
    }) as Query

  const db: PgDb = {
    pool,
    schema,

    async withClient(fn, signal) {
      const { client, release } = await acquire(signal)
      let broken: Error | undefined
      try {
        return await fn(bind(client, (error) => (broken = error)))
      } finally {
        release(broken)
      }
    },

    async transaction(fn, signal) {
      const { client, release } = await acquire(signal)
      let broken: Error | undefined
      const query = bind(client, (error) => (broken = error))
      // A pipelining connection takes BEGIN and the statements after it in one go; BEGIN's answer is
      // checked before COMMIT.
      const pipelined = client.pipeline === true
      try {
        const begin = query('BEGIN')
        if (pipelined) begin.catch(() => undefined)
        else await begin
        const result = await fn(query, { pipelined })
        await begin
        await query('COMMIT')
        return result
      } catch (error) {
        if (broken === undefined) {
          try {
            await client.query('ROLLBACK')
          } catch (rollbackError) {
            broken = rollbackError as Error
          }
        }
        throw error
      } finally {
        release(broken)
      }
    },

    async query(sql, params, signal) {
      return db.withClient((query) => query(sql, params), signal)
    },

    async close() {
      if (closed) return
      closed = true
      if (ownPool) await pool.end()
    },
  }
  return db
}
