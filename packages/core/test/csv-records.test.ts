import { describe, expect, it } from 'vitest'
import { parseManifest } from '../src/pure.js'
import type { CsvEngine, FileInfo, RowCounts } from '../src/public-types.js'
import {
  csvColumnsFromSchema,
  decodeInventoryKey,
  emptyRowCounts,
  gunzip,
  normalizeEtag,
  normalizeTimestamp,
  parseSize,
  readCsvRecords,
  rowOutcome,
} from '../src/internal.js'
import {
  AWS_FIXTURE_FILES,
  awsFixture,
  chunked,
  collect,
  csvRow,
  expectCode,
  failingAfter,
  fromChunks,
  randomSizes,
  seededRandom,
} from './helpers.js'

const VERSIONED_SCHEMA = parseManifest(awsFixture('csv_inventory_manifest.json')).fileSchema
const UNVERSIONED_SCHEMA = parseManifest(awsFixture('csv_inventory_no_version_manifest.json')).fileSchema
/** A small unversioned schema for hand-written rows. */
const SIMPLE = csvColumnsFromSchema('Bucket, Key, Size, LastModifiedDate, ETag, StorageClass')
const T1 = '2024-05-06T22:44:22.000Z'


function row(key: string, size = '5', lastModified = T1, etag = 'abc', storageClass = 'STANDARD'): string {
  return csvRow(['photos', key, size, lastModified, etag, storageClass])
}

function file(key: string, size = 5, etag = 'abc', storageClass = 'STANDARD'): FileInfo {
  return { key, size, lastModified: T1, etag, storageClass }
}

interface ReadResult {
  files: FileInfo[]
  batches: number
  counts: RowCounts
}

async function readAll(
  engine: CsvEngine,
  input: string | Uint8Array | AsyncIterable<Uint8Array>,
  columns = SIMPLE,
  maxBadRowSamples?: number,
): Promise<ReadResult> {
  const counts = emptyRowCounts()
  const chunks =
    typeof input === 'string' ? fromChunks([Buffer.from(input, 'utf8')])
    : input instanceof Uint8Array ? fromChunks([input])
    : input
  const options = { columns, file: 'data/a.csv', counts, engine, maxBadRowSamples }
  const batches = await collect(readCsvRecords(chunks, options))
  for (const batch of batches) expect(batch.length).toBeGreaterThan(0)
  return { files: batches.flat(), batches: batches.length, counts }
}

async function gunzipped(name: string): Promise<Buffer> {
  return Buffer.concat(await collect(gunzip(fromChunks([awsFixture(name)]), name)))
}

describe('csvColumnsFromSchema', () => {
  it('finds the columns of the real versioned schema', () => {
    expect(csvColumnsFromSchema(VERSIONED_SCHEMA)).toEqual({
      count: 18,
      key: 1,
      size: 5,
      lastModified: 6,
      etag: 7,
      storageClass: 8,
      isLatest: 3,
      isDeleteMarker: 4,
    })
  })

  it('finds the columns of the real unversioned schema', () => {
    expect(csvColumnsFromSchema(UNVERSIONED_SCHEMA)).toEqual({
      count: 15,
      key: 1,
      size: 2,
      lastModified: 3,
      etag: 4,
      storageClass: 5,
      isLatest: -1,
      isDeleteMarker: -1,
    })
  })

  it('ignores case and spaces around names', () => {
    expect(csvColumnsFromSchema('key,SIZE ,  lastmodifieddate')).toMatchObject({
      count: 3,
      key: 0,
      size: 1,
      lastModified: 2,
      etag: -1,
      storageClass: -1,
    })
  })

  it.each([
    'Bucket, Size, LastModifiedDate',
    'Bucket, Key, LastModifiedDate',
    'Bucket, Key, Size',
    'Bucket',
    '',
  ])('throws SCHEMA_UNSUPPORTED for %j, naming the manifest', async (schema) => {
    const error = await expectCode(() => csvColumnsFromSchema(schema, 'p/manifest.json'), 'SCHEMA_UNSUPPORTED')
    expect(error.file).toBe('p/manifest.json')
    expect(error.message).toContain('p/manifest.json')
  })
})

describe('record field helpers', () => {
  it.each([
    ['plain/key.jpg', 'plain/key.jpg'],
    ['2020/Milledgeville%2C+GA/a+b%25c%2B.jpg', '2020/Milledgeville, GA/a b%c+.jpg'],
    ['%C3%A9t%C3%A9/cr%C3%A8me', 'été/crème'],
    ['%F0%9F%93%B7.jpg', '📷.jpg'],
    ['a%2Fb', 'a/b'],
  ])('decodeInventoryKey(%j) is %j', (encoded, decoded) => {
    expect(decodeInventoryKey(encoded)).toBe(decoded)
  })

  it.each(['%ZZ', 'a%', 'a%2', '%C3', '%C3%28'])('decodeInventoryKey(%j) is undefined', (encoded) => {
    expect(decodeInventoryKey(encoded)).toBeUndefined()
  })

  it.each([
    ['0', 0],
    ['5', 5],
    ['0005', 5],
    ['5497558138880', 5497558138880],
    ['', -1],
    ['-1', -1],
    ['+1', -1],
    ['1.5', -1],
    ['1e3', -1],
    [' 1', -1],
    ['12a', -1],
    ['12345678901234567', -1],
  ])('parseSize(%j) is %d', (text, size) => {
    expect(parseSize(text)).toBe(size)
  })

  it('reads a date without a zone as UTC on a machine in another zone', () => {
    const zone = process.env.TZ
    process.env.TZ = 'America/New_York'
    try {
      expect(normalizeTimestamp('2024-05-06 22:44:22')).toBe(T1)
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })

  it.each([
    [T1, T1],
    ['2024-05-06T22:44:22Z', T1],
    ['2024-05-06T23:44:22+01:00', T1],
    ['2024-12-31T23:59:59.999Z', '2024-12-31T23:59:59.999Z'],
    ['2024-02-29T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T00:00:00.000Z', '2000-02-29T00:00:00.000Z'],
    ['2024-04-30T00:00:00.000Z', '2024-04-30T00:00:00.000Z'],
    // No zone: UTC, whatever the machine's zone.
    ['2024-05-06 22:44:22', T1],
    ['2024-05-06T22:44:22', T1],
    ['2024-05-06T22:44:22.000', T1],
  ])('normalizeTimestamp(%j) is %j', (text, iso) => {
    expect(normalizeTimestamp(text)).toBe(iso)
  })

  it.each([
    '',
    'yesterday',
    '2024-13-01T00:00:00.000Z',
    '2024-00-01T00:00:00.000Z',
    '2024-05-00T00:00:00.000Z',
    '2024-05-32T00:00:00.000Z',
    '2024-02-30T00:00:00.000Z',
    '2023-02-29T00:00:00.000Z',
    '1900-02-29T00:00:00.000Z',
    '2024-04-31T00:00:00.000Z',
    '2024-05-06T24:00:00.000Z',
    '2024-05-06T22:60:00.000Z',
    '2024-05-06T22:44:60.000Z',
  ])('normalizeTimestamp(%j) is undefined', (text) => {
    expect(normalizeTimestamp(text)).toBeUndefined()
  })

  it('strips the quotes around an ETag only when both are there', () => {
    expect(normalizeEtag('"abc"')).toBe('abc')
    expect(normalizeEtag('abc')).toBe('abc')
    expect(normalizeEtag('"abc')).toBe('"abc')
    expect(normalizeEtag('"')).toBe('"')
    expect(normalizeEtag('""')).toBe('')
    expect(normalizeEtag('')).toBe('')
  })

  it('rowOutcome applies versioning before validating fields', () => {
    expect(rowOutcome('', '', '', '', '', 'false', 'false')).toBe('noncurrent')
    expect(rowOutcome('', '', '', '', '', '', 'false')).toBe('noncurrent')
    expect(rowOutcome('', '', '', '', '', 'true', 'true')).toBe('delete_marker')
    expect(rowOutcome('', '5', T1, '', '', 'true', 'false')).toBe('missing_key')
    expect(rowOutcome('k', '5', T1, 'e', 's', undefined, undefined)).toEqual(file('k', 5, 'e', 's'))
    expect(rowOutcome('k', '5', T1, 'e', 's', 'true', undefined)).toEqual(file('k', 5, 'e', 's'))
  })
})

describe.each(['fast', 'csv-parse'] as const)('readCsvRecords (%s engine)', (engine) => {
  describe('real AWS reports', () => {
    it('reads the versioned report: current files only', async () => {
      const csv = await gunzipped('csv_inventory.csv.gz')
      const { files, counts } = await readAll(engine, csv, csvColumnsFromSchema(VERSIONED_SCHEMA))
      expect(files).toEqual(AWS_FIXTURE_FILES)
      expect(counts).toEqual({
        rows: 5,
        records: 2,
        noncurrentVersions: 2,
        deleteMarkers: 1,
        badRows: {},
        badRowSamples: [],
      })
    })

    it('reads the unversioned report', async () => {
      const csv = await gunzipped('csv_inventory_no_version.csv.gz')
      const { files, counts } = await readAll(engine, csv, csvColumnsFromSchema(UNVERSIONED_SCHEMA))
      expect(files).toEqual(AWS_FIXTURE_FILES)
      expect(counts).toMatchObject({
        rows: 2,
        records: 2,
        noncurrentVersions: 0,
        deleteMarkers: 0,
        badRows: {},
      })
    })

    it('gives the same result one byte per chunk and in random chunk sizes', async () => {
      const csv = await gunzipped('csv_inventory.csv.gz')
      const columns = csvColumnsFromSchema(VERSIONED_SCHEMA)
      const whole = await readAll(engine, csv, columns)
      const byteWise = await readAll(engine, chunked(csv, 1), columns)
      expect(byteWise.files).toEqual(whole.files)
      expect(byteWise.counts).toEqual(whole.counts)
      const random = seededRandom(7)
      for (let round = 0; round < 20; round++) {
        const result = await readAll(engine, chunked(csv, randomSizes(csv.length, 200, random)), columns)
        expect(result.files).toEqual(AWS_FIXTURE_FILES)
        expect(result.counts).toEqual(whole.counts)
      }
    })
  })

  it('decodes URL-encoded keys', async () => {
    const csv =
      row('2020/Milledgeville%2C+GA/a+b%25c%2B.jpg') +
      row('%C3%A9t%C3%A9/cr%C3%A8me_br%C3%BBl%C3%A9e/IMG+1.jpg') +
      row('snap/%F0%9F%93%B7.jpg') +
      row('plain/key.jpg')
    const { files, counts } = await readAll(engine, csv)
    expect(files.map((f) => f.key)).toEqual([
      '2020/Milledgeville, GA/a b%c+.jpg',
      'été/crème_brûlée/IMG 1.jpg',
      'snap/📷.jpg',
      'plain/key.jpg',
    ])
    expect(counts.records).toBe(4)
  })

  it('skips bad rows and counts them by reason, with samples naming file and line', async () => {
    const csv =
      row('good/1.jpg') + // line 1
      csvRow(['photos', 'short.jpg', '5', T1, 'abc']) + // 2: column_count
      csvRow(['photos', 'long.jpg', '5', T1, 'abc', 'STANDARD', 'extra']) + // 3: column_count
      row('size/a.jpg', '12a') + // 4: invalid_size
      row('size/b.jpg', '-1') + // 5: invalid_size
      row('size/c.jpg', '') + // 6: invalid_size
      row('date/a.jpg', '5', 'yesterday') + // 7: invalid_date
      row('date/b.jpg', '5', '2024-13-01T00:00:00.000Z') + // 8: invalid_date
      row('bad%ZZescape.jpg') + // 9: invalid_key_encoding
      row('') + // 10: missing_key
      row('good/2.jpg') // 11
    const { files, counts } = await readAll(engine, csv, SIMPLE, 20)
    expect(files).toEqual([file('good/1.jpg'), file('good/2.jpg')])
    expect(counts.rows).toBe(11)
    expect(counts.records).toBe(2)
    expect(counts.badRows).toEqual({
      column_count: 2,
      invalid_size: 3,
      invalid_date: 2,
      invalid_key_encoding: 1,
      missing_key: 1,
    })
    expect(counts.badRowSamples).toEqual([
      { file: 'data/a.csv', line: 2, reason: 'column_count' },
      { file: 'data/a.csv', line: 3, reason: 'column_count' },
      { file: 'data/a.csv', line: 4, reason: 'invalid_size' },
      { file: 'data/a.csv', line: 5, reason: 'invalid_size' },
      { file: 'data/a.csv', line: 6, reason: 'invalid_size' },
      { file: 'data/a.csv', line: 7, reason: 'invalid_date' },
      { file: 'data/a.csv', line: 8, reason: 'invalid_date' },
      { file: 'data/a.csv', line: 9, reason: 'invalid_key_encoding' },
      { file: 'data/a.csv', line: 10, reason: 'missing_key' },
    ])
  })

  it('skips a record longer than maxRecordBytes as record_too_long, whatever the chunking', async () => {
    const long = row(`long/${'x'.repeat(300)}.jpg`)
    const csv = row('good/1.jpg') + long + row('good/2.jpg') + long + long + row('good/3.jpg') + long
    const expected = {
      files: [file('good/1.jpg'), file('good/2.jpg'), file('good/3.jpg')],
      rows: 7,
      samples: [2, 4, 5, 7].map((line) => ({ file: 'data/a.csv', line, reason: 'record_too_long' })),
    }
    const bytes = Buffer.from(csv)
    const random = seededRandom(11)
    for (const chunks of [[bytes], chunked(bytes, 1), chunked(bytes, 64), chunked(bytes, randomSizes(bytes.length, 400, random))]) {
      const counts = emptyRowCounts()
      const input = Array.isArray(chunks) ? fromChunks(chunks) : chunks
      const options = { columns: SIMPLE, file: 'data/a.csv', counts, engine, maxRecordBytes: 200, maxBadRowSamples: 10 }
      const files = (await collect(readCsvRecords(input, options))).flat()
      expect(files).toEqual(expected.files)
      expect(counts.rows).toBe(expected.rows)
      expect(counts.badRows).toEqual({ record_too_long: 4 })
      expect(counts.badRowSamples).toEqual(expected.samples)
    }
  })

  it('skips a 64 MB line without newlines in bounded memory', async () => {
    // The line arrives in 1 MB chunks; a reader that held it would grow by 64 MB.
    const piece = Buffer.alloc(1 << 20, 0x61)
    let peak = 0
    const base = process.memoryUsage().arrayBuffers
    async function* input(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(row('good/1.jpg') + '"photos","')
      for (let i = 0; i < 64; i++) {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)
        yield piece
      }
      yield Buffer.from(`","5","${T1}","abc","STANDARD"\n` + row('good/2.jpg'))
    }
    const { files, counts } = await readAll(engine, input())
    expect(files).toEqual([file('good/1.jpg'), file('good/2.jpg')])
    expect(counts.badRows).toEqual({ record_too_long: 1 })
    expect(counts.badRowSamples).toEqual([{ file: 'data/a.csv', line: 2, reason: 'record_too_long' }])
    expect(peak).toBeLessThan(16 << 20)
  })

  it('counts keys S3 cannot hold as invalid_key: over 1,024 UTF-8 bytes, or with a NUL', async () => {
    const csv =
      row(`a/${'k'.repeat(1022)}`) + // 1,024 bytes: fine
      row(`a/${'k'.repeat(1023)}`) + // 1,025 bytes
      row(`a/${'%C3%A9'.repeat(511)}`) + // é is 2 bytes: 1,024
      row(`a/${'%C3%A9'.repeat(512)}`) + // 1,026
      row('a/nul%00byte.jpg') +
      row(`a/${'k'.repeat(5_000_000)}`) // a 5 MB key field
    const { files, counts } = await readAll(engine, csv, SIMPLE, 10)
    expect(files.map((f) => f.key)).toEqual([`a/${'k'.repeat(1022)}`, `a/${'é'.repeat(511)}`])
    expect(counts.badRows).toEqual({ invalid_key: 3, record_too_long: 1 })
  })

  it('keeps at most maxBadRowSamples samples (5 by default) but counts every bad row', async () => {
    const csv = Array.from({ length: 8 }, (_, i) => row(`k${i}`, 'x')).join('')
    const capped = await readAll(engine, csv, SIMPLE, 3)
    expect(capped.counts.badRows).toEqual({ invalid_size: 8 })
    expect(capped.counts.badRowSamples.map((s) => s.line)).toEqual([1, 2, 3])
    const defaulted = await readAll(engine, csv)
    expect(defaulted.counts.badRowSamples).toHaveLength(5)
  })

  it('reads quoted fields holding doubled quotes', async () => {
    const csv =
      row('a"b.jpg', '5', T1, '"etag"') +
      csvRow(['pho"tos', 'c.jpg', '7', T1, '', 'GLACIER']) +
      row('"quoted".jpg', '1', T1, 'e', 'x","y') +
      row('tail"', '2', T1, 'e', '"')
    const { files, counts } = await readAll(engine, csv)
    expect(files).toEqual([
      file('a"b.jpg', 5, 'etag'),
      file('c.jpg', 7, '', 'GLACIER'),
      file('"quoted".jpg', 1, 'e', 'x","y'),
      file('tail"', 2, 'e', '"'),
    ])
    expect(counts.badRows).toEqual({})
  })

  it('reads unquoted rows', async () => {
    const csv = `photos,plain.jpg,5,${T1},abc,STANDARD\n` + row('quoted.jpg') + `photos,x+y.jpg,6,${T1},,\n`
    const { files } = await readAll(engine, csv)
    expect(files).toEqual([file('plain.jpg'), file('quoted.jpg'), file('x y.jpg', 6, '', '')])
  })

  it('counts a row it cannot split as malformed_csv and reads on', async () => {
    const csv = row('a.jpg') + `"photos","b"x.jpg","5","${T1}","abc","STANDARD"\n` + row('c.jpg')
    const { files, counts } = await readAll(engine, csv)
    expect(files).toEqual([file('a.jpg'), file('c.jpg')])
    expect(counts.rows).toBe(3)
    expect(counts.badRows).toEqual({ malformed_csv: 1 })
    expect(counts.badRowSamples).toEqual([{ file: 'data/a.csv', line: 2, reason: 'malformed_csv' }])
  })

  it('counts a last row with an unclosed quote as malformed_csv', async () => {
    const { files, counts } = await readAll(engine, `${row('a.jpg')}"photos","b.jpg`)
    expect(files).toEqual([file('a.jpg')])
    expect(counts.rows).toBe(2)
    expect(counts.badRows).toEqual({ malformed_csv: 1 })
  })

  it('reads CRLF line ends', async () => {
    const csv = (row('a.jpg') + row('b.jpg', '6', T1, '', '')).replaceAll('\n', '\r\n')
    const { files, counts } = await readAll(engine, csv)
    expect(files).toEqual([file('a.jpg'), file('b.jpg', 6, '', '')])
    expect(counts.rows).toBe(2)
    for (const sizes of [1, 2, 3]) {
      expect((await readAll(engine, chunked(Buffer.from(csv), sizes))).files).toEqual(files)
    }
  })

  it('reads a last row without a trailing newline', async () => {
    const csv = row('a.jpg') + row('b.jpg').slice(0, -1)
    const { files, counts } = await readAll(engine, csv)
    expect(files).toEqual([file('a.jpg'), file('b.jpg')])
    expect(counts.rows).toBe(2)
    expect((await readAll(engine, chunked(Buffer.from(csv), 1))).files).toEqual(files)
    expect((await readAll(engine, row('only.jpg').slice(0, -1))).files).toEqual([file('only.jpg')])
  })

  it('skips blank lines without counting them', async () => {
    const { files, counts } = await readAll(engine, `\n${row('a.jpg')}\n\n${row('b.jpg')}\n`)
    expect(files).toEqual([file('a.jpg'), file('b.jpg')])
    expect(counts.rows).toBe(2)
    expect(counts.badRows).toEqual({})
  })

  it('turns empty optional fields into empty strings', async () => {
    const { files } = await readAll(engine, row('a.jpg', '0', T1, '', ''))
    expect(files).toEqual([{ key: 'a.jpg', size: 0, lastModified: T1, etag: '', storageClass: '' }])
  })

  it('works without ETag and StorageClass columns', async () => {
    const columns = csvColumnsFromSchema('Bucket, Key, Size, LastModifiedDate')
    const { files } = await readAll(engine, csvRow(['b', 'k.jpg', '3', T1]), columns)
    expect(files).toEqual([{ key: 'k.jpg', size: 3, lastModified: T1, etag: '', storageClass: '' }])
  })

  it('normalises quoted ETags and non-canonical timestamps', async () => {
    const { files } = await readAll(engine, row('a.jpg', '5', '2024-05-06T22:44:22Z', '"abc"'))
    expect(files).toEqual([file('a.jpg', 5, 'abc')])
  })

  it('reads the empty input as nothing', async () => {
    expect(await readAll(engine, '')).toEqual({ files: [], batches: 0, counts: emptyRowCounts() })
    expect(await readAll(engine, fromChunks([]))).toEqual({ files: [], batches: 0, counts: emptyRowCounts() })
  })

  it('gives the same result for many rows whatever the chunking', async () => {
    const random = seededRandom(42)
    const keys = Array.from({ length: 2500 }, (_, i) => `folder${i % 7}/sub ${i % 3}/IMG_${i}.jpg`)
    const csv = Buffer.from(
      keys
        .map((key, i) =>
          i % 10 === 9 ? row(encodeURIComponent(key).replaceAll('%20', '+'), 'bad')
          : row(encodeURIComponent(key).replaceAll('%20', '+'), String(i)),
        )
        .join(''),
    )
    const whole = await readAll(engine, csv)
    expect(whole.files).toHaveLength(2250)
    expect(whole.files[0]).toEqual(file('folder0/sub 0/IMG_0.jpg', 0))
    expect(whole.counts.badRows).toEqual({ invalid_size: 250 })
    const pieces = await readAll(engine, chunked(csv, randomSizes(csv.length, 4096, random)))
    expect(pieces.files).toEqual(whole.files)
    expect(pieces.counts).toEqual(whole.counts)
  })

  it('passes an error of the input through unchanged', async () => {
    const failure = new Error('network down')
    await expect(readAll(engine, failingAfter([Buffer.from(row('a.jpg'))], failure))).rejects.toBe(failure)
  })

  it('accepts plain Uint8Array chunks that are views into a larger buffer', async () => {
    const text = Buffer.from(`xxxx${row('a.jpg')}${row('b.jpg')}yyyy`)
    const backing = new Uint8Array(text.buffer.slice(text.byteOffset, text.byteOffset + text.length))
    const view = new Uint8Array(backing.buffer, 4, backing.length - 8)
    expect((await readAll(engine, fromChunks([view]))).files).toEqual([file('a.jpg'), file('b.jpg')])
  })

  it('stops cleanly when the consumer breaks out early', async () => {
    const csv = Buffer.from(Array.from({ length: 20_000 }, (_, i) => row(`k/${i}.jpg`)).join(''))
    const counts = emptyRowCounts()
    let pulled = 0
    async function* source(): AsyncGenerator<Uint8Array> {
      for await (const chunk of chunked(csv, 16 * 1024)) {
        pulled++
        yield chunk
      }
    }
    let first: FileInfo[] | undefined
    for await (const batch of readCsvRecords(source(), { columns: SIMPLE, file: 'f', counts, engine })) {
      first = batch
      break
    }
    expect(first?.[0]).toEqual(file('k/0.jpg'))
    expect(pulled).toBeLessThan(Math.ceil(csv.length / (16 * 1024)))
  })
})

describe('both engines agree', () => {
  it('on a mixed file of good, versioned and bad rows', async () => {
    const columns = csvColumnsFromSchema(VERSIONED_SCHEMA)
    const base = (await gunzipped('csv_inventory.csv.gz')).toString('utf8')
    const extra = [
      csvRow(['b', 'x%2By', 'v', 'true', 'false', '9', T1, 'e', 'S', ...Array(9).fill('')]),
      csvRow(['b', 'x', 'v', 'true', 'false', '9', T1]),
      csvRow(['b', '', 'v', 'true', 'false', '9', T1, 'e', 'S', ...Array(9).fill('')]),
      csvRow(['b', 'old', 'v', 'false', 'true', '', '', '', '', ...Array(9).fill('')]),
    ].join('')
    const csv = Buffer.from(base + extra)
    const fast = await readAll('fast', csv, columns)
    const slow = await readAll('csv-parse', csv, columns)
    expect(fast.files).toEqual(slow.files)
    expect(fast.counts).toEqual(slow.counts)
    expect(fast.files.map((f) => f.key)).toEqual(['inventory-test/', 'inventory-test/key1', 'x+y'])
    expect(fast.counts).toMatchObject({
      rows: 9,
      records: 3,
      noncurrentVersions: 3,
      deleteMarkers: 1,
      badRows: { column_count: 1, missing_key: 1 },
    })
  })

  it('fast: a row that csv-parse splits in two (a bare CR) is one malformed row', async () => {
    const csv = `photos,a.jpg,5,${T1},e,S\rphotos,b.jpg,5,${T1},e,S\n` + row('c.jpg')
    const { files, counts } = await readAll('fast', csv)
    expect(files).toEqual([file('c.jpg')])
    expect(counts.rows).toBe(2)
    expect(counts.badRows).toEqual({ malformed_csv: 1 })
  })

  it('rollupOnly: the fast engine leaves ETag and storage class empty, all else the same', async () => {
    const csv = row('a/1.jpg', '12', T1, 'e1', 'GLACIER') + row('a/2.jpg', 'x') + row('b/3.jpg', '7')
    const read = async (rollupOnly: boolean) => {
      const counts = emptyRowCounts()
      const files = (await collect(readCsvRecords(fromChunks([Buffer.from(csv)]), { columns: SIMPLE, file: 'f', counts, rollupOnly }))).flat()
      return { files, counts }
    }
    const full = await read(false)
    const rollup = await read(true)
    expect(rollup.counts).toEqual(full.counts)
    expect(rollup.files).toEqual(full.files.map((f) => ({ ...f, etag: '', storageClass: '' })))
    expect(full.files[0]).toEqual(file('a/1.jpg', 12, 'e1', 'GLACIER'))
  })

  it('the default engine is the fast one', async () => {
    // The engines differ on a bare CR (see above): the default reads it as the fast engine does.
    const csv = `photos,a.jpg,5,${T1},e,S\rphotos,b.jpg,5,${T1},e,S\n` + row('c.jpg')
    const read = async (engine: CsvEngine | undefined) => {
      const counts = emptyRowCounts()
      const files = (await collect(readCsvRecords(fromChunks([Buffer.from(csv)]), { columns: SIMPLE, file: 'f', counts, engine }))).flat()
      return { files, counts }
    }
    const byDefault = await read(undefined)
    expect(byDefault).toEqual(await read('fast'))
    expect(byDefault).not.toEqual(await read('csv-parse'))
  })
})
