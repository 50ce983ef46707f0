import { parquetWriteBuffer } from 'hyparquet-writer'
import { describe, expect, it } from 'vitest'
import { createParquetReader, readParquetData } from '../src/formats/parquet-reader.js'
import { md5Hex, verifyMd5 } from '../src/manifest/checksum.js'
import { parseManifest } from '../src/manifest/parse-manifest.js'
import type { InventoryManifest, ManifestDataFile } from '../src/manifest/manifest-schema.js'
import { dataFileReaderFor, type DataFileReader } from '../src/pipeline/data-file-reader.js'
import { stageInMemory } from '../src/io/random-access-file.js'
import { emptyRowCounts, type FileInfo } from '../src/types.js'
import { AWS_FIXTURE_FILES, awsFixture, expectCode, readOneWay, readStaged } from './helpers.js'

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

/** `bytes` with `length` bytes from `at` overwritten by a pattern. */
function damage(bytes: Uint8Array, at: number, length: number): Uint8Array {
  const copy = Uint8Array.from(bytes)
  for (let i = at; i < at + length && i < copy.length; i++) copy[i] = (i * 37) & 0xff
  return copy
}
