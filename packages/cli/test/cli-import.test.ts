import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { md5Hex } from '@shuttersense/inventory-core/internal'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'
import { runCli, runCliJson, tempDir, WHERE } from './helpers.js'

interface FolderJson {
  path: string
  objectCount: number
  totalSizeBytes: number
  directObjectCount: number
  directSizeBytes: number
  lastModified: string | null
}
interface ImportJson {
  importId: string
  connectorId: string
  noNewReport: boolean
  resumed: boolean
  resumedFrom: string | null
  summary: {
    objectCount: number
    totalSizeBytes: number
    folderCount: number
    dataFiles: number
    rows: { rows: number; records: number; noncurrentVersions: number; deleteMarkers: number; badRows: Record<string, number> }
  }
  collections: { id: string; name: string; folderPath: string; fileCount: number; delta: { new: number; modified: number; deleted: number; unchanged: number } }[]
}
interface GenerateJson {
  objects: number
  bytes: number
  rows: number
  noncurrentVersions: number
  deleteMarkers: number
  malformedRows: number
  manifestKey: string
  change?: { added: number; modified: number; deleted: number }
}

/** The fields of AWS's real unversioned report (fixtures/aws-inventory/), in its order. */
const AWS_UNVERSIONED_FIELDS = [
  'Bucket', 'Key', 'Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'ReplicationStatus', 'EncryptionStatus',
  'ObjectLockRetainUntilDate', 'ObjectLockMode', 'ObjectLockLegalHoldStatus', 'IntelligentTieringAccessTier', 'BucketKeyStatus', 'ChecksumAlgorithm',
]

let dir: string
let cleanup: () => void
let inventory: string
let db: string

beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
  inventory = path.join(dir, 'inventory')
  db = path.join(dir, 'store.db')
})
afterEach(() => cleanup())

const generate = (...args: string[]): Promise<GenerateJson> =>
  runCliJson<GenerateJson>(['generate', '--out', inventory, ...WHERE, ...args])
const aMinuteAgo = (): Date => new Date(Date.now() - 60_000)
const importIt = (): Promise<ImportJson> => runCliJson<ImportJson>(['import', '--from', inventory, ...WHERE, '--db', db])
const folders = async (): Promise<FolderJson[]> =>
  (await runCliJson<{ folders: FolderJson[] }>(['folders', '--db', db])).folders

describe('import of generated inventories', () => {
  it('imports a multi-file inventory: every object, every folder, subtree figures that add up', async () => {
    const written = await generate('--objects', '9000', '--files', '3', '--seed', '7')
    const result = await importIt()
    expect(result.summary.dataFiles).toBe(3)
    expect(result.summary.objectCount).toBe(written.objects)
    expect(result.summary.totalSizeBytes).toBe(written.bytes)
    expect(result.summary.rows.badRows).toEqual({})
    const all = await folders()
    expect(all.length).toBe(result.summary.folderCount)
    const years = all.filter((f) => f.path.split('/').length === 2)
    expect(years.reduce((sum, f) => sum + f.objectCount, 0)).toBe(written.objects)
    expect(years.reduce((sum, f) => sum + f.totalSizeBytes, 0)).toBe(written.bytes)
    // Direct figures of every folder add up to the whole inventory too.
    expect(all.reduce((sum, f) => sum + f.directObjectCount, 0)).toBe(written.objects)
    for (const f of all) {
      const children = all.filter((c) => c.path.startsWith(f.path) && c.path !== f.path && c.path.slice(f.path.length).split('/').length === 2)
      expect(f.objectCount).toBe(f.directObjectCount + children.reduce((sum, c) => sum + c.objectCount, 0))
    }
    // Keys were URL-encoded in the CSV and come back decoded.
    expect(all.some((f) => f.path.includes('Milledgeville, GA'))).toBe(true)
    expect(all.some((f) => f.path.includes('100% Fun'))).toBe(true)
    expect(all.some((f) => f.path.includes('Paris+Rome'))).toBe(true)
    expect(all.some((f) => f.path.includes('Café Déjà Vu'))).toBe(true)
  })

  it('writes rows as AWS does (random order within and across data files, every field), or sorted with --sorted: both import the same', async () => {
    const readFiles = () => {
      const manifest = JSON.parse(readFileSync(path.join(inventory, written.manifestKey), 'utf8')) as { fileSchema: string; files: { key: string }[] }
      const keys = manifest.files.map((file) =>
        gunzipSync(readFileSync(path.join(inventory, file.key)))
          .toString('utf8')
          .trimEnd()
          .split('\n')
          .map((line) => decodeURIComponent(line.split('","')[1]!.replaceAll('+', ' '))),
      )
      return { schema: manifest.fileSchema, keys }
    }
    const folderOf = (key: string) => key.slice(0, key.lastIndexOf('/') + 1)
    const switches = (keys: string[]) => keys.filter((key, i) => i > 0 && folderOf(key) !== folderOf(keys[i - 1]!)).length
    let written = await generate('--objects', '6000', '--files', '3', '--seed', '4')
    const random = readFiles()
    expect(random.schema.split(', ')).toEqual(AWS_UNVERSIONED_FIELDS)
    await importIt()
    const shuffledFolders = await folders()
    for (const keys of random.keys) {
      expect(keys.length).toBeGreaterThan(1000)
      expect([...keys].sort()).not.toEqual(keys)
      // Nearly every row is in another folder than the row before (folders hold ~33 objects).
      expect(switches(keys)).toBeGreaterThan(keys.length * 0.9)
    }
    rmSync(inventory, { recursive: true })
    rmSync(db)
    written = await generate('--objects', '6000', '--files', '3', '--seed', '4', '--sorted')
    const sorted = readFiles()
    for (const keys of sorted.keys) expect(switches(keys)).toBeLessThan(keys.length / 20)
    expect(sorted.keys.flat().sort()).toEqual(random.keys.flat().sort())
    await importIt()
    expect(await folders()).toEqual(shuffledFolders)
  })

  it('imports a versioned inventory: only latest versions that are not delete markers are files', async () => {
    const written = await generate('--objects', '2000', '--versioned', '--seed', '3')
    expect(written.noncurrentVersions).toBeGreaterThan(0)
    expect(written.deleteMarkers).toBeGreaterThan(0)
    const result = await importIt()
    expect(result.summary.objectCount).toBe(written.objects)
    expect(result.summary.rows).toMatchObject({
      rows: written.rows,
      records: written.objects,
      noncurrentVersions: written.noncurrentVersions,
      deleteMarkers: written.deleteMarkers,
    })
  })

  it('skips malformed rows, counts them by reason and imports the rest', async () => {
    const written = await generate('--objects', '1000', '--malformed', '8')
    const result = await importIt()
    expect(result.summary.objectCount).toBe(written.objects)
    expect(result.summary.rows.badRows).toEqual({ column_count: 2, invalid_size: 2, invalid_date: 2, invalid_key_encoding: 2 })
    const text = await runCli(['import', '--from', inventory, ...WHERE, '--db', db])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('8 bad rows')
    expect(text.stdout).toContain('invalid_key_encoding: 2')
  })

  it('fills collections, then reports the next day\'s delta exactly', async () => {
    await generate('--objects', '3000', '--files', '2')
    const first = await importIt()
    expect(first).toMatchObject({ noNewReport: false, resumedFrom: null })
    const created = await runCliJson<{ collections: { id: string; name: string; folderPath: string }[] }>([
      'collections', 'create', '--db', db, '--depth', '2',
    ])
    expect(created.collections.length).toBe(3 /* about one event per 1,000 objects */)
    expect(created.collections.every((c) => c.folderPath.split('/').length === 3)).toBe(true)
    expect(created.collections.map((c) => c.name)).toContain('2011 - Milledgeville GA 001')

    const baseline = await importIt()
    // The same report again, for the collections created since: only they are imported.
    expect(baseline).toMatchObject({ noNewReport: false, resumed: true, resumedFrom: 'completed', importId: first.importId })
    expect(baseline.collections.length).toBe(created.collections.length)
    const filled = baseline.collections.reduce((sum, c) => sum + c.fileCount, 0)
    expect(filled).toBe(baseline.summary.objectCount)
    expect(baseline.collections.every((c) => c.delta.new === c.fileCount && c.delta.deleted === 0)).toBe(true)

    const next = await generate('--change-from', inventory, '--change-pct', '9')
    const change = next.change!
    expect(change.added + change.modified + change.deleted).toBeGreaterThan(0)
    const after = await importIt()
    const sum = (key: 'new' | 'modified' | 'deleted'): number => after.collections.reduce((total, c) => total + c.delta[key], 0)
    expect({ new: sum('new'), modified: sum('modified'), deleted: sum('deleted') }).toEqual({
      new: change.added,
      modified: change.modified,
      deleted: change.deleted,
    })
    // Importing the same report again changes nothing: the day's deltas stay what they were, and nothing
    // is read beyond the manifest (one listing, manifest.json and manifest.checksum).
    const again = await importIt()
    expect(again).toMatchObject({ noNewReport: true, resumed: false, importId: after.importId, summary: { requests: { list: 1, read: 2 } } })
    expect(again.collections.map((c) => c.delta)).toEqual(after.collections.map((c) => c.delta))
    const text = await runCli(['import', '--from', inventory, ...WHERE, '--db', db])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^No new report: photos\/daily\/[0-9T-]+Z\/manifest\.json was imported completely/)
    expect(text.stdout).toContain('requests: list 1, read 2')
    expect(text.stdout).not.toContain('resuming')

    const changed = after.collections.find((c) => c.delta.modified > 0)!
    const delta = await runCliJson<{ delta: { counts: { modified: number }; modified: { key: string; before: { etag: string }; after: { etag: string } }[] } }>([
      'delta', '--db', db, '--collection', changed.id,
    ])
    expect(delta.delta.counts.modified).toBe(changed.delta.modified)
    expect(delta.delta.modified[0]!.key.startsWith(changed.folderPath)).toBe(true)
    expect(delta.delta.modified[0]!.before.etag).not.toBe(delta.delta.modified[0]!.after.etag)
  })

  it('an interrupted import exits 130 and the next run imports the report whole', async () => {
    await generate('--objects', '2000')
    const interrupted = await runCli(['import', '--from', inventory, ...WHERE, '--db', db], AbortSignal.abort())
    expect(interrupted.code).toBe(130)
    expect(interrupted.stderr).toContain('[ABORTED]')
    const next = await importIt()
    expect(next.summary.objectCount).toBe(2000)
  })

  it('runs as a job of the queue: refused while an agent imports the connector, audited when done', async () => {
    await generate('--objects', '500')
    const first = await runCliJson<ImportJson & { jobId: string; connectorId: string }>(['import', '--from', inventory, ...WHERE, '--db', db])
    const store = createSqliteStore({ filename: db })
    try {
      expect(await store.getJob(first.jobId)).toMatchObject({ status: 'completed', lockedBy: `cli-${process.pid}` })
      expect((await store.listAudit({ connectorId: first.connectorId, limit: 1 }))[0]).toMatchObject({ action: 'job.completed' })

      await store.requestImportNow(first.connectorId)
      const held = await store.claimJob({ agentId: 'agent-7', leaseMs: 60_000 })
      const refused = await runCli(['import', '--from', inventory, ...WHERE, '--db', db])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain('[IMPORT_IN_PROGRESS]')
      expect(refused.stderr).toContain('agent-7')
      await store.completeJob(held!.id, { agentId: 'agent-7', nextRunAt: null })
      expect((await runCli(['import', '--from', inventory, ...WHERE, '--db', db])).code).toBe(0)

      // A holder that died: once its lease has run out, the next import takes the job over.
      // (queued and claimed a minute ago with a lease of a second: the store's clock is injected, no sleep).
      await store.requestImportNow(first.connectorId, { now: aMinuteAgo() })
      const dead = await store.claimJob({ agentId: 'agent-dead', leaseMs: 1000, now: aMinuteAgo() })
      expect((await runCli(['import', '--from', inventory, ...WHERE, '--db', db])).code).toBe(0)
      expect(await store.getJob(dead!.id)).toMatchObject({ status: 'completed', attempts: 2 })
      expect((await store.listAudit({ connectorId: first.connectorId, limit: 2 })).map((entry) => entry.action)).toEqual([
        'job.completed',
        'job.reclaimed',
      ])

      // One whose attempts are used up is failed for good, and the import runs as a new job.
      const spent = await store.enqueueImport(first.connectorId, { trigger: 'manual', maxAttempts: 1, now: aMinuteAgo() })
      await store.claimJob({ agentId: 'agent-dead', leaseMs: 1000, now: aMinuteAgo() })
      const fresh = await runCliJson<{ jobId: string }>(['import', '--from', inventory, ...WHERE, '--db', db])
      expect(await store.getJob(spent.id)).toMatchObject({ status: 'failed', lastError: { code: 'LEASE_EXPIRED' } })
      expect(await store.getJob(fresh.jobId)).toMatchObject({ status: 'completed' })
    } finally {
      await store.close()
    }
  })

  it('maps chosen folders with a given or suggested name, and refuses a folder mapped twice', async () => {
    await generate('--objects', '500')
    await importIt()
    const [first] = await folders()
    const one = await runCliJson<{ collections: { name: string }[] }>(['collections', 'create', '--db', db, '--folder', first!.path, '--name', 'Mine'])
    expect(one.collections.map((c) => c.name)).toEqual(['Mine'])
    const again = await runCli(['collections', 'create', '--db', db, '--folder', first!.path])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('CONFLICT')
  })
})

describe('a first import that fails leaves nothing behind', () => {
  it('a wrong location creates no connector, and names the local directory as a path', async () => {
    await generate('--objects', '300')
    const wrong = await runCli(['import', '--from', inventory, '--source-bucket', 'photos', '--config', 'weekly', '--db', db])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain('[MANIFEST_NOT_FOUND]')
    expect(wrong.stderr).toContain(`under ${path.join(inventory, 'photos', 'weekly')}${path.sep}`)
    expect(wrong.stderr).not.toContain('s3://')
    const right = await importIt()
    const store = createSqliteStore({ filename: db })
    try {
      expect((await store.listConnectors()).map((connector) => connector.id)).toEqual([right.connectorId])
    } finally {
      await store.close()
    }
    // With one connector, collections need no --connector.
    expect((await runCli(['collections', 'create', '--db', db, '--depth', '1'])).code).toBe(0)
  })
})

describe('bad inventories leave the store as it was', () => {
  const manifestPath = (): string => {
    const base = path.join(inventory, 'photos', 'daily')
    const stamp = readdirSync(base).filter((name) => /^\d{4}-/.test(name)).sort().at(-1)!
    return path.join(base, stamp, 'manifest.json')
  }

  /** Imports a good report, then a broken next-day report; the second must fail with exit 2. */
  async function expectFailureKeepsPrevious(breakIt: () => void, code: string): Promise<void> {
    await generate('--objects', '800', '--files', '2')
    await importIt()
    await runCliJson(['collections', 'create', '--db', db, '--depth', '1'])
    await importIt()
    const before = { folders: await folders(), collections: await runCliJson(['collections', 'list', '--db', db]) }
    await generate('--change-from', inventory, '--change-pct', '30')
    breakIt()
    const result = await runCli(['import', '--from', inventory, ...WHERE, '--db', db])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`[${code}]`)
    // The message names the object at fault: a data file or the manifest.
    expect(result.stderr).toMatch(/photos\/daily\/(data\/[0-9a-f-]+\.csv\.gz|[0-9T-]+Z\/manifest\.json)/)
    expect({ folders: await folders(), collections: await runCliJson(['collections', 'list', '--db', db]) }).toEqual(before)
  }

  const dataFiles = (): string[] => {
    const manifest = JSON.parse(readFileSync(manifestPath(), 'utf8')) as { files: { key: string }[] }
    return manifest.files.map((file) => path.join(inventory, file.key))
  }

  it('a data file whose MD5 differs from the manifest: CHECKSUM_MISMATCH naming the file', async () => {
    await expectFailureKeepsPrevious(() => {
      const file = dataFiles()[0]!
      writeFileSync(file, gzipSync('"photos","x/y.jpg","1","2024-01-01T00:00:00.000Z","e","STANDARD","false","SSE-S3"\n'))
    }, 'CHECKSUM_MISMATCH')
  })

  it('a manifest that does not match manifest.checksum: CHECKSUM_MISMATCH', async () => {
    await expectFailureKeepsPrevious(() => {
      const file = manifestPath()
      writeFileSync(file, readFileSync(file, 'utf8').replace('"version"', '"version" '))
    }, 'CHECKSUM_MISMATCH')
  })

  it('a manifest that fails validation: MANIFEST_INVALID', async () => {
    await expectFailureKeepsPrevious(() => {
      const file = manifestPath()
      const text = readFileSync(file, 'utf8').replace(/"MD5checksum": "[0-9a-f]+"/, '"MD5checksum": "nope"')
      writeFileSync(file, text)
      writeFileSync(path.join(path.dirname(file), 'manifest.checksum'), `${md5Hex(Buffer.from(text))}\n`)
    }, 'MANIFEST_INVALID')
  })

  it('a schema without Size: SCHEMA_UNSUPPORTED naming the manifest, before any session starts', async () => {
    await expectFailureKeepsPrevious(() => {
      const file = manifestPath()
      const text = readFileSync(file, 'utf8').replace(/"fileSchema": "([^"]*)"/, (_all, schema: string) =>
        `"fileSchema": "${schema.replace(/,\s*Size\b/, '')}"`,
      )
      writeFileSync(file, text)
      writeFileSync(path.join(path.dirname(file), 'manifest.checksum'), `${md5Hex(Buffer.from(text))}\n`)
    }, 'SCHEMA_UNSUPPORTED')
    const store = createSqliteStore({ filename: db })
    try {
      const [connector] = await store.listConnectors()
      const [latest] = await store.listImportSessions(connector!.id, { limit: 1 })
      expect(latest).toMatchObject({ status: 'completed' })
      expect(latest!.manifestKey).not.toBe(path.relative(inventory, manifestPath()))
    } finally {
      await store.close()
    }
  })

  it('a truncated gzip data file whose manifest says so: DATA_FILE_CORRUPT', async () => {
    await expectFailureKeepsPrevious(() => {
      const file = dataFiles()[0]!
      const truncated = readFileSync(file).subarray(0, 200)
      writeFileSync(file, truncated)
      const manifestFile = manifestPath()
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: { key: string; size: number; MD5checksum: string }[] }
      const entry = manifest.files.find((f) => path.join(inventory, f.key) === file)!
      entry.size = truncated.length
      entry.MD5checksum = md5Hex(truncated)
      const text = JSON.stringify(manifest, null, 2)
      writeFileSync(manifestFile, text)
      writeFileSync(path.join(path.dirname(manifestFile), 'manifest.checksum'), `${md5Hex(Buffer.from(text))}\n`)
    }, 'DATA_FILE_CORRUPT')
  })

  it('a data file the manifest lists but that is missing: DATA_FILE_MISSING', async () => {
    await expectFailureKeepsPrevious(() => {
      rmSync(dataFiles()[0]!)
    }, 'DATA_FILE_MISSING')
  })

  it('an inventory folder still being written (no manifest.json) is skipped for the previous report', async () => {
    await generate('--objects', '300')
    await generate('--change-from', inventory, '--change-pct', '10')
    const newest = manifestPath()
    const manifestText = readFileSync(newest)
    rmSync(newest)
    const result = await runCliJson<ImportJson & { skippedFolders: { folder: string; reason: string }[] }>([
      'import', '--from', inventory, ...WHERE, '--db', db,
    ])
    expect(result.skippedFolders).toEqual([{ folder: path.basename(path.dirname(newest)), reason: 'no manifest.json' }])
    writeFileSync(newest, manifestText)
  })
})
