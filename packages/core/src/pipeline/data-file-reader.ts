import { InventoryError } from '../errors.js'
import { gunzip } from '../io/gunzip.js'
import type { RandomAccessFile } from '../io/random-access-file.js'
import type { InventoryFileFormat, InventoryManifest, ManifestDataFile } from '../manifest/manifest-schema.js'
import { csvColumnsFromSchema } from '../parse/csv-columns.js'
import { type CsvEngine, type ReadCsvOptions, readCsvRecords } from '../parse/csv-records.js'
import { readCsvRollup } from '../parse/csv-rollup.js'
import type { FolderAccumulator } from '../folders.js'
import type { FileInfo, RowCounts } from '../types.js'
import type { SpillBytes } from './spill.js'

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
 * Reads one data file of a given format into batches of current objects. CSV, Parquet and ORC ship
 * here; other readers plug in through `RunImportOptions.readers` with the same contract.
 */
export interface DataFileReader {
  (context: DataFileReadContext): AsyncIterable<FileInfo[]>
  /**
   * Optional, the same reading faster: the reader adds every current object to the folder rollup itself
   * and yields as FileInfo only the objects a collection needs (the CSV reader does this straight from
   * the data file's bytes, with no string per object). Counts, folders and records are the same.
   */
  rollUp?: ((context: DataFileReadContext, sink: FolderRollupSink) => AsyncIterable<RolledUpBatch>) | undefined
  /**
   * True when the reader reads a data file through `openFile` (a copy staged for random access, as the
   * Parquet and ORC readers do): phase A then stages each lane's next file while the one before is
   * parsed. Unset, nothing is downloaded ahead of a file's turn, and a reader that streams `open()`
   * downloads each file once.
   */
  readsStagedCopy?: boolean | undefined
}

/** Where a {@link DataFileReader.rollUp} puts the objects it reads. */
export interface FolderRollupSink {
  /** The rollup to add every current object to; read again for each object (a worker hands a full one over and starts another). */
  readonly folders: FolderAccumulator
  /** True when a collection needs, as FileInfo, the objects of the folder at `slot` of `folders` (-1: the bucket root). */
  wants(slot: number): boolean
  /**
   * Optional: the spill lines a wanted object at `slot` is written to straight away, its collection
   * index and tab already there; the reader writes the record (as {@link EncodedSpillRecords} holds one,
   * newline included), then calls {@link endSpillLine}. The record is copied once, not once into
   * `encoded` and again into its bucket. Without these, a reader gives `encoded` records.
   */
  beginSpillLine?(slot: number): SpillBytes
  /** Ends the line {@link beginSpillLine} began (and copies it for the folder's other collections). */
  endSpillLine?(slot: number): void
}

/**
 * Objects a reader rolled up itself: `objects` current objects went into the rollup; `records` are those
 * a collection needs, `records[i]` in the folder at slot `slots[i]`.
 */
export interface RolledUpBatch {
  objects: number
  records: FileInfo[]
  slots: number[]
  /** More objects a collection needs, already as spill records (see {@link EncodedSpillRecords}), beside `records`. */
  encoded?: EncodedSpillRecords | undefined
}

/**
 * Records as a reader of raw bytes writes them for the spill, with no string or FileInfo per record:
 * record `i` is `bytes[ends[i - 1] ?? 0, ends[i])`, a spill line without its leading collection index
 * and tab (key, size, last-modified, ETag, storage class, newline; see spill.ts), in the folder at slot `slots[i]`.
 */
export interface EncodedSpillRecords {
  bytes: Uint8Array
  ends: number[]
  slots: number[]
}

/** What a reader of a forward stream needs: a {@link DataFileReadContext} without `openFile`. */
export type StreamReadContext = Omit<DataFileReadContext, 'openFile'>

const csvOptions = (context: StreamReadContext): ReadCsvOptions => ({
  columns: csvColumnsFromSchema(context.manifest.fileSchema),
  file: context.file.key,
  counts: context.counts,
  engine: context.csvEngine,
  rollupOnly: context.rollupOnly,
})

/**
 * The CSV reader: gunzip, then header-less CSV in `fileSchema` order, with the rollup form
 * (`rollUp`). It reads the stream only, so any {@link StreamReadContext} will do.
 */
export const readCsvDataFile = Object.assign(
  (context: StreamReadContext): AsyncIterable<FileInfo[]> => readCsvRecords(gunzip(context.open(), context.file.key), csvOptions(context)),
  {
    rollUp: (context: StreamReadContext, sink: FolderRollupSink): AsyncIterable<RolledUpBatch> =>
      readCsvRollup(gunzip(context.open(), context.file.key), csvOptions(context), sink),
  },
)

/** A reader with its rollup form (as the built-in readers all have). */
type ReaderWithRollUp = DataFileReader & { rollUp: NonNullable<DataFileReader['rollUp']> }

/**
 * A reader whose module is loaded when it first reads: Parquet's and ORC's readers bring their decoders
 * (hyparquet, its compressors, the ORC package), which a CSV import's start-up would otherwise load on
 * every thread for nothing.
 */
function loadedOnFirstRead(load: () => Promise<ReaderWithRollUp>): DataFileReader {
  let loading: Promise<ReaderWithRollUp> | undefined
  const reader = (): Promise<ReaderWithRollUp> => (loading ??= load())
  return Object.assign(
    async function* (context: DataFileReadContext): AsyncGenerator<FileInfo[]> {
      yield* (await reader())(context)
    },
    {
      async *rollUp(context: DataFileReadContext, sink: FolderRollupSink): AsyncGenerator<RolledUpBatch> {
        yield* (await reader()).rollUp(context, sink)
      },
      // Both readers loaded this way (Parquet, ORC) read a staged copy.
      readsStagedCopy: true,
    },
  )
}

/** The readers of this build, by format; `readers` passed to {@link dataFileReaderFor} take precedence. */
export const BUILT_IN_READERS: Partial<Record<InventoryFileFormat, DataFileReader>> = {
  CSV: readCsvDataFile,
  Parquet: loadedOnFirstRead(async () => (await import('../formats/parquet-reader.js')).readParquetData as ReaderWithRollUp),
  ORC: loadedOnFirstRead(async () => (await import('../formats/orc-reader.js')).readOrcData as ReaderWithRollUp),
}

/** Picks the reader for a manifest's format. */
export function dataFileReaderFor(
  format: InventoryFileFormat,
  readers: Partial<Record<InventoryFileFormat, DataFileReader>> = {},
): DataFileReader {
  const reader = readers[format] ?? BUILT_IN_READERS[format]
  if (!reader) {
    throw new InventoryError('FORMAT_UNSUPPORTED', `${format} inventories are not supported yet; configure the inventory as CSV, ORC or Parquet`)
  }
  return reader
}
