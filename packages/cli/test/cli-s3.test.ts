import { readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startS3rver, type S3rverHandle } from '../../s3-source/test/helpers/s3rver.js'
import { runCli, runCliJson, tempDir, WHERE } from './helpers.js'

// End to end: the CLI's own generator writes an inventory, it is uploaded to s3rver in AWS's layout,
// and `import --from s3://…` must store exactly what `import --from DIR` stores for the same files.

interface ImportJson {
  summary: { objectCount: number; requests?: Record<string, number> } & Record<string, unknown>
  skippedFolders: { folder: string; reason: string }[]
  cost?: { inventoryRequests: number; listObjectsV2Requests: number; saved: number; savedPercent: number }
  collections: { id: string; name: string; folderPath: string; fileCount: number; delta: Record<string, number> }[]
}
interface CollectionJson {
  id: string
  name: string
  folderPath: string
  fileCount: number
}
interface DeltaJson {
  counts: Record<string, number>
  new: { key: string }[]
  modified: { key: string }[]
  deleted: { key: string }[]
}

const BUCKET = 'inventory-dest'
const PREFIX = 'reports'
const ENV = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
}

let s3: S3rverHandle
let dir: string
let cleanup: () => void
let inventory: string
const saved: Record<string, string | undefined> = {}

beforeAll(async () => {
  for (const [name, value] of Object.entries(ENV)) {
    saved[name] = process.env[name]
    process.env[name] = value
  }
  // Nothing from the machine's own AWS setup may leak in.
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3']) {
    saved[name] = process.env[name]
    delete process.env[name]
  }
  ;({ dir, cleanup } = tempDir())
  inventory = path.join(dir, 'inventory')
  s3 = await startS3rver()
  await s3.createBucket(BUCKET)
})

afterAll(async () => {
  await s3?.stop()
  cleanup?.()
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

/** Uploads every file under `root` (a copy of the destination bucket) to the bucket, key = relative path. */
async function uploadInventory(root: string): Promise<number> {
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
  for (const file of files) {
    const relative = path.relative(root, path.join(file.parentPath, file.name)).split(path.sep).join('/')
    const body = readFileSync(path.join(file.parentPath, file.name))
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: relative, Body: body }))
  }
  return files.length
}

/** Data files of the newest report in the local copy. */
function newestDataFiles(): number {
  const base = path.join(inventory, PREFIX, 'photos', 'daily')
  const newest = readdirSync(base).filter((name) => /^\d{4}-/.test(name)).sort().at(-1)!
  const manifest = JSON.parse(readFileSync(path.join(base, newest, 'manifest.json'), 'utf8')) as { files: unknown[] }
  return manifest.files.length
}

const fromS3 = (): string[] => ['--from', `s3://${BUCKET}/${PREFIX}`, '--endpoint', s3.endpoint]
// The generator writes the report under `--prefix` and lists full keys in the manifest, as AWS does.
const AT = [...WHERE, '--prefix', PREFIX]
const importLocal = (db: string): Promise<ImportJson> =>
  runCliJson<ImportJson>(['import', '--from', inventory, ...AT, '--db', db])
const importS3 = (db: string, ...extra: string[]): Promise<ImportJson> =>
  runCliJson<ImportJson>(['import', ...fromS3(), ...WHERE, '--db', db, ...extra])

/** What a store holds after an import, without the ids and times that differ between two stores. */
async function contents(db: string) {
  const { folders } = await runCliJson<{ folders: unknown[] }>(['folders', '--db', db])
  const { collections } = await runCliJson<{ collections: CollectionJson[] }>(['collections', 'list', '--db', db])
  const deltas = []
  for (const collection of collections.sort((a, b) => a.folderPath.localeCompare(b.folderPath))) {
    const { delta } = await runCliJson<{ delta: DeltaJson | null }>(['delta', '--db', db, '--collection', collection.id])
    const keys = (files: { key: string }[] | undefined) => (files ?? []).map((file) => file.key).sort()
    deltas.push({
      folderPath: collection.folderPath,
      name: collection.name,
      fileCount: collection.fileCount,
      counts: delta?.counts,
      new: keys(delta?.new),
      modified: keys(delta?.modified),
      deleted: keys(delta?.deleted),
    })
  }
  return { folders, deltas }
}

/** The summary without the request counts (a local directory counts its own kind of requests). */
const withoutRequests = (summary: ImportJson['summary']) => ({ ...summary, requests: undefined })

describe('import --from s3:// against s3rver', () => {
  it('stores the same folders, collections and deltas as the local import of the same inventory', async () => {
    const localDb = path.join(dir, 'local.db')
    const s3Db = path.join(dir, 's3.db')
    await runCliJson(['generate', '--out', inventory, ...AT, '--objects', '3000', '--files', '3', '--seed', '5'])
    expect(await uploadInventory(inventory)).toBeGreaterThanOrEqual(6)
    // A newer report still being written: only its checksum has landed. The S3 import must pass over it.
    await s3.upload(
      BUCKET,
      new Map([[`${PREFIX}/photos/daily/2030-01-01T00-00Z/manifest.checksum`, Buffer.from('0'.repeat(32))]]),
    )

    // First import: folders only.
    const local1 = await importLocal(localDb)
    const s31 = await importS3(s3Db, '--concurrency', '3')
    expect(s31.skippedFolders).toEqual([{ folder: '2030-01-01T00-00Z', reason: 'no manifest.json' }])
    expect(withoutRequests(s31.summary)).toEqual(withoutRequests(local1.summary))
    expect(s31.summary.objectCount).toBe(3000)
    // One listing page; GetObject: the incomplete folder's manifest.json (missing), the report's
    // manifest.json and manifest.checksum, and the three data files.
    expect(s31.summary.requests).toEqual({ ListObjectsV2: 1, GetObject: 6 })
    expect(s31.cost).toEqual({ inventoryRequests: 7, listObjectsV2Requests: 3, saved: -4, savedPercent: -133.3 })
    expect(local1.cost).toBeUndefined()

    // Collections two levels deep in both stores, then a baseline import fills their FileInfo.
    for (const db of [localDb, s3Db]) await runCliJson(['collections', 'create', '--db', db, '--depth', '2'])
    await importLocal(localDb)
    const baseline = await importS3(s3Db)
    expect(baseline.collections.length).toBeGreaterThan(1)
    expect(baseline.collections.reduce((sum, c) => sum + c.fileCount, 0)).toBe(3000)

    // The next day's report, uploaded beside the first: the delta must come out the same.
    await runCliJson(['generate', '--change-from', inventory, '--out', inventory, ...AT, '--change-pct', '9'])
    await uploadInventory(inventory)
    const localNext = await importLocal(localDb)
    const s3Next = await importS3(s3Db, '--concurrency', '1')
    expect(withoutRequests(s3Next.summary)).toEqual(withoutRequests(localNext.summary))
    const withoutIds = (result: ImportJson) => result.collections.map(({ id: _id, ...rest }) => rest)
    expect(withoutIds(s3Next)).toEqual(withoutIds(localNext))
    const changed = s3Next.collections.reduce((sum, c) => sum + c.delta.new! + c.delta.modified! + c.delta.deleted!, 0)
    expect(changed).toBeGreaterThan(0)

    const [localContents, s3Contents] = [await contents(localDb), await contents(s3Db)]
    expect(s3Contents.folders.length).toBeGreaterThan(10)
    expect(s3Contents).toEqual(localContents)
  })

  it.each(['parquet', 'orc'])('imports a report in %s from S3 as from a local copy (each data file staged to scratch, then read with random access)', async (format) => {
    const root = path.join(dir, format)
    const at = [...WHERE, '--prefix', `${format}-reports`]
    await runCliJson(['generate', '--out', root, ...at, '--objects', '2500', '--files', '2', '--versioned', '--seed', '6', '--format', format])
    await uploadInventory(root)
    const local = await runCliJson<ImportJson>(['import', '--from', root, ...at, '--db', path.join(dir, `${format}-local.db`)])
    const fromBucket = ['--from', `s3://${BUCKET}/${format}-reports`, '--endpoint', s3.endpoint]
    const remote = await runCliJson<ImportJson>(['import', ...fromBucket, ...WHERE, '--db', path.join(dir, `${format}-s3.db`)])
    expect(remote.summary.objectCount).toBeGreaterThan(2000)
    expect(withoutRequests(remote.summary)).toEqual(withoutRequests(local.summary))
    // Each data file is read once, whole, as a stream (its MD5 checked): no ranged re-reads of S3.
    expect(remote.summary.requests).toEqual({ ListObjectsV2: 1, GetObject: 4 })
  })

  it('prints the request counts and the ListObjectsV2 comparison', async () => {
    const result = await runCli(['import', ...fromS3(), ...WHERE, '--db', path.join(dir, 'text.db')])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    // GetObject: the incomplete folder's manifest.json, the newest report's manifest and checksum, its data files.
    expect(result.stdout).toContain(`requests: ListObjectsV2 1, GetObject ${3 + newestDataFiles()}`)
    expect(result.stdout).toMatch(/a ListObjectsV2 scan of the [\d,]+ objects needs \d+ requests: -?\d+ saved/)
  })

  it('says which bucket is missing, and that credentials are refused', async () => {
    const missing = await runCli(['import', '--from', 's3://no-such-bucket', '--endpoint', s3.endpoint, ...WHERE, '--db', ':memory:'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('[NOT_FOUND]')
    expect(missing.stderr).toContain('no-such-bucket')

    process.env.AWS_ACCESS_KEY_ID = 'WRONG'
    try {
      const denied = await runCli(['import', ...fromS3(), ...WHERE, '--db', ':memory:'])
      expect(denied.code).toBe(2)
      expect(denied.stderr).toContain('[ACCESS_DENIED]')
    } finally {
      process.env.AWS_ACCESS_KEY_ID = ENV.AWS_ACCESS_KEY_ID
    }
  })

  it('refuses a --concurrency that is not a whole number >= 1', async () => {
    const result = await runCli(['import', ...fromS3(), ...WHERE, '--db', ':memory:', '--concurrency', '0'])
    expect(result.code).toBe(64)
    expect(result.stderr).toContain('--concurrency')
  })
})
