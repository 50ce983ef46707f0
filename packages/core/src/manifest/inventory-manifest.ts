// The manifest's types, written out as plain interfaces so that public types do not carry zod's; the
// zod schema that validates a manifest (manifest-schema.ts) is checked against them at compile time.

/** The formats S3 Inventory writes. */
export type InventoryFileFormat = 'CSV' | 'ORC' | 'Parquet'

/** One data file of a validated manifest. Unknown fields are kept as they were. */
export interface ManifestDataFile {
  /** Full key of the data file in the destination bucket, destination prefix included. */
  key: string
  /** Compressed size in bytes. */
  size: number
  /** MD5 of the data file's bytes, 32 hex digits. */
  MD5checksum: string
  [field: string]: unknown
}

/** A validated `manifest.json`. Unknown fields are kept (AWS adds fields over time). */
export interface InventoryManifest {
  sourceBucket: string
  /** The destination bucket, as AWS writes it (an ARN: see `bucketName`). */
  destinationBucket: string
  version: string
  /** Milliseconds since the epoch, as a string (see `manifestCreatedAt`). */
  creationTimestamp: string
  /** Normalised to `CSV`, `ORC` or `Parquet` whatever its case in the file. */
  fileFormat: InventoryFileFormat
  /** The fields of every record, in column order (CSV) or as a schema (Parquet, ORC). */
  fileSchema: string
  files: ManifestDataFile[]
  [field: string]: unknown
}
