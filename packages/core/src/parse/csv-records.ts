import { isUtf8 } from 'node:buffer'
import { parse as parseCsvSync } from 'csv-parse/sync'
import { parse as parseCsvStream } from 'csv-parse'
import type { Writable } from 'node:stream'
import type { BadRowReason, FileInfo, RowCounts } from '../types.js'
import type { CsvColumns } from './csv-columns.js'
import { decodeInventoryKey, type RowOutcome, rowOutcome } from './record-fields.js'

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
}

/**
 * Reads decompressed CSV bytes (no header, columns in `fileSchema` order) as batches of current objects.
 * Malformed rows are skipped and counted in `options.counts.badRows` by reason; they never throw.
 */
export function readCsvRecords(chunks: AsyncIterable<Uint8Array>, options: ReadCsvOptions): AsyncGenerator<FileInfo[]> {
  return options.engine === 'csv-parse' ? readWithCsvParse(chunks, options) : readFast(chunks, options)
}

const QUOTE = 34
const COMMA = 44
const LF = 10
const CR = 13

/** Node's Buffer has these fast slicers; they are not in its public typings. */
type SliceableBuffer = Buffer & {
  latin1Slice(start: number, end: number): string
  utf8Slice(start: number, end: number): string
}

function asBuffer(chunk: Uint8Array): SliceableBuffer {
  return (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)) as SliceableBuffer
}

class RowSink {
  readonly batch: FileInfo[] = []
  line = 0
  private samples = 0

  constructor(private readonly options: ReadCsvOptions) {}

  accept(outcome: RowOutcome): void {
    const counts = this.options.counts
    counts.rows++
    if (typeof outcome === 'object') {
      counts.records++
      this.batch.push(outcome)
    } else if (outcome === 'noncurrent') {
      counts.noncurrentVersions++
    } else if (outcome === 'delete_marker') {
      counts.deleteMarkers++
    } else {
      this.bad(outcome, false)
    }
  }

  bad(reason: BadRowReason, countRow = true): void {
    const counts = this.options.counts
    if (countRow) counts.rows++
    counts.badRows[reason] = (counts.badRows[reason] ?? 0) + 1
    if (this.samples < (this.options.maxBadRowSamples ?? 5)) {
      this.samples++
      counts.badRowSamples.push({ file: this.options.file, line: this.line, reason })
    }
  }

  /** Handles a row given as already-split fields (the csv-parse paths). */
  acceptFields(fields: readonly string[]): void {
    const columns = this.options.columns
    if (fields.length !== columns.count) {
      this.bad('column_count')
      return
    }
    this.accept(
      rowOutcome(
        decodeInventoryKey(fields[columns.key] ?? ''),
        fields[columns.size] ?? '',
        fields[columns.lastModified] ?? '',
        columns.etag < 0 ? '' : (fields[columns.etag] ?? ''),
        columns.storageClass < 0 ? '' : (fields[columns.storageClass] ?? ''),
        columns.isLatest < 0 ? undefined : fields[columns.isLatest],
        columns.isDeleteMarker < 0 ? undefined : fields[columns.isDeleteMarker],
      ),
    )
  }

  take(): FileInfo[] {
    return this.batch.splice(0, this.batch.length)
  }
}

/** One row that the byte scanner could not take: parse it on its own with csv-parse. */
function parseLineWithCsvParse(line: string, sink: RowSink): void {
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

function hexValue(byte: number | undefined): number {
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

async function* readFast(chunks: AsyncIterable<Uint8Array>, options: ReadCsvOptions): AsyncGenerator<FileInfo[]> {
  const columns = options.columns
  const sink = new RowSink(options)
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

      let field = 0
      let ok = buf[lineStart] === QUOTE
      let p = lineStart + 1
      while (ok) {
        // A field runs to the next quote, which must close it: `","` or the end of the line.
        const close = buf.indexOf(QUOTE, p)
        if (close < 0 || close >= contentEnd || field >= columns.count) {
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
      const text = (index: number): string => buf.utf8Slice(starts[index]!, ends[index]!)
      sink.accept(
        rowOutcome(
          decodeKeyBytes(buf, starts[columns.key]!, ends[columns.key]!),
          buf.latin1Slice(starts[columns.size]!, ends[columns.size]!),
          buf.latin1Slice(starts[columns.lastModified]!, ends[columns.lastModified]!),
          columns.etag < 0 ? '' : text(columns.etag),
          columns.storageClass < 0 ? '' : text(columns.storageClass),
          columns.isLatest < 0 ? undefined : buf.latin1Slice(starts[columns.isLatest]!, ends[columns.isLatest]!),
          columns.isDeleteMarker < 0
            ? undefined
            : buf.latin1Slice(starts[columns.isDeleteMarker]!, ends[columns.isDeleteMarker]!),
        ),
      )
    }
    return length
  }

  for await (const chunk of chunks) {
    const incoming = asBuffer(chunk)
    const buf = (carry ? Buffer.concat([carry, incoming]) : incoming) as SliceableBuffer
    const consumed = scan(buf, false)
    // Copy the partial line: the chunk's memory may be reused by the producer.
    carry = consumed < buf.length ? Buffer.from(buf.subarray(consumed)) : undefined
    if (sink.batch.length > 0) yield sink.take()
  }
  if (carry) scan(carry as SliceableBuffer, true)
  if (sink.batch.length > 0) yield sink.take()
}

async function* readWithCsvParse(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadCsvOptions,
): AsyncGenerator<FileInfo[]> {
  const sink = new RowSink(options)
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
  let failure: unknown
  // Feed the parser from the source while this generator reads records out of it.
  const feeding = (async () => {
    try {
      for await (const chunk of chunks) {
        // The consumer may stop early (which destroys the parser): then no 'drain' ever comes.
        if (parser.destroyed) return
        if (!parser.write(chunk)) await drainOrClose(parser)
      }
      parser.end()
    } catch (error) {
      failure = error
      parser.destroy(error as Error)
    }
  })()
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: CsvInfo }>) {
      sink.line = info.lines
      sink.acceptFields(record)
      if (sink.batch.length >= 1000) yield sink.take()
    }
  } catch (error) {
    throw failure ?? error
  } finally {
    await feeding
  }
  if (failure !== undefined) throw failure
  if (sink.batch.length > 0) yield sink.take()
}

/** What csv-parse's `info` option attaches to each record (the part read here). */
interface CsvInfo {
  lines: number
}

function drainOrClose(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done)
      stream.off('close', done)
      resolve()
    }
    stream.once('drain', done)
    stream.once('close', done)
  })
}
