import { describe, expect, it } from 'vitest'
import type { Delta, FileInfo, ImportView, Job } from '../src/api/types.js'
import { auditDetailText } from '../src/view-model/audit.js'
import { deltaEntries, deltaShown, deltaSummary, fileInfoAge, relativeKey } from '../src/view-model/collection.js'
import { badRowsText, importEndText, importSummaryLines, phaseSteps, progressLines, requestsText } from '../src/view-model/job-progress.js'
import { mappingProblems, rowOfConflict } from '../src/view-model/mapping.js'

const now = new Date('2026-01-20T12:00:00.000Z')
const file = (key: string, size = 10): FileInfo => ({ key, size, lastModified: '2026-01-19T00:00:00.000Z', etag: 'e', storageClass: 'STANDARD' })

describe('the collection view', () => {
  it("says where the FileInfo came from and how old it is, and warns when it is old", () => {
    expect(fileInfoAge({ fileInfoSource: 'inventory', fileInfoUpdatedAt: '2026-01-17T11:00:00.000Z' }, now)).toEqual({ text: 'updated from inventory 3 days ago', stale: false })
    expect(fileInfoAge({ fileInfoSource: 'api', fileInfoUpdatedAt: '2026-01-20T11:55:00.000Z' }, now)).toEqual({ text: 'refreshed from S3 (live listing) 5 minutes ago', stale: false })
    expect(fileInfoAge({ fileInfoSource: 'inventory', fileInfoUpdatedAt: '2026-01-10T00:00:00.000Z' }, now)).toEqual({ text: 'updated from inventory 10 days ago', stale: true })
    expect(fileInfoAge({ fileInfoSource: null, fileInfoUpdatedAt: null }, now).text).toMatch(/^No FileInfo yet/)
  })

  it('sums a delta up and says how much of a truncated list is shown', () => {
    const delta: Pick<Delta, 'counts' | 'new' | 'modified' | 'deleted' | 'baseline'> = {
      counts: { new: 3399, modified: 2, deleted: 1, unchanged: 12_000 },
      new: Array.from({ length: 1000 }, (_, i) => file(`a/n${i}.jpg`)),
      modified: [{ key: 'a/m.jpg', before: file('a/m.jpg', 5), after: file('a/m.jpg', 7) }, { key: 'a/m2.jpg', before: file('a/m2.jpg'), after: file('a/m2.jpg') }],
      deleted: [file('a/d.jpg')],
      baseline: false,
    }
    expect(deltaSummary(delta)).toBe('3,399 new, 2 modified, 1 deleted (12,000 unchanged)')
    expect(deltaShown(delta, 'new')).toBe('1,000 of 3,399 shown')
    expect(deltaShown(delta, 'modified')).toBe('2 shown')
    expect(deltaShown(delta)).toBe('1,003 of 3,402 shown')
    expect(deltaEntries(delta, 'modified')[0]).toEqual({ type: 'modified', key: 'a/m.jpg', size: 7, sizeBefore: 5, lastModified: '2026-01-19T00:00:00.000Z' })
    expect(deltaEntries(delta).map((e) => e.type).slice(999, 1003)).toEqual(['new', 'modified', 'modified', 'deleted'])
    expect(deltaSummary({ ...delta, baseline: true, counts: { new: 548, modified: 0, deleted: 0, unchanged: 0 } })).toBe('First import: 548 files (baseline, no changes listed)')
    expect(relativeKey('2020/Wedding/a.jpg', '2020/Wedding/')).toBe('a.jpg')
  })
})

describe('the map-to-collections dialog', () => {
  it('flags empty, taken and repeated names before submit (case-insensitively, as the server)', () => {
    const rows = [
      { path: '2020/a/', name: '2020 - A' },
      { path: '2020/b/', name: ' ' },
      { path: '2020/c/', name: 'wedding' },
      { path: '2020/d/', name: '2020 - a ' },
      { path: '2020/e/', name: 'Fine' },
    ]
    expect(mappingProblems(rows, ['Wedding'])).toEqual([null, 'Give the collection a name.', 'A collection of this connector is already named "wedding".', 'Row 1 has the same name.', null])
  })

  it("puts a 409 on the row whose folder or name it quotes", () => {
    const rows = [
      { path: '2020/a/', name: 'A' },
      { path: '2020/b/', name: 'B' },
    ]
    expect(rowOfConflict(`folder 2020/b/ is already collection col_1 (B)`, rows)).toBe(1)
    expect(rowOfConflict('a collection of this connector is already named "A"', rows)).toBe(0)
    expect(rowOfConflict('something else', rows)).toBe(-1)
  })
})

describe('import progress in words', () => {
  const job = (patch: Partial<Job>): Job =>
    ({ guid: 'job_x', status: 'running', trigger: 'manual', progress: null, ...patch }) as Job
  it('marks the phases done, current and to come', () => {
    expect(phaseSteps('B').map((s) => s.state)).toEqual(['done', 'current', 'todo'])
    expect(phaseSteps('done').map((s) => s.state)).toEqual(['done', 'done', 'done'])
    expect(phaseSteps(null).map((s) => s.state)).toEqual(['todo', 'todo', 'todo'])
  })

  it('gives rows, data files, bad rows and collections of the running phase', () => {
    const progress = { phase: 'B' as const, percent: 62.5, rows: 150_000, records: 149_990, badRows: { missing_key: 7, bad_size: 3 }, dataFilesDone: 3, dataFiles: 4, collectionsDone: 2, collections: 5 }
    expect(progressLines(job({ progress }))).toEqual([
      'Phase B: FileInfo, 62%',
      '150,000 rows read, 149,990 records',
      '3 of 4 data files read',
      '10 bad rows (7 missing_key, 3 bad_size)',
      '2 of 5 collections done',
    ])
    expect(progressLines(job({ status: 'queued', trigger: 'scheduled' }))).toEqual(['Queued by the schedule: waiting for an agent.'])
    expect(badRowsText({})).toBe('no bad rows')
  })

  it('sets S3 requests beside what a ListObjectsV2 scan needs, and sums an import up', () => {
    expect(requestsText({ made: 4, listObjectsV2Scan: 20, saved: 16, savedPercent: 80 })).toBe('4 S3 requests, where a ListObjectsV2 scan of the bucket would need 20 (80% fewer).')
    expect(requestsText(null)).toBe('S3 requests not counted for this import.')
    const imp = {
      summary: { objectCount: 20_000, totalSizeBytes: 233e9, folderCount: 645, dataFiles: 2, compressedBytes: 820_000, collections: 20, rows: { rows: 20_000, badRows: { missing_key: 1 } } },
    } as unknown as ImportView
    expect(importSummaryLines(imp)).toEqual(['20,000 objects, 233 GB', '645 folders', '2 data files (820 kB compressed)', '20,000 rows read, 1 bad row (1 missing_key)', '20 collections updated'])
    expect(auditDetailText({ schedule: 'daily', deltaListLimit: 1000, nested: { a: 1 } })).toBe('schedule: daily, deltaListLimit: 1,000, nested: {"a":1}')
    expect(auditDetailText(null)).toBe('')
  })
})

describe('how an "Import now" ended', () => {
  const job = (over: Partial<Job>): Job => ({ status: 'completed', result: null, error: null, ...over }) as Job
  it('says when the newest report was already imported, and otherwise which report was imported or why it failed', () => {
    expect(importEndText(job({ result: { importId: 'imp_1', inventoryTimestamp: '2024-05-08T01-00Z', noNewReport: true } }))).toEqual({
      tone: 'none',
      text: 'No newer report than 2024-05-08T01-00Z: nothing to import, the last import stands.',
    })
    expect(importEndText(job({ result: { importId: 'imp_2', inventoryTimestamp: '2024-05-09T01-00Z', noNewReport: false } }))).toEqual({ tone: 'ok', text: 'Import completed (report 2024-05-09T01-00Z).' })
    expect(importEndText(job({ status: 'failed', error: { code: 'ACCESS_DENIED', message: 'AccessDenied on s3://b/manifest.json' } }))).toEqual({
      tone: 'error',
      text: 'The import failed: AccessDenied on s3://b/manifest.json',
    })
    expect(importEndText(job({ status: 'cancelled' })).text).toBe('The import was cancelled.')
  })
})
