import { type OrcBytesColumn, decodeBytesView, decodeColumn, decodeEpochMillis, type OrcValue } from './column-decoder.js'
import { type ByteBudget, decompressStream } from './decompress.js'
import {
  type OrcColumnStatistics,
  type OrcCompression,
  type OrcFooter,
  type OrcPostScript,
  type OrcStripeFooter,
  type OrcStripeInformation,
  type OrcType,
  decodeFooter,
  decodeMetadata,
  decodePostScript,
  decodeStripeFooter,
} from './orc-metadata.js'
import { OrcError, corrupt, namingFile, namingFileSync } from './orc-error.js'
import { type OrcSchema, schemaOf } from './orc-schema.js'

/** Random access to a file's bytes: its length and ranged reads (a local file, an S3 object, memory). */
export interface OrcRandomAccess {
  readonly size: number
  /** Exactly `length` bytes from `offset`. */
  read(offset: number, length: number): Promise<Uint8Array>
}

/** Options of {@link openOrcFile}. */
export interface OpenOrcOptions {
  /** Names the file in errors. @default 'ORC file' */
  name?: string | undefined
  /** Most bytes of footer and metadata (decompressed) read to open the file. @default 64 MiB */
  maxTailBytes?: number | undefined
}

/** Options of {@link OrcFile.readStripes}. */
export interface ReadStripesOptions {
  /** Top-level fields to decode, by name; the others are never read. @default every field */
  columns?: readonly string[] | undefined
  /**
   * Most bytes of one stripe's needed streams, compressed as stored and again decompressed: a stripe is
   * decoded whole, so this bounds the reader's memory. A larger stripe is `FORMAT_UNSUPPORTED`. @default 256 MiB
   */
  maxStripeBytes?: number | undefined
}

/** One stripe's rows, column by column. */
export interface OrcStripe {
  index: number
  rowCount: number
  /** The zone the stripe's timestamps were written in (empty when the writer did not say). */
  writerTimezone: string
  /** The requested top-level fields' values by field name, `rowCount` each. */
  columns: Record<string, OrcValue[]>
}

/**
 * One stripe's requested columns, read and decompressed, each decoded when first asked for, in the form
 * asked for: values (as {@link OrcStripe}), or, without an object per value, a string column's byte
 * ranges and a timestamp column's epoch milliseconds.
 */
export interface OrcStripeColumns {
  index: number
  rowCount: number
  writerTimezone: string
  /** The type of a requested field. */
  typeOf(field: string): OrcSchema
  values(field: string): OrcValue[]
  /** A string, varchar, char or binary field's values as byte ranges. */
  bytes(field: string): OrcBytesColumn
  /** A timestamp field's values as epoch milliseconds (NaN where null). */
  epochMillis(field: string): Float64Array
}

/** An opened ORC file: its tail decoded, its stripes read on demand. */
export interface OrcFile {
  readonly name: string
  readonly postScript: OrcPostScript
  readonly footer: OrcFooter
  readonly compression: OrcCompression
  readonly rowCount: number
  readonly stripes: readonly OrcStripeInformation[]
  /** The root type: a struct whose fields are the columns (for a file whose root is not a struct, one field named ''). */
  readonly schema: OrcSchema
  /** The writer's key/value metadata. */
  readonly userMetadata: OrcFooter['userMetadata']
  /** Each stripe's column statistics (the metadata section), indexed by column id. */
  readStripeStatistics(): Promise<OrcColumnStatistics[][]>
  /** One stripe's requested columns. */
  readStripe(index: number, options?: ReadStripesOptions): Promise<OrcStripe>
  /** One stripe's requested columns, decoded on demand (see {@link OrcStripeColumns}). */
  readStripeColumns(index: number, options?: ReadStripesOptions): Promise<OrcStripeColumns>
  /** Every stripe in order, one at a time. */
  readStripes(options?: ReadStripesOptions): AsyncGenerator<OrcStripe>
}

/** Default of {@link ReadStripesOptions.maxStripeBytes}. */
export const MAX_ORC_STRIPE_BYTES = 256 * 1024 * 1024
const MAX_TAIL_BYTES = 64 * 1024 * 1024
const MAGIC = [0x4f, 0x52, 0x43] // "ORC"
const TAIL_GUESS = 16 * 1024

/**
 * Opens an ORC file: reads and checks its postscript, footer and types.
 * @throws OrcError `DATA_FILE_CORRUPT` (or `FORMAT_UNSUPPORTED`) whose message starts with the file's name.
 */
export async function openOrcFile(file: OrcRandomAccess, options: OpenOrcOptions = {}): Promise<OrcFile> {
  const name = options.name ?? 'ORC file'
  const maxTail = options.maxTailBytes ?? MAX_TAIL_BYTES
  return namingFile(name, async () => {
    const size = file.size
    if (size === 0) corrupt('empty file (0 bytes), not ORC')
    if (size < 4) corrupt(`${size} bytes: too short to be ORC`)
    const read = async (offset: number, length: number): Promise<Uint8Array> => {
      if (offset < 0 || length < 0 || offset + length > size) corrupt(`truncated: ${length} bytes at ${offset} lie outside its ${size} bytes`)
      return file.read(offset, length)
    }
    const head = await read(0, 3)
    if (MAGIC.some((byte, i) => head[i] !== byte)) corrupt('not an ORC file (no ORC magic at its start)')
    const guess = Math.min(size, TAIL_GUESS)
    let tail = await read(size - guess, guess)
    const postScriptLength = tail[tail.length - 1]!
    if (postScriptLength === 0 || postScriptLength + 1 > size - 3) corrupt('truncated or not ORC (bad postscript length)')
    const postScript = decodePostScript(tail.subarray(tail.length - 1 - postScriptLength, tail.length - 1))
    const tailLength = 1 + postScriptLength + postScript.footerLength + postScript.metadataLength
    if (tailLength > size - 3) corrupt(`truncated: its tail claims ${tailLength} bytes of ${size}`)
    if (postScript.footerLength + postScript.metadataLength > maxTail) {
      throw new OrcError('FORMAT_UNSUPPORTED', `footer and metadata of ${tailLength} bytes exceed the reader's limit of ${maxTail}`)
    }
    if (tailLength > tail.length) tail = await read(size - tailLength, tailLength)
    const tailStart = size - tail.length
    const footerStart = size - 1 - postScriptLength - postScript.footerLength
    const budget = byteBudget(maxTail, 'footer and metadata')
    const decompress = (bytes: Uint8Array, what: string): Uint8Array =>
      decompressStream(bytes, postScript.compression, postScript.compressionBlockSize, what, budget)
    const footer = decodeFooter(decompress(tail.subarray(footerStart - tailStart, footerStart - tailStart + postScript.footerLength), 'footer'))
    const schema = schemaOf(footer.types)
    const contentEnd = size - tailLength
    let rows = 0
    for (const [index, stripe] of footer.stripes.entries()) {
      const end = stripe.offset + stripe.indexLength + stripe.dataLength + stripe.footerLength
      if (stripe.offset < 3 || end > contentEnd) corrupt(`stripe ${index} lies outside the file's data (${stripe.offset} to ${end} of ${contentEnd})`)
      rows += stripe.numberOfRows
    }
    if (footer.stripes.length > 0 && rows !== footer.numberOfRows) corrupt(`the stripes hold ${rows} rows, the footer says ${footer.numberOfRows}`)
    const metadataStart = footerStart - postScript.metadataLength
    const metadataBytes = tail.subarray(metadataStart - tailStart, footerStart - tailStart)
    return createOrcFile(name, read, postScript, footer, schema, () => decompress(metadataBytes, 'metadata'))
  })
}

function byteBudget(limit: number, what: string): ByteBudget {
  let left = limit
  return {
    spend(bytes) {
      left -= bytes
      if (left < 0) throw new OrcError('FORMAT_UNSUPPORTED', `${what} decompress to more than the reader's limit of ${limit} bytes`)
    },
  }
}

const SKIPPED_STREAMS = new Set(['ROW_INDEX', 'BLOOM_FILTER', 'BLOOM_FILTER_UTF8'])

function createOrcFile(
  name: string,
  read: (offset: number, length: number) => Promise<Uint8Array>,
  postScript: OrcPostScript,
  footer: OrcFooter,
  schema: OrcSchema,
  metadata: () => Uint8Array,
): OrcFile {
  const { compression, compressionBlockSize } = postScript
  const types: readonly OrcType[] = footer.types
  const fieldTypes = new Map(schema.fields!.map((field) => [field.name, field.type]))
  const fieldColumns = new Map(schema.fields!.map((field) => [field.name, field.type.column]))

  async function readStripe(index: number, options: ReadStripesOptions = {}): Promise<OrcStripe> {
    const stripe = await readStripeColumns(index, options)
    return namingFile(name, async () => {
      const columns: Record<string, OrcValue[]> = {}
      for (const field of options.columns ?? fieldColumns.keys()) columns[field] = stripe.values(field)
      return { index, rowCount: stripe.rowCount, writerTimezone: stripe.writerTimezone, columns }
    })
  }

  async function readStripeColumns(index: number, options: ReadStripesOptions = {}): Promise<OrcStripeColumns> {
    return namingFile(name, async () => {
      const stripe = footer.stripes[index]
      if (!stripe) throw new OrcError('FORMAT_UNSUPPORTED', `there is no stripe ${index} (the file has ${footer.stripes.length})`)
      const maxBytes = options.maxStripeBytes ?? MAX_ORC_STRIPE_BYTES
      const wanted = options.columns ?? [...fieldColumns.keys()]
      const roots = wanted.map((field) => {
        const column = fieldColumns.get(field)
        if (column === undefined) throw new OrcError('FORMAT_UNSUPPORTED', `the file has no column ${JSON.stringify(field)}`)
        return [field, column] as const
      })
      const needed = new Set<number>()
      const mark = (column: number): void => {
        needed.add(column)
        for (const child of types[column]!.subtypes) mark(child)
      }
      for (const [, column] of roots) mark(column)

      const budget = byteBudget(maxBytes, `stripe ${index}'s needed streams`)
      const decompress = (bytes: Uint8Array, what: string): Uint8Array => decompressStream(bytes, compression, compressionBlockSize, what, budget)
      const stripeFooter = await readStripeFooter(stripe, index, decompress)
      if (stripeFooter.columns.length < types.length) {
        corrupt(`stripe ${index} footer has ${stripeFooter.columns.length} column encodings for ${types.length} columns`)
      }
      const located = locateStreams(stripe, stripeFooter, index, needed)
      let bytes = 0
      for (const stream of located.values()) bytes += stream.length
      if (bytes > maxBytes) {
        throw new OrcError(
          'FORMAT_UNSUPPORTED',
          `stripe ${index} needs ${bytes} bytes of streams, over the reader's limit of ${maxBytes} (raise maxStripeBytes if the machine has the memory)`,
        )
      }
      const decoded = new Map<string, Uint8Array>()
      for (const [key, stream] of located) decoded.set(key, decompress(await read(stream.start, stream.length), `stripe ${index} ${key} stream`))
      const source = {
        types,
        encodings: stripeFooter.columns,
        streams: (column: number, kind: string) => decoded.get(`column ${column} ${kind}`),
        writerTimezone: stripeFooter.writerTimezone,
        fileVersion: postScript.version,
      }
      const rows = stripe.numberOfRows
      const requested = new Map(roots)
      const columnOf = (field: string): number => {
        const column = requested.get(field)
        if (column === undefined) throw new OrcError('FORMAT_UNSUPPORTED', `column ${JSON.stringify(field)} was not read from stripe ${index}`)
        return column
      }
      // Decoding errors name the file, as the reading does.
      const decode = <T>(field: string, how: (column: number) => T): T => namingFileSync(name, () => how(columnOf(field)))
      return {
        index,
        rowCount: rows,
        writerTimezone: stripeFooter.writerTimezone,
        typeOf: (field) => (columnOf(field), fieldTypes.get(field)!),
        values: (field) => decode(field, (column) => decodeColumn(source, column, rows)),
        bytes: (field) => decode(field, (column) => decodeBytesView(source, column, rows)),
        epochMillis: (field) => decode(field, (column) => decodeEpochMillis(source, column, rows)),
      }
    })
  }

  async function readStripeFooter(
    stripe: OrcStripeInformation,
    index: number,
    decompress: (bytes: Uint8Array, what: string) => Uint8Array,
  ): Promise<OrcStripeFooter> {
    const start = stripe.offset + stripe.indexLength + stripe.dataLength
    return decodeStripeFooter(decompress(await read(start, stripe.footerLength), `stripe ${index} footer`), index)
  }

  return {
    name,
    postScript,
    footer,
    compression,
    rowCount: footer.numberOfRows,
    stripes: footer.stripes,
    schema,
    userMetadata: footer.userMetadata,
    readStripeStatistics: () => namingFile(name, async () => decodeMetadata(metadata())),
    readStripe,
    readStripeColumns,
    async *readStripes(options) {
      for (let index = 0; index < footer.stripes.length; index++) yield await readStripe(index, options)
    },
  }
}

/** Where each needed stream lies: streams follow one another from the stripe's start, in the footer's order. */
function locateStreams(
  stripe: OrcStripeInformation,
  footer: OrcStripeFooter,
  index: number,
  needed: ReadonlySet<number>,
): Map<string, { start: number; length: number }> {
  const located = new Map<string, { start: number; length: number }>()
  const end = stripe.offset + stripe.indexLength + stripe.dataLength
  let at = stripe.offset
  for (const stream of footer.streams) {
    const start = at
    at += stream.length
    if (at > end) corrupt(`stripe ${index}: its streams run past its data (${at} > ${end})`)
    if (!needed.has(stream.column) || SKIPPED_STREAMS.has(stream.kind)) continue
    const key = `column ${stream.column} ${stream.kind}`
    if (located.has(key)) corrupt(`stripe ${index} has two ${key} streams`)
    located.set(key, { start, length: stream.length })
  }
  return located
}
