import { Buffer } from 'node:buffer'
import type { FileInfo } from '../types.js'

/**
 * Phase A writes each collection's records to scratch as tab-separated lines
 * `collectionIndex, key, size, lastModified, etag, storageClass`; phases B/C read them back one bucket
 * of collections at a time (see SpilledBucket). Keys may hold any character, so tab, newline, CR and backslash are escaped.
 */
const NEEDS_ESCAPE = /[\t\n\r\\]/
const ESCAPED = /\\[tnr\\]/g
const UNESCAPE: Record<string, string> = { '\\t': '\t', '\\n': '\n', '\\r': '\r', '\\\\': '\\' }

function escapeField(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text
  return text.replace(/[\t\n\r\\]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\\\'))
}

/** A spill field's text as it was before {@link encodeSpillLine} escaped it. */
export function unescapeSpillField(text: string): string {
  return text.indexOf('\\') < 0 ? text : text.replace(ESCAPED, (sequence) => UNESCAPE[sequence]!)
}

/** One spill line (with its newline). */
export function encodeSpillLine(collectionIndex: number, file: FileInfo): string {
  return `${collectionIndex}\t${escapeField(file.key)}\t${file.size}\t${file.lastModified}\t${escapeField(file.etag)}\t${escapeField(file.storageClass)}\n`
}

const TAB = 9
const LF = 10
const CR = 13
const BACKSLASH = 92
/** The letter after a backslash for each byte that is escaped (0 for the others). */
const ESCAPE_LETTER = new Uint8Array(256)
ESCAPE_LETTER[TAB] = 116 // t
ESCAPE_LETTER[LF] = 110 // n
ESCAPE_LETTER[CR] = 114 // r
ESCAPE_LETTER[BACKSLASH] = BACKSLASH

/** Copies longer than this are native (`set`); shorter ones byte by byte. */
const NATIVE_COPY_BYTES = 512

/**
 * Spill lines built as UTF-8 bytes in one growing buffer, in {@link encodeSpillLine}'s format: a reader
 * of raw data file bytes writes a record's fields straight from them (no string per record), and a
 * FileInfo is written as its line's bytes.
 */
export class SpillBytes {
  private bytes = Buffer.allocUnsafe(4096)
  /** Bytes written since the last {@link take}. */
  length = 0

  /** Appends `source[start, end)` as a field's bytes, escaping tab, newline, CR and backslash. */
  field(source: Uint8Array, start: number, end: number): void {
    this.room(2 * (end - start))
    // Byte by byte in one pass: fields are short (a key, a date, an ETag), and a native copy would cost
    // a view object per field.
    const out = this.bytes
    let at = this.length
    for (let i = start; i < end; i++) {
      const byte = source[i]!
      const letter = ESCAPE_LETTER[byte]!
      if (letter === 0) {
        out[at++] = byte
      } else {
        out[at++] = BACKSLASH
        out[at++] = letter
      }
    }
    this.length = at
  }

  /** Appends a whole number's decimal digits. */
  number(value: number): void {
    this.room(17)
    let digits = 1
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++
    let at = this.length + digits
    this.length = at
    let rest = value
    do {
      this.bytes[--at] = 48 + (rest % 10)
      rest = Math.floor(rest / 10)
    } while (rest > 0)
  }

  /** Appends the field separator. */
  tab(): void {
    this.room(1)
    this.bytes[this.length++] = TAB
  }

  /** Ends a line. */
  newline(): void {
    this.room(1)
    this.bytes[this.length++] = LF
  }

  /** Appends a line `collectionIndex`, tab, then `record[start, end)`: a record's bytes as {@link field} and friends wrote them, newline included. */
  prefixed(collectionIndex: number, record: Uint8Array, start: number, end: number): void {
    this.number(collectionIndex)
    this.tab()
    this.copy(record, start, end)
  }

  private copy(source: Uint8Array, start: number, end: number): void {
    this.room(end - start)
    if (end - start > NATIVE_COPY_BYTES) {
      this.bytes.set(source.subarray(start, end), this.length)
      this.length += end - start
      return
    }
    // A record is ~100 bytes: a loop costs less than the view object a native copy needs.
    const out = this.bytes
    let at = this.length
    for (let i = start; i < end; i++) out[at++] = source[i]!
    this.length = at
  }

  /** Appends {@link encodeSpillLine}'s line of a FileInfo. */
  line(collectionIndex: number, file: FileInfo): void {
    const text = encodeSpillLine(collectionIndex, file)
    this.room(3 * text.length)
    this.length += this.bytes.write(text, this.length, 'utf8')
  }

  /** A copy of the bytes at `[start, end)` of those written since the last {@link take}. */
  copyOf(start: number, end: number): Uint8Array<ArrayBuffer> {
    return this.bytes.slice(start, end)
  }

  /** A copy of the bytes written since the last call; starts over. */
  take(): Uint8Array<ArrayBuffer> {
    const taken = new Uint8Array(this.length)
    taken.set(this.bytes.subarray(0, this.length))
    this.length = 0
    return taken
  }

  private room(extra: number): void {
    if (this.length + extra <= this.bytes.length) return
    const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.length + extra))
    this.bytes.copy(grown, 0, 0, this.length)
    this.bytes = grown
  }
}

/**
 * The spill bucket of a collection: consecutive collections share one, so phase B writes collections in
 * their listed (folder) order, which keeps a store's inserts close to the ones before them.
 */
export function spillBucketOf(collectionIndex: number, collectionCount: number, bucketCount: number): number {
  return Math.floor((collectionIndex * bucketCount) / collectionCount)
}

/**
 * How many spill buckets to use: enough that one bucket's records (held in memory in phase B) stay
 * around 50k for the estimated row count, never more than the collections or 256 open spills.
 * AWS's gzip CSV runs at roughly 40 compressed bytes a row; 25 over-estimates rows on purpose.
 */
export function spillBucketCount(collectionCount: number, compressedBytes: number): number {
  const estimatedRows = compressedBytes / 25
  return Math.max(1, Math.min(collectionCount, 256, Math.ceil(estimatedRows / 50_000)))
}
