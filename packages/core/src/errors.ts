/**
 * Every failure the inventory packages raise on purpose carries one of these codes. Codes are stable:
 * callers (the CLI's exit code, the server's HTTP status) switch on them, never on message text.
 *
 * - `MANIFEST_NOT_FOUND`: no timestamp folder with a `manifest.json` under the inventory prefix.
 * - `MANIFEST_INVALID`: `manifest.json` is not JSON or does not match the S3 Inventory manifest shape.
 * - `CHECKSUM_MISMATCH`: `manifest.checksum` or a data file's `MD5checksum` does not match the bytes read.
 * - `SCHEMA_UNSUPPORTED`: the manifest's `fileSchema` lacks a field an import needs (Key, Size, LastModifiedDate).
 * - `FORMAT_UNSUPPORTED`: a `fileFormat` this build cannot read.
 * - `DATA_FILE_MISSING`: a data file the manifest lists is not in the destination.
 * - `DATA_FILE_CORRUPT`: a data file is truncated or is not valid gzip.
 * - `SOURCE_ERROR`: the object source failed for another reason (network, permissions, server).
 * - `ACCESS_DENIED`: the source refused access (HTTP 403).
 * - `IMPORT_IN_PROGRESS`: another import of the same connector is queued or running.
 * - `NOT_FOUND`: a connector, collection, import session or job does not exist.
 * - `CONFLICT`: the request clashes with stored state (a duplicate collection path, a job in the wrong state).
 * - `INVALID_ARGUMENT`: a caller passed a value the function cannot accept.
 * - `NOT_CONFIGURED`: the connector has no inventory location yet, so there is nothing to import or test.
 * - `ABORTED`: the caller's `AbortSignal` fired.
 * - `STORE_ERROR`: the store failed for a reason of its own (database down, migration failed).
 */
export type InventoryErrorCode =
  | 'MANIFEST_NOT_FOUND'
  | 'MANIFEST_INVALID'
  | 'CHECKSUM_MISMATCH'
  | 'SCHEMA_UNSUPPORTED'
  | 'FORMAT_UNSUPPORTED'
  | 'DATA_FILE_MISSING'
  | 'DATA_FILE_CORRUPT'
  | 'SOURCE_ERROR'
  | 'ACCESS_DENIED'
  | 'IMPORT_IN_PROGRESS'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_ARGUMENT'
  | 'NOT_CONFIGURED'
  | 'ABORTED'
  | 'STORE_ERROR'

/** Context attached to an {@link InventoryError}: which object, where in it. */
export interface InventoryErrorContext {
  /** The object key or path the error is about (a manifest, a data file). */
  file?: string
  /** Byte offset in `file` where the problem was noticed, when known. */
  byteOffset?: number
  /** The underlying error. */
  cause?: unknown
}

/** The one error class of the inventory packages. Test and branch on {@link InventoryError.code}. */
export class InventoryError extends Error {
  override readonly name = 'InventoryError'
  readonly code: InventoryErrorCode
  readonly file: string | undefined
  readonly byteOffset: number | undefined

  constructor(code: InventoryErrorCode, message: string, context: InventoryErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause })
    this.code = code
    this.file = context.file
    this.byteOffset = context.byteOffset
  }
}

/** True when `error` is an {@link InventoryError}, optionally with the given code. */
export function isInventoryError(error: unknown, code?: InventoryErrorCode): error is InventoryError {
  return error instanceof InventoryError && (code === undefined || error.code === code)
}

/** Throws an `ABORTED` error when `signal` has fired; call between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new InventoryError('ABORTED', 'The operation was aborted.', { cause: signal.reason })
  }
}

/**
 * `error` as an {@link InventoryError}: itself when it is one; otherwise a new one with `code` and the
 * error's message, keeping the error as `cause`. For a `catch` that must report a code (a job's
 * failure, a worker's answer) whatever was thrown.
 */
export function coerceError(error: unknown, code: InventoryErrorCode = 'SOURCE_ERROR'): InventoryError {
  if (error instanceof InventoryError) return error
  return new InventoryError(code, (error as Error | null)?.message ?? String(error), { cause: error })
}
