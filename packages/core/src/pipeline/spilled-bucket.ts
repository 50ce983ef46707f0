import { Buffer } from 'node:buffer'
import type { SliceableBuffer } from '../parse/csv-scan.js'
import type { FileInfo } from '../types.js'
import { unescapeSpillField } from './spill.js'

const TAB = 9
const LF = 10
const BACKSLASH = 92
/** A line's fields after the collection index: key, size, last modified, ETag, storage class. */
const FIELDS = 5
/** Flags of a field: it holds a byte above ASCII, or a backslash (an escape). */
const HIGH = 1
const ESCAPED = 2

/**
 * One spill bucket read back whole as its bytes, its lines grouped by collection: a collection's records
 * are decoded only when phase B asks for them, one collection after the other. Each string is then a
 * fresh copy of its bytes, laid out beside the collection's other strings, where cutting them out of a
 * decoded chunk would make each a slice of a large string, scattered over the whole bucket: sorting
 * a collection's keys took about four times longer that way, and every slice kept its chunk alive.
 */
export class SpilledBucket {
  /** Where each line's key starts (just after its collection index and tab). */
  private readonly keyStarts: Int32Array
  /** Line numbers grouped by collection, each collection's in spill order. */
  private readonly order: Int32Array
  /** Where each collection's lines start in {@link order}, by collection index minus {@link lowest}; one more entry at the end. */
  private readonly runStarts: Int32Array
  private readonly lowest: number
  private readonly bytes: SliceableBuffer
  /** The last storage class decoded: most files share a few, so one string serves them all. */
  private storageClass = ''
  private storageClassBytes: Uint8Array = new Uint8Array(0)
  /** Where each field of the line being decoded ends, and its flags. */
  private readonly fieldEnds = new Int32Array(FIELDS)
  private readonly fieldFlags = new Int32Array(FIELDS)

  constructor(bytes: Uint8Array) {
    this.bytes = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as SliceableBuffer
    const buf = this.bytes
    let lines = 0
    for (let at = buf.indexOf(LF); at >= 0; at = buf.indexOf(LF, at + 1)) lines++
    if (buf.length > 0 && buf[buf.length - 1] !== LF) lines++
    this.keyStarts = new Int32Array(lines)
    const indexes = new Int32Array(lines)
    let lowest = Infinity
    let highest = -1
    for (let line = 0, at = 0; line < lines; line++) {
      let index = 0
      // Bounded by the end: a damaged scratch file must not loop forever.
      while (at < buf.length && buf[at] !== TAB) index = index * 10 + (buf[at++]! - 48)
      indexes[line] = index
      this.keyStarts[line] = at + 1
      if (index < lowest) lowest = index
      if (index > highest) highest = index
      const end = buf.indexOf(LF, at)
      at = end < 0 ? buf.length : end + 1
    }
    this.lowest = lines === 0 ? 0 : lowest
    // A counting sort by collection: a bucket holds consecutive collections, so the range is small.
    const runStarts = new Int32Array(highest - this.lowest + 2)
    for (let line = 0; line < lines; line++) runStarts[indexes[line]! - this.lowest + 1]!++
    for (let run = 1; run < runStarts.length; run++) runStarts[run]! += runStarts[run - 1]!
    const next = runStarts.slice(0, -1)
    this.order = new Int32Array(lines)
    for (let line = 0; line < lines; line++) this.order[next[indexes[line]! - this.lowest]!++] = line
    this.runStarts = runStarts
  }

  /** Reads a bucket's spill bytes, as a scratch space gives them, into one bucket. */
  static async read(chunks: AsyncIterable<Uint8Array>): Promise<SpilledBucket> {
    const parts: Uint8Array[] = []
    let length = 0
    for await (const chunk of chunks) {
      parts.push(chunk)
      length += chunk.length
    }
    return new SpilledBucket(parts.length === 1 ? parts[0]! : Buffer.concat(parts, length))
  }

  /** Lines in the bucket. */
  get size(): number {
    return this.keyStarts.length
  }

  /** The records spilled for the collection at `collectionIndex`, in spill order (none when it has no line here). */
  filesOf(collectionIndex: number): FileInfo[] {
    const run = collectionIndex - this.lowest
    if (run < 0 || run + 1 >= this.runStarts.length) return []
    const from = this.runStarts[run]!
    const to = this.runStarts[run + 1]!
    const files = new Array<FileInfo>(to - from)
    for (let i = from; i < to; i++) files[i - from] = this.decodeLine(this.order[i]!)
    return files
  }

  private decodeLine(line: number): FileInfo {
    const buf = this.bytes
    const ends = this.fieldEnds
    // One pass over the line: where each field ends, and whether it holds non-ASCII bytes or an escape.
    let field = 0
    let flags = 0
    let at = this.keyStarts[line]!
    const keyStart = at
    for (; at < buf.length; at++) {
      const byte = buf[at]!
      if (byte === TAB || byte === LF) {
        ends[field] = at
        this.fieldFlags[field] = flags
        flags = 0
        if (byte === LF || ++field === FIELDS) break
      } else if (byte >= 0x80) {
        flags |= HIGH
      } else if (byte === BACKSLASH) {
        flags |= ESCAPED
      }
    }
    if (at === buf.length) {
      ends[field] = at
      this.fieldFlags[field] = flags
    }
    let size = 0
    for (let i = ends[0]! + 1; i < ends[1]!; i++) size = size * 10 + (buf[i]! - 48)
    return {
      key: this.text(keyStart, ends[0]!, this.fieldFlags[0]!),
      size,
      lastModified: this.text(ends[1]! + 1, ends[2]!, this.fieldFlags[2]!),
      etag: this.text(ends[2]! + 1, ends[3]!, this.fieldFlags[3]!),
      storageClass: this.storageClassOf(ends[3]! + 1, ends[4]!, this.fieldFlags[4]!),
    }
  }

  /** A field's text: Latin-1 when it is ASCII (the fastest copy), UTF-8 otherwise, unescaped when it holds a backslash. */
  private text(start: number, end: number, flags: number): string {
    const text = flags & HIGH ? this.bytes.utf8Slice(start, end) : this.bytes.latin1Slice(start, end)
    return flags & ESCAPED ? unescapeSpillField(text) : text
  }

  private storageClassOf(start: number, end: number, flags: number): string {
    const buf = this.bytes
    const last = this.storageClassBytes
    let same = last.length === end - start
    for (let i = 0; same && i < last.length; i++) same = last[i] === buf[start + i]
    if (!same) {
      this.storageClass = this.text(start, end, flags)
      this.storageClassBytes = buf.subarray(start, end)
    }
    return this.storageClass
  }
}
