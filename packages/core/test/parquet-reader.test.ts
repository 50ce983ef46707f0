import { parquetWriteBuffer } from 'hyparquet-writer'
import { describe, expect, it } from 'vitest'
import { decodeRowGroups } from '../src/formats/parquet-file.js'
import { MAX_PARQUET_ROW_GROUP_BYTES, createParquetReader, readFlatRowGroup, readParquetData } from '../src/formats/parquet-reader.js'
import { md5Hex, verifyMd5 } from '../src/manifest/checksum.js'
import { parseManifest } from '../src/manifest/parse-manifest.js'
import type { InventoryManifest, ManifestDataFile } from '../src/manifest/manifest-schema.js'
import { dataFileReaderFor, type DataFileReader } from '../src/pipeline/data-file-reader.js'
import { stageInMemory } from '../src/io/random-access-file.js'
import { emptyRowCounts, type FileInfo } from '../src/types.js'
import { AWS_FIXTURE_FILES, awsFixture, expectCode, fromChunks, readOneWay, readStaged } from './helpers.js'

const manifest = parseManifest(awsFixture('parquet_inventory_manifest.json'))
const data = awsFixture('parquet_inventory.parquet')

/** Runs `reader` (by default the built-in one) on `bytes` as the data file `file`, as phase A does. */
const read = (
  bytes: Uint8Array,
  options: { reader?: DataFileReader; file?: ManifestDataFile; manifest?: InventoryManifest; rollupOnly?: boolean } = {},
) => readStaged(bytes, { ...options, reader: options.reader ?? readParquetData, manifest: options.manifest ?? manifest })

describe('readParquetData', () => {
  it('is the default reader for Parquet, loaded on first read: the same records and rollup as readParquetData', async () => {
    const byDefault = dataFileReaderFor('Parquet')
    expect(byDefault.rollUp).toBeDefined()
    const file = manifest.files[0]!
    for (const rollUp of [false, true]) {
      const options = { manifest, file, wanted: () => true }
      expect(await readOneWay(data, rollUp, { ...options, reader: byDefault })).toEqual(await readOneWay(data, rollUp, { ...options, reader: readParquetData }))
    }
  })

  it('reads the real AWS Parquet file to its two current objects', async () => {
    const { files, counts } = await read(data, { file: manifest.files[0]! })
    expect(files).toEqual(AWS_FIXTURE_FILES)
    expect(counts).toMatchObject({ rows: 5, records: 2, noncurrentVersions: 2, deleteMarkers: 1, badRows: {} })
  })

  it('reads a file held in memory as a view into a larger Buffer (one chunk of a pooled read)', async () => {
    const pool = Buffer.alloc(data.length + 5000)
    data.copy(pool, 100)
    const view = pool.subarray(100, 100 + data.length)
    const file = manifest.files[0]!
    const open = () => verifyMd5((async function* () { yield view })(), file.MD5checksum, file.key)
    const counts = emptyRowCounts()
    const files: FileInfo[] = []
    for await (const batch of readParquetData({ manifest, file, open, openFile: () => stageInMemory(open(), file.key), counts })) files.push(...batch)
    expect(files).toEqual(AWS_FIXTURE_FILES)
  })

  it('leaves ETag and storage class out when only the rollup is needed', async () => {
    const { files } = await read(data, { rollupOnly: true })
    expect(files.map((file) => [file.key, file.size, file.lastModified, file.etag, file.storageClass])).toEqual(
      AWS_FIXTURE_FILES.map((file) => [file.key, file.size, file.lastModified, '', '']),
    )
  })

  it('throws CHECKSUM_MISMATCH when the file does not match its MD5', async () => {
    const file = { ...manifest.files[0]!, MD5checksum: md5Hex(Buffer.from('other')) }
    const error = await expectCode(() => read(data, { file }), 'CHECKSUM_MISMATCH')
    expect(error.file).toBe('parquet_inventory.parquet')
  })

  it.each([
    ['truncated', data.subarray(0, data.length - 100)],
    ['cut in half', data.subarray(0, data.length >> 1)],
    ['empty', new Uint8Array(0)],
    ['not Parquet at all', Buffer.from('"bucket","key"\n')],
    ['with a damaged footer', damage(data, data.length - 200, 60)],
    ['with damaged column data', damage(data, 4, 400)],
  ])('throws DATA_FILE_CORRUPT naming the file when it is %s', async (_what, bytes) => {
    const error = await expectCode(() => read(bytes), 'DATA_FILE_CORRUPT')
    expect(error.file).toBe('parquet_inventory.parquet')
    expect(error.message).toContain('parquet_inventory.parquet')
  })

  it('refuses a row group over the memory bound with a clear error, before decoding it', async () => {
    const error = await expectCode(() => read(data, { reader: createParquetReader({ maxRowGroupBytes: 100 }) }), 'FORMAT_UNSUPPORTED')
    expect(error.message).toMatch(/parquet_inventory\.parquet: row group 0 needs .* MiB .*limit/)
  })
})

/** The columns of a small written file: bucket, `keys`, their index as size, and `dates`. */
const objectColumns = (keys: string[], dates: unknown[]): never =>
  [
    { name: 'bucket', data: keys.map(() => 'b') },
    { name: 'key', data: keys },
    { name: 'size', data: keys.map((_, i) => BigInt(i)) },
    { name: 'last_modified_date', data: dates },
  ] as never

describe('the flat row-group decoding (the rollup\'s fast path)', () => {
  /** How each row group of `bytes` is read by the rollup: flat, or left to hyparquet's values. */
  async function rowGroupForms(bytes: Uint8Array): Promise<string[]> {
    const file = { ...manifest.files[0]!, MD5checksum: md5Hex(bytes), size: bytes.length }
    const open = () => fromChunks([bytes])
    const context = { manifest, file, open, openFile: () => stageInMemory(open(), file.key), counts: emptyRowCounts() }
    const forms: string[] = []
    for await (const { data } of decodeRowGroups(context, MAX_PARQUET_ROW_GROUP_BYTES, readFlatRowGroup)) forms.push(data === undefined ? 'values' : 'flat')
    return forms
  }

  it('reads the row groups of the file AWS wrote, and of a plainly written one, without hyparquet\'s values', async () => {
    expect(await rowGroupForms(data)).toEqual(['flat'])
    const keys = Array.from({ length: 30 }, (_, i) => `folder/${i}.jpg`)
    const written = new Uint8Array(
      parquetWriteBuffer({
        columnData: objectColumns(keys, keys.map(() => new Date('2024-01-02T03:04:05.678Z'))),
        rowGroupSize: 10,
      }),
    )
    expect(await rowGroupForms(written)).toEqual(['flat', 'flat', 'flat'])
  })
})

describe('readParquetData on written files', () => {
  const t = (iso: string) => new Date(iso)
  /** A small Parquet file with AWS's column names (types inferred by the writer). */
  const write = (columns: Record<string, unknown[]>, rowGroupSize?: number): Uint8Array =>
    new Uint8Array(
      parquetWriteBuffer({
        columnData: Object.entries(columns).map(([name, data]) => ({ name, data: data as never })),
        rowGroupSize,
      }),
    )

  it('reads dates stored in micro- and nanoseconds, and columns that come in many pages', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `pages/${String(i).padStart(3, '0')}.jpg`)
    const times = keys.map((_, i) => Date.UTC(2024, 0, 2, 3, 4, 5, i))
    for (const [unit, perMilli] of [['MICROS', 1000n], ['NANOS', 1000000n]] as const) {
      const bytes = new Uint8Array(
        parquetWriteBuffer({
          columnData: objectColumns(keys, times.map((time) => BigInt(time) * perMilli)),
          schema: [
            { name: 'root', num_children: 4 },
            { name: 'bucket', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
            { name: 'key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
            { name: 'size', type: 'INT64', repetition_type: 'OPTIONAL' },
            { name: 'last_modified_date', type: 'INT64', repetition_type: 'OPTIONAL', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit } },
          ],
          // Pages of a few rows: each column of the row group comes in many pieces.
          pageSize: 64,
        } as never),
      )
      for (const rollUp of [false, true]) {
        const file = { ...manifest.files[0]!, MD5checksum: md5Hex(bytes), size: bytes.length }
        const { records: files } = await readOneWay(bytes, rollUp, { reader: readParquetData, manifest, file, wanted: () => true })
        expect(files.map((file) => [file.key, file.lastModified])).toEqual(keys.map((key, i) => [key, new Date(times[i]!).toISOString()]))
      }
    }
  })

  it('takes keys as they are (no URL decoding), across row groups, in batches', async () => {
    const keys = ['a b/c+d.jpg', 'a%20b/é.jpg', 'x/y/', ...Array.from({ length: 20 }, (_, i) => `many/${i}`)]
    const bytes = write(
      {
        bucket: keys.map(() => 'b'),
        key: keys,
        size: keys.map((_, i) => BigInt(i)),
        last_modified_date: keys.map(() => t('2024-01-02T03:04:05.678Z')),
        e_tag: keys.map(() => 'etag'),
        storage_class: keys.map(() => 'GLACIER'),
      },
      7,
    )
    const batches: number[] = []
    const reader = createParquetReader({ batchSize: 5 })
    const counting: DataFileReader = async function* (context) {
      for await (const batch of reader(context)) {
        batches.push(batch.length)
        yield batch
      }
    }
    const { files, counts } = await read(bytes, { reader: counting })
    expect(files.map((file) => file.key)).toEqual(keys)
    expect(files[1]).toEqual({ key: 'a%20b/é.jpg', size: 1, lastModified: '2024-01-02T03:04:05.678Z', etag: 'etag', storageClass: 'GLACIER' })
    expect(Math.max(...batches)).toBeLessThanOrEqual(5)
    expect(counts).toMatchObject({ rows: 23, records: 23 })
  })

  it('skips and counts bad rows by reason, and keeps only the latest non-delete-marker version', async () => {
    const bytes = write({
      key: ['ok', 'null-size', 'null-date', 'old', 'deleted', ''],
      size: [1n, null, 3n, 4n, null, 6n],
      last_modified_date: [t('2024-01-01T00:00:00Z'), t('2024-01-01T00:00:00Z'), null, t('2024-01-01T00:00:00Z'), null, t('2024-01-01T00:00:00Z')],
      is_latest: [true, true, true, false, true, true],
      is_delete_marker: [false, false, false, false, true, false],
    })
    const { files, counts } = await read(bytes)
    expect(files.map((file) => file.key)).toEqual(['ok'])
    expect(counts).toMatchObject({
      rows: 6,
      records: 1,
      noncurrentVersions: 1,
      deleteMarkers: 1,
      badRows: { invalid_size: 1, invalid_date: 1, missing_key: 1 },
    })
    expect(counts.badRowSamples).toEqual([
      { file: 'parquet_inventory.parquet', line: 2, reason: 'invalid_size' },
      { file: 'parquet_inventory.parquet', line: 3, reason: 'invalid_date' },
      { file: 'parquet_inventory.parquet', line: 6, reason: 'missing_key' },
    ])
  })

  it('gives the same counts, folders and wanted records through its rollup form as through its records', async () => {
    const rows: [key: string | null, size: bigint | null, date: Date | null, latest: boolean | null, deleted: boolean | null][] = [
      ['2021/Wedding/a.jpg', 1n, t('2024-05-06T22:44:22.000Z'), true, false],
      ['2021/Wedding/Smith+Jones/c.jpg', 0n, t('2024-05-07T01:02:03.456Z'), true, false],
      ['2021/Wedding/old.jpg', 2n, t('2024-05-06T22:44:22.000Z'), false, false],
      ['2021/Wedding/unknown.jpg', 2n, t('2024-05-06T22:44:22.000Z'), null, false],
      ['2021/Wedding/gone.jpg', null, t('2024-05-06T22:44:22.000Z'), true, true],
      ['root.jpg', 3n, t('2024-05-06T22:44:22.000Z'), true, false],
      ['café/ménü 🌨.jpg', 4n, t('2024-05-06T22:44:22.000Z'), true, false],
      ['café/', 0n, t('2024-05-06T22:44:22.000Z'), true, false],
      ['a%20b/c+d.jpg', 5n, t('2024-05-06T22:44:22.000Z'), true, false],
      ['nul/\0byte.jpg', 6n, t('2024-05-06T22:44:22.000Z'), true, false],
      ['', 7n, t('2024-05-06T22:44:22.000Z'), true, false],
      [null, 7n, t('2024-05-06T22:44:22.000Z'), true, false],
      [`long/${'k'.repeat(1019)}`, 8n, t('2024-05-06T22:44:22.000Z'), true, false],
      [`long/${'k'.repeat(1020)}`, 8n, t('2024-05-06T22:44:22.000Z'), true, false],
      [`long/${'é'.repeat(509)}`, 9n, t('2024-05-06T22:44:22.000Z'), true, false],
      [`long/${'é'.repeat(510)}`, 9n, t('2024-05-06T22:44:22.000Z'), true, false],
      ['size/null.jpg', null, t('2024-05-06T22:44:22.000Z'), true, false],
      ['size/negative.jpg', -1n, t('2024-05-06T22:44:22.000Z'), true, false],
      ['size/unsafe.jpg', 2n ** 60n, t('2024-05-06T22:44:22.000Z'), true, false],
      ['date/null.jpg', 1n, null, true, false],
      ['date/old.jpg', 1n, t('1969-12-31T23:59:59.999Z'), true, false],
      ['far-past/year-1.jpg', 1n, new Date(Date.UTC(-1, 0, 1)), true, false],
      ['far-future/year-10000.jpg', 1n, new Date(Date.UTC(10000, 0, 1)), true, false],
      ['2021/Wedding/newer.jpg', 10n, t('2025-01-01T00:00:00.000Z'), true, false],
    ]
    const bytes = write(
      {
        bucket: rows.map(() => 'b'),
        key: rows.map((row) => row[0]),
        size: rows.map((row) => row[1]),
        last_modified_date: rows.map((row) => row[2]),
        is_latest: rows.map((row) => row[3]),
        is_delete_marker: rows.map((row) => row[4]),
        e_tag: rows.map((_, i) => `"etag${i}"`),
        storage_class: rows.map(() => 'STANDARD'),
      },
      7,
    )
    const wanted = (folder: string): boolean => folder.startsWith('2021/') || folder.startsWith('café/') || folder === ''
    const file = { ...manifest.files[0]!, MD5checksum: md5Hex(bytes) }
    const options = { reader: createParquetReader({ batchSize: 3 }), manifest, file, wanted }
    const run = (rollUp: boolean) => readOneWay(bytes, rollUp, options)
    const viaRecords = await run(false)
    expect(await run(true)).toEqual(viaRecords)
    // The file holds what the test means it to.
    expect(Object.keys(viaRecords.counts.badRows).sort()).toEqual(['invalid_date', 'invalid_key', 'invalid_size', 'missing_key'])
    expect(viaRecords.records.map((record) => record.key)).toContain('café/ménü 🌨.jpg')
    expect(viaRecords.counts).toMatchObject({ noncurrentVersions: 2, deleteMarkers: 1 })
  })

  it('names every column the import needs that the file lacks', async () => {
    const bytes = write({ bucket: ['b'], key: ['k'] })
    const error = await expectCode(() => read(bytes), 'SCHEMA_UNSUPPORTED')
    expect(error.message).toContain('parquet_inventory.parquet')
    expect(error.message).toContain('size, last_modified_date')
  })
})

describe('the Parquet reader’s rollup form, from the pages’ bytes', () => {
  const t = (iso: string): Date => new Date(iso)
  const DATE = t('2024-05-06T22:44:22.000Z')
  const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)
  /** Rows as [key, size, last-modified, is_latest, is_delete_marker]: a versioned report's plain rows and every odd one. */
  const ROWS: [key: string | Uint8Array | null, size: bigint | null, date: Date | null, latest: boolean | null, deleted: boolean | null][] = [
    ['2021/Wedding/a.jpg', 1n, DATE, true, false],
    ['2021/Wedding/a.jpg', 2n, t('2023-01-01T00:00:00.000Z'), false, false],
    ['2021/Wedding/b.jpg', null, DATE, true, true],
    ['2021/Wedding/b.jpg', 3n, t('2023-01-01T00:00:00.000Z'), false, false],
    ['2021/Wedding/null-latest.jpg', 3n, DATE, null, false],
    ['2021/Wedding/null-marker.jpg', 3n, DATE, true, null],
    ['2021/Wedding/Smith+Jones/c d.jpg', 0n, t('2024-05-07T01:02:03.456Z'), true, false],
    ['root.jpg', 4n, DATE, true, false],
    ['café/ménü 🌨.jpg', 5n, DATE, true, false],
    ['café/', 0n, DATE, true, false],
    ['a%20b/c+d.jpg', 5n, DATE, true, false],
    ['a b/100% + more.jpg', 5n, DATE, true, false],
    ['//double//slash.jpg', 5n, DATE, true, false],
    ['\uFEFFbom/first.jpg', 5n, DATE, true, false],
    ['bom/\uFEFF.jpg', 5n, DATE, true, false],
    [Uint8Array.of(0x62, 0x61, 0x64, 0x2f, 0xff, 0x2e, 0x6a), 5n, DATE, true, false],
    [Uint8Array.of(0xc3, 0x2f, 0x61), 5n, DATE, true, false],
    ['nul/\0byte.jpg', 6n, DATE, true, false],
    ['', 7n, DATE, true, false],
    [null, 7n, DATE, true, false],
    [`long/${'k'.repeat(1019)}`, 8n, DATE, true, false],
    [`long/${'k'.repeat(1020)}`, 8n, DATE, true, false],
    [`long/${'é'.repeat(509)}`, 9n, DATE, true, false],
    [utf8(`long/${'é'.repeat(510)}`), 9n, DATE, true, false],
    ['size/null.jpg', null, DATE, true, false],
    ['size/negative.jpg', -1n, DATE, true, false],
    ['size/unsafe.jpg', 2n ** 60n, DATE, true, false],
    ['size/big-but-safe.jpg', 2n ** 52n + 1n, DATE, true, false],
    ['date/null.jpg', 1n, null, true, false],
    ['date/before-1970.jpg', 1n, t('1969-12-31T23:59:59.999Z'), true, false],
    ['far-past/year-1.jpg', 1n, new Date(Date.UTC(-1, 0, 1)), true, false],
    ['far-future/year-10000.jpg', 1n, new Date(Date.UTC(10000, 0, 1)), true, false],
    ['2021/Wedding/newer.jpg', 10n, t('2025-01-01T00:00:00.000Z'), true, false],
    ['2021/Party/c.jpg', 11n, DATE, true, false],
    ...Array.from({ length: 40 }, (_, i): [string, bigint, Date, boolean, boolean] => [`many/${i % 7}/${i}.jpg`, BigInt(i), new Date(DATE.getTime() + i), i % 5 !== 0, i % 11 === 0]),
  ]
  type Encodings = { key?: string; size?: string; flags?: string; other?: string }
  /** A file of {@link ROWS} (repeated `times`) in row groups of `groupRows`, each column in the encoding asked for. */
  const write = (encodings: Encodings, options: { groupRows?: number; pageSize?: number; codec?: 'SNAPPY' | 'UNCOMPRESSED'; times?: number } = {}): Uint8Array => {
    const rows = Array.from({ length: options.times ?? 1 }, () => ROWS).flat()
    const column = (name: string, data: unknown[], type: string, encoding: string | undefined) => ({ name, data: data as never, type: type as never, ...(encoding ? { encoding: encoding as never } : {}) })
    return new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          column('bucket', rows.map(() => 'photos'), 'STRING', encodings.other),
          column('key', rows.map((row) => row[0]), 'STRING', encodings.key),
          column('version_id', rows.map((_, i) => (i % 3 === 0 ? null : `v${i}`)), 'STRING', encodings.other),
          column('is_latest', rows.map((row) => row[3]), 'BOOLEAN', encodings.flags),
          column('is_delete_marker', rows.map((row) => row[4]), 'BOOLEAN', encodings.flags),
          column('size', rows.map((row) => row[1]), 'INT64', encodings.size),
          column('last_modified_date', rows.map((row) => row[2]), 'TIMESTAMP', encodings.size),
          column('e_tag', rows.map((_, i) => (i % 4 === 3 ? null : `etag${i % 6}`)), 'STRING', encodings.other),
          column('storage_class', rows.map((_, i) => (i % 2 === 0 ? 'STANDARD' : i % 3 === 0 ? null : 'GLACIER')), 'STRING', encodings.other),
        ],
        rowGroupSize: options.groupRows,
        pageSize: options.pageSize,
        codec: options.codec,
      }),
    )
  }
  const wanted = (folder: string): boolean => folder.startsWith('2021/') || folder.startsWith('café/') || folder.startsWith('many/3') || folder === ''

  it.each([
    ['plain strings and numbers, one row group', { key: 'PLAIN', size: 'PLAIN', other: 'PLAIN' }, {}],
    ['dictionaries everywhere, row groups of 9', { key: 'RLE_DICTIONARY', size: 'RLE_DICTIONARY', other: 'RLE_DICTIONARY' }, { groupRows: 9 }],
    ['RLE booleans, pages of a few values, uncompressed', { flags: 'RLE' }, { pageSize: 40, codec: 'UNCOMPRESSED' as const, groupRows: 25 }],
    ['the writer’s choice, many pages per chunk', {}, { pageSize: 100, times: 3, groupRows: 50 }],
    ['delta-encoded keys (left to hyparquet)', { key: 'DELTA_BYTE_ARRAY', size: 'DELTA_BINARY_PACKED' }, { groupRows: 20 }],
  ])('gives the record path’s counts, folders and records (%s)', async (_what, encodings: Encodings, options) => {
    const bytes = write(encodings, options)
    const file = { ...manifest.files[0]!, MD5checksum: md5Hex(bytes) }
    for (const rollupOnly of [false, true]) {
      const run = (rollUp: boolean) => readOneWay(bytes, rollUp, { reader: createParquetReader({ batchSize: 4 }), manifest, file, wanted, rollupOnly })
      const viaRecords = await run(false)
      expect(await run(true)).toEqual(viaRecords)
      // The file holds what the test means it to.
      expect(Object.keys(viaRecords.counts.badRows).sort()).toEqual(['invalid_date', 'invalid_key', 'invalid_size', 'missing_key'])
      expect(viaRecords.records.map((record) => record.key)).toContain('café/ménü 🌨.jpg')
      expect(viaRecords.records.map((record) => record.key)).toContain('2021/Wedding/null-marker.jpg')
      expect(viaRecords.folders.map((folder) => folder.path)).toEqual(expect.arrayContaining(['far-future/', 'bom/', 'a b/', 'bad/', '2021/Wedding/Smith+Jones/']))
      expect(viaRecords.counts.noncurrentVersions).toBeGreaterThan(2)
    }
  })

  it('reads the real AWS file (version 1 pages, dictionaries) to what its README lists', async () => {
    const wantedAll = () => true
    const file = manifest.files[0]!
    const rolledUp = await readOneWay(data, true, { reader: readParquetData, manifest, file, wanted: wantedAll })
    expect(rolledUp).toEqual(await readOneWay(data, false, { reader: readParquetData, manifest, file, wanted: wantedAll }))
    expect(rolledUp.records).toEqual(AWS_FIXTURE_FILES)
    expect(rolledUp.folders.map((folder) => folder.path)).toEqual(['inventory-test/'])
    expect(rolledUp.counts).toMatchObject({ rows: 5, records: 2, noncurrentVersions: 2, deleteMarkers: 1, badRows: {} })
  })
})

/** `bytes` with `length` bytes from `at` overwritten by a pattern. */
function damage(bytes: Uint8Array, at: number, length: number): Uint8Array {
  const copy = Uint8Array.from(bytes)
  for (let i = at; i < at + length && i < copy.length; i++) copy[i] = (i * 37) & 0xff
  return copy
}
