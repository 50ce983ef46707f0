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

/** ORC as AWS writes it: ZLIB, writer timezone UTC, `fileSchema` a `struct<bucket:string,...>`. */
export const ORC_FORMAT: GeneratedFormat = {
  fileFormat: 'ORC',
  extension: '.orc',
  fileSchema: (versioned) => `struct<${reportFields(versioned).map((field) => `${snakeName(field)}:${ORC_TYPE[kindOf(field)]}`).join(',')}>`,
  createWriter: (out, key, versioned) => new OrcDataFileWriter(out, key, versioned),
}

type Value = string | number | boolean | null

const encoder = new TextEncoder()

/** One column's streams for a stripe's values (nulls left out of DATA, marked in PRESENT when there are any). */
function columnStreams(kind: FieldKind, values: readonly Value[]): { kind: number; bytes: Uint8Array }[] {
  const present = values.filter((value) => value !== null)
  const streams: { kind: number; bytes: Uint8Array }[] = []
  if (present.length < values.length) streams.push({ kind: STREAM_KIND.PRESENT, bytes: encodeBooleans(values.map((value) => value !== null)) })
  switch (kind) {
    case 'string': {
      // One buffer for the stripe's strings, written in place (no array per value).
      const strings = present as string[]
      const data = Buffer.allocUnsafe(strings.reduce((sum, value) => sum + Buffer.byteLength(value), 0))
      const lengths = new Array<number>(strings.length)
      let at = 0
      strings.forEach((value, index) => {
        const written = data.write(value, at)
        lengths[index] = written
        at += written
      })
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
  return streams
}

/**
 * Writes one ORC file: the header, a stripe per {@link ORC_STRIPE_ROWS} rows (every stream ZLIB-compressed
 * in ORC's chunks), then metadata, footer and postscript. Bytes go straight to the file and its MD5.
 */
class OrcDataFileWriter implements DataFileWriter {
  private readonly fd: number
  private readonly hash = createHash('md5')
  private readonly fields: readonly string[]
  private readonly kinds: readonly FieldKind[]
  private readonly stripes: OrcStripe[] = []
  private columns: Value[][]
  private offset = 0
  private carry = ''

  constructor(
    out: string,
    readonly key: string,
    versioned: boolean,
  ) {
    const file = path.join(out, key)
    mkdirSync(path.dirname(file), { recursive: true })
    this.fd = openSync(file, 'w')
    this.fields = reportFields(versioned)
    this.kinds = this.fields.map(kindOf)
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
      this.fields.forEach((field, index) => this.columns[index]!.push(typedFieldValue(field, values[index])))
      if (this.columns[0]!.length >= ORC_STRIPE_ROWS) this.flushStripe()
    }
  }

  private flushStripe(): void {
    const rows = this.columns[0]!.length
    if (rows === 0) return
    const offset = this.offset
    const streams: OrcStream[] = []
    const statistics: ColumnCount[] = [{ values: rows, hasNull: false }]
    this.columns.forEach((values, index) => {
      const column = index + 1
      for (const stream of columnStreams(this.kinds[index]!, values)) {
        const bytes = compressZlib(stream.bytes)
        this.emit(bytes)
        streams.push({ kind: stream.kind, column, length: bytes.length })
      }
      const nulls = values.reduce<number>((sum, value) => sum + (value === null ? 1 : 0), 0)
      statistics.push({ values: rows - nulls, hasNull: nulls > 0 })
    })
    const dataLength = this.offset - offset
    const encodings = [ENCODING_KIND.DIRECT, ...this.kinds.map((kind) => (kind === 'boolean' ? ENCODING_KIND.DIRECT : ENCODING_KIND.DIRECT_V2))]
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
        this.fields.map((field, index) => ({ name: snakeName(field), kind: KIND[this.kinds[index]!] })),
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
