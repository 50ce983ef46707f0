import { describe, expect, it } from 'vitest'
import { BUILT_IN_READERS, type DataFileReader, dataFileReaderFor, readCsvDataFile } from '../src/pipeline/data-file-reader.js'
import { md5Hex, verifyMd5 } from '../src/manifest/checksum.js'
import { parseManifest } from '../src/manifest/parse-manifest.js'
import { emptyRowCounts } from '../src/types.js'
import { awsFixture, chunked, collect, csvRow, expectCode, gzip } from './helpers.js'

describe('readCsvDataFile', () => {
  const manifest = parseManifest(awsFixture('csv_inventory_manifest.json'))
  const data = awsFixture('csv_inventory.csv.gz')

  const engines = ['fast', 'csv-parse', undefined] as const
  it.each(engines)('reads the real gzip CSV data file (engine %s)', async (csvEngine) => {
    const counts = emptyRowCounts()
    const file = manifest.files[0]!
    const open = () => verifyMd5(chunked(data, 50), file.MD5checksum, file.key)
    const files = (await collect(readCsvDataFile({ manifest, file, open, counts, csvEngine }))).flat()
    expect(files.map((f) => [f.key, f.size, f.etag])).toEqual([
      ['inventory-test/', 0, 'd41d8cd98f00b204e9800998ecf8427e'],
      ['inventory-test/key1', 5, 'd8e8fca2dc0f896fd7cb4cb0031ba249'],
    ])
    expect(counts).toMatchObject({ rows: 5, records: 2, noncurrentVersions: 2, deleteMarkers: 1 })
  })

  it('throws CHECKSUM_MISMATCH when the data file does not match its MD5', async () => {
    const file = { ...manifest.files[0]!, MD5checksum: md5Hex(Buffer.from('other')) }
    const open = () => verifyMd5(chunked(data, 64), file.MD5checksum, file.key)
    const error = await expectCode(
      () => collect(readCsvDataFile({ manifest, file, open, counts: emptyRowCounts() })),
      'CHECKSUM_MISMATCH',
    )
    expect(error.file).toBe('csv_inventory.csv.gz')
  })

  it('throws DATA_FILE_CORRUPT for a data file that is not gzip', async () => {
    const file = manifest.files[0]!
    const open = () => chunked(Buffer.from(csvRow(['a', 'b'])), 4)
    const error = await expectCode(
      () => collect(readCsvDataFile({ manifest, file, open, counts: emptyRowCounts() })),
      'DATA_FILE_CORRUPT',
    )
    expect(error.file).toBe(file.key)
  })

  it('throws SCHEMA_UNSUPPORTED for a schema without Size', async () => {
    const bad = { ...manifest, fileSchema: 'Bucket, Key, LastModifiedDate' }
    const file = manifest.files[0]!
    const open = () => chunked(gzip(''), 4)
    await expectCode(
      async () => collect(readCsvDataFile({ manifest: bad, file, open, counts: emptyRowCounts() })),
      'SCHEMA_UNSUPPORTED',
    )
  })
})

describe('dataFileReaderFor', () => {
  it('gives the CSV reader for CSV', () => {
    expect(dataFileReaderFor('CSV')).toBe(readCsvDataFile)
  })

  it('has a built-in reader for every format, and throws FORMAT_UNSUPPORTED for any other', async () => {
    for (const format of ['CSV', 'Parquet', 'ORC'] as const) expect(BUILT_IN_READERS[format]).toBe(dataFileReaderFor(format))
    await expectCode(() => dataFileReaderFor('AVRO' as never), 'FORMAT_UNSUPPORTED')
  })

  it('uses a plugged-in reader, also in place of the CSV one', () => {
    const reader: DataFileReader = async function* () {}
    expect(dataFileReaderFor('Parquet', { Parquet: reader })).toBe(reader)
    expect(dataFileReaderFor('CSV', { CSV: reader })).toBe(reader)
    expect(dataFileReaderFor('CSV', { ORC: reader })).toBe(readCsvDataFile)
  })
})
