/**
 * Glossary
 * - **Source bucket**: the bucket of photos that S3 Inventory describes.
 * - **Destination**: the bucket (and optional prefix) where S3 Inventory writes its reports.
 * - **Configuration**: one S3 Inventory configuration of the source bucket; its reports live under
 *   `<destination prefix>/<source bucket>/<configuration name>/`.
 * - **Timestamp folder**: `YYYY-MM-DDTHH-MMZ/`, one per report, holding `manifest.json` and `manifest.checksum`.
 * - **Manifest**: `manifest.json`, which names the format, the column order (`fileSchema`) and the data files.
 * - **Data file**: one gzip-compressed CSV (or ORC / Parquet) file of the report.
 * - **Record**: one current object of the source bucket, read from a data file.
 * - **Folder**: a key prefix ending in `/`; its figures count the objects directly in it and in its subtree.
 * - **Collection**: a ShutterSense collection bound to one folder of a connector's bucket.
 * - **FileInfo**: what ShutterSense caches per file of a collection.
 * - **Delta**: new, modified and deleted files of a collection between two imports.
 * - **Import session**: one run of the three-phase import of a connector, with its checkpoint.
 * - **Batch**: records travel in arrays, never one by one, so per-item overhead stays low.
 */

/** Where a connector's S3 Inventory reports are written. */
export interface InventoryLocation {
  /** Bucket the reports are written to (a bare name; an `arn:aws:s3:::` prefix is accepted). */
  destinationBucket: string
  /** Optional prefix inside the destination bucket, without leading or trailing `/`. */
  destinationPrefix?: string | undefined
  /** The bucket the inventory describes. */
  sourceBucket: string
  /** The S3 Inventory configuration name (its id). */
  configName: string
}

/** One file as ShutterSense caches it. `etag` is stored without quotes. */
export interface FileInfo {
  key: string
  size: number
  /** ISO 8601 UTC, e.g. `2024-05-06T22:44:22.000Z`. */
  lastModified: string
  etag: string
  storageClass: string
}

/** Where a collection's cached FileInfo came from. */
export type FileInfoSource = 'inventory' | 'api'

/** Figures of one folder of the source bucket. */
export interface FolderSummary {
  /** Folder path ending in `/`, e.g. `2021/Wedding/`. */
  path: string
  /** Objects in this folder and every folder below it. */
  objectCount: number
  /** Bytes in this folder and every folder below it. */
  totalSizeBytes: number
  /** Objects directly in this folder. */
  directObjectCount: number
  /** Bytes directly in this folder. */
  directSizeBytes: number
  /** Newest last-modified of any object in the subtree (ISO 8601), or `null` for an empty folder. */
  lastModified: string | null
}

/** How often a connector imports its inventory. `inventory` follows the report's own cadence. */
export type ImportSchedule = 'manual' | 'daily' | 'weekly' | 'inventory'

/** Reasons a data-file row is skipped. */
export type BadRowReason =
  | 'column_count'
  | 'malformed_csv'
  | 'missing_key'
  | 'invalid_key_encoding'
  | 'invalid_key'
  | 'invalid_size'
  | 'invalid_date'
  | 'record_too_long'

/** Counts of rows read from data files. */
export interface RowCounts {
  /** Rows read (every line of every data file). */
  rows: number
  /** Rows that became records (current objects). */
  records: number
  /** Versioned inventories: non-current versions skipped. */
  noncurrentVersions: number
  /** Versioned inventories: current delete markers skipped. */
  deleteMarkers: number
  /** Malformed rows skipped, by reason. */
  badRows: Partial<Record<BadRowReason, number>>
  /** Up to a few examples of bad rows, for the summary. */
  badRowSamples: BadRowSample[]
}

/** One skipped row, kept as an example so a user can see what was wrong. */
export interface BadRowSample {
  file: string
  /** 1-based line in the (decompressed) data file. */
  line: number
  reason: BadRowReason
}

/** Creates empty {@link RowCounts}. */
export function emptyRowCounts(): RowCounts {
  return { rows: 0, records: 0, noncurrentVersions: 0, deleteMarkers: 0, badRows: {}, badRowSamples: [] }
}

/** Adds `from` into `into` (samples: the first `maxSamples` by file and line). */
export function addRowCounts(into: RowCounts, from: RowCounts, maxSamples = 20): void {
  into.rows += from.rows
  into.records += from.records
  into.noncurrentVersions += from.noncurrentVersions
  into.deleteMarkers += from.deleteMarkers
  for (const [reason, count] of Object.entries(from.badRows) as [BadRowReason, number][]) {
    into.badRows[reason] = (into.badRows[reason] ?? 0) + count
  }
  if (from.badRowSamples.length === 0) return
  // The first samples by file and line, whatever order data files finish in: the same on every run.
  into.badRowSamples = [...into.badRowSamples, ...from.badRowSamples]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line))
    .slice(0, maxSamples)
}

/** Total of all bad-row reasons. */
export function countBadRows(counts: RowCounts): number {
  let total = 0
  for (const count of Object.values(counts.badRows)) total += count ?? 0
  return total
}
