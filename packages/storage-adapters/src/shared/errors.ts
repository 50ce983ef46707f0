import { InventoryError } from '@shuttersense/inventory-core'

// The one mapping from database failures to InventoryError codes, for both stores: each dialect says
// what its driver's error means (a DbFailure), and this file alone decides which code that is.

/**
 * A database failure in the stores' own terms, whichever driver reported it: `code` is the driver's
 * (a SQLSTATE, a `SQLITE_…` code), `detail` what the database said.
 */
export type DbFailure = { code: string; detail: string } & (
  /** A unique or primary-key index refused a row; `table` when the driver names it. */
  | { kind: 'duplicate'; table: string | undefined }
  /** A value the column cannot hold (a NUL character in text, a size that is not a whole number). */
  | { kind: 'invalid-value' }
  /** The server could not be reached, refused the session or dropped the connection. */
  | { kind: 'unreachable' }
  /** Anything else the database reported (a lock timeout, a full disk, a broken schema). */
  | { kind: 'other' }
)

/** Which database a message names: `PostgreSQL`, with `at` its address (no password); `connecting`: while opening a connection. */
export interface FailureContext {
  database: 'SQLite' | 'PostgreSQL'
  at?: string | undefined
  connecting?: boolean | undefined
}

/** Describes errors of one driver (a dialect's `describeFailure`). */
export type DescribeFailure = (error: unknown) => DbFailure | undefined

/**
 * The error a store call throws for `error`: an InventoryError as is; a driver failure as
 * `INVALID_ARGUMENT` (a value the database cannot hold) or `STORE_ERROR` (anything else, a duplicate
 * row the caller did not expect included), keeping the driver's error as `cause`; any other error as is.
 */
export function toStoreError(error: unknown, describe: DescribeFailure, context: FailureContext): unknown {
  if (error instanceof InventoryError) return error
  const failure = describe(error)
  if (failure === undefined) return error
  const { database } = context
  switch (failure.kind) {
    case 'invalid-value':
      return new InventoryError('INVALID_ARGUMENT', `${database} rejected a value: ${failure.detail}`, { cause: error })
    case 'unreachable': {
      const what = context.connecting ? 'cannot connect to' : 'lost the connection to'
      return new InventoryError('STORE_ERROR', `${what} ${database}${context.at ? ` at ${context.at}` : ''}: ${failure.detail}`, { cause: error })
    }
    default:
      return new InventoryError('STORE_ERROR', `${database} error ${failure.code}: ${failure.detail}`, { cause: error })
  }
}

/**
 * The duplicate-row failure behind `error` (a driver error, or a store error caused by one), if a unique
 * index of one of `tables` refused a row.
 */
export function duplicateIn(error: unknown, describe: DescribeFailure, tables: readonly string[]): (DbFailure & { kind: 'duplicate' }) | undefined {
  const driverError = error instanceof InventoryError ? error.cause : error
  const failure = describe(driverError)
  if (failure?.kind !== 'duplicate') return undefined
  // A driver that does not name the table (none of ours today) is taken at its word.
  return failure.table === undefined || tables.includes(failure.table) ? failure : undefined
}

/**
 * Both stores' answer to FileInfo that names one key twice: the caller's input is wrong (INVALID_ARGUMENT),
 * whichever database noticed it and however it says so.
 */
export function duplicateFileInfoKey(detail: string, cause: unknown): InventoryError {
  return new InventoryError('INVALID_ARGUMENT', `a key appears twice in the FileInfo: ${detail}`, { cause })
}

/** A collection whose folder (or name) is taken: CONFLICT. */
export function duplicateCollection(cause: unknown): InventoryError {
  return new InventoryError('CONFLICT', 'a collection already exists for one of these folders', { cause })
}

/** FileInfo naming one key twice (on the FileInfo table or its staging table) as INVALID_ARGUMENT; other errors as they are. */
export function fileInfoWriteError(error: unknown, describe: DescribeFailure): unknown {
  const duplicate = duplicateIn(error, describe, ['file_info', 'file_info_staging'])
  if (!duplicate) return error
  return duplicateFileInfoKey(duplicate.detail, error instanceof InventoryError ? error.cause : error)
}
