import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { openOrcFile } from '@shuttersense/inventory-orc'
import { describe, expect, it } from 'vitest'
// The generator's ORC writer (the CLI's), which names columns as Hive does on request.
import { reportFields } from '../../cli/src/generate/data-file-format.js'
import { createOrcDataFileWriter, ORC_FORMAT } from '../../cli/src/generate/orc-data-file.js'
import { createOrcReader, readOrcData } from '../src/formats/orc-reader.js'
import { md5Hex } from '../src/manifest/checksum.js'
import { parseManifest } from '../src/manifest/parse-manifest.js'
import type { InventoryManifest, ManifestDataFile } from '../src/manifest/manifest-schema.js'
import { dataFileReaderFor, type DataFileReader } from '../src/pipeline/data-file-reader.js'
import { AWS_FIXTURE_FILES, awsFixture, expectCode, readOneWay, readStaged } from './helpers.js'

const manifest = parseManifest(awsFixture('orc_inventory_manifest.json'))
const data = awsFixture('orc_inventory.orc')

/** Runs `reader` (by default the built-in one) on `bytes` as the data file `file`, as phase A does. */
const read = (
  bytes: Uint8Array,
  options: { reader?: DataFileReader; file?: ManifestDataFile; manifest?: InventoryManifest; rollupOnly?: boolean } = {},
) => readStaged(bytes, { ...options, reader: options.reader ?? readOrcData, manifest: options.manifest ?? manifest })

function damage(bytes: Uint8Array, at: number, length: number): Uint8Array {
  const copy = Uint8Array.from(bytes)
  for (let i = at; i < at + length && i < copy.length; i++) copy[i] = (copy[i]! * 31 + 7) & 0xff
  return copy
}

describe('readOrcData', () => {
  it('is the default reader for ORC, loaded on first read: the same records and rollup as readOrcData', async () => {
    const byDefault = dataFileReaderFor('ORC')
    expect(byDefault.rollUp).toBeDefined()
    const file = manifest.files[0]!
    for (const rollUp of [false, true]) {
      const options = { manifest, file, wanted: () => true }
      expect(await readOneWay(data, rollUp, { ...options, reader: byDefault })).toEqual(await readOneWay(data, rollUp, { ...options, reader: readOrcData }))
    }
  })

  it('reads the real AWS ORC file to its two current objects (timestamps in the writer zone UTC)', async () => {
    const { files, counts } = await read(data, { file: manifest.files[0]! })
    expect(files).toEqual(AWS_FIXTURE_FILES)
    expect(counts).toMatchObject({ rows: 5, records: 2, noncurrentVersions: 2, deleteMarkers: 1, badRows: {} })
  })

  it('leaves ETag and storage class out when only the rollup is needed', async () => {
    const { files } = await read(data, { rollupOnly: true })
    expect(files.map((file) => [file.key, file.size, file.lastModified, file.etag, file.storageClass])).toEqual(
      AWS_FIXTURE_FILES.map((file) => [file.key, file.size, file.lastModified, '', '']),
    )
  })

  it('yields batches of the configured size', async () => {
    const batches: number[] = []
    const reader = createOrcReader({ batchSize: 1 })
    const counting: DataFileReader = async function* (context) {
      for await (const batch of reader(context)) {
        batches.push(batch.length)
        yield batch
      }
    }
    await read(data, { reader: counting })
    expect(batches).toEqual([1, 1])
  })

  it('throws CHECKSUM_MISMATCH when the file does not match its MD5', async () => {
    const file = { ...manifest.files[0]!, MD5checksum: md5Hex(Buffer.from('other')) }
    const error = await expectCode(() => read(data, { file }), 'CHECKSUM_MISMATCH')
    expect(error.file).toBe('orc_inventory.orc')
  })

  it.each([
    ['truncated', data.subarray(0, data.length - 100)],
    ['cut in half', data.subarray(0, data.length >> 1)],
    ['empty', new Uint8Array(0)],
    ['not ORC at all', Buffer.from('"bucket","key"\n')],
    ['a Parquet file', awsFixture('parquet_inventory.parquet')],
    ['with a damaged footer', damage(data, data.length - 600, 200)],
    ['with damaged stripe data', damage(data, 3, 1200)],
  ])('throws DATA_FILE_CORRUPT naming the file when it is %s', async (_what, bytes) => {
    const error = await expectCode(() => read(bytes), 'DATA_FILE_CORRUPT')
    expect(error.file).toBe('orc_inventory.orc')
    expect(error.message).toContain('orc_inventory.orc')
  })

  it('refuses a stripe over the memory bound with a clear error', async () => {
    const error = await expectCode(() => read(data, { reader: createOrcReader({ maxStripeBytes: 100 }) }), 'FORMAT_UNSUPPORTED')
    expect(error.message).toMatch(/^orc_inventory\.orc: stripe 0.*limit/)
  })

  it('finds the columns by the file schema, not by the manifest text', async () => {
    // The real file names its columns; a manifest listing them in another spelling changes nothing.
    const respelled = { ...manifest, fileSchema: manifest.fileSchema.replaceAll(',', ' , ').replace('struct<', 'struct< ') }
    expect((await read(data, { manifest: respelled })).files).toEqual(AWS_FIXTURE_FILES)
    // A manifest whose schema lacks size is no help to a file of named columns: the file's own names win.
    const noSize = { ...manifest, fileSchema: manifest.fileSchema.replace('size:bigint,', '') }
    expect((await read(data, { manifest: noSize })).files).toEqual(AWS_FIXTURE_FILES)
  })

  it('reads a file of unnamed columns (_col0, _col1, … as Hive writes) by their position in the manifest’s fileSchema', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'orc-unnamed-'))
    try {
      const writer = createOrcDataFileWriter(dir, 'data/unnamed.orc', false, { unnamedColumns: true })
      const fields = reportFields(false)
      const row = (key: string, size: number, iso: string) =>
        fields.map((field) => ({ bucket: 'photos', key, size, lastModifiedDate: Date.parse(iso), eTag: 'abc', storageClass: 'STANDARD' })[field] ?? null)
      writer.writeRow(row('2021/a.jpg', 5, '2024-05-06T22:44:22.000Z'))
      writer.writeRow(row('b.jpg', 7, '2024-05-07T01:02:03.004Z'))
      await writer.close()
      const bytes = readFileSync(path.join(dir, 'data/unnamed.orc'))
      const orc = await openOrcFile({ size: bytes.length, read: async (at, length) => bytes.subarray(at, at + length) })
      expect(orc.schema.fields!.map((field) => field.name).slice(0, 3)).toEqual(['_col0', '_col1', '_col2'])
      const unnamed = { ...manifest, fileSchema: ORC_FORMAT.fileSchema(false) }
      const expected = [
        { key: '2021/a.jpg', size: 5, lastModified: '2024-05-06T22:44:22.000Z', etag: 'abc', storageClass: 'STANDARD' },
        { key: 'b.jpg', size: 7, lastModified: '2024-05-07T01:02:03.004Z', etag: 'abc', storageClass: 'STANDARD' },
      ]
      expect((await read(bytes, { manifest: unnamed })).files).toEqual(expected)
      // The manifest's order decides: with key and size swapped there, the key is read from the size column (no string).
      const swapped = { ...unnamed, fileSchema: unnamed.fileSchema.replace('key:string,', '').replace('size:bigint,', 'size:bigint,key:string,') }
      const { files, counts } = await read(bytes, { manifest: swapped })
      expect(files).toEqual([])
      expect(counts.badRows).toEqual({ missing_key: 2 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
