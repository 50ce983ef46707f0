import type { FileInfo } from '../types.js'

/**
 * Phase A writes each collection's records to scratch as tab-separated lines
 * `collectionIndex, key, size, lastModified, etag, storageClass`; phases B/C read them back one bucket
 * of collections at a time. Keys may hold any character, so tab, newline, CR and backslash are escaped.
 */
const NEEDS_ESCAPE = /[\t\n\r\\]/
const ESCAPED = /\\[tnr\\]/g
const UNESCAPE: Record<string, string> = { '\\t': '\t', '\\n': '\n', '\\r': '\r', '\\\\': '\\' }

function escapeField(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text
  return text.replace(/[\t\n\r\\]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\\\'))
}

function unescapeField(text: string): string {
  return text.indexOf('\\') < 0 ? text : text.replace(ESCAPED, (sequence) => UNESCAPE[sequence]!)
}

/** One spill line (with its newline). */
export function encodeSpillLine(collectionIndex: number, file: FileInfo): string {
  return `${collectionIndex}\t${escapeField(file.key)}\t${file.size}\t${file.lastModified}\t${escapeField(file.etag)}\t${escapeField(file.storageClass)}\n`
}

/** Records read back from a spill: `files[i]` belongs to the collection at `collectionIndexes[i]`. */
export interface SpillBatch {
  collectionIndexes: number[]
  files: FileInfo[]
}

/** Parses spill text chunks back into records, one batch per chunk (a promise per record would cost more than its parsing). */
export async function* decodeSpill(chunks: AsyncIterable<string>): AsyncGenerator<SpillBatch> {
  let carry = ''
  for await (const chunk of chunks) {
    const text = carry + chunk
    const end = text.lastIndexOf('\n')
    if (end < 0) {
      carry = text
      continue
    }
    yield decodeLines(text, end)
    carry = text.slice(end + 1)
  }
  if (carry.length > 0) yield decodeLines(carry, carry.length)
}

/**
 * Parses the lines of `text` up to `end` (a newline, or the end of the text). Fields are cut straight out
 * of the chunk: no line string, no array of fields.
 */
function decodeLines(text: string, end: number): SpillBatch {
  const batch: SpillBatch = { collectionIndexes: [], files: [] }
  let start = 0
  while (start < end) {
    let lineEnd = text.indexOf('\n', start)
    if (lineEnd < 0 || lineEnd > end) lineEnd = end
    const keyStart = text.indexOf('\t', start) + 1
    const sizeStart = text.indexOf('\t', keyStart) + 1
    const lastModifiedStart = text.indexOf('\t', sizeStart) + 1
    const etagStart = text.indexOf('\t', lastModifiedStart) + 1
    const storageClassStart = text.indexOf('\t', etagStart) + 1
    batch.collectionIndexes.push(parseWholeNumber(text, start, keyStart - 1))
    batch.files.push({
      key: unescapeField(text.slice(keyStart, sizeStart - 1)),
      size: parseWholeNumber(text, sizeStart, lastModifiedStart - 1),
      lastModified: text.slice(lastModifiedStart, etagStart - 1),
      etag: unescapeField(text.slice(etagStart, storageClassStart - 1)),
      storageClass: unescapeField(text.slice(storageClassStart, lineEnd)),
    })
    start = lineEnd + 1
  }
  return batch
}

/** The decimal digits of `text[start, end)` as a number (spills hold only whole numbers we wrote). */
function parseWholeNumber(text: string, start: number, end: number): number {
  let value = 0
  for (let i = start; i < end; i++) value = value * 10 + (text.charCodeAt(i) - 48)
  return value
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
