import type { InventoryField } from '../parse/file-schema.js'

/** The fields a Parquet or ORC import reads; the others are never decoded. */
export const IMPORT_READ_FIELDS: readonly InventoryField[] = ['key', 'size', 'lastModifiedDate', 'eTag', 'storageClass', 'isLatest', 'isDeleteMarker']

/** The fields read when only the folder rollup is needed (no ETag, no storage class). */
export const ROLLUP_READ_FIELDS: readonly InventoryField[] = ['key', 'size', 'lastModifiedDate', 'isLatest', 'isDeleteMarker']

/** A text field's value: a string as it is, anything else (null) empty, as CSV gives an empty field. */
export function textOf(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** Whether a version flag (`is_latest`, `is_delete_marker`) read from a column is true: a boolean, or the text `true` (as the record path reads it; Parquet's byte strings are decoded first). */
export function isTrueFlag(value: unknown): boolean {
  return value === true || value === 'true'
}
