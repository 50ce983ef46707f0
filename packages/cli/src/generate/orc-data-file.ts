import { createHash } from 'node:crypto'
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import * as path from 'node:path'
import type { DataFileWriter, FieldKind, GeneratedFormat, WrittenDataFile } from './data-file-format.js'
import { kindOf, parseGeneratedRow, reportFields, snakeName, typedFieldValue } from './data-file-format.js'
import {
  compressZlib,
  encodeBooleans,
  encodeNanos,
  encodeSignedRleV2,
  encodeUnsignedRleV2,
  ORC_COMPRESSION_BLOCK,
} from './orc-encodings.js'
import {
  ENCODING_KIND,
  fileFooter,
  fileMetadata,
  ORC_KIND,
  postscript,
  STREAM_KIND,
  stripeFooter,
  type ColumnCount,
  type OrcEncoding,
  type OrcStream,
  type OrcStripe,
} from './orc-protobuf.js'

/**
 * Rows per stripe. AWS's writer closes a stripe by size (64 MB); a row bound keeps the generator's
 * memory flat (one stripe's values) and gives a large file several stripes.
 */
export const ORC_STRIPE_ROWS = 100_000

const ORC_TYPE: Record<FieldKind, string> = { string: 'string', boolean: 'boolean', int64: 'bigint', timestamp: 'timestamp' }
const KIND: Record<FieldKind, number> = {
  string: ORC_KIND.STRING,
  boolean: ORC_KIND.BOOLEAN,
  int64: ORC_KIND.LONG,
  timestamp: ORC_KIND.TIMESTAMP,
}

/** ORC timestamps count seconds from 2015-01-01 00:00:00 in the writer's timezone (UTC here). */
const ORC_EPOCH_SECONDS = Date.UTC(2015, 0, 1) / 1000

/** Options of {@link createOrcDataFileWriter}. */
export interface OrcWriterOptions {
  /** Rows per stripe. @default {@link ORC_STRIPE_ROWS} */
  stripeRows?: number | undefined
  /** Write string columns with dictionary encoding (DICTIONARY_V2) instead of DIRECT_V2. @default false */
  dictionaryStrings?: boolean | undefined
  /** Name the columns `_col0`, `_col1`, ... as Hive's writer does, instead of by field. @default false */
  unnamedColumns?: boolean | undefined
  /**
   * Type `is_latest` and `is_delete_marker` as string columns holding `true` / `false` instead of
   * booleans (a reader must take either; tests only, AWS writes booleans). @default false
   */
  textFlags?: boolean | undefined
}

/** The version flags, typed as text by {@link OrcWriterOptions.textFlags}. */
const FLAG_FIELDS = new Set(['isLatest', 'isDeleteMarker'])

/** An ORC data file writer that also takes rows as typed values (null for a missing value), in {@link reportFields} order. */
export interface OrcDataFileWriter extends DataFileWriter {
  writeRow(values: readonly Value[]): void
}

/** Opens the ORC data file `key` under `out` (the generator's writer, with knobs for tests). */
export function createOrcDataFileWriter(out: string, key: string, versioned: boolean, options: OrcWriterOptions = {}): OrcDataFileWriter {
  return new OrcWriter(out, key, versioned, options)
}

/** ORC as AWS writes it: ZLIB, writer timezone UTC, `fileSchema` a `struct<bucket:string,...>`. */
export const ORC_FORMAT: GeneratedFormat = {
  fileFormat: 'ORC',
  extension: '.orc',
  fileSchema: (versioned) => `struct<${reportFields(versioned).map((field) => `${snakeName(field)}:${ORC_TYPE[kindOf(field)]}`).join(',')}>`,
  createWriter: (out, key, versioned) => createOrcDataFileWriter(out, key, versioned),
}

/** A typed value of a row. */
export type Value = string | number | boolean | null

const encoder = new TextEncoder()

/** UTF-8 bytes of `strings`, one after the other, and each one's length (one buffer, no array per value). */
function stringBytes(strings: readonly string[]): { data: Buffer; lengths: number[] } {
  const data = Buffer.allocUnsafe(strings.reduce((sum, value) => sum + Buffer.byteLength(value), 0))
  const lengths = new Array<number>(strings.length)
  let at = 0
  strings.forEach((value, index) => {
    const written = data.write(value, at)
    lengths[index] = written
    at += written
  })
  return { data, lengths }
}

/** A string column's dictionary streams: each distinct value once (first seen first), then each row's index. */
function dictionaryStreams(strings: readonly string[]): { streams: { kind: number; bytes: Uint8Array }[]; dictionarySize: number } {
  const indexOf = new Map<string, number>()
  const indexes = strings.map((value) => {
    let index = indexOf.get(value)
    if (index === undefined) indexOf.set(value, (index = indexOf.size))
    return index
  })
  const { data, lengths } = stringBytes([...indexOf.keys()])
  return {
    streams: [
      { kind: STREAM_KIND.DATA, bytes: encodeUnsignedRleV2(indexes) },
      { kind: STREAM_KIND.LENGTH, bytes: encodeUnsignedRleV2(lengths) },
      { kind: STREAM_KIND.DICTIONARY_DATA, bytes: data },
    ],
    dictionarySize: indexOf.size,
  }
}

/** One column's streams for a stripe's values (nulls left out of DATA, marked in PRESENT when there are any), and its encoding. */
function columnStreams(kind: FieldKind, values: readonly Value[], dictionary: boolean): { streams: { kind: number; bytes: Uint8Array }[]; encoding: OrcEncoding } {
  const present = values.filter((value) => value !== null)
  const streams: { kind: number; bytes: Uint8Array }[] = []
  if (present.length < values.length) streams.push({ kind: STREAM_KIND.PRESENT, bytes: encodeBooleans(values.map((value) => value !== null)) })
  switch (kind) {
    case 'string': {
      if (dictionary) {
        const { streams: dictionaryParts, dictionarySize } = dictionaryStreams(present as string[])
        return { streams: [...streams, ...dictionaryParts], encoding: { kind: ENCODING_KIND.DICTIONARY_V2, dictionarySize } }
      }
      const { data, lengths } = stringBytes(present as string[])
      streams.push({ kind: STREAM_KIND.DATA, bytes: data })
      streams.push({ kind: STREAM_KIND.LENGTH, bytes: encodeUnsignedRleV2(lengths) })
      break
    }
    case 'boolean':
      streams.push({ kind: STREAM_KIND.DATA, bytes: encodeBooleans(present as boolean[]) })
      break
    case 'int64':
      streams.push({ kind: STREAM_KIND.DATA, bytes: encodeSignedRleV2(present as number[]) })
      break
    case 'timestamp': {
      const millis = present as number[]
      streams.push({ kind: STREAM_KIND.DATA, bytes: encodeSignedRleV2(millis.map((ms) => Math.floor(ms / 1000) - ORC_EPOCH_SECONDS)) })
      streams.push({ kind: STREAM_KIND.SECONDARY, bytes: encodeUnsignedRleV2(millis.map((ms) => encodeNanos((((ms % 1000) + 1000) % 1000) * 1e6))) })
      break
    }
  }
  return { streams, encoding: { kind: kind === 'boolean' ? ENCODING_KIND.DIRECT : ENCODING_KIND.DIRECT_V2 } }
}

/**
 * Writes one ORC file: the header, a stripe per {@link ORC_STRIPE_ROWS} rows (every stream ZLIB-compressed
 * in ORC's chunks), then metadata, footer and postscript. Bytes go straight to the file and its MD5.
 */
class OrcWriter implements OrcDataFileWriter {
  private readonly fd: number
  private readonly hash = createHash('md5')
  private readonly fields: readonly string[]
  private readonly kinds: readonly FieldKind[]
  private readonly stripes: OrcStripe[] = []
  private columns: Value[][]
  private offset = 0
  private carry = ''

  private readonly stripeRows: number

  constructor(
    out: string,
    readonly key: string,
    versioned: boolean,
    private readonly options: OrcWriterOptions,
  ) {
    this.stripeRows = options.stripeRows ?? ORC_STRIPE_ROWS
    const file = path.join(out, key)
    mkdirSync(path.dirname(file), { recursive: true })
    this.fd = openSync(file, 'w')
    this.fields = reportFields(versioned)
    this.kinds = this.fields.map((field) => (options.textFlags && FLAG_FIELDS.has(field) ? 'string' : kindOf(field)))
    this.columns = this.fields.map(() => [])
    this.emit(encoder.encode('ORC'))
  }

  private emit(bytes: Uint8Array): void {
    writeSync(this.fd, bytes)
    this.hash.update(bytes)
    this.offset += bytes.length
  }

  async write(text: string): Promise<void> {
    const lines = (this.carry + text).split('\n')
    this.carry = lines.pop() ?? ''
    for (const line of lines) {
      const values = parseGeneratedRow(line)
      // A row with too few fields (a malformed row) keeps its key; what is missing is null.
      this.writeRow(this.fields.map((field, index) => typedFieldValue(field, values[index])))
    }
  }

  writeRow(values: readonly Value[]): void {
    if (this.options.textFlags) values = values.map((value, index) => (FLAG_FIELDS.has(this.fields[index]!) && typeof value === 'boolean' ? String(value) : value))
    this.columns.forEach((column, index) => column.push(values[index] ?? null))
    if (this.columns[0]!.length >= this.stripeRows) this.flushStripe()
  }

  private flushStripe(): void {
    const rows = this.columns[0]!.length
    if (rows === 0) return
    const offset = this.offset
    const streams: OrcStream[] = []
    const statistics: ColumnCount[] = [{ values: rows, hasNull: false }]
    const encodings: OrcEncoding[] = [{ kind: ENCODING_KIND.DIRECT }]
    this.columns.forEach((values, index) => {
      const column = index + 1
      const { streams: columnParts, encoding } = columnStreams(this.kinds[index]!, values, this.options.dictionaryStrings === true)
      encodings.push(encoding)
      for (const stream of columnParts) {
        const bytes = compressZlib(stream.bytes)
        this.emit(bytes)
        streams.push({ kind: stream.kind, column, length: bytes.length })
      }
      const nulls = values.reduce<number>((sum, value) => sum + (value === null ? 1 : 0), 0)
      statistics.push({ values: rows - nulls, hasNull: nulls > 0 })
    })
    const dataLength = this.offset - offset
    const footer = compressZlib(stripeFooter(streams, encodings))
    this.emit(footer)
    this.stripes.push({ offset, dataLength, footerLength: footer.length, rows, statistics })
    this.columns = this.fields.map(() => [])
  }

  async close(): Promise<WrittenDataFile> {
    this.flushStripe()
    const contentLength = this.offset
    const metadata = compressZlib(fileMetadata(this.stripes))
    this.emit(metadata)
    const footer = compressZlib(
      fileFooter(
        contentLength,
        this.stripes,
        this.fields.map((field, index) => ({ name: this.options.unnamedColumns ? `_col${index}` : snakeName(field), kind: KIND[this.kinds[index]!] })),
      ),
    )
    this.emit(footer)
    const tail = postscript(footer.length, metadata.length, ORC_COMPRESSION_BLOCK)
    this.emit(tail)
    this.emit(Uint8Array.of(tail.length))
    closeSync(this.fd)
    return { key: this.key, size: this.offset, MD5checksum: this.hash.digest('hex') }
  }
}
