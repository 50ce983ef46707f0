import { isUtf8 } from 'node:buffer'
import { PATH_HASH_START, pathHashStep } from '../folder-slots.js'
import { civilMillis, isCivilTime } from '../iso-time.js'
import type { FolderRollupSink, RolledUpBatch } from '../pipeline/data-file-reader.js'
import type { ReadCsvOptions } from './csv-records.js'
import { CsvRowSink, type SliceableBuffer, hexValue, parseCsv, quotedRowOutcome, scanCsv, sizeOf, splitRowOutcome } from './csv-scan.js'
import type { RowOutcome } from './record-fields.js'
import { KEY_FOR_RECORD_PATH, KEY_MALFORMED, RECORD_PATH_ROW, ROLL_UP_ROW, RolledUpBatches, classifyRollupRow, isInvalidKeyBytes } from './rollup-row.js'

/**
 * Reads decompressed CSV bytes as {@link readCsvRecords} does (same counts, same bad rows, same records),
 * but adds every current object to `sink.folders` itself and yields as FileInfo only the objects of
 * folders that `sink.wants`. AWS's rows take a path with no string per object: the key is decoded into
 * bytes, its folder looked up by those bytes, the size and date read from their digits. Any other row
 * (a date AWS does not write, raw non-ASCII bytes beside escapes, a row csv-parse must split) goes
 * through the record path and then into the rollup.
 */
export function readCsvRollup(chunks: AsyncIterable<Uint8Array>, options: ReadCsvOptions, sink: FolderRollupSink): AsyncGenerator<RolledUpBatch> {
  const rows = new RollupSink(options, sink)
  return options.engine === 'csv-parse' ? parseCsv(chunks, options, rows) : scanCsv(chunks, options, rows)
}

class RollupSink extends CsvRowSink<RolledUpBatch> {
  private readonly batches: RolledUpBatches
  /** The current row's decoded key bytes. */
  private key = Buffer.allocUnsafe(4096) as SliceableBuffer
  private keyNul = false
  /** Length of the decoded key's folder part (up to its last `/`), and that part's path hash. */
  private folderEnd = 0
  private folderHash = PATH_HASH_START

  constructor(
    options: ReadCsvOptions,
    private readonly target: FolderRollupSink,
  ) {
    super(options)
    this.batches = new RolledUpBatches(options.counts, target)
  }

  get pending(): number {
    return this.batches.objects
  }

  take(): RolledUpBatch {
    return this.batches.take()
  }

  acceptQuoted(buf: SliceableBuffer, starts: Int32Array, ends: Int32Array): void {
    const columns = this.options.columns
    const current = columns.isLatest < 0 || isTrue(buf, starts[columns.isLatest]!, ends[columns.isLatest]!)
    const deleteMarker = columns.isDeleteMarker >= 0 && isTrue(buf, starts[columns.isDeleteMarker]!, ends[columns.isDeleteMarker]!)
    // Only a current object's key, size and date are read.
    const keyLength = current && !deleteMarker ? this.decodeKey(buf, starts[columns.key]!, ends[columns.key]!) : 0
    const size = keyLength > 0 ? sizeOf(buf, starts[columns.size]!, ends[columns.size]!) : -1
    const dateStart = starts[columns.lastModified]!
    const dateEnd = ends[columns.lastModified]!
    const time = size >= 0 ? canonicalIsoMillis(buf, dateStart, dateEnd) : NaN
    const row = classifyRollupRow(current, deleteMarker, keyLength, keyLength > 0 && isInvalidKeyBytes(keyLength, this.keyNul), size, time)
    if (row === RECORD_PATH_ROW) return this.acceptOutcome(quotedRowOutcome(buf, starts, ends, columns, false))
    if (row !== ROLL_UP_ROW) return this.skip(row)

    const key = this.key
    const slot = this.target.folders.addObject(key, 0, this.folderEnd, size, time, this.folderHash)
    if (!this.batches.rolledUp(slot)) return
    // The spill record of what the record path's FileInfo would hold: the decoded key (valid UTF-8),
    // size, date, and ETag and storage class as their bytes (a field here holds no quote, so the ETag
    // has none to strip).
    const out = this.batches.encoded
    out.field(key, 0, keyLength)
    out.tab()
    out.number(size)
    out.tab()
    out.field(buf, dateStart, dateEnd)
    out.tab()
    if (columns.etag >= 0) out.field(buf, starts[columns.etag]!, ends[columns.etag]!)
    out.tab()
    if (columns.storageClass >= 0) out.field(buf, starts[columns.storageClass]!, ends[columns.storageClass]!)
    out.newline()
    this.batches.keepEncoded(slot)
  }

  protected acceptSplit(fields: readonly string[]): void {
    this.acceptOutcome(splitRowOutcome(fields, this.options.columns))
  }

  /** A row read through the record path: counted, rolled up and kept when its folder is wanted. */
  private acceptOutcome(outcome: RowOutcome): void {
    if (typeof outcome !== 'object') return this.skip(outcome)
    this.batches.addRecord(outcome)
  }

  /**
   * Decodes the form-URL-encoded key `buf[start, end)` into `this.key` as decodeKeyBytes would (`+` is a
   * space, `%XX` a byte; escaped bytes must form UTF-8) and returns its length in bytes, or
   * {@link KEY_MALFORMED}, or {@link KEY_FOR_RECORD_PATH} for raw non-ASCII bytes that are not plain UTF-8 or sit
   * beside escapes (not what AWS writes; the string path decides those).
   */
  private decodeKey(buf: SliceableBuffer, start: number, end: number): number {
    if (this.key.length < end - start) this.key = Buffer.allocUnsafe(end - start) as SliceableBuffer
    const key = this.key
    let length = 0
    let escaped = false
    let raw = false
    let high = false
    let nul = false
    let hash = PATH_HASH_START
    let folderEnd = 0
    let folderHash = PATH_HASH_START
    for (let i = start; i < end; i++) {
      let byte = buf[i]!
      if (byte === 43) {
        byte = 32
        escaped = true
      } else if (byte === 37) {
        const upper = hexValue(buf[i + 1])
        const lower = i + 2 < end ? hexValue(buf[i + 2]) : -1
        if (upper < 0 || lower < 0) return raw ? KEY_FOR_RECORD_PATH : KEY_MALFORMED
        byte = upper * 16 + lower
        escaped = true
        i += 2
      } else if (byte >= 0x80) {
        raw = true
      }
      if (byte >= 0x80) high = true
      else if (byte === 0) nul = true
      key[length++] = byte
      hash = pathHashStep(hash, byte)
      if (byte === 47) {
        folderEnd = length
        folderHash = hash
      }
    }
    if (raw && escaped) return KEY_FOR_RECORD_PATH
    if (high && !isUtf8(key.subarray(0, length))) return raw ? KEY_FOR_RECORD_PATH : KEY_MALFORMED
    this.keyNul = nul
    this.folderEnd = folderEnd
    this.folderHash = folderHash
    return length
  }
}

/** True when `buf[start, end)` is `true`. */
function isTrue(buf: Uint8Array, start: number, end: number): boolean {
  return end - start === 4 && buf[start] === 116 && buf[start + 1] === 114 && buf[start + 2] === 117 && buf[start + 3] === 101
}

/**
 * Epoch milliseconds of `buf[start, end)` when it has the canonical form AWS writes
 * (`2024-05-06T22:44:22.000Z`); -Infinity when it has that form but is no date (normalizeTimestamp's
 * `undefined`); NaN for any other form (which normalizeTimestamp parses with `Date`).
 */
function canonicalIsoMillis(buf: Uint8Array, start: number, end: number): number {
  if (
    end - start !== 24 ||
    buf[start + 4] !== 45 ||
    buf[start + 7] !== 45 ||
    buf[start + 10] !== 84 ||
    buf[start + 13] !== 58 ||
    buf[start + 16] !== 58 ||
    buf[start + 19] !== 46 ||
    buf[start + 23] !== 90
  ) {
    return NaN
  }
  // Each value from its digits, inline: a digit outside 0-9 makes `bad` non-zero.
  const d = (at: number): number => buf[start + at]! - 48
  let bad = 0
  const digit = (at: number): number => {
    const value = d(at)
    bad |= value >>> 0 > 9 ? 1 : 0
    return value
  }
  const year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
  const month = digit(5) * 10 + digit(6)
  const day = digit(8) * 10 + digit(9)
  const hour = digit(11) * 10 + digit(12)
  const minute = digit(14) * 10 + digit(15)
  const second = digit(17) * 10 + digit(18)
  const millis = digit(20) * 100 + digit(21) * 10 + digit(22)
  if (bad !== 0) return NaN
  return isCivilTime(year, month, day, hour, minute, second) ? civilMillis(year, month, day, hour, minute, second, millis) : -Infinity
}
