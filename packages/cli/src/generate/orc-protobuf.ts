/**
 * The protobuf messages of an ORC file's tail and stripe footers (orc_proto.proto), as the generator's
 * writer fills them: only varint and length-delimited fields, repeated integers packed as Apache ORC writes them.
 */

const encoder = new TextEncoder()

/** One protobuf message being written: fields in the order they are added. */
export class ProtoMessage {
  private readonly parts: number[] = []

  private varint(value: number): void {
    let rest = value
    while (rest >= 0x80) {
      this.parts.push((rest % 0x80) | 0x80)
      rest = Math.floor(rest / 0x80)
    }
    this.parts.push(rest)
  }

  private key(field: number, wireType: 0 | 2): void {
    this.varint(field * 8 + wireType)
  }

  uint(field: number, value: number): this {
    this.key(field, 0)
    this.varint(value)
    return this
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2)
    this.varint(value.length)
    for (const byte of value) this.parts.push(byte)
    return this
  }

  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value))
  }

  message(field: number, value: ProtoMessage): this {
    return this.bytes(field, value.toBytes())
  }

  packed(field: number, values: readonly number[]): this {
    const inner = new ProtoMessage()
    for (const value of values) inner.varint(value)
    return this.bytes(field, inner.toBytes())
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.parts)
  }
}

/** Type.Kind values used here. */
export const ORC_KIND = { BOOLEAN: 0, LONG: 4, STRING: 7, TIMESTAMP: 9, STRUCT: 12 } as const
/** Stream.Kind values used here. */
export const STREAM_KIND = { PRESENT: 0, DATA: 1, LENGTH: 2, DICTIONARY_DATA: 3, SECONDARY: 5 } as const
/** ColumnEncoding.Kind values used here. */
export const ENCODING_KIND = { DIRECT: 0, DIRECT_V2: 2, DICTIONARY_V2: 3 } as const

/** A column's encoding in a stripe: its kind, and a dictionary's size. */
export interface OrcEncoding {
  kind: number
  dictionarySize?: number | undefined
}

export interface OrcStream {
  kind: number
  column: number
  length: number
}

export interface OrcStripe {
  offset: number
  dataLength: number
  footerLength: number
  rows: number
  /** Per column (0 = the struct): values that are not null, and whether any is null. */
  statistics: readonly ColumnCount[]
}

export interface ColumnCount {
  values: number
  hasNull: boolean
}

export function stripeFooter(streams: readonly OrcStream[], encodings: readonly OrcEncoding[]): Uint8Array {
  const footer = new ProtoMessage()
  for (const stream of streams) footer.message(1, new ProtoMessage().uint(1, stream.kind).uint(2, stream.column).uint(3, stream.length))
  for (const { kind, dictionarySize } of encodings) {
    const encoding = new ProtoMessage().uint(1, kind)
    footer.message(2, dictionarySize === undefined ? encoding : encoding.uint(2, dictionarySize))
  }
  return footer.string(3, 'UTC').toBytes()
}

const columnStatistics = (count: ColumnCount): ProtoMessage => new ProtoMessage().uint(1, count.values).uint(10, count.hasNull ? 1 : 0)

/** Metadata: each stripe's column statistics. */
export function fileMetadata(stripes: readonly OrcStripe[]): Uint8Array {
  const metadata = new ProtoMessage()
  for (const stripe of stripes) {
    const stats = new ProtoMessage()
    for (const count of stripe.statistics) stats.message(1, columnStatistics(count))
    metadata.message(1, stats)
  }
  return metadata.toBytes()
}

/** The footer: stripes, the struct type and its children, row count and whole-file column statistics. */
export function fileFooter(
  contentLength: number,
  stripes: readonly OrcStripe[],
  fields: readonly { name: string; kind: number }[],
): Uint8Array {
  const footer = new ProtoMessage().uint(1, 3).uint(2, contentLength)
  for (const stripe of stripes) {
    footer.message(
      3,
      new ProtoMessage().uint(1, stripe.offset).uint(2, 0).uint(3, stripe.dataLength).uint(4, stripe.footerLength).uint(5, stripe.rows),
    )
  }
  const root = new ProtoMessage().uint(1, ORC_KIND.STRUCT).packed(
    2,
    fields.map((_, index) => index + 1),
  )
  for (const field of fields) root.string(3, field.name)
  footer.message(4, root)
  for (const field of fields) footer.message(4, new ProtoMessage().uint(1, field.kind))
  footer.uint(6, stripes.reduce((sum, stripe) => sum + stripe.rows, 0))
  for (let column = 0; column <= fields.length; column++) {
    const total = stripes.reduce(
      (sum, stripe) => ({ values: sum.values + stripe.statistics[column]!.values, hasNull: sum.hasNull || stripe.statistics[column]!.hasNull }),
      { values: 0, hasNull: false },
    )
    footer.message(7, columnStatistics(total))
  }
  return footer.uint(8, 0).toBytes()
}

/** The postscript (never compressed): lengths, ZLIB, the block size, version 0.12, writer version and "ORC". */
export function postscript(footerLength: number, metadataLength: number, compressionBlock: number): Uint8Array {
  return (
    new ProtoMessage()
      .uint(1, footerLength)
      .uint(2, 1)
      .uint(3, compressionBlock)
      .packed(4, [0, 12])
      .uint(5, metadataLength)
      // ORC_101, what AWS's own ORC reports declare (fixtures/aws-inventory/orc_inventory.orc).
      .uint(6, 5)
      .string(8000, 'ORC')
      .toBytes()
  )
}
