import type { ColumnMetaData, Compressors, DataReader, PageHeader, SchemaElement } from 'hyparquet'
import { parquetHeader } from 'hyparquet/src/column.js'
import { decompressPage } from 'hyparquet/src/datapage.js'
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js'
import type { InventoryField } from '../parse/file-schema.js'

/**
 * One row group's column decoded into flat arrays, with no JS value per row: what the Parquet rollup
 * reads. A column in a form this module does not decode (another type, encoding or page kind) is left
 * to hyparquet's own decoding, which gives the same values as JS values.
 */
export type FlatColumn = ByteColumn | NumberColumn | FlagColumn

/** A string column: row `i`'s UTF-8 bytes are `data[starts[i], ends[i])`; `starts[i]` is -1 when null. */
export interface ByteColumn {
  kind: 'bytes'
  data: Uint8Array
  starts: Int32Array
  ends: Int32Array
}

/** An integer column (sizes; timestamps as epoch milliseconds); NaN when null. */
export interface NumberColumn {
  kind: 'numbers'
  values: Float64Array
}

/** A boolean column: 1 when true, 0 when false or null. */
export interface FlagColumn {
  kind: 'flags'
  values: Uint8Array
}

type FlatKind = FlatColumn['kind']

/**
 * The flat form of an inventory field's column, when its Parquet type has one whose values hyparquet
 * would give unchanged: strings (BYTE_ARRAY, UTF-8 or unannotated), signed integers, timestamps in
 * milliseconds, booleans; a top-level column, not repeated. Undefined otherwise.
 */
export function flatKindOf(field: InventoryField, element: SchemaElement): FlatKind | undefined {
  if (element.repetition_type === 'REPEATED' || element.num_children !== undefined) return undefined
  const { type, converted_type: converted, logical_type: logical } = element
  switch (field) {
    case 'key':
    case 'eTag':
    case 'storageClass':
      return type === 'BYTE_ARRAY' && (converted === undefined || converted === 'UTF8') && (logical === undefined || logical.type === 'STRING') ? 'bytes' : undefined
    case 'size': {
      const signed = logical === undefined || (logical.type === 'INTEGER' && logical.isSigned)
      return (type === 'INT64' || type === 'INT32') && (converted === undefined || converted === 'INT_64' || converted === 'INT_32') && signed ? 'numbers' : undefined
    }
    case 'lastModifiedDate': {
      // hyparquet gives an unannotated INT64 as it is, which the record path reads as milliseconds.
      const millis =
        converted === 'TIMESTAMP_MILLIS' || (converted === undefined && (logical === undefined || (logical.type === 'TIMESTAMP' && logical.unit === 'MILLIS')))
      return type === 'INT64' && millis ? 'numbers' : undefined
    }
    case 'isLatest':
    case 'isDeleteMarker':
      return type === 'BOOLEAN' && converted === undefined && logical === undefined ? 'flags' : undefined
    default:
      return undefined
  }
}

/** Where a column chunk's pages are in the file: from its first page (the dictionary's, if any) on. */
export function columnChunkRange(meta: ColumnMetaData): { start: number; end: number } {
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset)
  return { start, end: start + Number(meta.total_compressed_size) }
}

/** What {@link readFlatColumn} needs to know of the column. */
export interface FlatColumnSpec {
  kind: FlatKind
  /** The Parquet physical type. */
  type: SchemaElement['type']
  /** Whether the column can hold nulls (so its pages carry definition levels). */
  optional: boolean
  codec: ColumnMetaData['codec']
  compressors: Compressors
  /** Uncompressed bytes of the chunk (its metadata's), the first guess of the string bytes' size. */
  uncompressedBytes: number
}

/**
 * Decodes a column chunk's pages (`chunk`: the chunk's bytes as stored) into a {@link FlatColumn} of
 * `rows` rows, using hyparquet's page headers, decompression and RLE/bit-packed decoding. Undefined when a
 * page is in a form this decoder leaves to hyparquet (an encoding other than PLAIN or dictionary, index
 * pages, definition levels not RLE); throws when the chunk's bytes do not hold what its pages declare.
 */
export function readFlatColumn(chunk: Uint8Array, rows: number, spec: FlatColumnSpec): FlatColumn | undefined {
  const column = new ColumnBuilder(rows, spec)
  const reader: DataReader = { view: new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength), offset: 0 }
  while (column.rows < rows && reader.offset < chunk.byteLength) {
    const header = parquetHeader(reader)
    const compressed = chunk.subarray(reader.offset, reader.offset + header.compressed_page_size)
    if (compressed.byteLength !== header.compressed_page_size) throw new Error(`page of ${header.compressed_page_size} bytes past the column chunk's end`)
    reader.offset += header.compressed_page_size
    if (!column.readPage(header, compressed)) return undefined
  }
  if (column.rows !== rows) throw new Error(`column chunk holds ${column.rows} values, its row group ${rows} rows`)
  return column.finish()
}

const TWO_POW_32 = 4294967296

/** Fills a {@link FlatColumn} page by page. */
class ColumnBuilder {
  /** Rows filled so far. */
  rows = 0
  // Strings: bytes of every page's values and dictionary, copied one after another.
  private data: Uint8Array
  private used = 0
  private readonly starts: Int32Array | undefined
  private readonly ends: Int32Array | undefined
  private dictionaryStarts: Int32Array | undefined
  private dictionaryEnds: Int32Array | undefined
  // Numbers and flags.
  private readonly numbers: Float64Array | undefined
  private dictionaryNumbers: Float64Array | undefined
  private readonly flags: Uint8Array | undefined

  constructor(
    private readonly size: number,
    private readonly spec: FlatColumnSpec,
  ) {
    this.data = new Uint8Array(spec.kind === 'bytes' ? Math.max(1024, spec.uncompressedBytes) : 0)
    if (spec.kind === 'bytes') {
      this.starts = new Int32Array(size)
      this.ends = new Int32Array(size)
    }
    if (spec.kind === 'numbers') this.numbers = new Float64Array(size)
    if (spec.kind === 'flags') this.flags = new Uint8Array(size)
  }

  /** Reads one page; false when it is in a form left to hyparquet. */
  readPage(header: PageHeader, compressed: Uint8Array): boolean {
    const { codec, compressors } = this.spec
    if (header.type === 'DICTIONARY_PAGE') {
      const dictionary = header.dictionary_page_header
      if (!dictionary || (dictionary.encoding !== 'PLAIN' && dictionary.encoding !== 'PLAIN_DICTIONARY')) return false
      const page = decompressPage(compressed, header.uncompressed_page_size, codec, compressors)
      return this.readDictionary(page, dictionary.num_values)
    }
    if (header.type === 'DATA_PAGE') {
      const daph = header.data_page_header
      if (!daph) return false
      const page = decompressPage(compressed, header.uncompressed_page_size, codec, compressors)
      const reader = readerOf(page)
      let levels: Uint8Array | undefined
      if (this.spec.optional) {
        if (daph.definition_level_encoding !== 'RLE') return false
        levels = new Uint8Array(daph.num_values)
        // Length-prefixed in a version 1 page.
        readRleBitPackedHybrid(reader, 1, levels)
      }
      return this.readValues(reader, daph.encoding, daph.num_values, levels)
    }
    if (header.type === 'DATA_PAGE_V2') {
      const daph = header.data_page_header_v2
      if (!daph || daph.repetition_levels_byte_length !== 0) return false
      const levelBytes = daph.definition_levels_byte_length
      let levels: Uint8Array | undefined
      if (this.spec.optional) {
        levels = new Uint8Array(daph.num_values)
        readRleBitPackedHybrid(readerOf(compressed), 1, levels, levelBytes)
      } else if (levelBytes !== 0) {
        return false
      }
      const values = compressed.subarray(levelBytes)
      const page = daph.is_compressed === false ? values : decompressPage(values, header.uncompressed_page_size - levelBytes, codec, compressors)
      return this.readValues(readerOf(page), daph.encoding, daph.num_values, levels)
    }
    return false
  }

  private readDictionary(page: Uint8Array, count: number): boolean {
    const reader = readerOf(page)
    if (this.spec.kind === 'bytes') {
      const base = this.append(page, 0)
      this.dictionaryStarts = new Int32Array(count)
      this.dictionaryEnds = new Int32Array(count)
      for (let i = 0; i < count; i++) {
        const start = plainByteArray(reader)
        this.dictionaryStarts[i] = base + start
        this.dictionaryEnds[i] = base + reader.offset
      }
      return true
    }
    if (this.spec.kind === 'numbers') {
      this.dictionaryNumbers = new Float64Array(count)
      for (let i = 0; i < count; i++) this.dictionaryNumbers[i] = this.plainNumber(reader)
      return true
    }
    return false
  }

  /**
   * Reads a data page's `count` values (`levels[i]` 0 where value `i` is null) in `encoding` from
   * `reader` (at the values, past any levels).
   */
  private readValues(reader: DataReader, encoding: string, count: number, levels: Uint8Array | undefined): boolean {
    if (this.rows + count > this.size) throw new Error(`pages hold more values than the row group's ${this.size} rows`)
    const first = this.rows
    const isNull = (i: number): boolean => levels !== undefined && levels[i] === 0
    if (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') {
      if (this.spec.kind === 'flags') return false
      let present = count
      if (levels) for (let i = 0; i < count; i++) present -= levels[i] === 0 ? 1 : 0
      const width = reader.view.getUint8(reader.offset++)
      const indexes = new Int32Array(present)
      if (width > 0 && present > 0) readRleBitPackedHybrid(reader, width, indexes, reader.view.byteLength - reader.offset)
      let next = 0
      for (let i = 0; i < count; i++) this.setFromDictionary(first + i, isNull(i) ? -1 : indexes[next++]!)
    } else if (encoding === 'PLAIN') {
      if (this.spec.kind === 'bytes') {
        const base = this.append(reader.view, reader.offset) - reader.offset
        for (let i = 0; i < count; i++) {
          if (isNull(i)) this.starts![first + i] = -1
          else {
            this.starts![first + i] = base + plainByteArray(reader)
            this.ends![first + i] = base + reader.offset
          }
        }
      } else if (this.spec.kind === 'numbers') {
        for (let i = 0; i < count; i++) this.numbers![first + i] = isNull(i) ? NaN : this.plainNumber(reader)
      } else {
        // Bit-packed, low bit first.
        const bytes = new Uint8Array(reader.view.buffer, reader.view.byteOffset + reader.offset, reader.view.byteLength - reader.offset)
        let bit = 0
        for (let i = 0; i < count; i++) {
          if (isNull(i)) continue
          const byte = bytes[bit >> 3]
          if (byte === undefined) throw new Error('boolean page shorter than its values')
          this.flags![first + i] = (byte >> (bit & 7)) & 1
          bit++
        }
      }
    } else if (encoding === 'RLE' && this.spec.kind === 'flags') {
      let present = count
      if (levels) for (let i = 0; i < count; i++) present -= levels[i] === 0 ? 1 : 0
      const values = new Uint8Array(present)
      readRleBitPackedHybrid(reader, 1, values)
      let next = 0
      for (let i = 0; i < count; i++) if (!isNull(i)) this.flags![first + i] = values[next++]!
    } else {
      return false
    }
    this.rows += count
    return true
  }

  private setFromDictionary(row: number, index: number): void {
    if (this.spec.kind === 'bytes') {
      if (index < 0) this.starts![row] = -1
      else {
        const start = this.dictionaryStarts?.[index]
        if (start === undefined) throw new Error(`dictionary index ${index} past the dictionary`)
        this.starts![row] = start
        this.ends![row] = this.dictionaryEnds![index]!
      }
    } else {
      const value = index < 0 ? NaN : this.dictionaryNumbers?.[index]
      if (value === undefined) throw new Error(`dictionary index ${index} past the dictionary`)
      this.numbers![row] = value
    }
  }

  /** A PLAIN INT64 or INT32 as a number (rounded as `Number(bigint)` rounds past 2^53). */
  private plainNumber(reader: DataReader): number {
    const view = reader.view
    if (this.spec.type === 'INT32') {
      const value = view.getInt32(reader.offset, true)
      reader.offset += 4
      return value
    }
    const value = view.getInt32(reader.offset + 4, true) * TWO_POW_32 + view.getUint32(reader.offset, true)
    reader.offset += 8
    return value
  }

  /** Copies `source[from, end)` after the string bytes so far; returns where it starts in them. */
  private append(source: Uint8Array | DataView, from: number): number {
    const bytes = new Uint8Array(source.buffer, source.byteOffset + from, source.byteLength - from)
    if (this.used + bytes.byteLength > this.data.byteLength) {
      const grown = new Uint8Array(Math.max(this.data.byteLength * 2, this.used + bytes.byteLength))
      grown.set(this.data.subarray(0, this.used))
      this.data = grown
    }
    const at = this.used
    this.data.set(bytes, at)
    this.used += bytes.byteLength
    return at
  }

  finish(): FlatColumn {
    if (this.spec.kind === 'bytes') return { kind: 'bytes', data: this.data, starts: this.starts!, ends: this.ends! }
    if (this.spec.kind === 'numbers') return { kind: 'numbers', values: this.numbers! }
    return { kind: 'flags', values: this.flags! }
  }
}

function readerOf(bytes: Uint8Array): DataReader {
  return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }
}

/** Steps over one PLAIN BYTE_ARRAY value (4-byte little-endian length, then the bytes); returns where its bytes start. */
function plainByteArray(reader: DataReader): number {
  const length = reader.view.getUint32(reader.offset, true)
  const start = reader.offset + 4
  if (start + length > reader.view.byteLength) throw new Error(`a ${length}-byte string past its page's end`)
  reader.offset = start + length
  return start
}
