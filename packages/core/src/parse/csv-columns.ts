import { type InventoryField, parseFileSchema, requireImportFields } from './file-schema.js'

/** Column positions of the fields an import reads from a header-less CSV data file. */
export interface CsvColumns {
  /** Number of columns every row must have. */
  count: number
  key: number
  size: number
  lastModified: number
  /** -1 when the inventory does not include the field. */
  etag: number
  storageClass: number
  isLatest: number
  isDeleteMarker: number
}

/**
 * Reads a CSV manifest's `fileSchema` ("Bucket, Key, Size, ...") into column positions.
 * Names are matched without regard to case, spaces or underscores ({@link parseFileSchema}).
 * @throws InventoryError `SCHEMA_UNSUPPORTED` when Key, Size or LastModifiedDate is missing: without
 * them there is no FileInfo; the fix is to add those optional fields to the inventory configuration.
 */
export function csvColumnsFromSchema(fileSchema: string, file = 'manifest.json'): CsvColumns {
  const fields = parseFileSchema('CSV', fileSchema, file).map((column) => column.field)
  requireImportFields(fields, 'CSV', file)
  const find = (field: InventoryField): number => fields.indexOf(field)
  return {
    count: fields.length,
    key: find('key'),
    size: find('size'),
    lastModified: find('lastModifiedDate'),
    etag: find('eTag'),
    storageClass: find('storageClass'),
    isLatest: find('isLatest'),
    isDeleteMarker: find('isDeleteMarker'),
  }
}
