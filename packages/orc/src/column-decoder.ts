import { type OrcInteger, ByteCursor } from './byte-cursor.js'
import { decodeBooleans, decodeByteRle } from './byte-rle.js'
import { type IntegerRleVersion, decodeCounts, decodeIntegers } from './integer-rle.js'
import type { OrcColumnEncoding, OrcType } from './orc-metadata.js'
import { OrcError, corrupt } from './orc-error.js'
import { baseOffsetOf, decodeTimestamp, timestampMillis } from './timestamps.js'

/**
 * A decoded value, null where the file has none: boolean; number (tinyint to int, float, double, date as days
 * since the epoch, bigint columns when exact) or bigint (a long beyond 2^53); string (strings, varchar,
 * char, decimals as exact text); Uint8Array (binary); { seconds, nanos } (timestamps); arrays (lists, maps
 * as `{ key, value }` entries); objects (structs by field, unions as `{ tag, value }`).
 */
export type OrcValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | { seconds: number; nanos: number }
  | OrcValue[]
  | { [field: string]: OrcValue }

/** One stripe's decoded streams of a column, by kind (`DATA`, `LENGTH`, ...). */
export type ColumnStreams = (column: number, kind: string) => Uint8Array | undefined

/** What decoding a stripe's columns needs. */
export interface StripeColumns {
  types: readonly OrcType[]
  encodings: readonly OrcColumnEncoding[]
  streams: ColumnStreams
  writerTimezone: string
  /** The file format version (`[0, 12]`; `[1, 9999]` is ORC 2.0's pre-release). @default [0, 12] */
  fileVersion?: readonly number[] | undefined
}

const utf8 = new TextDecoder()

/**
 * Decodes `count` values of `column` (and its children) from one stripe: the column's PRESENT stream
 * says which are null; children hold values only for their parent's non-null rows.
 */
export function decodeColumn(stripe: StripeColumns, column: number, count: number): OrcValue[] {
  const type = stripe.types[column]
  if (!type) corrupt(`column ${column} has no type`)
  const present = presentOf(stripe, column, count)
  const nonNull = present ? countSet(present) : count
  const values = decodeValues(stripe, column, type, nonNull)
  if (!present || nonNull === count) return values
  const out = new Array<OrcValue>(count)
  for (let i = 0, j = 0; i < count; i++) out[i] = present[i] ? values[j++]! : null
  return out
}

/**
 * A string or binary column's values as byte ranges, without a string or array per value: row `i` is
 * `data[starts[i], ends[i])`, or null when `starts[i]` is -1. With dictionary encoding `data` is the
 * dictionary, and rows of the same value share its range.
 */
export interface OrcBytesColumn {
  data: Uint8Array
  starts: Int32Array
  ends: Int32Array
}

/** Decodes `count` values of a string, varchar, char or binary `column` as {@link OrcBytesColumn}. */
export function decodeBytesView(stripe: StripeColumns, column: number, count: number): OrcBytesColumn {
  const type = stripe.types[column]
  if (!type) corrupt(`column ${column} has no type`)
  if (type.kind !== 'string' && type.kind !== 'varchar' && type.kind !== 'char' && type.kind !== 'binary') {
    corrupt(`column ${column} is ${type.kind}, not a string column`)
  }
  const what = `column ${column}`
  const present = presentOf(stripe, column, count)
  const nonNull = present ? countSet(present) : count
  const encoding = encodingOf(stripe, column)
  const version = rleVersion(encoding)
  const starts = new Int32Array(count)
  const ends = new Int32Array(count)
  let data: Uint8Array
  let valueStarts: Int32Array
  let valueEnds: Int32Array
  if (encoding.kind === 'DIRECT' || encoding.kind === 'DIRECT_V2') {
    data = required(stripe, column, 'DATA', nonNull)
    ;[valueStarts, valueEnds] = ranges(decodeCounts(required(stripe, column, 'LENGTH', nonNull), nonNull, version, `${what} LENGTH stream`), data, `${what} DATA stream`)
  } else {
    const size = encoding.dictionarySize
    data = required(stripe, column, 'DICTIONARY_DATA', size)
    const [entryStarts, entryEnds] = ranges(
      decodeCounts(required(stripe, column, 'LENGTH', size), size, version, `${what} LENGTH stream`),
      data,
      `${what} DICTIONARY_DATA stream`,
    )
    const indexes = decodeCounts(required(stripe, column, 'DATA', nonNull), nonNull, version, `${what} DATA stream`)
    valueStarts = new Int32Array(nonNull)
    valueEnds = new Int32Array(nonNull)
    for (let i = 0; i < nonNull; i++) {
      const index = indexes[i]!
      if (index >= size) corrupt(`${what}: dictionary index ${index} beyond its ${size} entries`)
      valueStarts[i] = entryStarts[index]!
      valueEnds[i] = entryEnds[index]!
    }
  }
  if (!present) return { data, starts: valueStarts, ends: valueEnds }
  for (let i = 0, j = 0; i < count; i++) {
    if (present[i]) {
      starts[i] = valueStarts[j]!
      ends[i] = valueEnds[j++]!
    } else {
      starts[i] = -1
    }
  }
  return { data, starts, ends }
}

/**
 * Decodes `count` values of a timestamp `column` as epoch milliseconds (whole, floored; NaN where null),
 * without an object per value: the same instants as {@link decodeColumn}'s `{ seconds, nanos }`.
 */
export function decodeEpochMillis(stripe: StripeColumns, column: number, count: number): Float64Array {
  const type = stripe.types[column]
  if (!type) corrupt(`column ${column} has no type`)
  if (type.kind !== 'timestamp' && type.kind !== 'timestamp_instant') corrupt(`column ${column} is ${type.kind}, not a timestamp column`)
  const what = `column ${column}`
  const present = presentOf(stripe, column, count)
  const nonNull = present ? countSet(present) : count
  const version = rleVersion(encodingOf(stripe, column))
  const seconds = decodeIntegers(required(stripe, column, 'DATA', nonNull), nonNull, true, version, `${what} DATA stream`)
  const nanos = decodeIntegers(required(stripe, column, 'SECONDARY', nonNull), nonNull, false, version, `${what} SECONDARY stream`)
  const baseOffset = type.kind === 'timestamp_instant' ? 0 : baseOffsetOf(stripe.writerTimezone)
  const out = new Float64Array(count)
  for (let i = 0, j = 0; i < count; i++) {
    if (present && !present[i]) {
      out[i] = NaN
      continue
    }
    const second = seconds[j]!
    const nano = nanos[j++]!
    if (typeof second !== 'number' || typeof nano !== 'number') corrupt(`${what}: timestamp out of range`)
    out[i] = timestampMillis(second, nano, baseOffset)
  }
  return out
}

function presentOf(stripe: StripeColumns, column: number, count: number): Uint8Array | undefined {
  const bytes = stripe.streams(column, 'PRESENT')
  return bytes === undefined ? undefined : decodeBooleans(bytes, count, `column ${column} PRESENT stream`)
}

function countSet(bits: Uint8Array): number {
  let set = 0
  for (let i = 0; i < bits.length; i++) set += bits[i]!
  return set
}

/** Each value's range in `bytes` from the values' lengths, checked against its end. */
function ranges(lengths: readonly number[], bytes: Uint8Array, what: string): [Int32Array, Int32Array] {
  const starts = new Int32Array(lengths.length)
  const ends = new Int32Array(lengths.length)
  let at = 0
  for (let i = 0; i < lengths.length; i++) {
    const end = at + lengths[i]!
    if (end > bytes.length) corrupt(`${what} ends early (lengths add up past its ${bytes.length} bytes)`)
    starts[i] = at
    ends[i] = end
    at = end
  }
  return [starts, ends]
}

function encodingOf(stripe: StripeColumns, column: number): OrcColumnEncoding {
  const encoding = stripe.encodings[column]
  if (!encoding) corrupt(`the stripe footer has no encoding for column ${column}`)
  return encoding
}

function rleVersion(encoding: OrcColumnEncoding): IntegerRleVersion {
  return encoding.kind === 'DIRECT_V2' || encoding.kind === 'DICTIONARY_V2' ? 2 : 1
}

function required(stripe: StripeColumns, column: number, kind: string, count: number): Uint8Array {
  const bytes = stripe.streams(column, kind)
  if (bytes !== undefined) return bytes
  if (count === 0) return new Uint8Array(0)
  return corrupt(`column ${column} lacks its ${kind} stream`)
}

function decodeValues(stripe: StripeColumns, column: number, type: OrcType, count: number): OrcValue[] {
  const what = `column ${column}`
  const encoding = encodingOf(stripe, column)
  const version = rleVersion(encoding)
  const data = (): Uint8Array => required(stripe, column, 'DATA', count)
  switch (type.kind) {
    case 'boolean':
      return Array.from(decodeBooleans(data(), count, `${what} DATA stream`), (bit) => bit === 1)
    case 'byte':
      return Array.from(decodeByteRle(data(), count, `${what} DATA stream`), (byte) => (byte << 24) >> 24)
    case 'short':
    case 'int':
    case 'long':
    case 'date':
      return decodeIntegers(data(), count, true, version, `${what} DATA stream`)
    case 'float':
    case 'double':
      return decodeFloats(data(), count, type.kind === 'float' ? 4 : 8, what)
    case 'string':
    case 'varchar':
    case 'char':
    case 'binary':
      return decodeBytesColumn(stripe, column, encoding, count, type.kind === 'binary')
    case 'timestamp':
    case 'timestamp_instant':
      return decodeTimestamps(stripe, column, count, version, type.kind === 'timestamp_instant')
    case 'decimal':
      // ORC 2.0's pre-release writes narrow decimals as RLE v2 integers (Decimal64, "DECIMAL_V2"): not read here.
      if (stripe.fileVersion?.[0] === 1 && type.precision !== undefined && type.precision > 0 && type.precision <= 18) {
        throw new OrcError(
          'FORMAT_UNSUPPORTED',
          `${what}: decimal(${type.precision},${type.scale ?? 0}) in the decimal64 encoding (DECIMAL_V2) of ORC's 2.0 pre-release files is not supported`,
        )
      }
      return decodeDecimals(stripe, column, count, version, type.precision ? type.scale : undefined)
    case 'struct':
      return decodeStruct(stripe, type, count)
    case 'list':
    case 'map':
      return decodeRepeated(stripe, column, type, count, version)
    case 'union':
      return decodeUnion(stripe, column, type, count)
  }
}

function decodeFloats(bytes: Uint8Array, count: number, width: 4 | 8, what: string): number[] {
  if (bytes.length < count * width) corrupt(`${what} DATA stream ends early (${count} values of ${width} bytes)`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Array<number>(count)
  for (let i = 0; i < count; i++) out[i] = width === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true)
  return out
}

/** Strings and binary: direct (lengths, then the bytes) or dictionary (indexes into a dictionary of lengths and bytes). */
function decodeBytesColumn(stripe: StripeColumns, column: number, encoding: OrcColumnEncoding, count: number, binary: boolean): OrcValue[] {
  const what = `column ${column}`
  const version = rleVersion(encoding)
  const convert = binary ? (bytes: Uint8Array): OrcValue => bytes.slice() : (bytes: Uint8Array): OrcValue => utf8.decode(bytes)
  if (encoding.kind === 'DIRECT' || encoding.kind === 'DIRECT_V2') {
    const lengths = decodeCounts(required(stripe, column, 'LENGTH', count), count, version, `${what} LENGTH stream`)
    return slices(required(stripe, column, 'DATA', count), lengths, `${what} DATA stream`).map(convert)
  }
  const size = encoding.dictionarySize
  const lengths = decodeCounts(required(stripe, column, 'LENGTH', size), size, version, `${what} LENGTH stream`)
  const dictionary = slices(required(stripe, column, 'DICTIONARY_DATA', size), lengths, `${what} DICTIONARY_DATA stream`).map(convert)
  const indexes = decodeCounts(required(stripe, column, 'DATA', count), count, version, `${what} DATA stream`)
  return indexes.map((index) => {
    if (index >= size) corrupt(`${what}: dictionary index ${index} beyond its ${size} entries`)
    return binary ? (dictionary[index] as Uint8Array).slice() : dictionary[index]!
  })
}

function slices(bytes: Uint8Array, lengths: readonly number[], what: string): Uint8Array[] {
  const out = new Array<Uint8Array>(lengths.length)
  let at = 0
  for (let i = 0; i < lengths.length; i++) {
    const end = at + lengths[i]!
    if (end > bytes.length) corrupt(`${what} ends early (lengths add up past its ${bytes.length} bytes)`)
    out[i] = bytes.subarray(at, end)
    at = end
  }
  return out
}

function decodeTimestamps(stripe: StripeColumns, column: number, count: number, version: IntegerRleVersion, instant: boolean): OrcValue[] {
  const what = `column ${column}`
  const seconds = decodeIntegers(required(stripe, column, 'DATA', count), count, true, version, `${what} DATA stream`)
  const nanos = decodeIntegers(required(stripe, column, 'SECONDARY', count), count, false, version, `${what} SECONDARY stream`)
  const baseOffset = instant ? 0 : baseOffsetOf(stripe.writerTimezone)
  const out = new Array<OrcValue>(count)
  for (let i = 0; i < count; i++) {
    const second = seconds[i]!
    const nano = nanos[i]!
    if (typeof second !== 'number' || typeof nano !== 'number') corrupt(`${what}: timestamp out of range`)
    out[i] = decodeTimestamp(second, nano, baseOffset)
  }
  return out
}

/**
 * Decimals as exact decimal text: unbounded zigzag varints (DATA) with each value's scale (SECONDARY),
 * shown at the type's scale when it declares one and the value's is smaller (`45.40` in a decimal(4,2)).
 */
function decodeDecimals(stripe: StripeColumns, column: number, count: number, version: IntegerRleVersion, typeScale: number | undefined): OrcValue[] {
  const what = `column ${column}`
  const cursor = new ByteCursor(required(stripe, column, 'DATA', count), `${what} DATA stream`)
  const scales = decodeIntegers(required(stripe, column, 'SECONDARY', count), count, true, version, `${what} SECONDARY stream`)
  const out = new Array<OrcValue>(count)
  for (let i = 0; i < count; i++) {
    const scale = scales[i]!
    if (typeof scale !== 'number' || scale < 0 || scale > 100) corrupt(`${what}: decimal scale ${scale} out of range`)
    const unscaled = cursor.svarint()
    out[i] = typeScale !== undefined && typeScale > scale ? decimalText(BigInt(unscaled) * 10n ** BigInt(typeScale - scale), typeScale) : decimalText(unscaled, scale)
  }
  return out
}

/** `unscaled / 10^scale` as decimal text (`-12.50` for -1250 at scale 2). */
export function decimalText(unscaled: OrcInteger, scale: number): string {
  const negative = unscaled < 0
  const digits = (negative ? -BigInt(unscaled) : BigInt(unscaled)).toString()
  if (scale === 0) return (negative ? '-' : '') + digits
  const padded = digits.padStart(scale + 1, '0')
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`
}

function decodeStruct(stripe: StripeColumns, type: OrcType, count: number): OrcValue[] {
  const fields = type.subtypes.map((child, index) => [type.fieldNames[index] ?? `_col${index}`, decodeColumn(stripe, child, count)] as const)
  const out = new Array<OrcValue>(count)
  for (let i = 0; i < count; i++) {
    const row: { [field: string]: OrcValue } = {}
    for (const [name, values] of fields) row[name] = values[i]!
    out[i] = row
  }
  return out
}

/** Lists (arrays) and maps (arrays of `{ key, value }`): a LENGTH per row, the children hold the elements. */
function decodeRepeated(stripe: StripeColumns, column: number, type: OrcType, count: number, version: IntegerRleVersion): OrcValue[] {
  const what = `column ${column}`
  const lengths = decodeCounts(required(stripe, column, 'LENGTH', count), count, version, `${what} LENGTH stream`)
  let total = 0
  for (const length of lengths) total += length
  const wanted = type.kind === 'map' ? 2 : 1
  if (type.subtypes.length !== wanted) corrupt(`${what}: a ${type.kind} with ${type.subtypes.length} child types`)
  const elements = decodeColumn(stripe, type.subtypes[0]!, total)
  const values = type.kind === 'map' ? decodeColumn(stripe, type.subtypes[1]!, total) : undefined
  const out = new Array<OrcValue>(count)
  let at = 0
  for (let i = 0; i < count; i++) {
    const length = lengths[i]!
    const items = new Array<OrcValue>(length)
    for (let j = 0; j < length; j++, at++) items[j] = values ? { key: elements[at]!, value: values[at]! } : elements[at]!
    out[i] = items
  }
  return out
}

/** Unions as `{ tag, value }`: a tag per row (DATA), each variant holding the rows of its tag. */
function decodeUnion(stripe: StripeColumns, column: number, type: OrcType, count: number): OrcValue[] {
  const tags = decodeByteRle(required(stripe, column, 'DATA', count), count, `column ${column} DATA stream`)
  const perTag = new Array<number>(type.subtypes.length).fill(0)
  for (const tag of tags) {
    if (tag >= type.subtypes.length) corrupt(`column ${column}: union tag ${tag} beyond its ${type.subtypes.length} variants`)
    perTag[tag]!++
  }
  const variants = type.subtypes.map((child, tag) => decodeColumn(stripe, child, perTag[tag]!))
  const next = new Array<number>(type.subtypes.length).fill(0)
  return Array.from(tags, (tag) => ({ tag, value: variants[tag]![next[tag]!++]! }))
}
