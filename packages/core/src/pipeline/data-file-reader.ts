import { InventoryError } from '../errors.js'
import { readParquetData } from '../formats/parquet-reader.js'
import { gunzip } from '../io/gunzip.js'
import type { RandomAccessFile } from '../io/random-access-file.js'
import type { InventoryFileFormat, InventoryManifest, ManifestDataFile } from '../manifest/manifest-schema.js'
import { csvColumnsFromSchema } from '../parse/csv-columns.js'
import { type CsvEngine, readCsvRecords } from '../parse/csv-records.js'
import type { FileInfo, RowCounts } from '../types.js'

/** What a format reader gets for one data file. */
export interface DataFileReadContext {
  manifest: InventoryManifest
  file: ManifestDataFile
  /** The data file's bytes as stored (compressed), checked against `MD5checksum` as they stream. */
  open(): AsyncIterable<Uint8Array>
  /**
   * The data file staged for random access (Parquet, ORC: their footer is at the end): streamed to
   * local scratch while its MD5 is checked, exactly as `open()` checks it (a mismatch rejects with
   * `CHECKSUM_MISMATCH` before any byte is handed out). The copy is deleted when the file is closed,
   * and when the data file's reading ends at the latest.
   */
  openFile(): Promise<RandomAccessFile>
  /** Counters to update per row. */
  counts: RowCounts
  csvEngine?: CsvEngine | undefined
  /**
   * A hint: no collection needs this file's records, only the folder rollup (key, size, last-modified);
   * a reader may leave ETag and storage class empty.
   */
  rollupOnly?: boolean | undefined
}

/**
 * Reads one data file of a given format into batches of current objects. CSV ships here; Parquet and
 * ORC readers plug in through `RunImportOptions.readers` with the same contract.
 */
export type DataFileReader = (context: DataFileReadContext) => AsyncIterable<FileInfo[]>

/** What a reader of a forward stream needs: a {@link DataFileReadContext} without `openFile`. */
export type StreamReadContext = Omit<DataFileReadContext, 'openFile'>

/** The CSV reader: gunzip, then header-less CSV in `fileSchema` order. It reads the stream only, so any {@link StreamReadContext} will do. */
export const readCsvDataFile = (context: StreamReadContext): AsyncIterable<FileInfo[]> =>
  readCsvRecords(gunzip(context.open(), context.file.key), {
    columns: csvColumnsFromSchema(context.manifest.fileSchema),
    file: context.file.key,
    counts: context.counts,
    engine: context.csvEngine,
    rollupOnly: context.rollupOnly,
  })

/** The readers of this build, by format; `readers` passed to {@link dataFileReaderFor} take precedence. */
export const BUILT_IN_READERS: Partial<Record<InventoryFileFormat, DataFileReader>> = {
  CSV: readCsvDataFile,
  Parquet: readParquetData,
}

/** Picks the reader for a manifest's format. */
export function dataFileReaderFor(
  format: InventoryFileFormat,
  readers: Partial<Record<InventoryFileFormat, DataFileReader>> = {},
): DataFileReader {
  const reader = readers[format] ?? BUILT_IN_READERS[format]
  if (!reader) {
    throw new InventoryError('FORMAT_UNSUPPORTED', `${format} inventories are not supported yet; configure the inventory as CSV or Parquet`)
  }
  return reader
}
