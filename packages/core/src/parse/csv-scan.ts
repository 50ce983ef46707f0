// The CSV scanners behind readCsvRecords and the rollup reader: they find each row's fields and hand them
// to a sink, which decides what a row becomes.
import { isUtf8 } from 'node:buffer'
import { parse as parseCsvSync } from 'csv-parse/sync'
import { parse as parseCsvStream } from 'csv-parse'
import { readWhileFeeding } from '../io/feed-stream.js'
import type { BadRowReason, FileInfo } from '../types.js'
import type { CsvColumns } from './csv-columns.js'
import type { ReadCsvOptions } from './csv-records.js'
import { decodeInventoryKey, type RowOutcome, rowOutcome } from './record-fields.js'

/**
 * Default longest record: far above any row AWS writes (a key is at most 1,024 bytes, 3,072 encoded;
 * every optional field together adds a few hundred), far below what would strain memory.
 */
export const MAX_RECORD_BYTES = 64 * 1024

const QUOTE = 34
const COMMA = 44
const LF = 10
const CR = 13

/** Node's Buffer has these fast slicers; they are not in its public typings. */
export type SliceableBuffer = Buffer & {
  latin1Slice(start: number, end: number): string
  utf8Slice(start: number, end: number): string
}

export function asBuffer(chunk: Uint8Array): SliceableBuffer {
  return (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)) as SliceableBuffer
}

/**
 * What the scanners hand each row to; it builds batches of some kind from them ({@link readCsvRecords}:
 * FileInfo; the rollup reader: rolled-up objects). It counts what it skips in `options.counts`.
 */
export abstract class CsvRowSink<Batch> {
  line = 0
  private samples = 0

  constructor(protected readonly options: ReadCsvOptions) {}

  /** A row of AWS's always-quoted form with `columns.count` fields: field `i` is `buf[starts[i], ends[i])`. */
  abstract acceptQuoted(buf: SliceableBuffer, starts: Int32Array, ends: Int32Array): void
  /** A row given as already-split fields with `columns.count` fields (the csv-parse paths). */
  protected abstract acceptSplit(fields: readonly string[]): void
  /** Rows taken since the last {@link take}: a batch is due. */
  abstract get pending(): number
  /** The batch so far; the sink starts a new one. */
  abstract take(): Batch

  /** Handles a row given as already-split fields (the csv-parse paths). */
  acceptFields(fields: readonly string[]): void {
    if (fields.length !== this.options.columns.count) this.bad('column_count')
    else this.acceptSplit(fields)
  }

  /** Counts a row that is no object: a noncurrent version, a delete marker or a bad row. */
  skip(outcome: Exclude<RowOutcome, FileInfo>): void {
    const counts = this.options.counts
    if (outcome === 'noncurrent') {
      counts.rows++
      counts.noncurrentVersions++
    } else if (outcome === 'delete_marker') {
      counts.rows++
      counts.deleteMarkers++
    } else {
      this.bad(outcome)
    }
  }

  bad(reason: BadRowReason, countRow = true, line = this.line): void {
    const counts = this.options.counts
    if (countRow) counts.rows++
    counts.badRows[reason] = (counts.badRows[reason] ?? 0) + 1
    if (this.samples < (this.options.maxBadRowSamples ?? 5)) {
      this.samples++
      counts.badRowSamples.push({ file: this.options.file, line, reason })
    }
  }
}

/** Fields of a row as text, as {@link rowOutcome} takes them (`rollupOnly`: no ETag, no storage class). */
export function quotedRowOutcome(buf: SliceableBuffer, starts: Int32Array, ends: Int32Array, columns: CsvColumns, rollupOnly: boolean): RowOutcome {
  const text = (index: number): string => (index < 0 || rollupOnly ? '' : buf.utf8Slice(starts[index]!, ends[index]!))
  return rowOutcome(
    decodeKeyBytes(buf, starts[columns.key]!, ends[columns.key]!),
    sizeOf(buf, starts[columns.size]!, ends[columns.size]!),
    buf.latin1Slice(starts[columns.lastModified]!, ends[columns.lastModified]!),
    text(columns.etag),
    text(columns.storageClass),
    columns.isLatest < 0 ? undefined : buf.latin1Slice(starts[columns.isLatest]!, ends[columns.isLatest]!),
    columns.isDeleteMarker < 0 ? undefined : buf.latin1Slice(starts[columns.isDeleteMarker]!, ends[columns.isDeleteMarker]!),
  )
}

/** Fields of a split row as {@link rowOutcome} takes them. */
export function splitRowOutcome(fields: readonly string[], columns: CsvColumns): RowOutcome {
  return rowOutcome(
    decodeInventoryKey(fields[columns.key] ?? ''),
    fields[columns.size] ?? '',
    fields[columns.lastModified] ?? '',
    columns.etag < 0 ? '' : (fields[columns.etag] ?? ''),
    columns.storageClass < 0 ? '' : (fields[columns.storageClass] ?? ''),
    columns.isLatest < 0 ? undefined : fields[columns.isLatest],
    columns.isDeleteMarker < 0 ? undefined : fields[columns.isDeleteMarker],
  )
}

/** One row that the byte scanner could not take: parse it on its own with csv-parse. */
function parseLineWithCsvParse<Batch>(line: string, sink: CsvRowSink<Batch>): void {
  let rows: string[][]
  try {
    rows = parseCsvSync(line, { relax_column_count: true }) as string[][]
  } catch {
    sink.bad('malformed_csv')
    return
  }
  if (rows.length !== 1 || !rows[0]) {
    sink.bad('malformed_csv')
    return
  }
  sink.acceptFields(rows[0])
}

let keyScratch = Buffer.allocUnsafe(4096) as SliceableBuffer

/** A size field's digits as a number, or -1 as {@link parseSize} gives (empty, not digits, over 16 digits). */
export function sizeOf(buf: Uint8Array, start: number, end: number): number {
  if (end === start || end - start > 16) return -1
  let value = 0
  for (let i = start; i < end; i++) {
    const digit = buf[i]! - 48
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

export function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1
  if (byte >= 48 && byte <= 57) return byte - 48
  const lower = byte | 0x20
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}

/**
 * Decodes a form-URL-encoded key straight from the data file's bytes into one string, with no
 * intermediate strings. Escaped bytes that are not valid UTF-8 make the key invalid, as with
 * `decodeURIComponent`.
 */
export function decodeKeyBytes(buf: SliceableBuffer, start: number, end: number): string | undefined {
  let escaped = false
  let highBit = false
  for (let i = start; i < end; i++) {
    const byte = buf[i]!
    if (byte === 37 || byte === 43) escaped = true
    else if (byte >= 0x80) highBit = true
  }
  if (!escaped) return highBit ? buf.utf8Slice(start, end) : buf.latin1Slice(start, end)
  // Raw non-ASCII bytes beside escapes: not what AWS writes; take the string path.
  if (highBit) return decodeInventoryKey(buf.utf8Slice(start, end))
  if (keyScratch.length < end - start) keyScratch = Buffer.allocUnsafe(end - start) as SliceableBuffer
  let length = 0
  for (let i = start; i < end; i++) {
    let byte = buf[i]!
    if (byte === 43) {
      byte = 32
    } else if (byte === 37) {
      const high = hexValue(buf[i + 1])
      const low = i + 2 < end ? hexValue(buf[i + 2]) : -1
      if (high < 0 || low < 0) return undefined
      byte = high * 16 + low
      if (byte >= 0x80) highBit = true
      i += 2
    }
    keyScratch[length++] = byte
  }
  if (!highBit) return keyScratch.latin1Slice(0, length)
  // Escaped bytes of multi-byte characters: they must form valid UTF-8, as decodeURIComponent requires.
  return isUtf8(keyScratch.subarray(0, length)) ? keyScratch.utf8Slice(0, length) : undefined
}

/**
 * The `fast` engine: scans the bytes for AWS's always-quoted rows (each field's offsets, no string) and
 * hands any other row to csv-parse. Yields the sink's batch after each chunk that gave rows.
 */
export async function* scanCsv<Batch>(chunks: AsyncIterable<Uint8Array>, options: ReadCsvOptions, sink: CsvRowSink<Batch>): AsyncGenerator<Batch> {
  const columns = options.columns
  const maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES
  // Start and end offsets of every field of the current row.
  const starts = new Int32Array(columns.count)
  const ends = new Int32Array(columns.count)
  let carry: Buffer | undefined

  const scan = (buf: SliceableBuffer, final: boolean): number => {
    const length = buf.length
    let pos = 0
    while (pos < length) {
      const lineStart = pos
      // Find this line's end first: a partial last line waits for the next chunk.
      const lineEnd = buf.indexOf(LF, pos)
      if (lineEnd < 0 && !final) return lineStart
      const end = lineEnd < 0 ? length : lineEnd
      const contentEnd = end > lineStart && buf[end - 1] === CR ? end - 1 : end
      pos = end + 1
      sink.line++
      if (contentEnd === lineStart) continue // blank line (e.g. a trailing newline)
      if (contentEnd - lineStart > maxRecordBytes) {
        sink.bad('record_too_long')
        continue
      }

      let field = 0
      let ok = buf[lineStart] === QUOTE
      let p = lineStart + 1
      while (ok) {
        // A field runs to the next quote, which must close it: `","` or the end of the line. Fields are
        // short (most are empty): a loop here is cheaper than a call to indexOf per field.
        let close = p
        while (close < contentEnd && buf[close] !== QUOTE) close++
        if (close >= contentEnd || field >= columns.count) {
          ok = false
          break
        }
        starts[field] = p
        ends[field] = close
        field++
        if (close === contentEnd - 1) break
        if (buf[close + 1] !== COMMA || buf[close + 2] !== QUOTE) {
          ok = false
          break
        }
        p = close + 3
      }
      if (!ok) {
        parseLineWithCsvParse(buf.utf8Slice(lineStart, contentEnd), sink)
        continue
      }
      if (field !== columns.count) {
        sink.bad('column_count')
        continue
      }
      sink.acceptQuoted(buf, starts, ends)
    }
    return length
  }

  // True while the rest of a record longer than `maxRecordBytes` is skipped (up to its newline).
  let skipping = false
  for await (const chunk of chunks) {
    let incoming = asBuffer(chunk)
    if (skipping) {
      const newline = incoming.indexOf(LF)
      if (newline < 0) continue
      skipping = false
      incoming = incoming.subarray(newline + 1) as SliceableBuffer
    }
    if (carry) {
      // Complete the carried partial line with this chunk's head and scan that line alone, then the
      // rest of the chunk where it is: joining the whole chunk to the carry would copy every byte.
      const newline = incoming.indexOf(LF)
      if (newline >= 0) {
        scan(Buffer.concat([carry, incoming.subarray(0, newline + 1)]) as SliceableBuffer, false)
        incoming = incoming.subarray(newline + 1) as SliceableBuffer
        carry = undefined
      }
    }
    const buf = (carry ? Buffer.concat([carry, incoming]) : incoming) as SliceableBuffer
    const consumed = scan(buf, false)
    if (buf.length - consumed > maxRecordBytes) {
      // A partial line already too long: count it now and never hold more of it.
      sink.line++
      sink.bad('record_too_long')
      skipping = true
      carry = undefined
    } else {
      // Copy the partial line: the chunk's memory may be reused by the producer.
      carry = consumed < buf.length ? Buffer.from(buf.subarray(consumed)) : undefined
    }
    if (sink.pending > 0) yield sink.take()
  }
  if (carry) scan(carry as SliceableBuffer, true)
  if (sink.pending > 0) yield sink.take()
}

/** The `csv-parse` engine: every row through csv-parse (quoted newlines too). */
export async function* parseCsv<Batch>(chunks: AsyncIterable<Uint8Array>, options: ReadCsvOptions, sink: CsvRowSink<Batch>): AsyncGenerator<Batch> {
  // `info` gives each record the line it ended on: `parser.info` itself runs ahead of the consumer.
  const parser = parseCsvStream({
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
  })
  // With skip_records_with_error, csv-parse reports each row it cannot split and goes on with the next.
  parser.on('skip', () => {
    sink.line = parser.info.lines
    sink.bad('malformed_csv')
  })
  const records = readWhileFeeding<Uint8Array, { record: string[]; info: CsvInfo }>(
    parser,
    limitRecordSize(chunks, options.maxRecordBytes ?? MAX_RECORD_BYTES, (line) => sink.bad('record_too_long', true, line)),
  )
  for await (const { record, info } of records) {
    sink.line = info.lines
    sink.acceptFields(record)
    if (sink.pending >= 1000) yield sink.take()
  }
  if (sink.pending > 0) yield sink.take()
}

/** What csv-parse's `info` option attaches to each record (the part read here). */
interface CsvInfo {
  lines: number
}

const NEWLINES = Buffer.alloc(1024, LF)

/** `count` newlines (a dropped record's own, so csv-parse's line numbers stay true). */
function newlines(count: number): Buffer[] {
  const out: Buffer[] = []
  for (let left = count; left > 0; left -= NEWLINES.length) out.push(NEWLINES.subarray(0, Math.min(left, NEWLINES.length)))
  return out
}

/**
 * Passes CSV bytes on without any record longer than `maxBytes`: such a record (quoted newlines
 * included, so quotes are tracked) is replaced by its newlines alone, which csv-parse skips as empty
 * lines, and reported with the line it starts on. csv-parse's own `max_record_size` cannot do this: with
 * `skip_records_with_error` it stops parsing the rest of its buffer. Holds at most one record's bytes.
 */
async function* limitRecordSize(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
  onTooLong: (line: number) => void,
): AsyncGenerator<Uint8Array> {
  let quoted = false
  let skipping = false
  /** Bytes and quoted newlines of the current record so far, the line it started on, newlines seen. */
  let recordBytes = 0
  let recordNewlines = 0
  let recordLine = 1
  let line = 0
  /** Copies of the current record's bytes from earlier chunks (while it is not skipped). */
  let pending: Buffer[] = []
  for await (const chunk of chunks) {
    const buf = asBuffer(chunk)
    const out: Buffer[] = []
    let emitFrom = 0
    let recordStart = 0
    for (let i = 0; i < buf.length; i++) {
      const byte = buf[i]!
      if (!quoted && (byte === LF || byte === CR)) {
        if (skipping) {
          skipping = false
          onTooLong(recordLine)
          out.push(...newlines(recordNewlines))
          emitFrom = i
        } else if (pending.length > 0) {
          out.push(...pending)
          pending = []
        }
        recordBytes = 0
        recordNewlines = 0
        recordStart = i + 1
        if (byte === LF) recordLine = ++line + 1
        continue
      }
      if (byte === QUOTE) quoted = !quoted
      else if (byte === LF) {
        line++
        recordNewlines++
      }
      if (skipping || ++recordBytes <= maxBytes) continue
      out.push(buf.subarray(emitFrom, recordStart))
      pending = []
      skipping = true
    }
    if (!skipping) {
      out.push(buf.subarray(emitFrom, recordStart))
      if (recordStart < buf.length) pending.push(Buffer.from(buf.subarray(recordStart)))
    }
    const bytes = out.length === 1 ? out[0]! : Buffer.concat(out)
    if (bytes.length > 0) yield bytes
  }
  if (skipping) onTooLong(recordLine)
  else if (pending.length > 0) yield Buffer.concat(pending)
}
