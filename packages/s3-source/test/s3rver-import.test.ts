import { S3Client } from '@aws-sdk/client-s3'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FileInfo, InventoryLocation } from '@shuttersense/inventory-core'
import { runInventoryImport } from '@shuttersense/inventory-core/node'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createS3Source,
  listLive,
  listRequestsSaved,
  validateInventoryAccess,
  type S3SourceOptions,
} from '../src/index.js'
import { generateInventory, md5Hex, type GeneratedInventory } from './helpers/inventory-fixture.js'
import { startS3rver, type S3rverHandle } from './helpers/s3rver.js'

let s3: S3rverHandle
let inventory: GeneratedInventory
let dir: string

const retry = { retries: 2, minTimeout: 1, maxTimeout: 5 }

function sourceOptions(extra: Partial<S3SourceOptions> = {}): S3SourceOptions {
  return {
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    clientConfig: {
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
    retry,
    ...extra,
  }
}

async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = []
  for await (const batch of batches) all.push(...batch)
  return all
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-source-test-'))
  s3 = await startS3rver()
  inventory = generateInventory({ dataFileCount: 3 })
  await s3.createBucket(inventory.location.destinationBucket)
  await s3.upload(inventory.location.destinationBucket, inventory.objects)
  // A second configuration whose only timestamp folder has no manifest yet.
  await s3.upload(
    inventory.location.destinationBucket,
    new Map([
      ['reports/photo-bucket/weekly/2024-05-07T01-00Z/manifest.checksum', Buffer.from(`${md5Hex('x')}\n`)],
      ['reports/photo-bucket/weekly/data/0000.csv.gz', Buffer.from('')],
    ]),
  )
})

afterAll(async () => {
  await s3?.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('s3rver: import through the real SDK', () => {
  it('imports the newest complete report into SQLite: folders, FileInfo and request counts', async () => {
    const store = createSqliteStore({ filename: join(dir, 'import.sqlite') })
    await store.migrate()
    const connector = await store.createConnector({ name: 'photos', location: inventory.location })
    const [wedding, trip] = await store.createCollections(connector.id, [
      { name: 'Wedding', folderPath: '2021/Wedding/' },
      { name: 'Trip', folderPath: '2022/Trip/' },
    ])
    const source = createS3Source(sourceOptions())
    try {
      const result = await runInventoryImport({ source, store, connectorId: connector.id })

      expect(result.session.status).toBe('completed')
      expect(result.session.inventoryTimestamp).toBe(inventory.latestTimestamp)
      expect(result.session.manifestKey).toBe(inventory.latestManifestKey)
      expect(result.skippedFolders).toEqual([{ folder: '2024-05-07T01-00Z', reason: 'no manifest.json' }])
      expect(result.summary.objectCount).toBe(inventory.sourceObjects.length)
      expect(result.summary.dataFiles).toBe(3)

      const { folders } = await store.listFolders(connector.id)
      const byPath = new Map(folders.map((folder) => [folder.path, folder]))
      expect([...byPath.keys()].sort()).toEqual([
        '2021/',
        '2021/Wedding/',
        '2021/Wedding/raw/',
        '2022/',
        '2022/Trip/',
      ])
      const weddingObjects = inventory.sourceObjects.filter((o) => o.key.startsWith('2021/Wedding/'))
      expect(byPath.get('2021/Wedding/')).toMatchObject({
        objectCount: weddingObjects.length,
        totalSizeBytes: weddingObjects.reduce((sum, o) => sum + o.size, 0),
        directObjectCount: weddingObjects.length - 1,
      })
      expect(byPath.get('2021/')?.objectCount).toBe(weddingObjects.length + 1)

      const expected = (prefix: string): FileInfo[] =>
        inventory.sourceObjects.filter((o) => o.key.startsWith(prefix))
      expect(await collect(store.readFileInfo(wedding!.id))).toEqual(expected('2021/Wedding/'))
      expect(await collect(store.readFileInfo(trip!.id))).toEqual(expected('2022/Trip/'))

      // One listing page; GetObject: newest manifest.json (missing), the report's manifest.json and
      // manifest.checksum, then the three data files.
      expect(source.requestCounts()).toEqual({ ListObjectsV2: 1, GetObject: 6 })
      expect(result.summary.requests).toEqual({ ListObjectsV2: 1, GetObject: 6 })
      expect(listRequestsSaved({ objectCount: 250_000, requests: source.requestCounts() })).toEqual({
        inventoryRequests: 7,
        listObjectsV2Requests: 250,
        saved: 243,
        savedPercent: 97.2,
      })
    } finally {
      source.destroy()
      await store.close()
    }
  })

  // s3rver puts every common prefix on one page (MaxKeys only counts keys) and leaves out folders whose
  // first key is two levels down (hive/dt=…/symlink.txt): folder paging is tested against the mock.
  it('lists the folders under the inventory prefix', async () => {
    const source = createS3Source(sourceOptions())
    const prefix = 'reports/photo-bucket/daily-csv/'
    const folders = await source.listFolders(inventory.location.destinationBucket, prefix)
    const names = ['2024-05-05T01-00Z/', '2024-05-06T01-00Z/', '2024-05-07T01-00Z/', 'data/']
    expect(folders).toEqual(expect.arrayContaining(names.map((name) => prefix + name)))
    expect(source.requestCounts()).toEqual({ ListObjectsV2: 1 })
    source.destroy()
  })

  it('streams a data file from an offset, and nothing from its end', async () => {
    const source = createS3Source(sourceOptions())
    const key = inventory.dataFileKeys[0]!
    const bytes = inventory.objects.get(key)!
    const read = async (start: number): Promise<Buffer> => {
      const chunks: Uint8Array[] = []
      const stream = source.streamObject(inventory.location.destinationBucket, key, { start })
      for await (const chunk of stream) chunks.push(chunk)
      return Buffer.concat(chunks)
    }
    expect(await read(0)).toEqual(Buffer.from(bytes))
    expect(await read(10)).toEqual(Buffer.from(bytes.subarray(10)))
    expect((await read(bytes.byteLength)).byteLength).toBe(0)
    source.destroy()
  })

  it('reads a missing key as undefined', async () => {
    const source = createS3Source(sourceOptions())
    const bucket = inventory.location.destinationBucket
    expect(await source.readObject(bucket, 'nope/manifest.json')).toBeUndefined()
    source.destroy()
  })
})

describe('s3rver: listLive', () => {
  it('lists a prefix live as FileInfo', async () => {
    const bucket = 'photo-bucket-live'
    await s3.createBucket(bucket)
    const objects = new Map<string, Uint8Array>()
    for (const object of inventory.sourceObjects.filter((o) => o.key.startsWith('2021/Wedding/'))) {
      objects.set(object.key, Buffer.from(`content of ${object.key}`))
    }
    await s3.upload(bucket, objects)
    // Two keys per page: s3rver's continuation tokens work (see helpers/s3rver-server.mjs), so this pages.
    const source = createS3Source(sourceOptions({ pageSize: 2 }))
    const batches: FileInfo[][] = []
    for await (const batch of source.listLive(bucket, '2021/Wedding/')) batches.push(batch)
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1])
    const files = batches.flat()

    expect(files.map((file) => file.key).sort()).toEqual([...objects.keys()].sort())
    for (const file of files) {
      const content = objects.get(file.key)!
      expect(file).toEqual({
        key: file.key,
        size: content.byteLength,
        lastModified: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        etag: md5Hex(content),
        storageClass: 'STANDARD',
      })
    }
    expect(source.requestCounts()).toEqual({ ListObjectsV2: 3 })

    // A bare client works too.
    expect(await collect(listLive(s3.client, bucket, '2021/Wedding/raw/'))).toHaveLength(1)
    source.destroy()
  })

  it('fails with NOT_FOUND for a bucket that does not exist', async () => {
    const listing = collect(listLive(s3.client, 'no-such-bucket', ''))
    await expect(listing).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})

describe('s3rver: validateInventoryAccess', () => {
  const at = (patch: Partial<InventoryLocation>): InventoryLocation => ({ ...inventory.location, ...patch })

  it('reports the newest complete report', async () => {
    const result = await validateInventoryAccess(sourceOptions(), inventory.location)
    expect(result).toEqual({
      ok: true,
      latest: {
        timestamp: inventory.latestTimestamp,
        manifestKey: inventory.latestManifestKey,
        fileFormat: 'CSV',
        dataFiles: 3,
        compressedBytes: inventory.dataFileKeys.reduce(
          (sum, key) => sum + inventory.objects.get(key)!.byteLength,
          0,
        ),
        sourceBucket: 'photo-bucket',
        createdAt: '2024-05-06T01:00:00.000Z',
      },
      skipped: [{ folder: '2024-05-07T01-00Z', reason: 'no manifest.json' }],
    })
  })

  it('takes a client from another copy of the SDK (not an instance of this copy\'s S3Client)', async () => {
    const foreign = new Proxy(s3.client, { getPrototypeOf: () => Object.prototype })
    expect(foreign instanceof S3Client).toBe(false)
    const result = await validateInventoryAccess(foreign, inventory.location)
    expect(result).toMatchObject({ ok: true })
  })

  it('says the bucket is missing', async () => {
    const result = await validateInventoryAccess(s3.client, at({ destinationBucket: 'no-such-bucket' }))
    expect(result).toMatchObject({ ok: false, problem: 'bucket_not_found', code: 'NOT_FOUND' })
  })

  it('says the prefix is empty', async () => {
    const result = await validateInventoryAccess(s3.client, at({ configName: 'no-such-config' }))
    expect(result).toMatchObject({ ok: false, problem: 'prefix_empty', code: 'MANIFEST_NOT_FOUND' })
  })

  it('says no report is complete yet', async () => {
    const source = createS3Source(sourceOptions())
    const result = await validateInventoryAccess(source, at({ configName: 'weekly' }))
    expect(result).toMatchObject({ ok: false, problem: 'no_manifest', code: 'MANIFEST_NOT_FOUND' })
    source.destroy()
  })

  it('says access is denied, and which permission', async () => {
    const result = await validateInventoryAccess(
      sourceOptions({ credentials: { accessKeyId: 'WRONG', secretAccessKey: 'WRONG' } }),
      inventory.location,
    )
    expect(result).toMatchObject({
      ok: false,
      problem: 'access_denied',
      code: 'ACCESS_DENIED',
      permission: 's3:ListBucket',
    })
  })
})
