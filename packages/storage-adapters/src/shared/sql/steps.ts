import type { SqlDialect } from './dialect.js'
import type { SqlFragment } from './statement.js'

// Store work written once for both databases: a generator yields its statements one at a time and
// receives each one's result. better-sqlite3 answers synchronously, so the SQLite store runs the steps
// inside a synchronous transaction (nothing can interleave); pg answers asynchronously, so the
// Postgres store awaits each statement on the transaction's connection. The logic is the same code.

/** What a statement answers: the rows it returned (a SELECT, or `RETURNING`) and how many rows it changed. */
export interface SqlResult<Row = unknown> {
  rows: Row[]
  count: number
}

/** A unit of store work: yields statements, receives their results, returns `T`. */
export type SqlSteps<T> = Generator<SqlFragment, T, SqlResult>

/** The rows `statement` returns. */
export function* rowsOf<Row>(statement: SqlFragment): SqlSteps<Row[]> {
  return (yield statement).rows as Row[]
}

/** The first row `statement` returns, if any. */
export function* firstOf<Row>(statement: SqlFragment): SqlSteps<Row | undefined> {
  return (yield statement).rows[0] as Row | undefined
}

/** The number of rows `statement` changed. */
export function* countOf(statement: SqlFragment): SqlSteps<number> {
  return (yield statement).count
}

/** Runs `steps` with a synchronous `execute`; a statement's failure is thrown into the steps, where they may catch it. */
export function runSteps<T>(steps: SqlSteps<T>, execute: (statement: SqlFragment) => SqlResult): T {
  let next = steps.next()
  while (!next.done) {
    let result: SqlResult
    try {
      result = execute(next.value)
    } catch (error) {
      next = steps.throw(error)
      continue
    }
    next = steps.next(result)
  }
  return next.value
}

/** Runs `steps` with an asynchronous `execute`, one statement at a time. */
export async function runStepsAsync<T>(steps: SqlSteps<T>, execute: (statement: SqlFragment) => Promise<SqlResult>): Promise<T> {
  let next = steps.next()
  while (!next.done) {
    let result: SqlResult
    try {
      result = await execute(next.value)
    } catch (error) {
      next = steps.throw(error)
      continue
    }
    next = steps.next(result)
  }
  return next.value
}

/** How a store runs steps: in one write transaction, or statement by statement (each its own transaction). */
export interface SqlRunner {
  readonly dialect: SqlDialect
  /** In one transaction that takes the write lock (SQLite) or row locks as it goes (Postgres); rolled back if the steps throw. */
  transaction<T>(steps: () => SqlSteps<T>, signal?: AbortSignal): Promise<T>
  /** Without a transaction of their own: for reads and single statements. */
  autocommit<T>(steps: () => SqlSteps<T>, signal?: AbortSignal): Promise<T>
}
