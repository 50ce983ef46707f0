import { InventoryError } from '@shuttersense/inventory-core'

/**
 * Both stores' answer to FileInfo that names one key twice: the caller's input is wrong (INVALID_ARGUMENT),
 * whichever database noticed it and however it says so.
 */
export function duplicateFileInfoKey(detail: string, cause: unknown): InventoryError {
  return new InventoryError('INVALID_ARGUMENT', `a key appears twice in the FileInfo: ${detail}`, { cause })
}

/** A SQLite primary-key or unique violation on a FileInfo table. */
export function isSqliteDuplicateFileInfo(error: unknown): error is Error {
  const code = (error as { code?: string } | null)?.code
  return (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') && /\bfile_info\./.test((error as Error).message)
}
