import { describe, expect, it } from 'vitest'
import { parseManifest } from '../src/manifest/parse-manifest.js'
import { fieldNameIn, inventoryFieldOf, parseFileSchema, requireImportFields } from '../src/parse/file-schema.js'
import { awsFixture, expectCode } from './helpers.js'

const AWS_FIELDS = [
  'bucket',
  'key',
  'versionId',
  'isLatest',
  'isDeleteMarker',
  'size',
  'lastModifiedDate',
  'eTag',
  'storageClass',
  'isMultipartUploaded',
  'replicationStatus',
  'encryptionStatus',
  'objectLockRetainUntilDate',
  'objectLockMode',
  'objectLockLegalHoldStatus',
  'intelligentTieringAccessTier',
  'bucketKeyStatus',
  'checksumAlgorithm',
]

describe('parseFileSchema', () => {
  it.each([
    ['CSV', 'csv_inventory_manifest.json'],
    ['Parquet', 'parquet_inventory_manifest.json'],
    ['ORC', 'orc_inventory_manifest.json'],
  ] as const)('reads the real %s manifest into the same fields, in order', (format, name) => {
    const manifest = parseManifest(awsFixture(name))
    expect(manifest.fileFormat).toBe(format)
    const columns = parseFileSchema(format, manifest.fileSchema)
    expect(columns.map((column) => column.field)).toEqual(AWS_FIELDS)
  })

  it('keeps Parquet types and annotations, in either spelling parquet-mr has used', () => {
    const old = parseFileSchema(
      'Parquet',
      'message s3.inventory { required binary bucket (UTF8); required binary key (UTF8); optional int64 size; optional int64 last_modified_date (TIMESTAMP_MILLIS);}',
    )
    const recent = parseFileSchema(
      'Parquet',
      'message s3.inventory {\n  required binary bucket (STRING);\n  required binary key (STRING);\n  optional int64 size;\n  optional int64 last_modified_date (TIMESTAMP( MILLIS, true ));\n}',
    )
    expect(old.map((column) => column.field)).toEqual(recent.map((column) => column.field))
    expect(old[3]).toEqual({ name: 'last_modified_date', field: 'lastModifiedDate', type: 'int64', annotation: 'TIMESTAMP_MILLIS' })
    expect(recent[3]).toEqual({ name: 'last_modified_date', field: 'lastModifiedDate', type: 'int64', annotation: 'TIMESTAMP(MILLIS,TRUE)' })
    expect(recent[1]).toMatchObject({ type: 'binary', annotation: 'STRING' })
  })

  it('skips over nested Parquet groups, field ids and fixed-length types', () => {
    const columns = parseFileSchema(
      'Parquet',
      'message m { required binary key (STRING) = 1; optional group tags (LIST) { repeated group list { optional binary element (STRING); } } optional fixed_len_byte_array(16) e_tag; required int64 size; }',
    )
    expect(columns.map((column) => [column.name, column.field, column.type])).toEqual([
      ['key', 'key', 'binary'],
      ['tags', undefined, 'group'],
      ['e_tag', 'eTag', 'fixed_len_byte_array'],
      ['size', 'size', 'int64'],
    ])
  })

  it('reads ORC structs with spaces, nested and parameterised types', () => {
    const columns = parseFileSchema('ORC', 'struct< key : string , size:bigint,extra:map<string,struct<a:int>>,d:decimal(38,0),last_modified_date:timestamp>')
    expect(columns.map((column) => [column.name, column.field, column.type])).toEqual([
      ['key', 'key', 'string'],
      ['size', 'size', 'bigint'],
      ['extra', undefined, 'map<string,struct<a:int>>'],
      ['d', undefined, 'decimal(38,0)'],
      ['last_modified_date', 'lastModifiedDate', 'timestamp'],
    ])
  })

  it.each([
    ['Parquet', 'struct<key:string>'],
    ['Parquet', 'message s3.inventory { required binary key (STRING) '],
    ['Parquet', 'message s3.inventory { binary key; }'],
    ['ORC', 'message s3.inventory { required binary key; }'],
    ['ORC', 'struct<key:string,size:bigint'],
    ['ORC', 'struct<key:string>,'],
  ] as const)('rejects a %s schema that does not parse as MANIFEST_INVALID: %s', async (format, schema) => {
    const error = await expectCode(() => parseFileSchema(format, schema, 'inv/manifest.json'), 'MANIFEST_INVALID')
    expect(error.message).toContain('inv/manifest.json')
  })
})

describe('requireImportFields', () => {
  it('names every missing field as the format spells it', async () => {
    const parquet = parseFileSchema('Parquet', 'message s3.inventory { required binary bucket (STRING); required binary key (STRING); }')
    const error = await expectCode(() => requireImportFields(parquet.map((c) => c.field), 'Parquet', 'm.json'), 'SCHEMA_UNSUPPORTED')
    expect(error.message).toContain('size, last_modified_date')
    const csv = await expectCode(() => requireImportFields(['key'], 'CSV'), 'SCHEMA_UNSUPPORTED')
    expect(csv.message).toContain('Size, LastModifiedDate')
    expect(() => requireImportFields(['key', 'size', 'lastModifiedDate'], 'ORC')).not.toThrow()
  })

  it('maps names of every spelling to one field', () => {
    expect(['ETag', 'e_tag', 'E-Tag', ' etag '].map(inventoryFieldOf)).toEqual(['eTag', 'eTag', 'eTag', 'eTag'])
    expect(inventoryFieldOf('colour')).toBeUndefined()
    expect(fieldNameIn('ORC', 'isDeleteMarker')).toBe('is_delete_marker')
    expect(fieldNameIn('CSV', 'eTag')).toBe('ETag')
  })
})
