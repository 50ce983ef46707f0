import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { openOrcFile } from '@shuttersense/inventory-orc'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
// The generator's ORC writer (the CLI's), with small stripes and dictionary strings for this test.
import { reportFields } from '../../cli/src/generate/data-file-format.js'
import { createOrcDataFileWriter, ORC_FORMAT, type Value } from '../../cli/src/generate/orc-data-file.js'
import { createOrcReader } from '../src/formats/orc-reader.js'
import { md5Hex } from '../src/manifest/checksum.js'
import type { InventoryManifest } from '../src/manifest/manifest-schema.js'
import { parseManifest } from '../src/manifest/parse-manifest.js'
import { readOneWay } from './helpers.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'orc-rollup-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const t = (iso: string): number => Date.parse(iso)
const DATE = t('2024-05-06T22:44:22.000Z')

/** Rows as [key, size, last-modified ms, is_latest, is_delete_marker]: AWS's plain rows and every odd one. */
const ROWS: [string | null, number | null, number | null, boolean | null, boolean | null][] = [
  ['2021/Wedding/a.jpg', 1, DATE, true, false],
  ['2021/Wedding/a.jpg', 2, t('2023-01-01T00:00:00.000Z'), false, false],
  ['2021/Wedding/b.jpg', 3, DATE, true, true],
  ['2021/Wedding/null-latest.jpg', 3, DATE, null, false],
  ['2021/Wedding/null-marker.jpg', 3, DATE, true, null],
  ['root.jpg', 4, DATE, true, false],
  ['café/ménü 🌨.jpg', 5, DATE, true, false],
  ['café/', 0, DATE, true, false],
  ['a%20b/c+d.jpg', 5, DATE, true, false],
  ['a,b/"quoted".jpg', 5, DATE, true, false],
  ['//double//slash.jpg', 5, DATE, true, false],
  ['\uFEFFbom/first.jpg', 5, DATE, true, false],
  ['bom/\uFEFF.jpg', 5, DATE, true, false],
  ['nul/\0byte.jpg', 6, DATE, true, false],
  ['', 7, DATE, true, false],
  [null, 7, DATE, true, false],
  [`long/${'k'.repeat(1019)}`, 8, DATE, true, false],
  [`long/${'k'.repeat(1020)}`, 8, DATE, true, false],
  [`long/${'é'.repeat(509)}`, 9, DATE, true, false],
  [`long/${'é'.repeat(510)}`, 9, DATE, true, false],
  ['size/null.jpg', null, DATE, true, false],
  ['size/unsafe.jpg', 2 ** 60, DATE, true, false],
  ['date/null.jpg', 1, null, true, false],
  ['date/before-1970.jpg', 1, t('1969-12-31T23:59:59.999Z'), true, false],
  ['date/millis.jpg', 1, t('2024-05-06T22:44:22.123Z'), true, false],
  ['far-past/year-1.jpg', 1, Date.UTC(-1, 0, 1), true, false],
  ['far-future/year-10000.jpg', 1, Date.UTC(10000, 0, 1), true, false],
  ['2021/Wedding/newer.jpg', 10, t('2025-01-01T00:00:00.000Z'), true, false],
  ['2021/Party/c.jpg', 11, DATE, true, false],
  ['2022/d.jpg', 12, DATE, true, false],
]

const FIELDS = reportFields(true)

/** A row of {@link ROWS}, or one whose version flags are text (a file that types them as strings). */
type Row = [string | null, number | null, number | null, boolean | string | null, boolean | string | null]

/**
 * An ORC data file of `rows` in stripes of `stripeRows`, strings direct or in dictionaries; with
 * `textFlags`, `is_latest` and `is_delete_marker` are string columns.
 */
async function writeOrc(dictionaryStrings: boolean, stripeRows: number, textFlags = false, rows: readonly Row[] = ROWS): Promise<Uint8Array> {
  const writer = createOrcDataFileWriter(dir, 'data/rows.orc', true, { stripeRows, dictionaryStrings, textFlags })
  rows.forEach(([key, size, date, isLatest, isDeleteMarker], i) => {
    const byField: Record<string, Value> = {
      bucket: 'photos',
      key,
      versionId: `v${i}`,
      isLatest,
      isDeleteMarker,
      size,
      lastModifiedDate: date,
      eTag: `"etag${i % 3}"`,
      storageClass: i % 2 === 0 ? 'STANDARD' : null,
    }
    writer.writeRow(FIELDS.map((field) => byField[field] ?? null))
  })
  await writer.close()
  return readFileSync(path.join(dir, 'data/rows.orc'))
}

function manifestOf(bytes: Uint8Array): InventoryManifest {
  return parseManifest(
    Buffer.from(
      JSON.stringify({
        sourceBucket: 'photos',
        destinationBucket: 'arn:aws:s3:::inventory',
        version: '2016-11-30',
        creationTimestamp: '1714000000000',
        fileFormat: 'ORC',
        fileSchema: ORC_FORMAT.fileSchema(true),
        files: [{ key: 'data/rows.orc', size: bytes.length, MD5checksum: md5Hex(bytes) }],
      }),
    ),
  )
}

const wanted = (folder: string): boolean => folder.startsWith('2021/') || folder.startsWith('café/') || folder === ''

/** Reads `bytes` through the record path or the rollup form: counts, the wanted folders' records, every folder. */
function readOrc(bytes: Uint8Array, rollUp: boolean, rollupOnly: boolean) {
  const manifest = manifestOf(bytes)
  return readOneWay(bytes, rollUp, { reader: createOrcReader({ batchSize: 3 }), manifest, file: manifest.files[0]!, wanted, rollupOnly })
}

describe('the ORC reader’s rollup form', () => {
  it.each([
    ['direct strings, one row per stripe', false, 1],
    ['direct strings, stripes of 4 rows', false, 4],
    ['dictionary strings, stripes of 5 rows', true, 5],
    ['dictionary strings, one stripe', true, 1000],
  ])('gives the record path’s counts, folders and records (%s)', async (_what, dictionary, stripeRows) => {
    const bytes = await writeOrc(dictionary, stripeRows)
    for (const rollupOnly of [false, true]) {
      const viaRecords = await readOrc(bytes, false, rollupOnly)
      expect(await readOrc(bytes, true, rollupOnly)).toEqual(viaRecords)
      // The file holds what the test means it to.
      expect(Object.keys(viaRecords.counts.badRows).sort()).toEqual(['invalid_date', 'invalid_key', 'invalid_size', 'missing_key'])
      expect(viaRecords.counts).toMatchObject({ rows: ROWS.length, noncurrentVersions: 2, deleteMarkers: 1 })
      expect(viaRecords.records.map((record) => record.key)).toContain('café/ménü 🌨.jpg')
      expect(viaRecords.records.map((record) => record.key)).toContain('2021/Wedding/null-marker.jpg')
      expect(viaRecords.folders.map((folder) => folder.path)).toEqual(expect.arrayContaining(['far-future/', 'bom/']))
    }
  })

  it('reads version flags typed as text as the record path does: only `true` is true (delete markers and older versions left out)', async () => {
    // Text flags beside AWS's rows: spellings other than `true` are not true, as on the record path.
    const odd: Row[] = [
      ['flags/upper-latest.jpg', 1, DATE, 'TRUE', 'false'],
      ['flags/empty-latest.jpg', 1, DATE, '', 'false'],
      ['flags/upper-marker.jpg', 1, DATE, 'true', 'TRUE'],
      ['flags/one-marker.jpg', 1, DATE, 'true', '1'],
    ]
    for (const [dictionary, stripeRows] of [[false, 4], [true, 1000]] as const) {
      const bytes = await writeOrc(dictionary, stripeRows, true, [...ROWS, ...odd])
      const orc = await openOrcFile({ size: bytes.length, read: async (at, length) => bytes.subarray(at, at + length) })
      const kinds = new Map(orc.schema.fields!.map((field) => [field.name, field.type.kind]))
      expect([kinds.get('is_latest'), kinds.get('is_delete_marker')]).toEqual(['string', 'string'])
      for (const rollupOnly of [false, true]) {
        const viaRecords = await readOrc(bytes, false, rollupOnly)
        expect(await readOrc(bytes, true, rollupOnly)).toEqual(viaRecords)
        // The same as booleans for AWS's rows; the odd spellings are older versions or live objects.
        expect(viaRecords.counts).toMatchObject({ rows: ROWS.length + odd.length, noncurrentVersions: 4, deleteMarkers: 1 })
        const keys = viaRecords.records.map((record) => record.key)
        expect(keys).toContain('2021/Wedding/a.jpg')
        expect(keys).not.toContain('2021/Wedding/b.jpg')
        expect(viaRecords.records.find((record) => record.key === '2021/Wedding/a.jpg')?.size).toBe(1)
        expect(viaRecords.folders.map((folder) => folder.path)).toContain('flags/')
      }
    }
  })
})
