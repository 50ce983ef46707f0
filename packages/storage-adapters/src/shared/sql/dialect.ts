import type { DbFailure } from '../errors.js'

/** How a SELECT locks the rows it reads until the transaction ends. */
export type RowLock = 'update' | 'no key update' | 'share' | 'update skip locked'

/**
 * What differs between the databases, and only that: every statement is written once (see `sql` in
 * statement.ts) and asks its dialect for these pieces.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres'
  /** The placeholder of the `n`-th parameter (1-based): `?` or `$n`. */
  placeholder(n: number): string
  /**
   * The clause a SELECT ends with to lock what it reads. SQLite: none, as every write transaction
   * holds the database's one write lock (`BEGIN IMMEDIATE`) from its start.
   */
  lock(mode: RowLock): string
  /** A condition true when `column` starts with `value` (`param` makes a placeholder of it). */
  startsWith(column: string, value: string, param: (value: unknown) => string): string
  /**
   * The column and value that give a new row of `table` its insertion order, where the database does
   * not number the rows itself (SQLite); `null` where it does (a Postgres identity column).
   */
  insertionOrder(table: 'jobs' | 'import_sessions'): { column: string; value: string } | null
  /**
   * The values `select` (a SELECT of one column named `value`) returns, in its order, as one value: a Postgres array, a SQLite JSON
   * array text (read with `listValue` in clauses.ts).
   */
  listOf(select: string): string
  /**
   * A statement that makes this transaction the only one migrating the tables recorded in `table`
   * until it ends (`param` makes a placeholder of a value). SQLite: a no-op, the write lock already does.
   */
  migrationLock(table: string, param: (value: unknown) => string): string
  /** What a failure of this database's driver means; `undefined` for an error that is not the driver's. */
  describeFailure(error: unknown): DbFailure | undefined
}
