import type { DirectFolderFigures } from '../folders.js'
import type { InventoryFileFormat, InventoryManifest, ManifestDataFile } from '../manifest/manifest-schema.js'
import type { CsvEngine } from '../parse/csv-records.js'
import type { RowCounts } from '../types.js'

/** One data file for a {@link DataFileParser}. */
export interface DataFileParseJob {
  manifest: InventoryManifest
  file: ManifestDataFile
  /** The file's compressed bytes (CSV), already being checked against `MD5checksum` by the caller unless `md5` is given. */
  chunks: AsyncIterable<Uint8Array>
  /**
   * Given only to a parser that {@link DataFileParser.checksMd5}: the MD5 `chunks` must have, which the
   * parser checks as it reads them (a mismatch fails the parse with `CHECKSUM_MISMATCH`).
   */
  md5?: string | undefined
  /**
   * Formats read with random access (Parquet, ORC): the local path of the file, staged and checked
   * against `MD5checksum` by the caller, who deletes it once the parse is done; `chunks` is then not read.
   */
  stagedPath?: string | undefined
  /** Folder paths of the collections, in the pipeline's order (spill lines carry indices into it). */
  collectionFolders: readonly string[]
  bucketCount: number
  csvEngine?: CsvEngine | undefined
  /** Receives spill lines of a bucket (as `encodeSpillLine` writes them), as text or as their UTF-8 bytes. */
  spill(bucket: number, lines: string | Uint8Array): void
  /**
   * A directory (the scratch's) where the parser may write spill files itself, in a directory of its own
   * inside it, handing each over with `adoptSpill` instead of sending its text to `spill`: the calling
   * thread then never touches the records.
   */
  spillDirectory?: string | undefined
  adoptSpill?(bucket: number, path: string): void
  /** Receives the folder rollup in parts, as it grows: merge each with `FolderAccumulator.mergeDirect`. */
  rollup(part: DirectFolderFigures): void
  /** Stops the parse: it rejects with `ABORTED` (phase A fires it when another data file failed). */
  signal?: AbortSignal | undefined
}

/** What parsing one data file produced beside its spills and rollup. */
export interface DataFileParseResult {
  counts: RowCounts
}

/**
 * Parses (CSV: gunzips first), rolls up and routes one data file somewhere other than the calling thread (worker
 * threads, see `createWorkerParser` in `/node`), so data files are parsed on every core. Phase A uses it
 * when given one; without, it parses in-thread. The results are the same either way.
 */
export interface DataFileParser {
  /**
   * Formats it parses; formats other than CSV it takes as a staged local file (`stagedPath`).
   * @default ['CSV']
   */
  readonly formats?: readonly InventoryFileFormat[]
  /** Data files it parses at once (one per thread): phase A gives it that many of its lanes and parses the rest itself. */
  readonly concurrency: number
  /** True when it checks a CSV data file's MD5 itself (job `md5`), on its threads rather than the caller's. */
  readonly checksMd5?: boolean
  parse(job: DataFileParseJob): Promise<DataFileParseResult>
  /**
   * Optional: starts its threads now, idle until a parse takes them, so their start-up overlaps with
   * what the caller does first (the import calls it before it looks for the report); `release` stops
   * them again.
   */
  prepare?(): void
  /**
   * Stops the threads that are idle, giving back their memory; a later `parse` starts new ones. Phase A
   * calls it when its last data file is parsed, before folders are stored and phases B and C run.
   */
  release?(): Promise<void>
  /** Stops its threads. */
  close(): Promise<void>
}
