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
    const out = this.batches.beginEncoded(slot)
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
      // Most of a key's bytes are plain ASCII from '0' up: none of them is special, nor '/'.
      if (byte >= 48 && byte < 0x80) {
        key[length++] = byte
        hash = pathHashStep(hash, byte)
        continue
      }
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
  // Straight-line digits, no closure (this runs once per row): `outside` goes negative when any byte
  // is not 0-9, since (b - 48) | (57 - b) is negative exactly then.
  const y0 = buf[start]!
  const y1 = buf[start + 1]!
  const y2 = buf[start + 2]!
  const y3 = buf[start + 3]!
  const mo0 = buf[start + 5]!
  const mo1 = buf[start + 6]!
  const d0 = buf[start + 8]!
  const d1 = buf[start + 9]!
  const h0 = buf[start + 11]!
  const h1 = buf[start + 12]!
  const mi0 = buf[start + 14]!
  const mi1 = buf[start + 15]!
  const s0 = buf[start + 17]!
  const s1 = buf[start + 18]!
  const ms0 = buf[start + 20]!
  const ms1 = buf[start + 21]!
  const ms2 = buf[start + 22]!
  const outside =
    ((y0 - 48) | (57 - y0) | (y1 - 48) | (57 - y1) | (y2 - 48) | (57 - y2) | (y3 - 48) | (57 - y3)) |
    ((mo0 - 48) | (57 - mo0) | (mo1 - 48) | (57 - mo1) | (d0 - 48) | (57 - d0) | (d1 - 48) | (57 - d1)) |
    ((h0 - 48) | (57 - h0) | (h1 - 48) | (57 - h1) | (mi0 - 48) | (57 - mi0) | (mi1 - 48) | (57 - mi1)) |
    ((s0 - 48) | (57 - s0) | (s1 - 48) | (57 - s1) | (ms0 - 48) | (57 - ms0) | (ms1 - 48) | (57 - ms1) | (ms2 - 48) | (57 - ms2))
  if (outside < 0) return NaN
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3 - 53_328 // 48 * 1111
  const month = mo0 * 10 + mo1 - 528 // 48 * 11
  const day = d0 * 10 + d1 - 528
  const hour = h0 * 10 + h1 - 528
  const minute = mi0 * 10 + mi1 - 528
  const second = s0 * 10 + s1 - 528
  const millis = ms0 * 100 + ms1 * 10 + ms2 - 5_328 // 48 * 111
  return isCivilTime(year, month, day, hour, minute, second) ? civilMillis(year, month, day, hour, minute, second, millis) : -Infinity
}
