import type { OrcInteger } from './byte-cursor.js'
import { corrupt } from './orc-error.js'
import { ProtoMessage } from './protobuf.js'

/** The compression codecs of ORC's postscript, by their number there. */
export const COMPRESSION_KINDS = ['NONE', 'ZLIB', 'SNAPPY', 'LZO', 'LZ4', 'ZSTD'] as const
export type OrcCompression = (typeof COMPRESSION_KINDS)[number]

/** The type kinds of ORC's footer, by their number there, lowercased. */
export const TYPE_KINDS = [
  'boolean',
  'byte',
  'short',
  'int',
  'long',
  'float',
  'double',
  'string',
  'binary',
  'timestamp',
  'list',
  'map',
  'struct',
  'union',
  'decimal',
  'date',
  'varchar',
  'char',
  'timestamp_instant',
] as const
export type OrcTypeKind = (typeof TYPE_KINDS)[number]

/** The file's tail message that is never compressed. */
export interface OrcPostScript {
  footerLength: number
  compression: OrcCompression
  compressionBlockSize: number
  /** The file format version, e.g. `[0, 12]`. */
  version: number[]
  metadataLength: number
  writerVersion: number
}

/** One type of the file's flattened type tree; its index is its column id (0 is the root). */
export interface OrcType {
  kind: OrcTypeKind
  /** Column ids of the children (struct fields, list element, map key and value, union variants). */
  subtypes: number[]
  /** A struct's field names, in `subtypes` order. */
  fieldNames: string[]
  maximumLength?: number | undefined
  precision?: number | undefined
  scale?: number | undefined
}

/** Where one stripe lies and how many rows it holds. */
export interface OrcStripeInformation {
  offset: number
  indexLength: number
  dataLength: number
  footerLength: number
  numberOfRows: number
}

/** The file's footer. */
export interface OrcFooter {
  headerLength: number
  contentLength: number
  stripes: OrcStripeInformation[]
  types: OrcType[]
  /** The writer's own key/value pairs. */
  userMetadata: { name: string; value: Uint8Array }[]
  numberOfRows: number
  statistics: OrcColumnStatistics[]
  rowIndexStride: number
  /** The writer's implementation id (0 Java, 1 C++, ...). */
  writer?: number | undefined
}

/** What the file says about one column's values (file-wide in the footer, per stripe in the metadata). */
export interface OrcColumnStatistics {
  numberOfValues?: OrcInteger | undefined
  hasNull?: boolean | undefined
  /** Integer columns. */
  minimum?: OrcInteger | number | string | undefined
  maximum?: OrcInteger | number | string | undefined
  sum?: OrcInteger | number | undefined
}

/** Stream kinds of a stripe footer, by their number there. */
export const STREAM_KINDS: Record<number, string> = {
  0: 'PRESENT',
  1: 'DATA',
  2: 'LENGTH',
  3: 'DICTIONARY_DATA',
  4: 'DICTIONARY_COUNT',
  5: 'SECONDARY',
  6: 'ROW_INDEX',
  7: 'BLOOM_FILTER',
  8: 'BLOOM_FILTER_UTF8',
  9: 'ENCRYPTED_INDEX',
  10: 'ENCRYPTED_DATA',
  100: 'STRIPE_STATISTICS',
  101: 'FILE_STATISTICS',
}

export interface OrcStream {
  kind: string
  column: number
  length: number
}

export const ENCODING_KINDS = ['DIRECT', 'DICTIONARY', 'DIRECT_V2', 'DICTIONARY_V2'] as const
export type OrcEncodingKind = (typeof ENCODING_KINDS)[number]

export interface OrcColumnEncoding {
  kind: OrcEncodingKind
  dictionarySize: number
}

/** The footer of one stripe: its streams in file order, each column's encoding, the writer's time zone. */
export interface OrcStripeFooter {
  streams: OrcStream[]
  columns: OrcColumnEncoding[]
  /** An IANA zone name (`UTC`, `America/Los_Angeles`); empty when the writer did not say. */
  writerTimezone: string
}

function enumOf<T extends string>(values: readonly T[], index: number, what: string): T {
  const value = values[index]
  if (value === undefined) corrupt(`${what} ${index} is unknown`)
  return value
}

export function decodePostScript(bytes: Uint8Array): OrcPostScript {
  const message = ProtoMessage.decode(bytes, 'postscript')
  if (message.string(8000) !== 'ORC') corrupt('postscript has no ORC magic')
  return {
    footerLength: message.uint(1),
    compression: enumOf(COMPRESSION_KINDS, message.uint(2), 'compression kind'),
    compressionBlockSize: message.uint(3, 256 * 1024),
    version: message.uints(4),
    metadataLength: message.uint(5),
    writerVersion: message.uint(6),
  }
}

export function decodeFooter(bytes: Uint8Array): OrcFooter {
  const message = ProtoMessage.decode(bytes, 'footer')
  return {
    headerLength: message.uint(1),
    contentLength: message.uint(2),
    stripes: message.messages(3).map((stripe) => ({
      offset: stripe.uint(1),
      indexLength: stripe.uint(2),
      dataLength: stripe.uint(3),
      footerLength: stripe.uint(4),
      numberOfRows: stripe.uint(5),
    })),
    types: message.messages(4).map((type) => ({
      kind: enumOf(TYPE_KINDS, type.uint(1), 'type kind'),
      subtypes: type.uints(2),
      fieldNames: type.strings(3),
      maximumLength: type.has(4) ? type.uint(4) : undefined,
      precision: type.has(5) ? type.uint(5) : undefined,
      scale: type.has(6) ? type.uint(6) : undefined,
    })),
    userMetadata: message.messages(5).map((item) => ({ name: item.string(1) ?? '', value: item.bytes(2) ?? new Uint8Array(0) })),
    numberOfRows: message.uint(6),
    statistics: message.messages(7).map(decodeColumnStatistics),
    rowIndexStride: message.uint(8),
    writer: message.has(9) ? message.uint(9) : undefined,
  }
}

/** The metadata section: each stripe's column statistics. */
export function decodeMetadata(bytes: Uint8Array): OrcColumnStatistics[][] {
  return ProtoMessage.decode(bytes, 'metadata')
    .messages(1)
    .map((stripe) => stripe.messages(1).map(decodeColumnStatistics))
}

function decodeColumnStatistics(message: ProtoMessage): OrcColumnStatistics {
  const stats: OrcColumnStatistics = {
    numberOfValues: message.integer(1),
    hasNull: message.has(10) ? message.uint(10) !== 0 : undefined,
  }
  const ints = message.message(2)
  if (ints) Object.assign(stats, { minimum: ints.sint(1), maximum: ints.sint(2), sum: ints.sint(3) })
  const doubles = message.message(3)
  if (doubles) Object.assign(stats, { minimum: doubles.double(1), maximum: doubles.double(2), sum: doubles.double(3) })
  const strings = message.message(4)
  if (strings) Object.assign(stats, { minimum: strings.string(1), maximum: strings.string(2), sum: strings.sint(3) })
  return stats
}

export function decodeStripeFooter(bytes: Uint8Array, stripe: number): OrcStripeFooter {
  const message = ProtoMessage.decode(bytes, `stripe ${stripe} footer`)
  return {
    streams: message.messages(1).map((stream) => ({
      kind: STREAM_KINDS[stream.uint(1)] ?? `UNKNOWN_${stream.uint(1)}`,
      column: stream.uint(2),
      length: stream.uint(3),
    })),
    columns: message.messages(2).map((encoding) => ({
      kind: enumOf(ENCODING_KINDS, encoding.uint(1), `stripe ${stripe} column encoding`),
      dictionarySize: encoding.uint(2),
    })),
    writerTimezone: message.string(3) ?? '',
  }
}
