import type { RowLock } from './dialect.js'
import { EMPTY, join, part, raw, sql, type SqlFragment } from './statement.js'
import { prefixUpperBound } from '../validate.js'

// Clauses the statements of both stores share, each rendered by the dialect where the databases differ.

/** The lock clause a SELECT ends with (nothing in SQLite). */
export const lockRows = (mode: RowLock): SqlFragment => sql`${part((dialect) => dialect.lock(mode))}`

/** `column` starts with `value`. */
export const startsWith = (column: string, value: string): SqlFragment =>
  sql`${part((dialect, param) => dialect.startsWith(column, value, param))}`

/** The insertion-order column of `table` in an INSERT's column list (`, seq` where the store numbers rows itself). */
export const orderColumn = (table: 'jobs' | 'import_sessions'): SqlFragment =>
  sql`${part((dialect) => (dialect.insertionOrder(table) ? `, ${dialect.insertionOrder(table)!.column}` : ''))}`

/** The insertion-order value matching {@link orderColumn}. */
export const orderValue = (table: 'jobs' | 'import_sessions'): SqlFragment =>
  sql`${part((dialect) => (dialect.insertionOrder(table) ? `, ${dialect.insertionOrder(table)!.value}` : ''))}`

/** `WHERE a AND b …`, or nothing when there are no conditions. */
export const whereAll = (conditions: readonly SqlFragment[]): SqlFragment =>
  conditions.length === 0 ? EMPTY : sql`WHERE ${join(conditions, ' AND ')}`

/** `column IN (…)` (false for no values: `IN ()` is not SQL everywhere). */
export const isIn = (column: string, values: readonly unknown[]): SqlFragment =>
  values.length === 0 ? sql`1 = 0` : sql`${raw(column)} IN (${join(values.map((value) => sql`${value}`), ', ')})`

/** The column values of `select` as one value (the dialect's `listOf`): read it with {@link listValue}. */
export const listOf = (select: string): SqlFragment => sql`${part((dialect) => dialect.listOf(select))}`

/** The strings of a {@link listOf} column as the driver returns it. */
export function listValue(value: string[] | string): string[] {
  return typeof value === 'string' ? (JSON.parse(value) as string[]) : value
}

/**
 * `column` starts with `prefix`: a range the index can scan (from the prefix to the least string above
 * every string starting with it), then the exact test.
 */
export function prefixConditions(column: string, prefix: string): SqlFragment[] {
  const upper = prefixUpperBound(prefix)
  return [sql`${raw(column)} >= ${prefix}`, ...(upper === undefined ? [] : [sql`${raw(column)} < ${upper}`]), startsWith(column, prefix)]
}
