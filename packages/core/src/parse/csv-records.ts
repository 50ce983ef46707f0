import type { FileInfo, RowCounts } from '../types.js'
import type { CsvColumns } from './csv-columns.js'
import { CsvRowSink, type SliceableBuffer, parseCsv, quotedRowOutcome, scanCsv, splitRowOutcome } from './csv-scan.js'
import type { RowOutcome } from './record-fields.js'

export { MAX_RECORD_BYTES, decodeKeyBytes } from './csv-scan.js'

/**
 * `fast` scans bytes for AWS's always-quoted rows and hands any other row to csv-parse;
 * `csv-parse` streams everything through csv-parse (slower; also accepts quoted newlines).
 * Both give the same records for every row AWS writes.
 */
export type CsvEngine = 'fast' | 'csv-parse'

/** Options of {@link readCsvRecords}. */
export interface ReadCsvOptions {
  columns: CsvColumns
  /** Data file name, for bad-row samples. */
  file: string
  /** Counters updated as rows are read. */
  counts: RowCounts
  /** @default 'fast' */
  engine?: CsvEngine | undefined
  /** Bad-row examples kept per file. @default 5 */
  maxBadRowSamples?: number | undefined
  /**
   * Longest record read, in bytes: a longer one is a bad row `record_too_long`, skipped without being
   * held, so a file without newlines costs bounded memory and linear time.
   * @default {@link MAX_RECORD_BYTES}
   */
  maxRecordBytes?: number | undefined
  /**
   * Only key, size and last-modified are needed (a folder rollup with no collection to fill): ETag and
   * storage class come back empty, which saves two strings per record. @default false
   */
  rollupOnly?: boolean | undefined
}

/**
 * Reads decompressed CSV bytes (no header, columns in `fileSchema` order) as batches of current objects.
 * Malformed rows are skipped and counted in `options.counts.badRows` by reason; they never throw.
 */
export function readCsvRecords(chunks: AsyncIterable<Uint8Array>, options: ReadCsvOptions): AsyncGenerator<FileInfo[]> {
  const sink = new RecordSink(options)
  return options.engine === 'csv-parse' ? parseCsv(chunks, options, sink) : scanCsv(chunks, options, sink)
}

/** Turns each row into its outcome and batches the current objects. */
class RecordSink extends CsvRowSink<FileInfo[]> {
  private batch: FileInfo[] = []

  get pending(): number {
    return this.batch.length
  }

  acceptQuoted(buf: SliceableBuffer, starts: Int32Array, ends: Int32Array): void {
    this.accept(quotedRowOutcome(buf, starts, ends, this.options.columns, this.options.rollupOnly === true))
  }

  protected acceptSplit(fields: readonly string[]): void {
    this.accept(splitRowOutcome(fields, this.options.columns))
  }

  private accept(outcome: RowOutcome): void {
    if (typeof outcome !== 'object') {
      this.skip(outcome)
      return
    }
    const counts = this.options.counts
    counts.rows++
    counts.records++
    this.batch.push(outcome)
  }

  take(): FileInfo[] {
    const batch = this.batch
    this.batch = []
    return batch
  }
}
