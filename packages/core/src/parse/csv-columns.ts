import { InventoryError } from '../errors.js'

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
 * Names are matched without regard to case or spaces.
 * @throws InventoryError `SCHEMA_UNSUPPORTED` when Key, Size or LastModifiedDate is missing: without
 * them there is no FileInfo; the fix is to add those optional fields to the inventory configuration.
 */
export function csvColumnsFromSchema(fileSchema: string, file = 'manifest.json'): CsvColumns {
  const names = fileSchema.split(',').map((name) => name.trim().toLowerCase())
  const find = (name: string): number => names.indexOf(name.toLowerCase())
  const columns: CsvColumns = {
    count: names.length,
    key: find('Key'),
    size: find('Size'),
    lastModified: find('LastModifiedDate'),
    etag: find('ETag'),
    storageClass: find('StorageClass'),
    isLatest: find('IsLatest'),
    isDeleteMarker: find('IsDeleteMarker'),
  }
  const missing = (['key', 'size', 'lastModified'] as const).filter((field) => columns[field] < 0)
  if (missing.length > 0) {
    const awsNames = { key: 'Key', size: 'Size', lastModified: 'LastModifiedDate' }
    throw new InventoryError(
      'SCHEMA_UNSUPPORTED',
      `${file}: fileSchema lacks ${missing.map((field) => awsNames[field]).join(', ')}; ` +
        'add these fields to the S3 Inventory configuration',
      { file },
    )
  }
  return columns
}
