import { describe, expect, it } from 'vitest'
import { FolderAccumulator } from '../src/folders.js'
import { type CsvColumns, csvColumnsFromSchema } from '../src/parse/csv-columns.js'
import { type CsvEngine, readCsvRecords } from '../src/parse/csv-records.js'
import { readCsvRollup } from '../src/parse/csv-rollup.js'
import type { EncodedSpillRecords } from '../src/pipeline/data-file-reader.js'
import { SpillBytes } from '../src/pipeline/spill.js'
import { SpilledBucket } from '../src/pipeline/spilled-bucket.js'
import { type FileInfo, type RowCounts, emptyRowCounts } from '../src/types.js'
import { chunked, collect, csvRow, fromChunks, randomSizes, seededRandom } from './helpers.js'

const VERSIONED = csvColumnsFromSchema('Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass')
const SIMPLE = csvColumnsFromSchema('Bucket, Key, Size, LastModifiedDate, ETag, StorageClass')
const T1 = '2024-05-06T22:44:22.000Z'

/** Fields after the key of a versioned row: IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass. */
function versioned(key: string, latest = 'true', deleteMarker = 'false', size = '5', date = T1, etag = 'abc', storageClass = 'STANDARD'): string {
  return csvRow(['photos', key, 'v1', latest, deleteMarker, size, date, etag, storageClass])
}

/** Every kind of row the readers tell apart: what the byte path takes, and what it hands to the record path. */
const EDGE_ROWS: string[] = [
  versioned('2021/Wedding/a.jpg'),
  versioned('2021%2FWedding%2Fb.jpg', 'true', 'false', '7', '2024-05-07T01:02:03.456Z'),
  versioned('2021/Wedding/Smith+Jones/c.jpg', 'true', 'false', '0'),
  versioned('2021/Wedding/old.jpg', 'false'),
  versioned('2021/Wedding/old.jpg', 'TRUE'),
  versioned('2021/Wedding/gone.jpg', 'true', 'true'),
  versioned('root.jpg'),
  versioned('caf%C3%A9/men%C3%BC.jpg'),
  versioned('café/raw.jpg'),
  versioned('café/raw+plus%20and%20escapes.jpg'),
  versioned('bad%ZZ/escape.jpg'),
  versioned('bad/trailing%'),
  versioned('bad/short%4'),
  versioned('bad/%C3%28invalid-utf8'),
  versioned('%E2%82/cut-character.jpg'),
  versioned('nul/%00byte.jpg'),
  versioned(''),
  versioned(`long/${'k'.repeat(1019)}`),
  versioned(`long/${'k'.repeat(1020)}`),
  versioned(`long/${'%C3%A9'.repeat(509)}`),
  versioned(`long/${'%C3%A9'.repeat(510)}`),
  versioned('size/a.jpg', 'true', 'false', ''),
  versioned('size/b.jpg', 'true', 'false', '-1'),
  versioned('size/c.jpg', 'true', 'false', '1.5'),
  versioned('size/d.jpg', 'true', 'false', '12345678901234567'),
  versioned('size/e.jpg', 'true', 'false', '1234567890123456'),
  versioned('date/leap.jpg', 'true', 'false', '5', '2024-02-29T23:59:59.999Z'),
  versioned('date/not-leap.jpg', 'true', 'false', '5', '2023-02-29T00:00:00.000Z'),
  versioned('date/month-13.jpg', 'true', 'false', '5', '2024-13-01T00:00:00.000Z'),
  versioned('date/month-0.jpg', 'true', 'false', '5', '2024-00-01T00:00:00.000Z'),
  versioned('date/hour-24.jpg', 'true', 'false', '5', '2024-01-01T24:00:00.000Z'),
  versioned('date/no-millis.jpg', 'true', 'false', '5', '2024-05-06T22:44:22Z'),
  versioned('date/space.jpg', 'true', 'false', '5', '2024-05-06 22:44:22'),
  versioned('date/offset.jpg', 'true', 'false', '5', '2024-05-06T22:44:22.000+02:00'),
  versioned('date/letters.jpg', 'true', 'false', '5', '2024-05-0xT22:44:22.000Z'),
  versioned('date/slashes.jpg', 'true', 'false', '5', '2024/05/06T22:44:22.000Z'),
  versioned('date/none.jpg', 'true', 'false', '5', ''),
  versioned('date/old.jpg', 'true', 'false', '5', '1969-12-31T23:59:59.999Z'),
  versioned('etag/quoted.jpg', 'true', 'false', '5', T1, '"abc"'),
  versioned('2021/Wedding/doubled""quote.jpg'),
  'photos,2021/unquoted.jpg,v1,true,false,5,2024-05-06T22:44:22.000Z,abc,STANDARD\n',
  csvRow(['photos', 'short/row.jpg', 'v1', 'true']),
  csvRow(['photos', 'tab%09and%0Anewline/a.jpg', 'v1', 'true', 'false', '1', T1, 'e', 'S']),
  '\n',
]

/** A raw byte that is not UTF-8 inside a key (not what AWS writes): both paths must agree on it too. */
const RAW_INVALID_UTF8 = Buffer.concat([Buffer.from('"photos","raw/'), Buffer.from([0xff, 0xfe]), Buffer.from(`x.jpg","v1","true","false","5","${T1}","e","S"\n`)])
/** A raw lead byte completed by an escaped one: UTF-8 only if the escape is decoded first, which the string path does not. */
const RAW_LEAD_ESCAPED_TAIL = Buffer.concat([Buffer.from('"photos","2021/'), Buffer.from([0xc3]), Buffer.from(`%A9.jpg","v1","true","false","5","${T1}","e","S"\n`)])
const RAW_INVALID_WITH_ESCAPE = Buffer.concat([Buffer.from('"photos","raw%20/'), Buffer.from([0xff]), Buffer.from(`x.jpg","v1","true","false","5","${T1}","e","S"\n`)])

/** What a reader gave: its counts, its folder rollup, and the records of the folders asked for. */
interface Outcome {
  counts: RowCounts
  folders: FolderAccumulator
  wanted: FileInfo[]
}

const wantedFolder = (folder: string): boolean => folder.startsWith('2021/') || folder.startsWith('café/') || folder === 'tab\tand\nnewline/'

/** readCsvRecords, then a rollup of its records, keeping the records of wanted folders. */
async function throughRecords(chunks: AsyncIterable<Uint8Array>, columns: CsvColumns, engine: CsvEngine): Promise<Outcome> {
  const counts = emptyRowCounts()
  const folders = new FolderAccumulator()
  const wanted: FileInfo[] = []
  for await (const batch of readCsvRecords(chunks, { columns, file: 'f.csv', counts, engine, maxBadRowSamples: 100 })) {
    folders.add(batch, (record, folder) => {
      if (wantedFolder(folder)) wanted.push(record)
    })
  }
  return { counts, folders, wanted }
}

/** readCsvRollup into one rollup, checking each record's slot names its folder. */
async function throughRollup(chunks: AsyncIterable<Uint8Array>, columns: CsvColumns, engine: CsvEngine, switchEvery = 0): Promise<Outcome> {
  const counts = emptyRowCounts()
  const parts: FolderAccumulator[] = []
  let folders = new FolderAccumulator()
  const wanted: FileInfo[] = []
  const sink = {
    get folders() {
      return folders
    },
    wants: (slot: number) => slot >= 0 && wantedFolder(folders.folderOf(slot)),
  }
  let batches = 0
  for await (const batch of readCsvRollup(chunks, { columns, file: 'f.csv', counts, engine, maxBadRowSamples: 100 }, sink)) {
    expect(batch.records).toHaveLength(batch.slots.length)
    const encoded = batch.encoded ? await decodedRecords(batch.encoded) : []
    expect(encoded).toHaveLength(batch.encoded?.slots.length ?? 0)
    const slots = [...batch.slots, ...(batch.encoded?.slots ?? [])]
    ;[...batch.records, ...encoded].forEach((record, index) => {
      expect(folders.folderOf(slots[index]!)).toBe(record.key.slice(0, record.key.lastIndexOf('/') + 1))
      wanted.push(record)
    })
    // As a worker does: hand the rollup over and start another one.
    if (switchEvery > 0 && ++batches % switchEvery === 0) {
      parts.push(folders)
      folders = new FolderAccumulator()
    }
  }
  const merged = new FolderAccumulator()
  for (const part of [...parts, folders]) merged.mergeDirect(part.takeDirect())
  return { counts, folders: merged, wanted }
}

/** Spill records of the byte path as FileInfo, read back as phase B reads them. */
async function decodedRecords(encoded: EncodedSpillRecords): Promise<FileInfo[]> {
  const lines = new SpillBytes()
  let start = 0
  for (const end of encoded.ends) {
    lines.prefixed(0, encoded.bytes, start, end)
    start = end
  }
  return new SpilledBucket(lines.take()).filesOf(0)
}

/** Records in one order: the byte path lists the records it encoded after the ones it read as records. */
const inOrder = (files: FileInfo[]): FileInfo[] => [...files].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))

function expectSame(rollup: Outcome, records: Outcome): void {
  expect(rollup.counts).toEqual(records.counts)
  expect(inOrder(rollup.wanted)).toEqual(inOrder(records.wanted))
  expect(rollup.folders.summaries()).toEqual(records.folders.summaries())
  expect([rollup.folders.objectCount, rollup.folders.totalSizeBytes]).toEqual([records.folders.objectCount, records.folders.totalSizeBytes])
}

describe.each(['fast', 'csv-parse'] as const)('readCsvRollup (%s engine) gives what readCsvRecords gives', (engine) => {
  it('on every kind of row: versions, escapes, bad keys, sizes and dates, rows the byte scanner cannot split', async () => {
    const bytes = Buffer.concat([Buffer.from(EDGE_ROWS.join('')), RAW_INVALID_UTF8, RAW_INVALID_WITH_ESCAPE, RAW_LEAD_ESCAPED_TAIL])
    const records = await throughRecords(fromChunks([bytes]), VERSIONED, engine)
    const rollup = await throughRollup(fromChunks([bytes]), VERSIONED, engine)
    expectSame(rollup, records)
    // The file holds what the test means it to: each outcome at least once.
    expect(Object.keys(records.counts.badRows).sort()).toEqual(['column_count', 'invalid_date', 'invalid_key', 'invalid_key_encoding', 'invalid_size', 'missing_key'])
    expect(records.counts.noncurrentVersions).toBe(2)
    expect(records.counts.deleteMarkers).toBe(1)
    expect(records.wanted.map((record) => record.key)).toContain('café/raw plus and escapes.jpg')
  })

  it('on a date with a byte just outside 0-9 at any digit, or a day past its month', async () => {
    const digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22]
    const dates = digits.flatMap((at) => ['/', ':'].map((byte) => T1.slice(0, at) + byte + T1.slice(at + 1)))
    dates.push('2024-04-31T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2000-02-29T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z')
    const bytes = Buffer.from(dates.map((date, i) => versioned(`date/${i}.jpg`, 'true', 'false', '5', date)).join(''))
    const records = await throughRecords(fromChunks([bytes]), VERSIONED, engine)
    expectSame(await throughRollup(fromChunks([bytes]), VERSIONED, engine), records)
    expect(records.counts.badRows.invalid_date).toBe(digits.length * 2 + 2)
  })

  it('whatever the chunking, with the rollup handed over between batches as a worker does', async () => {
    const random = seededRandom(3)
    const folders = ['2021/Wedding/', '2021/Wedding/Smith Jones/', 'café/', 'other/deep/er/', '', '2021/']
    const lines: string[] = []
    for (let i = 0; i < 3000; i++) {
      const folder = folders[Math.floor(random() * folders.length)]!
      const key = encodeURIComponent(`${folder}file ${i}.jpg`).replaceAll('%20', '+')
      const date = new Date(Math.floor(random() * 2e12)).toISOString()
      lines.push(csvRow(['photos', key, String(Math.floor(random() * 1e9)), date, 'e', 'S']))
      if (i % 500 === 0) lines.push(EDGE_ROWS[i % EDGE_ROWS.length]!.replace('"v1","true","false",', ''))
    }
    const bytes = Buffer.from(lines.join(''))
    const records = await throughRecords(fromChunks([bytes]), SIMPLE, engine)
    for (const chunks of [chunked(bytes, 1000), chunked(bytes, randomSizes(bytes.length, 5000, random))]) {
      expectSame(await throughRollup(chunks, SIMPLE, engine, 3), records)
    }
  })
})

describe('readCsvRollup', () => {
  it('yields a batch per chunk with the objects rolled up, even when no folder is wanted', async () => {
    const bytes = Buffer.from([csvRow(['photos', 'a/1.jpg', '5', T1, 'e', 'S']), csvRow(['photos', 'b/2.jpg', '6', T1, 'e', 'S'])].join(''))
    const folders = new FolderAccumulator()
    const counts = emptyRowCounts()
    const batches = await collect(readCsvRollup(chunked(bytes, bytes.length / 2), { columns: SIMPLE, file: 'f.csv', counts }, { folders, wants: () => false }))
    expect(batches).toEqual([
      { objects: 1, records: [], slots: [] },
      { objects: 1, records: [], slots: [] },
    ])
    expect(folders.summaries().map((summary) => [summary.path, summary.objectCount, summary.totalSizeBytes])).toEqual([
      ['a/', 1, 5],
      ['b/', 1, 6],
    ])
  })
})

describe.each(['fast', 'csv-parse'] as const)('an expanded-year date (%s engine)', (engine) => {
  it('counts as the newest on both CSV paths, in its folder and in the folders above it', async () => {
    const far = '+010000-01-01T00:00:00.000Z'
    // A run of one folder's objects (what the record path's text shortcut sees), then a subfolder.
    const bytes = Buffer.from(
      [
        csvRow(['photos', 'y/a.jpg', '1', T1, 'e', 'S']),
        csvRow(['photos', 'y/b.jpg', '1', far, 'e', 'S']),
        csvRow(['photos', 'y/c.jpg', '1', '2024-05-07T00:00:00.000Z', 'e', 'S']),
        csvRow(['photos', 'z/a.jpg', '1', T1, 'e', 'S']),
        csvRow(['photos', 'z/deep/b.jpg', '1', far, 'e', 'S']),
      ].join(''),
    )
    // z/ holds only an object of 2024 itself: its newest comes from z/deep/.
    const expected = [
      ['y/', far],
      ['z/', far],
      ['z/deep/', far],
    ]
    for (const outcome of [await throughRecords(fromChunks([bytes]), SIMPLE, engine), await throughRollup(fromChunks([bytes]), SIMPLE, engine)]) {
      const summaries = outcome.folders.summaries()
      expect(summaries.map((summary) => [summary.path, summary.lastModified])).toEqual(expected)
    }
  })
})
