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

/** Parses spill text chunks back into `(collectionIndex, FileInfo)` pairs. */
export async function* decodeSpill(chunks: AsyncIterable<string>): AsyncGenerator<[number, FileInfo]> {
  let carry = ''
  for await (const chunk of chunks) {
    const text = carry + chunk
    let start = 0
    for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
      yield decodeLine(text, start, end)
      start = end + 1
    }
    carry = text.slice(start)
  }
  if (carry.length > 0) yield decodeLine(carry, 0, carry.length)
}

function decodeLine(text: string, start: number, end: number): [number, FileInfo] {
  const [index, key, size, lastModified, etag, storageClass] = text.slice(start, end).split('\t') as [
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  return [
    Number(index),
    {
      key: unescapeField(key),
      size: Number(size),
      lastModified,
      etag: unescapeField(etag),
      storageClass: unescapeField(storageClass),
    },
  ]
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
