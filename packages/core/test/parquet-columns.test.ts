import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { describe, expect, it } from 'vitest'
import { type FlatColumn, columnChunkRange, flatKindOf, readFlatColumn } from '../src/formats/parquet-columns.js'
import type { InventoryField } from '../src/parse/file-schema.js'
import { awsFixture } from './helpers.js'

/** Each column of `bytes`'s first row group decoded flat (undefined where left to hyparquet), beside hyparquet's values. */
async function bothWays(bytes: Uint8Array, fields: Record<string, InventoryField>) {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const metadata = parquetMetadata(buffer)
  const group = metadata.row_groups[0]!
  const rows = Number(group.num_rows)
  const values = await parquetReadObjects({ file: buffer, rowEnd: rows, compressors, utf8: true })
  const out: Record<string, { flat: unknown[] | undefined; hyparquet: unknown[] }> = {}
  for (const [name, field] of Object.entries(fields)) {
    const element = metadata.schema.find((candidate) => candidate.name === name)!
    const meta = group.columns.find((chunk) => chunk.meta_data?.path_in_schema[0] === name)!.meta_data!
    const { start, end } = columnChunkRange(meta)
    const kind = flatKindOf(field, element)!
    const spec = { kind, type: element.type, optional: element.repetition_type !== 'REQUIRED', codec: meta.codec, compressors, uncompressedBytes: Number(meta.total_uncompressed_size) }
    const column = readFlatColumn(bytes.subarray(start, end), rows, spec)
    out[name] = { flat: column && valuesOf(column, rows), hyparquet: values.map((row) => asPlain(row[name], kind)) }
  }
  return out
}

/** A flat column's rows as JS values: strings, numbers, booleans; null where null. */
function valuesOf(column: FlatColumn, rows: number): unknown[] {
  const decoder = new TextDecoder()
  return Array.from({ length: rows }, (_, row) => {
    if (column.kind === 'bytes') return column.starts[row]! < 0 ? null : decoder.decode(column.data.subarray(column.starts[row], column.ends[row]))
    if (column.kind === 'numbers') return Number.isNaN(column.values[row]) ? null : column.values[row]
    return column.values[row] === 1
  })
}

/** hyparquet's value as {@link valuesOf} gives it: dates and big integers as numbers; a null flag false, as the reader takes it. */
function asPlain(value: unknown, kind: FlatColumn['kind']): unknown {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'bigint') return Number(value)
  return value ?? (kind === 'flags' ? false : null)
}

const FIELDS: Record<string, InventoryField> = { key: 'key', size: 'size', last_modified_date: 'lastModifiedDate', is_latest: 'isLatest', e_tag: 'eTag' }

describe('readFlatColumn', () => {
  const rows = 300
  const write = (encoding: Record<string, string | undefined>, pageSize?: number, codec?: 'UNCOMPRESSED') =>
    new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'key', data: Array.from({ length: rows }, (_, i) => (i % 17 === 0 ? null : `folder ${i % 9}/ké+y%${i}`)) as never, type: 'STRING', encoding: encoding.key as never },
          { name: 'size', data: Array.from({ length: rows }, (_, i) => (i % 13 === 0 ? null : BigInt(i % 5) * 2n ** 40n - 3n)) as never, type: 'INT64', encoding: encoding.size as never },
          { name: 'last_modified_date', data: Array.from({ length: rows }, (_, i) => (i % 11 === 0 ? null : new Date(1.7e12 + i * 1000))) as never, type: 'TIMESTAMP', encoding: encoding.size as never },
          { name: 'is_latest', data: Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : i % 3 === 0)) as never, type: 'BOOLEAN', encoding: encoding.flags as never },
          { name: 'e_tag', data: Array.from({ length: rows }, (_, i) => `etag${i % 4}`) as never, type: 'STRING', encoding: encoding.key as never },
        ],
        pageSize,
        codec,
      }),
    )

  it.each([
    ['plain, one page each', { key: 'PLAIN', size: 'PLAIN', flags: 'PLAIN' }, undefined, undefined],
    ['dictionaries, many small pages', { key: 'RLE_DICTIONARY', size: 'RLE_DICTIONARY', flags: 'RLE' }, 64, undefined],
    ['plain, many small pages, uncompressed', { key: 'PLAIN', size: 'PLAIN', flags: 'RLE' }, 64, 'UNCOMPRESSED' as const],
  ])('decodes what hyparquet decodes (%s)', async (_what, encoding, pageSize, codec) => {
    const columns = await bothWays(write(encoding, pageSize, codec), FIELDS)
    for (const { flat, hyparquet } of Object.values(columns)) {
      expect(flat).toBeDefined()
      expect(flat).toEqual(hyparquet)
    }
    expect(columns.key!.hyparquet).toContain(null)
    expect(columns.size!.hyparquet).toContain(4 * 2 ** 40 - 3)
  })

  it('leaves delta-encoded columns to hyparquet', async () => {
    const columns = await bothWays(write({ key: 'DELTA_BYTE_ARRAY', size: 'DELTA_BINARY_PACKED', flags: 'PLAIN' }), FIELDS)
    expect(columns.key!.flat).toBeUndefined()
    expect(columns.size!.flat).toBeUndefined()
    expect(columns.is_latest!.flat).toBeDefined()
  })

  it('decodes the real AWS file’s version 1 pages and dictionaries', async () => {
    const columns = await bothWays(awsFixture('parquet_inventory.parquet'), { ...FIELDS, is_delete_marker: 'isDeleteMarker', storage_class: 'storageClass' })
    for (const { flat, hyparquet } of Object.values(columns)) expect(flat).toEqual(hyparquet)
    expect(columns.key!.flat).toEqual(['inventory-test/', 'inventory-test/key1', 'inventory-test/key1', 'inventory-test/key2', 'inventory-test/key2'])
  })

  it('throws when a page declares more bytes than the chunk holds', () => {
    const bytes = write({ key: 'PLAIN' })
    const metadata = parquetMetadata(bytes.buffer as ArrayBuffer)
    const meta = metadata.row_groups[0]!.columns[0]!.meta_data!
    const { start, end } = columnChunkRange(meta)
    const spec = { kind: 'bytes' as const, type: 'BYTE_ARRAY' as const, optional: true, codec: meta.codec, compressors, uncompressedBytes: 100 }
    expect(() => readFlatColumn(bytes.subarray(start, end - 10), rows, spec)).toThrow(/past the column chunk's end/)
  })

  it.each([
    ['key', { type: 'BYTE_ARRAY', converted_type: 'JSON' }],
    ['size', { type: 'INT64', converted_type: 'UINT_64' }],
    ['lastModifiedDate', { type: 'INT64', converted_type: 'TIMESTAMP_MICROS' }],
    ['lastModifiedDate', { type: 'INT96' }],
    ['isLatest', { type: 'BYTE_ARRAY', converted_type: 'UTF8' }],
    ['key', { type: 'BYTE_ARRAY', repetition_type: 'REPEATED' }],
  ])('has no flat form for %s as %j (hyparquet converts it)', (field, element) => {
    expect(flatKindOf(field as InventoryField, { name: 'c', ...element } as never)).toBeUndefined()
  })
})
