import { describe, expect, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import { parseManifest } from '../src/pure.js'
import type { InventoryManifest, ManifestDataFile } from '../src/public-types.js'
import { manifestCreatedAt, md5Hex, parseChecksumFile, verifyManifestChecksum, verifyMd5 } from '../src/internal.js'
import type { manifestFileSchema, manifestSchema } from '../src/manifest/manifest-schema.js'
import { awsFixture, chunked, collect, collectBytes, expectCode, fromChunks } from './helpers.js'

const FIXTURES = [
  { name: 'csv_inventory', format: 'CSV', dataKey: 'csv_inventory.csv.gz', size: 331 },
  { name: 'csv_inventory_no_version', format: 'CSV', dataKey: 'csv_inventory_no_version.csv.gz', size: 193 },
  { name: 'parquet_inventory', format: 'Parquet', dataKey: 'parquet_inventory.parquet', size: 4277 },
  { name: 'orc_inventory', format: 'ORC', dataKey: 'orc_inventory.orc', size: 2334 },
] as const

const MD5 = 'a'.repeat(32)
const NOT_HEX = 'g'.repeat(32)

function validManifest(): Record<string, unknown> {
  return {
    sourceBucket: 'photos',
    destinationBucket: 'arn:aws:s3:::reports',
    version: '2016-11-30',
    creationTimestamp: '1715043600000',
    fileFormat: 'CSV',
    fileSchema: 'Bucket, Key, Size, LastModifiedDate',
    files: [{ key: 'photos/daily/data/a.csv.gz', size: 10, MD5checksum: 'c473bcc2407d0a5cec5229b21d967e59' }],
  }
}

function manifestWith(change: (manifest: Record<string, unknown>) => void): string {
  const manifest = validManifest()
  change(manifest)
  return JSON.stringify(manifest)
}

describe('parseManifest on the real AWS manifests', () => {
  it.each(FIXTURES)('parses $name', ({ name, format, dataKey, size }) => {
    const bytes = awsFixture(`${name}_manifest.json`)
    const manifest = parseManifest(bytes, `${name}_manifest.json`)
    expect(manifest.fileFormat).toBe(format)
    expect(manifest.sourceBucket).toBe('filemanager-inventory-test')
    expect(manifest.destinationBucket).toBe('arn:aws:s3:::filemanager-inventory-test')
    expect(manifest.version).toBe('2016-11-30')
    expect(manifest.creationTimestamp).toBe('1715043600000')
    expect(manifest.files).toHaveLength(1)
    expect(manifest.files[0]).toMatchObject({ key: dataKey, size })
    expect(manifest.files[0]!.MD5checksum).toBe(md5Hex(awsFixture(dataKey)))
    expect(manifestCreatedAt(manifest).toISOString()).toBe('2024-05-07T01:00:00.000Z')
  })

  it('reads the CSV column list of the versioned manifest as written', () => {
    const manifest = parseManifest(awsFixture('csv_inventory_manifest.json'))
    expect(manifest.fileSchema.split(',').map((name) => name.trim())).toEqual([
      'Bucket', 'Key', 'VersionId', 'IsLatest', 'IsDeleteMarker', 'Size', 'LastModifiedDate', 'ETag',
      'StorageClass', 'IsMultipartUploaded', 'ReplicationStatus', 'EncryptionStatus',
      'ObjectLockRetainUntilDate', 'ObjectLockMode', 'ObjectLockLegalHoldStatus',
      'IntelligentTieringAccessTier', 'BucketKeyStatus', 'ChecksumAlgorithm',
    ])
  })

  it('accepts AWS\'s `"key" : value` spacing (the same manifest re-spaced parses to the same value)', () => {
    const text = awsFixture('orc_inventory_manifest.json').toString('utf8')
    const respaced = text.replace(/"(\w+)":/g, '"$1" :')
    expect(respaced).toContain('"fileFormat" : "ORC"')
    expect(parseManifest(respaced)).toEqual(parseManifest(text))
  })

  it('accepts a string as well as bytes', () => {
    const text = awsFixture('csv_inventory_manifest.json').toString('utf8')
    expect(parseManifest(text)).toEqual(parseManifest(Buffer.from(text)))
  })
})

describe('parseManifest normalisation and validation', () => {
  it.each([
    ['csv', 'CSV'],
    ['Csv', 'CSV'],
    ['orc', 'ORC'],
    ['PARQUET', 'Parquet'],
    ['parquet', 'Parquet'],
    ['Parquet', 'Parquet'],
  ])('normalises fileFormat %s to %s', (written, expected) => {
    expect(parseManifest(manifestWith((m) => (m.fileFormat = written))).fileFormat).toBe(expected)
  })

  it('keeps fields it does not know (AWS adds fields over time)', () => {
    const manifest = parseManifest(manifestWith((m) => (m.futureField = { a: 1 })))
    expect((manifest as Record<string, unknown>).futureField).toEqual({ a: 1 })
  })

  it('accepts an empty list of files', () => {
    expect(parseManifest(manifestWith((m) => (m.files = []))).files).toEqual([])
  })

  const invalid: [string, string | Uint8Array][] = [
    ['not JSON', '{"sourceBucket": '],
    ['not UTF-8', Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['a JSON array', '[]'],
    ['missing files', manifestWith((m) => delete m.files)],
    ['files not an array', manifestWith((m) => (m.files = 'a.csv.gz'))],
    ['a file without key', manifestWith((m) => (m.files = [{ size: 1, MD5checksum: MD5 }]))],
    ['an empty file key', manifestWith((m) => (m.files = [{ key: '', size: 1, MD5checksum: MD5 }]))],
    ['a negative size', manifestWith((m) => (m.files = [{ key: 'k', size: -1, MD5checksum: MD5 }]))],
    ['a fractional size', manifestWith((m) => (m.files = [{ key: 'k', size: 1.5, MD5checksum: MD5 }]))],
    ['a short MD5checksum', manifestWith((m) => (m.files = [{ key: 'k', size: 1, MD5checksum: 'abc' }]))],
    ['a non-hex MD5checksum', manifestWith((m) => (m.files = [{ key: 'k', size: 1, MD5checksum: NOT_HEX }]))],
    ['a non-digit creationTimestamp', manifestWith((m) => (m.creationTimestamp = '2024-05-07T01:00:00Z'))],
    ['a numeric creationTimestamp', manifestWith((m) => (m.creationTimestamp = 1715043600000))],
    ['a negative creationTimestamp', manifestWith((m) => (m.creationTimestamp = '-1'))],
    ['an unknown fileFormat', manifestWith((m) => (m.fileFormat = 'JSON'))],
    ['an empty fileSchema', manifestWith((m) => (m.fileSchema = ''))],
    ['an empty sourceBucket', manifestWith((m) => (m.sourceBucket = ''))],
    ['no destinationBucket', manifestWith((m) => delete m.destinationBucket)],
    ['no version', manifestWith((m) => delete m.version)],
  ]
  it.each(invalid)('rejects %s with MANIFEST_INVALID naming the file', async (_case, bytes) => {
    const file = 'photos/daily/2024-05-07T01-00Z/manifest.json'
    const error = await expectCode(() => parseManifest(bytes, file), 'MANIFEST_INVALID')
    expect(error.file).toBe(file)
    expect(error.message).toContain(file)
  })

  it('names manifest.json when no file name is given', async () => {
    const error = await expectCode(() => parseManifest('nope'), 'MANIFEST_INVALID')
    expect(error.file).toBe('manifest.json')
  })
})

describe('manifest.checksum', () => {
  it.each(FIXTURES)('the real $name checksum verifies its manifest', ({ name }) => {
    const checksumBytes = awsFixture(`${name}_manifest.checksum`)
    expect(checksumBytes).toHaveLength(33)
    expect(checksumBytes[32]).toBe(0x0a)
    const md5 = parseChecksumFile(checksumBytes)
    expect(md5).toMatch(/^[0-9a-f]{32}$/)
    expect(() => verifyManifestChecksum(awsFixture(`${name}_manifest.json`), md5)).not.toThrow()
  })

  it.each(FIXTURES)('one changed byte of $name gives CHECKSUM_MISMATCH', async ({ name }) => {
    const md5 = parseChecksumFile(awsFixture(`${name}_manifest.checksum`))
    const manifest = Buffer.from(awsFixture(`${name}_manifest.json`))
    manifest[10] = manifest[10]! ^ 0x01
    const verify = () => verifyManifestChecksum(manifest, md5, 'x/manifest.json')
    const error = await expectCode(verify, 'CHECKSUM_MISMATCH')
    expect(error.file).toBe('x/manifest.json')
    expect(error.message).toContain('x/manifest.json')
  })

  it('compares the expected MD5 without regard to case', () => {
    const bytes = Buffer.from('hello')
    expect(() => verifyManifestChecksum(bytes, md5Hex(bytes).toUpperCase())).not.toThrow()
    expect(parseChecksumFile(`${md5Hex(bytes).toUpperCase()}\r\n`)).toBe(md5Hex(bytes))
  })

  it('md5Hex gives the well-known digest of the empty input', () => {
    expect(md5Hex(new Uint8Array())).toBe('d41d8cd98f00b204e9800998ecf8427e')
  })

  it.each(['', 'not an md5', 'a'.repeat(31), 'a'.repeat(33), `${'a'.repeat(32)} extra`])(
    'rejects checksum file %j as MANIFEST_INVALID',
    async (text) => {
      const parse = () => parseChecksumFile(Buffer.from(text), 'p/manifest.checksum')
      const error = await expectCode(parse, 'MANIFEST_INVALID')
      expect(error.file).toBe('p/manifest.checksum')
    },
  )
})

describe('verifyMd5', () => {
  const bytes = Buffer.from('The quick brown fox jumps over the lazy dog')

  it('passes every byte through unchanged when the MD5 matches', async () => {
    const out = await collectBytes(verifyMd5(chunked(bytes, 5), md5Hex(bytes), 'f.csv.gz'))
    expect(out.equals(bytes)).toBe(true)
  })

  it('accepts an upper-case expected MD5', async () => {
    const out = await collectBytes(verifyMd5(chunked(bytes, 7), md5Hex(bytes).toUpperCase(), 'f.csv.gz'))
    expect(out.equals(bytes)).toBe(true)
  })

  it('yields every chunk and throws CHECKSUM_MISMATCH only at the end', async () => {
    const seen: Uint8Array[] = []
    const error = await expectCode(async () => {
      for await (const chunk of verifyMd5(chunked(bytes, 10), 'a'.repeat(32), 'data/f.csv.gz')) seen.push(chunk)
    }, 'CHECKSUM_MISMATCH')
    expect(Buffer.concat(seen).equals(bytes)).toBe(true)
    expect(error.file).toBe('data/f.csv.gz')
    expect(error.message).toContain('data/f.csv.gz')
  })

  it('detects a single changed byte', async () => {
    const changed = Buffer.from(bytes)
    changed[3] = 0x21
    await expectCode(() => collect(verifyMd5(chunked(changed, 4), md5Hex(bytes), 'f')), 'CHECKSUM_MISMATCH')
  })

  it('checks the empty stream too', async () => {
    expect(await collect(verifyMd5(fromChunks([]), 'd41d8cd98f00b204e9800998ecf8427e', 'f'))).toEqual([])
    await expectCode(() => collect(verifyMd5(fromChunks([]), md5Hex(bytes), 'f')), 'CHECKSUM_MISMATCH')
  })
})

describe('the manifest types', () => {
  // Public types are plain interfaces (no zod types in what embedders see); the schema that validates a
  // manifest must infer exactly them. tsc (npm run typecheck) fails here when one side changes alone.
  it('are what the zod schemas infer', () => {
    expectTypeOf<z.infer<typeof manifestSchema>>().toEqualTypeOf<InventoryManifest>()
    expectTypeOf<z.infer<typeof manifestFileSchema>>().toEqualTypeOf<ManifestDataFile>()
    expect(parseManifest(JSON.stringify({ sourceBucket: 's', destinationBucket: 'd', version: '1', creationTimestamp: '1', fileFormat: 'parquet', fileSchema: 'x', files: [], extra: 1 }))).toMatchObject({ fileFormat: 'Parquet', extra: 1 })
  })
})
