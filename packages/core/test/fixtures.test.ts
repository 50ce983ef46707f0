/**
 * Golden tests: tiny inventories laid out exactly as S3 Inventory writes them
 * (`<source-bucket>/<config>/<YYYY-MM-DDTHH-MMZ>/manifest.json`, `manifest.checksum`, `data/*.csv.gz`),
 * built in a temporary directory from the table below, then discovered, read and rolled up the way an
 * import does it. The real AWS-written CSV reports are imported the same way.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileInfo, FolderSummary, InventoryLocation } from '@shuttersense/inventory-core'
import { compareKeys } from '@shuttersense/inventory-core/pure'
import type { CsvEngine, RowCounts } from '@shuttersense/inventory-core/types'
import { createLocalDirectorySource, findLatestInventory } from '@shuttersense/inventory-core/node'
import {
  FolderAccumulator,
  dataFileReaderFor,
  emptyRowCounts,
  md5Hex,
  verifyMd5,
  stageDataFile,
} from '@shuttersense/inventory-core/internal'
import { AWS_FIXTURE_FILES, AWS_FIXTURES, awsFixture, csvRow, expectCode } from './helpers.js'

const VERSIONED_SCHEMA =
  'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, ' +
  'IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ' +
  'ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm'
const UNVERSIONED_SCHEMA = 'Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded'

const D1 = '2024-05-01T10:00:00.000Z'
const D2 = '2024-05-02T10:00:00.000Z'
const D3 = '2024-05-03T10:00:00.000Z'

/** One versioned row in AWS's column order (18 columns). */
function versioned(
  key: string,
  version: string,
  latest: boolean,
  deleteMarker: boolean,
  size: string,
  date: string,
  etag: string,
): string {
  return csvRow([
    'photos', key, version, String(latest), String(deleteMarker), size, date, etag,
    deleteMarker ? '' : 'STANDARD', 'false', '', 'SSE-S3', '', '', '', '', 'DISABLED', '',
  ])
}

/** A current file as an unversioned row below imports to (ETag `e`, STANDARD). */
function fi(key: string, size: number, lastModified: string): FileInfo {
  return { key, size, lastModified, etag: 'e', storageClass: 'STANDARD' }
}

/** One unversioned row (7 columns). */
function plain(key: string, size: string, date: string, etag = 'e', storageClass = 'STANDARD') {
  return csvRow(['photos', key, size, date, etag, storageClass, 'false'])
}

interface FixtureCase {
  name: string
  schema: string
  /** The text of each data file (one entry per file; an array is written as a multi-member gzip). */
  dataFiles: (string | string[])[]
  /** Extra report folders: an older complete report, and newer ones still being written. */
  olderReport?: string | undefined
  incompleteNewer?: boolean | undefined
  expected: {
    files: FileInfo[]
    /** [path, objectCount, totalSizeBytes, directObjectCount, directSizeBytes, lastModified] */
    folders: [string, number, number, number, number, string][]
    objectCount: number
    totalSizeBytes: number
    counts: Omit<RowCounts, 'badRowSamples'> & { badRowLines?: number[] }
  }
}

const CASES: FixtureCase[] = [
  {
    name: 'versioned',
    schema: VERSIONED_SCHEMA,
    olderReport: versioned('old-report-only.jpg', 'v', true, false, '1', D1, 'x'),
    incompleteNewer: true,
    dataFiles: [
      versioned('album/', '', true, false, '0', D1, 'd41d8cd98f00b204e9800998ecf8427e') +
        versioned('album/a.jpg', '', false, false, '10', D1, 'a0') +
        versioned('album/a.jpg', 'v2', false, false, '20', D2, 'a1') +
        versioned('album/a.jpg', 'v3', true, false, '30', D3, 'a2') +
        versioned('album/deleted.jpg', 'v2', true, true, '', D3, '') +
        versioned('album/deleted.jpg', 'v1', false, false, '7', D1, 'dd') +
        versioned('album/sub/b.jpg', 'v1', true, false, '40', D2, 'b1') +
        versioned('root.jpg', 'v1', true, false, '50', D1, 'r1'),
    ],
    expected: {
      files: [
        {
          key: 'album/',
          size: 0,
          lastModified: D1,
          etag: 'd41d8cd98f00b204e9800998ecf8427e',
          storageClass: 'STANDARD',
        },
        { key: 'album/a.jpg', size: 30, lastModified: D3, etag: 'a2', storageClass: 'STANDARD' },
        { key: 'album/sub/b.jpg', size: 40, lastModified: D2, etag: 'b1', storageClass: 'STANDARD' },
        { key: 'root.jpg', size: 50, lastModified: D1, etag: 'r1', storageClass: 'STANDARD' },
      ],
      folders: [
        ['album/', 3, 70, 2, 30, D3],
        ['album/sub/', 1, 40, 1, 40, D2],
      ],
      objectCount: 4,
      totalSizeBytes: 120,
      counts: { rows: 8, records: 4, noncurrentVersions: 3, deleteMarkers: 1, badRows: {} },
    },
  },
  {
    name: 'multi-file',
    schema: UNVERSIONED_SCHEMA,
    dataFiles: [
      plain('2021/Wedding/a.jpg', '100', D1) + plain('2021/Wedding/b.jpg', '200', D2),
      [plain('2021/Wedding/Smith-Jones/c.jpg', '300', D3), plain('2021/cover.jpg', '5', D1)],
      '',
      plain('2022/x.jpg', '1', D2) + plain('2021/Wedding/d.jpg', '400', D1),
    ],
    expected: {
      files: [
        fi('2021/Wedding/Smith-Jones/c.jpg', 300, D3),
        fi('2021/Wedding/a.jpg', 100, D1),
        fi('2021/Wedding/b.jpg', 200, D2),
        fi('2021/Wedding/d.jpg', 400, D1),
        fi('2021/cover.jpg', 5, D1),
        fi('2022/x.jpg', 1, D2),
      ],
      folders: [
        ['2021/', 5, 1005, 1, 5, D3],
        ['2021/Wedding/', 4, 1000, 3, 700, D3],
        ['2021/Wedding/Smith-Jones/', 1, 300, 1, 300, D3],
        ['2022/', 1, 1, 1, 1, D2],
      ],
      objectCount: 6,
      totalSizeBytes: 1006,
      counts: { rows: 6, records: 6, noncurrentVersions: 0, deleteMarkers: 0, badRows: {} },
    },
  },
  {
    name: 'url-encoded keys',
    schema: UNVERSIONED_SCHEMA,
    dataFiles: [
      plain('2020/Milledgeville%2C+GA/a+b%25c%2B.jpg', '1', D1) +
        plain('%C3%A9t%C3%A9/cr%C3%A8me_br%C3%BBl%C3%A9e/IMG+0001.JPG', '2', D2) +
        plain('snaps/%F0%9F%93%B7/x.jpg', '3', D3) +
        plain('100%25/plain.jpg', '4', D1),
    ],
    expected: {
      files: [
        fi('100%/plain.jpg', 4, D1),
        fi('2020/Milledgeville, GA/a b%c+.jpg', 1, D1),
        fi('snaps/📷/x.jpg', 3, D3),
        fi('été/crème_brûlée/IMG 0001.JPG', 2, D2),
      ],
      folders: [
        ['100%/', 1, 4, 1, 4, D1],
        ['2020/', 1, 1, 0, 0, D1],
        ['2020/Milledgeville, GA/', 1, 1, 1, 1, D1],
        ['snaps/', 1, 3, 0, 0, D3],
        ['snaps/📷/', 1, 3, 1, 3, D3],
        ['été/', 1, 2, 0, 0, D2],
        ['été/crème_brûlée/', 1, 2, 1, 2, D2],
      ],
      objectCount: 4,
      totalSizeBytes: 10,
      counts: { rows: 4, records: 4, noncurrentVersions: 0, deleteMarkers: 0, badRows: {} },
    },
  },
  {
    name: 'malformed rows',
    schema: UNVERSIONED_SCHEMA,
    dataFiles: [
      plain('ok/1.jpg', '1', D1) + // line 1
        csvRow(['photos', 'ok/short.jpg', '1']) + // 2
        plain('ok/size.jpg', 'ten', D1) + // 3
        plain('ok/date.jpg', '1', '2024-02-30T00:00:00.000Z') + // 4
        plain('ok/%ZZ.jpg', '1', D1) + // 5
        plain('', '1', D1) + // 6
        `"photos","ok/"broken.jpg","1","${D1}","e","STANDARD","false"\n` + // 7
        plain('ok/2.jpg', '2', D2), // 8
    ],
    expected: {
      files: [
        fi('ok/1.jpg', 1, D1),
        fi('ok/2.jpg', 2, D2),
      ],
      folders: [['ok/', 2, 3, 2, 3, D2]],
      objectCount: 2,
      totalSizeBytes: 3,
      counts: {
        rows: 8,
        records: 2,
        noncurrentVersions: 0,
        deleteMarkers: 0,
        badRows: {
          column_count: 1,
          invalid_size: 1,
          invalid_date: 1,
          invalid_key_encoding: 1,
          missing_key: 1,
          malformed_csv: 1,
        },
        badRowLines: [2, 3, 4, 5, 6, 7],
      },
    },
  },
]

const LOCATION: InventoryLocation = {
  destinationBucket: 'reports',
  destinationPrefix: 'inventories',
  sourceBucket: 'photos',
  configName: 'all-objects',
}
const REPORT_FOLDER = '2024-05-07T01-00Z'

function write(file: string, content: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, content)
}

/** Writes one report (manifest, checksum, data files) into `root` and returns the manifest key. */
function writeReport(root: string, folder: string, schema: string, dataFiles: (string | string[])[]): void {
  const base = `${LOCATION.destinationPrefix}/${LOCATION.sourceBucket}/${LOCATION.configName}`
  const files = dataFiles.map((content, index) => {
    const members = typeof content === 'string' ? [content] : content
    const bytes = Buffer.concat(members.map((member) => gzipSync(Buffer.from(member, 'utf8'))))
    const key = `${base}/data/${folder}-${String(index).padStart(4, '0')}.csv.gz`
    write(path.join(root, key), bytes)
    return { key, size: bytes.length, MD5checksum: md5Hex(bytes) }
  })
  // AWS's own spacing: `"key" : value`.
  const manifest = JSON.stringify(
    {
      sourceBucket: LOCATION.sourceBucket,
      destinationBucket: `arn:aws:s3:::${LOCATION.destinationBucket}`,
      version: '2016-11-30',
      creationTimestamp: String(Date.parse(`${folder.slice(0, 13)}:${folder.slice(14, 16)}:00Z`)),
      fileFormat: 'CSV',
      fileSchema: schema,
      files,
    },
    null,
    2,
  ).replaceAll('": ', '" : ')
  write(path.join(root, base, folder, 'manifest.json'), manifest)
  write(path.join(root, base, folder, 'manifest.checksum'), `${md5Hex(Buffer.from(manifest))}\n`)
}

interface Imported {
  reportFolder: string
  files: FileInfo[]
  folders: FolderSummary[]
  objectCount: number
  totalSizeBytes: number
  counts: RowCounts
}

/** Discovers the newest report under `root` and reads it the way phase A does. */
async function importDirectory(
  root: string,
  location: InventoryLocation,
  csvEngine: CsvEngine,
): Promise<Imported> {
  const source = createLocalDirectorySource(root)
  const found = await findLatestInventory(source, location)
  const reader = dataFileReaderFor(found.manifest.fileFormat)
  const accumulator = new FolderAccumulator()
  const counts = emptyRowCounts()
  const files: FileInfo[] = []
  for (const file of found.manifest.files) {
    const open = () =>
      verifyMd5(source.streamObject(location.destinationBucket, file.key), file.MD5checksum, file.key)
    const staged = stageDataFile(open, file.key)
    try {
      for await (const batch of reader({ manifest: found.manifest, file, open, openFile: staged.openFile, counts, csvEngine })) {
        accumulator.add(batch)
        files.push(...batch)
      }
    } finally {
      await staged.closeAll()
    }
  }
  return {
    reportFolder: found.folder.name,
    files: files.sort((a, b) => compareKeys(a.key, b.key)),
    folders: accumulator.summaries(),
    objectCount: accumulator.objectCount,
    totalSizeBytes: accumulator.totalSizeBytes,
    counts,
  }
}

let workDir: string
beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'inventory-fixtures-'))
})
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true })
})

describe.each(['fast', 'csv-parse'] as const)('golden inventories (%s engine)', (engine) => {
  it.each(CASES)('$name', async (fixture) => {
    const root = mkdtempSync(path.join(workDir, 'case-'))
    if (fixture.olderReport !== undefined) {
      writeReport(root, '2024-05-06T01-00Z', fixture.schema, [fixture.olderReport])
    }
    writeReport(root, REPORT_FOLDER, fixture.schema, fixture.dataFiles)
    if (fixture.incompleteNewer) {
      const base = path.join(root, 'inventories', 'photos', 'all-objects')
      write(path.join(base, '2024-05-08T01-00Z', 'manifest.json'), '{ "still": "being written" }')
      mkdirSync(path.join(base, '2024-05-09T01-00Z'), { recursive: true })
    }

    const result = await importDirectory(root, LOCATION, engine)
    const { expected } = fixture
    expect(result.reportFolder).toBe(REPORT_FOLDER)
    expect(result.files).toEqual(expected.files)
    expect(
      result.folders.map((f) => [
        f.path,
        f.objectCount,
        f.totalSizeBytes,
        f.directObjectCount,
        f.directSizeBytes,
        f.lastModified,
      ]),
    ).toEqual(expected.folders)
    expect(result.objectCount).toBe(expected.objectCount)
    expect(result.totalSizeBytes).toBe(expected.totalSizeBytes)
    const { badRowLines, ...counts } = expected.counts
    expect({ ...result.counts, badRowSamples: undefined }).toEqual({ ...counts, badRowSamples: undefined })
    // Up to 5 samples, each naming a bad line. (csv-parse reports unsplittable rows as it parses, ahead of
    // the records it hands out, so which 5 it keeps can differ from the fast engine.)
    const lines = result.counts.badRowSamples.map((sample) => sample.line)
    expect(lines).toHaveLength(Math.min(5, badRowLines?.length ?? 0))
    expect(new Set(lines).size).toBe(lines.length)
    for (const line of lines) expect(badRowLines).toContain(line)
    if (engine === 'fast') expect(lines).toEqual((badRowLines ?? []).slice(0, 5))
    for (const sample of result.counts.badRowSamples) expect(sample.file).toMatch(/\/data\/.*\.csv\.gz$/)
  })
})

describe('the real AWS-written reports', () => {
  const location: InventoryLocation = {
    destinationBucket: 'filemanager-inventory-test',
    sourceBucket: 'filemanager-inventory-test',
    configName: 'inventory',
  }

  /** Copies a report into the real layout; the manifest's keys are bare names, so data files go at the root. */
  function copyReport(name: string, dataFile: string): string {
    const root = mkdtempSync(path.join(workDir, `${name}-`))
    const folder = path.join(root, location.sourceBucket, location.configName, REPORT_FOLDER)
    mkdirSync(folder, { recursive: true })
    copyFileSync(path.join(AWS_FIXTURES, `${name}_manifest.json`), path.join(folder, 'manifest.json'))
    copyFileSync(path.join(AWS_FIXTURES, `${name}_manifest.checksum`), path.join(folder, 'manifest.checksum'))
    copyFileSync(path.join(AWS_FIXTURES, dataFile), path.join(root, dataFile))
    return root
  }

  describe.each(['fast', 'csv-parse'] as const)('%s engine', (engine) => {
    it.each([
      ['csv_inventory', 'csv_inventory.csv.gz', { rows: 5, noncurrentVersions: 2, deleteMarkers: 1 }],
      [
        'csv_inventory_no_version',
        'csv_inventory_no_version.csv.gz',
        { rows: 2, noncurrentVersions: 0, deleteMarkers: 0 },
      ],
      ['parquet_inventory', 'parquet_inventory.parquet', { rows: 5, noncurrentVersions: 2, deleteMarkers: 1 }],
      ['orc_inventory', 'orc_inventory.orc', { rows: 5, noncurrentVersions: 2, deleteMarkers: 1 }],
    ])('%s imports to inventory-test/ and inventory-test/key1', async (name, dataFile, rowFigures) => {
      const result = await importDirectory(copyReport(name, dataFile), location, engine)
      expect(result.reportFolder).toBe(REPORT_FOLDER)
      expect(result.files).toEqual(AWS_FIXTURE_FILES)
      expect(result.folders).toEqual([
        {
          path: 'inventory-test/',
          objectCount: 2,
          totalSizeBytes: 5,
          directObjectCount: 2,
          directSizeBytes: 5,
          lastModified: '2024-05-06T22:44:22.000Z',
        },
      ])
      expect(result.objectCount).toBe(2)
      expect(result.totalSizeBytes).toBe(5)
      expect(result.counts).toEqual({ ...rowFigures, records: 2, badRows: {}, badRowSamples: [] })
    })
  })

  it('detects a changed byte in the real data file (CHECKSUM_MISMATCH)', async () => {
    const root = copyReport('csv_inventory', 'csv_inventory.csv.gz')
    const bytes = Buffer.from(awsFixture('csv_inventory.csv.gz'))
    // The gzip header's modification-time field: the body still inflates, only the MD5 differs.
    bytes[4] = bytes[4]! ^ 0x01
    writeFileSync(path.join(root, 'csv_inventory.csv.gz'), bytes)
    const error = await expectCode(() => importDirectory(root, location, 'fast'), 'CHECKSUM_MISMATCH')
    expect(error.file).toBe('csv_inventory.csv.gz')
  })

  it('reports a data file missing from the directory as NOT_FOUND from the source', async () => {
    const root = copyReport('csv_inventory', 'csv_inventory.csv.gz')
    rmSync(path.join(root, 'csv_inventory.csv.gz'))
    const error = await expectCode(() => importDirectory(root, location, 'fast'), 'NOT_FOUND')
    expect(error.file).toBe('csv_inventory.csv.gz')
  })
})
