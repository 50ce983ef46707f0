import { isCivilTime } from '../iso-time.js'
import type { BadRowReason, FileInfo } from '../types.js'

/** What one row turns into: a current object, a skipped version, or a bad row's reason. */
export type RowOutcome = FileInfo | 'noncurrent' | 'delete_marker' | BadRowReason

/**
 * Decodes an S3 Inventory CSV key: form-URL-encoded, so `+` is a space and `%XX` a UTF-8 byte.
 * Returns `undefined` for a malformed escape. Keys without `%` or `+` come back as they are.
 */
export function decodeInventoryKey(encoded: string): string | undefined {
  if (encoded.indexOf('%') < 0 && encoded.indexOf('+') < 0) return encoded
  try {
    return decodeURIComponent(encoded.replaceAll('+', ' '))
  } catch {
    return undefined
  }
}

/** The longest key S3 allows, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024

/** True for a key S3 cannot hold: longer than {@link MAX_KEY_BYTES} UTF-8 bytes, or with a NUL character. */
export function isInvalidKey(key: string): boolean {
  const length = key.length
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: only keys between 342 and 1,024 units need counting.
  if (length > MAX_KEY_BYTES) return true
  if (length * 3 > MAX_KEY_BYTES && utf8Length(key) > MAX_KEY_BYTES) return true
  return key.indexOf('\0') >= 0
}

/** UTF-8 bytes of a string (a surrogate pair's two units make 4 bytes; a lone surrogate 3, as its replacement). */
function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    bytes += unit < 0x80 ? 1 : unit < 0x800 ? 2 : unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1)) ? (i++, 4) : 3
  }
  return bytes
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff
}

/** Parses a non-negative decimal integer; `-1` for anything else (empty, sign, fraction, too large). */
export function parseSize(text: string): number {
  const length = text.length
  if (length === 0 || length > 16) return -1
  let value = 0
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/**
 * Returns the timestamp as canonical ISO 8601 UTC (`toISOString` form), or `undefined` when it is not a date.
 * AWS already writes the canonical form; only other spellings pay for a `Date` round trip.
 */
/** `2024-05-06 22:44:22` or `2024-05-06T22:44:22.5`: a date and time with no zone. */
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/

export function normalizeTimestamp(text: string): string | undefined {
  if (text.length === 24 && CANONICAL_ISO.test(text)) {
    const two = (at: number): number => (text.charCodeAt(at) - 48) * 10 + (text.charCodeAt(at + 1) - 48)
    return isCivilTime(two(0) * 100 + two(2), two(5), two(8), two(11), two(14), two(17)) ? text : undefined
  }
  if (text.length === 0) return undefined
  // A date and time without a zone is UTC, as everything S3 writes: never the importing machine's zone.
  const ms = Date.parse(LOCAL_DATE_TIME.test(text) ? `${text.replace(' ', 'T')}Z` : text)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}

/** Strips the double quotes S3 puts around ETags in some APIs, so every path stores the same form. */
export function normalizeEtag(etag: string): string {
  return etag.length >= 2 && etag.charCodeAt(0) === 34 && etag.charCodeAt(etag.length - 1) === 34
    ? etag.slice(1, -1)
    : etag
}

/**
 * Turns the fields of one row into its outcome. Versioning first: only the latest version that is not a
 * delete marker is a file (an absent IsLatest column means an unversioned inventory).
 */
export function rowOutcome(
  /** The decoded key; `undefined` when its URL encoding was malformed. */
  key: string | undefined,
  /** The size's text, or the size already parsed (-1 when it is not a whole number). */
  sizeText: string | number,
  lastModifiedText: string,
  etag: string,
  storageClass: string,
  isLatest: string | undefined,
  isDeleteMarker: string | undefined,
): RowOutcome {
  if (isLatest !== undefined && isLatest !== 'true') return 'noncurrent'
  if (isDeleteMarker === 'true') return 'delete_marker'
  if (key === undefined) return 'invalid_key_encoding'
  if (key.length === 0) return 'missing_key'
  if (isInvalidKey(key)) return 'invalid_key'
  const size = typeof sizeText === 'number' ? sizeText : parseSize(sizeText)
  if (size < 0) return 'invalid_size'
  const lastModified = normalizeTimestamp(lastModifiedText)
  if (lastModified === undefined) return 'invalid_date'
  return { key, size, lastModified, etag: normalizeEtag(etag), storageClass }
}
