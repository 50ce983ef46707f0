import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FileInfo, InventoryStore } from '@shuttersense/inventory-core'
import { getCollectionFiles } from '@shuttersense/inventory-core/pure'
import { runInventoryImport } from '@shuttersense/inventory-core/node'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createS3Source, type S3Source } from '../src/index.js'
import { generateInventory } from './helpers/inventory-fixture.js'
import { s3rverClient, startS3rver, type S3rverHandle } from './helpers/s3rver.js'

// What S3 Inventory would write for the bucket, from facts gathered without ListObjectsV2: the uploaded
// bytes (size, MD5 = ETag of a single-part upload) and HeadObject (last-modified, which only S3 knows).
const keys = [
  '2021/', // a folder marker: an object of its own, in inventories and listings alike
  '2021/Wedding/IMG_0001.CR3',
  '2021/Wedding/IMG 0002.jpg',
  '2021/Wedding/Édition+final.jpg',
  '2021/Wedding/raw/IMG_0003.CR3',
  '2022/Trip/DSC_1000.NEF',
  '2022/Trip/notes, day 1.txt',
  '2022/Trip/😀.heic',
]

let s3: S3rverHandle
let dir: string
let inventoryFiles: FileInfo[]
const location = generateInventory().location

/** A client whose every request is counted by command, outside the code under test. */
function countingClient(endpoint: string): { client: S3Client; counts: Record<string, number> } {
  const client = s3rverClient(endpoint)
  const counts: Record<string, number> = {}
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = String(context.commandName).replace(/Command$/, '')
      counts[name] = (counts[name] ?? 0) + 1
      return next(args)
    },
    { step: 'initialize' },
  )
  return { client, counts }
}

async function collect(batches: AsyncIterable<FileInfo[]>): Promise<FileInfo[]> {
  const all: FileInfo[] = []
  for await (const batch of batches) all.push(...batch)
  return all
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cached-file-info-'))
  s3 = await startS3rver()
  await s3.createBucket(location.sourceBucket)
  await s3.createBucket(location.destinationBucket)
  inventoryFiles = []
  for (const [index, key] of keys.entries()) {
    const body = key.endsWith('/') ? Buffer.alloc(0) : Buffer.from(`photo ${index} `.repeat(100 + index))
    await s3.client.send(new PutObjectCommand({ Bucket: location.sourceBucket, Key: key, Body: body }))
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: location.sourceBucket, Key: key }))
    inventoryFiles.push({
      key,
      size: body.length,
      lastModified: head.LastModified!.toISOString(),
      etag: createHash('md5').update(body).digest('hex'),
      storageClass: 'STANDARD',
    })
  }
  const inventory = generateInventory({ sourceObjects: inventoryFiles, dataFileCount: 2 })
  await s3.upload(location.destinationBucket, inventory.objects)
})

afterAll(async () => {
  await s3?.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('cached FileInfo first (FR-051)', () => {
  let store: InventoryStore
  let source: S3Source
  let counts: Record<string, number>

  beforeAll(async () => {
    store = createSqliteStore({ filename: join(dir, 'store.sqlite') })
    await store.migrate()
    const counting = countingClient(s3.endpoint)
    counts = counting.counts
    source = createS3Source({ client: counting.client, retry: { retries: 0 } })
  })
  afterAll(async () => {
    await store.close()
    source.destroy()
  })

  it('lists live when nothing is cached, then serves the import\'s FileInfo with zero list requests', async () => {
    const connector = await store.createConnector({ name: 'photos', location })
    const [wedding, trip] = await store.createCollections(connector.id, [
      { name: 'Wedding', folderPath: '2021/Wedding/' },
      { name: 'Trip', folderPath: '2022/Trip/' },
    ])
    const t0 = new Date('2026-01-01T00:00:00.000Z')

    // Nothing cached yet: one live listing, stored with source `api`.
    const live = await getCollectionFiles({ store, lister: source, collectionId: wedding!.id, now: () => t0 })
    expect(live).toMatchObject({ source: 'api', listed: true, fileCount: 4, ageMs: 0, updatedAt: t0.toISOString() })
    expect(counts.ListObjectsV2).toBe(1)

    // Cached now: no list request, whatever the caller reads.
    const later = new Date(t0.getTime() + 90_000)
    const cached = await getCollectionFiles({ store, lister: source, collectionId: wedding!.id, now: () => later })
    expect(cached).toMatchObject({ source: 'api', listed: false, ageMs: 90_000 })
    expect(await collect(cached.files())).toEqual(await collect(live.files()))
    expect(counts.ListObjectsV2).toBe(1)

    // The import reads only the inventory (GetObject, and ListObjectsV2 of its timestamp folders).
    await runInventoryImport({ source, store, connectorId: connector.id })
    const afterImport = { ...counts }
    for (const collection of [wedding!, trip!]) {
      const files = await getCollectionFiles({ store, collectionId: collection.id })
      expect(files.source).toBe('inventory')
      expect(files.listed).toBe(false)
      expect((await collect(files.files())).length).toBe(files.fileCount)
    }
    expect(counts).toEqual(afterImport) // zero requests of any kind, ListObjectsV2 included

    // Too old for the caller: listed again.
    const stale = await getCollectionFiles({ store, lister: source, collectionId: trip!.id, maxAgeMs: 0, now: () => new Date(Date.now() + 1000) })
    expect(stale).toMatchObject({ source: 'api', listed: true })
    expect(counts.ListObjectsV2).toBe(afterImport.ListObjectsV2! + 1)
  })

  it('fails clearly when a listing is needed and no lister is given', async () => {
    const connector = await store.createConnector({ name: 'other', location })
    const [collection] = await store.createCollections(connector.id, [{ name: 'Trip', folderPath: '2022/Trip/' }])
    await expect(getCollectionFiles({ store, collectionId: collection!.id })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})

describe('a live refresh and an inventory import of the same bucket (PRD M8)', () => {
  it('store identical FileInfo: ETag quotes, milliseconds, storage class, folder marker, encoded keys', async () => {
    const store = createSqliteStore({ filename: join(dir, 'm8.sqlite') })
    await store.migrate()
    const source = createS3Source({ client: s3rverClient(s3.endpoint), retry: { retries: 0 } })
    try {
      const connector = await store.createConnector({ name: 'photos', location })
      const folders = ['2021/', '2021/Wedding/', '2022/Trip/']
      const collections = await store.createCollections(
        connector.id,
        folders.map((folderPath) => ({ name: folderPath, folderPath })),
      )
      await runInventoryImport({ source, store, connectorId: connector.id })
      const imported = await Promise.all(collections.map((collection) => collect(store.readFileInfo(collection.id))))
      expect(imported[0]!.map((file) => file.key)).toEqual(
        keys.filter((key) => key.startsWith('2021/')).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
      )
      expect(imported.flat().every((file) => !file.etag.includes('"'))).toBe(true)

      for (const [index, collection] of collections.entries()) {
        const refreshed = await getCollectionFiles({ store, lister: source, collectionId: collection.id, refresh: true })
        expect(refreshed.source).toBe('api')
        expect(await collect(refreshed.files())).toEqual(imported[index])
        const delta = await store.getLatestDelta(collection.id)
        expect(delta?.counts).toEqual({ new: 0, modified: 0, deleted: 0, unchanged: imported[index]!.length })
      }
      expect(imported.flat()).toEqual(
        expect.arrayContaining(inventoryFiles.filter((file) => folders.some((folder) => file.key.startsWith(folder)))),
      )
    } finally {
      source.destroy()
      await store.close()
    }
  })
})
