import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CollectionDelta } from '../delta.js'
import { isInventoryError } from '../errors.js'
import type { InventoryStore } from '../store.js'
import type { FileInfo, FolderSummary } from '../types.js'
import { describeJobQueueConformance } from './job-queue-conformance.js'

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /** A new, empty, migrated store for each test. */
  createStore(): Promise<InventoryStore>
  /** Called after each test with the store it used (drop a schema, delete a file). */
  destroyStore?(store: InventoryStore): Promise<void>
  /**
   * A second store on the same database as `store` (another connection or pool), closed by the test.
   * Enables the race tests; omit it for a backend that cannot have two.
   */
  openPeer?(store: InventoryStore): Promise<InventoryStore>
}

const location = { destinationBucket: 'dest', sourceBucket: 'photos', configName: 'daily' }

function file(key: string, size = 1, etag = 'e'): FileInfo {
  return { key, size, lastModified: '2024-05-06T22:44:22.000Z', etag, storageClass: 'STANDARD' }
}

function folder(path: string, objectCount = 1): FolderSummary {
  return {
    path,
    objectCount,
    totalSizeBytes: objectCount * 10,
    directObjectCount: objectCount,
    directSizeBytes: objectCount * 10,
    lastModified: '2024-05-06T22:44:22.000Z',
  }
}

async function readAll(store: InventoryStore, collectionId: string, batchSize?: number): Promise<FileInfo[]> {
  const files: FileInfo[] = []
  for await (const batch of store.readFileInfo(collectionId, { batchSize })) files.push(...batch)
  return files
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(isInventoryError(error) ? error.code : error).toBe(code)
}

/** UTF-8 byte order: the order every store returns keys and folder paths in. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

const emptyDelta = (counts: Partial<CollectionDelta['counts']> = {}): CollectionDelta => ({
  counts: { new: 0, modified: 0, deleted: 0, unchanged: 0, ...counts },
  new: [],
  modified: [],
  deleted: [],
  truncated: false,
  baseline: false,
})

/**
 * The behaviour every `InventoryStore` must have, as one vitest suite. Call it once per backend:
 * `describeStoreConformance('sqlite', { createStore })`. Backends add only their own extras.
 */
export function describeStoreConformance(name: string, options: StoreConformanceOptions): void {
  describe(`${name}: store conformance`, () => {
    let store: InventoryStore

    beforeEach(async () => {
      store = await options.createStore()
    })
    afterEach(async () => {
      await options.destroyStore?.(store)
      await store.close()
    })

    describe('connectors', () => {
      it('creates, reads, lists and updates a connector', async () => {
        const created = await store.createConnector({ name: 'Photos', location: { ...location, destinationPrefix: 'inv' } })
        expect(created.id).toMatch(/^con_/)
        expect(created.schedule).toBe('manual')
        expect(await store.getConnector(created.id)).toEqual(created)
        expect((await store.listConnectors()).map((c) => c.id)).toEqual([created.id])
        const updated = await store.updateConnector(created.id, { schedule: 'weekly', name: 'Archive' })
        expect(updated).toMatchObject({ schedule: 'weekly', name: 'Archive', location: { destinationPrefix: 'inv' } })
      })

      it('stores a destination prefix in one form: no surrounding slashes, none when empty', async () => {
        const slashed = await store.createConnector({ name: 'A', location: { ...location, destinationPrefix: '/inv/reports/' } })
        expect(slashed.location!.destinationPrefix).toBe('inv/reports')
        const empty = await store.createConnector({ name: 'B', location: { ...location, destinationPrefix: '/' } })
        expect(empty.location).not.toHaveProperty('destinationPrefix')
        const updated = await store.updateConnector(empty.id, { location: { ...location, destinationPrefix: 'x/' } })
        expect(updated.location!.destinationPrefix).toBe('x')
      })

      it('creates a connector before its inventory is configured, then configures and unconfigures it', async () => {
        const bare = await store.createConnector({ name: 'Not yet' })
        expect(bare).toMatchObject({ location: null, schedule: 'manual', format: 'CSV', deltaListLimit: 1000 })
        expect(await store.getConnector(bare.id)).toEqual(bare)
        const configured = await store.updateConnector(bare.id, { location, format: 'Parquet', deltaListLimit: 0, schedule: 'daily' })
        expect(configured).toMatchObject({ location, format: 'Parquet', deltaListLimit: 0, schedule: 'daily' })
        expect(await store.getConnector(bare.id)).toEqual(configured)
        // A location is replaced whole: a prefix that the new one lacks is gone.
        const prefixed = await store.updateConnector(bare.id, { location: { ...location, destinationPrefix: 'inv' } })
        expect(prefixed.location).toEqual({ ...location, destinationPrefix: 'inv' })
        expect((await store.updateConnector(bare.id, { location })).location).toEqual(location)
        expect((await store.updateConnector(bare.id, { name: 'Renamed' })).location).toEqual(location)
        expect((await store.updateConnector(bare.id, { location: null })).location).toBeNull()
      })

      it('rejects a bad format or delta list size with INVALID_ARGUMENT', async () => {
        await expectCode(store.createConnector({ name: 'X', format: 'JSON' as never }), 'INVALID_ARGUMENT')
        const created = await store.createConnector({ name: 'Y', location })
        await expectCode(store.updateConnector(created.id, { deltaListLimit: -1 }), 'INVALID_ARGUMENT')
        await expectCode(store.updateConnector(created.id, { deltaListLimit: 1.5 }), 'INVALID_ARGUMENT')
        expect((await store.getConnector(created.id)).deltaListLimit).toBe(1000)
      })

      it('answers NOT_FOUND for an unknown connector and INVALID_ARGUMENT for a bad schedule', async () => {
        await expectCode(store.getConnector('con_missing'), 'NOT_FOUND')
        const created = await store.createConnector({ name: 'Photos', location })
        await expectCode(store.updateConnector(created.id, { schedule: 'hourly' as never }), 'INVALID_ARGUMENT')
      })
    })

    describe('folders', () => {
      it('replaces the folders of a connector at once and pages them in byte order', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        await store.replaceFolders(connector.id, [folder('old/')])
        const paths = ['2020/', '2020/a/', '2020/b/', '2021/', '2021/Été/', '2021/Zoo/', '2021/😀/', 'z/']
        await store.replaceFolders(connector.id, paths.map((p) => folder(p)).reverse())
        const seen: string[] = []
        let cursor: string | undefined
        do {
          const page = await store.listFolders(connector.id, { limit: 3, cursor })
          expect(page.folders.length).toBeLessThanOrEqual(3)
          seen.push(...page.folders.map((f) => f.path))
          cursor = page.nextCursor ?? undefined
        } while (cursor)
        expect(seen).toEqual([...paths].sort(byUtf8))
        expect((await store.listFolders(connector.id)).folders[0]).toEqual(folder('2020/'))
      })

      it('takes the folders from a generator, read once as it writes (more than one write chunk)', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        let reads = 0
        const many = function* () {
          reads++
          for (let i = 0; i < 12_345; i++) yield folder(`f${String(i).padStart(5, '0')}/`)
        }
        await store.replaceFolders(connector.id, many())
        expect(reads).toBe(1)
        const page = await store.listFolders(connector.id, { limit: 10_000 })
        expect(page.folders).toHaveLength(10_000)
        expect((await store.listFolders(connector.id, { cursor: page.nextCursor ?? undefined, limit: 10_000 })).folders.at(-1)).toEqual(
          folder('f12344/'),
        )
      })

      it('filters folders by prefix and depth', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        await store.replaceFolders(connector.id, ['2020/', '2020/a/', '2020/a/x/', '2021/', '2021/b/', '2020_x/'].map((p) => folder(p)))
        const prefixed = await store.listFolders(connector.id, { prefix: '2020/' })
        expect(prefixed.folders.map((f) => f.path)).toEqual(['2020/', '2020/a/', '2020/a/x/'])
        const depth2 = await store.listFolders(connector.id, { depth: 2 })
        expect(depth2.folders.map((f) => f.path)).toEqual(['2020/a/', '2021/b/'])
        const percent = await store.listFolders(connector.id, { prefix: '2020_' })
        expect(percent.folders.map((f) => f.path)).toEqual(['2020_x/'])
      })

      it('finds every folder under a prefix, whatever characters follow it', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        const under = ['a/', 'a/\u{10FFFF}x/', 'a/\u{FFFF}/', 'a/🌨/', 'a/~/']
        await store.replaceFolders(connector.id, [...under, 'a0/', '\u{10FFFF}/', '\u{10FFFF}\u{10FFFF}/'].map((p) => folder(p)))
        const found = await store.listFolders(connector.id, { prefix: 'a/' })
        expect(found.folders.map((f) => f.path)).toEqual([...under].sort(byUtf8))
        const top = await store.listFolders(connector.id, { prefix: '\u{10FFFF}' })
        expect(top.folders.map((f) => f.path)).toEqual(['\u{10FFFF}/', '\u{10FFFF}\u{10FFFF}/'])
      })
    })

    describe('collections', () => {
      it('keeps collection names unique per connector: CONFLICT for a taken or repeated name, nothing created', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        const other = await store.createConnector({ name: 'Other', location: { ...location, configName: 'weekly' } })
        await store.createCollections(connector.id, [{ name: 'Wedding', folderPath: '2020/Wedding/' }])
        await expectCode(store.createCollections(connector.id, [{ name: 'Wedding', folderPath: '2021/Wedding/' }]), 'CONFLICT')
        await expectCode(
          store.createCollections(connector.id, [
            { name: 'Trip', folderPath: '2021/a/' },
            { name: 'Trip', folderPath: '2021/b/' },
          ]),
          'CONFLICT',
        )
        expect((await store.listCollections(connector.id)).map((c) => c.name)).toEqual(['Wedding'])
        // Another connector may use the name.
        expect(await store.createCollections(other.id, [{ name: 'Wedding', folderPath: '2020/Wedding/' }])).toHaveLength(1)
      })

      it('creates a batch with normalised folder paths and lists it by path', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        const created = await store.createCollections(connector.id, [
          { name: 'B', folderPath: '2021/b' },
          { name: 'A', folderPath: '2020/a/' },
        ])
        expect(created.map((c) => c.folderPath)).toEqual(['2021/b/', '2020/a/'])
        expect(created[0]).toMatchObject({ connectorId: connector.id, fileCount: 0, fileInfoSource: null, fileInfoUpdatedAt: null })
        expect((await store.listCollections(connector.id)).map((c) => c.name)).toEqual(['A', 'B'])
        expect(await store.getCollection(created[0]!.id)).toEqual(created[0])
        await expectCode(store.getCollection('col_missing'), 'NOT_FOUND')
      })

      it('creates all or none: a folder that already has a collection is a CONFLICT', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        await store.createCollections(connector.id, [{ name: 'A', folderPath: 'a/' }])
        await expectCode(
          store.createCollections(connector.id, [
            { name: 'B', folderPath: 'b/' },
            { name: 'A again', folderPath: 'a/' },
          ]),
          'CONFLICT',
        )
        expect((await store.listCollections(connector.id)).map((c) => c.folderPath)).toEqual(['a/'])
      })
    })

    describe('FileInfo', () => {
      const setup = async (): Promise<string> => {
        const connector = await store.createConnector({ name: 'Photos', location })
        const [collection] = await store.createCollections(connector.id, [{ name: 'A', folderPath: 'a/' }])
        return collection!.id
      }

      it('replaces a collection\'s FileInfo and records its source, time and count', async () => {
        const id = await setup()
        await store.replaceFileInfo(id, [[file('a/1'), file('a/2')]], { source: 'api', updatedAt: '2024-01-01T00:00:00.000Z' })
        const result = await store.replaceFileInfo(id, [[file('a/3', 7, 'x')]], {
          source: 'inventory',
          updatedAt: '2024-01-02T00:00:00.000Z',
        })
        expect(result.fileCount).toBe(1)
        expect(await readAll(store, id)).toEqual([file('a/3', 7, 'x')])
        expect(await store.getCollection(id)).toMatchObject({
          fileInfoSource: 'inventory',
          fileInfoUpdatedAt: '2024-01-02T00:00:00.000Z',
          fileCount: 1,
        })
      })

      it('keeps the previous FileInfo whole when a replace fails part way', async () => {
        const id = await setup()
        const before = [file('a/1'), file('a/2')]
        await store.replaceFileInfo(id, [before], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        async function* failing(): AsyncGenerator<FileInfo[]> {
          yield [file('a/9')]
          throw new Error('listing broke')
        }
        await expect(
          store.replaceFileInfo(id, failing(), { source: 'api', updatedAt: '2024-01-02T00:00:00.000Z' }),
        ).rejects.toThrow('listing broke')
        expect(await readAll(store, id)).toEqual(before)
        expect(await store.getCollection(id)).toMatchObject({ fileInfoSource: 'inventory', fileCount: 2 })
      })

      it('answers INVALID_ARGUMENT for FileInfo that names a key twice (listed or streamed) and keeps the previous FileInfo', async () => {
        const id = await setup()
        const before = [file('a/1'), file('a/2')]
        await store.replaceFileInfo(id, [before], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        await expectCode(store.replaceFileInfo(id, [[file('a/3')], [file('a/3')]], { source: 'inventory', updatedAt: 'x' }), 'INVALID_ARGUMENT')
        async function* twice(): AsyncGenerator<FileInfo[]> {
          yield [file('a/4')]
          yield [file('a/4')]
        }
        await expectCode(store.replaceFileInfo(id, twice(), { source: 'api', updatedAt: 'x' }), 'INVALID_ARGUMENT')
        expect(await readAll(store, id)).toEqual(before)
        expect(await store.getCollection(id)).toMatchObject({ fileInfoSource: 'inventory', fileCount: 2 })
      })

      it('applies changes by key: upserts and deletes, all or nothing, with the delta', async () => {
        const id = await setup()
        const connectorId = (await store.getCollection(id)).connectorId
        await store.replaceFileInfo(id, [[file('a/1'), file('a/2'), file('a/3')]], {
          source: 'inventory',
          updatedAt: '2024-01-01T00:00:00.000Z',
        })
        const session = await store.createImportSession({ connectorId, manifestKey: 'm', inventoryTimestamp: 't' })
        const moved = { ...file('a/2'), storageClass: 'GLACIER' }
        const delta = { ...emptyDelta({ new: 1, deleted: 1, unchanged: 2 }), new: [file('a/4')], deleted: [file('a/1')] }
        const result = await store.applyFileInfoChanges(
          id,
          { upserts: [moved, file('a/4', 9, 'new')], deletes: ['a/1'] },
          { source: 'inventory', updatedAt: '2024-01-02T00:00:00.000Z', importId: session.id, delta },
        )
        expect(result.fileCount).toBe(3)
        expect(await readAll(store, id)).toEqual([moved, file('a/3'), file('a/4', 9, 'new')])
        expect(await store.getCollection(id)).toMatchObject({ fileCount: 3, fileInfoUpdatedAt: '2024-01-02T00:00:00.000Z' })
        expect((await store.getLatestDelta(id))?.counts).toEqual(delta.counts)
        expect((await store.getImportSession(session.id)).checkpoint.collectionsDone).toEqual([id])

        // An import that does not exist fails the write: nothing of it stays.
        await expect(
          store.applyFileInfoChanges(
            id,
            { upserts: [file('a/5')], deletes: ['a/3'] },
            { source: 'inventory', updatedAt: '2024-01-03T00:00:00.000Z', importId: 'imp_missing', delta: emptyDelta() },
          ),
        ).rejects.toThrow()
        expect(await readAll(store, id)).toEqual([moved, file('a/3'), file('a/4', 9, 'new')])
        expect(await store.getCollection(id)).toMatchObject({ fileCount: 3, fileInfoUpdatedAt: '2024-01-02T00:00:00.000Z' })
        expect((await store.getLatestDelta(id))?.counts).toEqual(delta.counts)
        await expectCode(
          store.applyFileInfoChanges('col_missing', { upserts: [], deletes: [] }, { source: 'inventory', updatedAt: 'x' }),
          'NOT_FOUND',
        )
      })

      it('round-trips keys with every odd character, in UTF-8 byte order', async () => {
        const id = await setup()
        const keys = [
          'a/quote"double',
          "a/quote'single",
          'a/100% sure+plus',
          'a/new\nline\ttab\r',
          'a/emoji 😀🎉',
          'a/accent é è ü ñ',
          'a/back\\slash',
          'a/nul-free but \u0001 control',
          `a/${'k'.repeat(1022)}`,
          'a/\uff0cfullwidth',
        ]
        const files = keys.map((key, i) => file(key, i, `etag-${i}`))
        await store.replaceFileInfo(id, [files], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        const read = await readAll(store, id, 3)
        expect(read).toEqual([...files].sort((x, y) => byUtf8(x.key, y.key)))
        expect(Buffer.byteLength(read.find((f) => f.key.startsWith('a/kkk'))!.key)).toBe(1024)
      })

      it('round-trips 100,000 FileInfo rows in batches', async () => {
        const id = await setup()
        const files = Array.from({ length: 100_000 }, (_, i) => file(`a/${String(i).padStart(6, '0')}.jpg`, i * 1000, `e${i}`))
        const batches = Array.from({ length: 10 }, (_, i) => files.slice(i * 10_000, (i + 1) * 10_000))
        expect((await store.replaceFileInfo(id, batches, { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })).fileCount).toBe(100_000)
        const read = await readAll(store, id, 7000)
        expect(read.length).toBe(100_000)
        expect(read[0]).toEqual(files[0])
        expect(read[99_999]).toEqual(files[99_999])
        expect(read.reduce((sum, f) => sum + f.size, 0)).toBe(files.reduce((sum, f) => sum + f.size, 0))
      })

      it('accepts sizes beyond 32 bits (a 40 GB file)', async () => {
        const id = await setup()
        await store.replaceFileInfo(id, [[file('a/huge.mov', 40_000_000_000)]], { source: 'api', updatedAt: '2024-01-01T00:00:00.000Z' })
        expect((await readAll(store, id))[0]!.size).toBe(40_000_000_000)
      })
    })

    describe('browsing and editing the catalog', () => {
      it('pages a collection\'s FileInfo in key order, by prefix, and NOT_FOUND for an unknown collection', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        const [collection] = await store.createCollections(connector.id, [{ name: 'A', folderPath: 'a/' }])
        const keys = ['a/1', 'a/2', 'a/b/1', 'a/b/2', 'a/b/3', 'a/bz', 'a/c']
        await store.replaceFileInfo(collection!.id, [keys.map((key) => file(key))], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        const first = await store.listFileInfo(collection!.id, { limit: 3 })
        expect(first.files.map((f) => f.key)).toEqual(['a/1', 'a/2', 'a/b/1'])
        expect(first.files[0]).toEqual(file('a/1'))
        const second = await store.listFileInfo(collection!.id, { limit: 3, cursor: first.nextCursor! })
        expect(second.files.map((f) => f.key)).toEqual(['a/b/2', 'a/b/3', 'a/bz'])
        const last = await store.listFileInfo(collection!.id, { limit: 3, cursor: second.nextCursor! })
        expect(last).toEqual({ files: [file('a/c')], nextCursor: null })
        const byPrefix = await store.listFileInfo(collection!.id, { prefix: 'a/b/', limit: 2 })
        expect(byPrefix.files.map((f) => f.key)).toEqual(['a/b/1', 'a/b/2'])
        expect((await store.listFileInfo(collection!.id, { prefix: 'a/b/', cursor: byPrefix.nextCursor! })).files.map((f) => f.key)).toEqual([
          'a/b/3',
        ])
        expect((await store.listFileInfo(collection!.id, { prefix: 'zz/' })).files).toEqual([])
        await expectCode(store.listFileInfo('col_missing'), 'NOT_FOUND')
      })

      it('lists a collection\'s deltas newest first, paged', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        const [collection] = await store.createCollections(connector.id, [{ name: 'A', folderPath: 'a/' }])
        for (let day = 1; day <= 3; day++) {
          const session = await store.createImportSession({ connectorId: connector.id, manifestKey: `m${day}`, inventoryTimestamp: `2024-05-0${day}T01-00Z` })
          await store.replaceFileInfo(collection!.id, [[file('a/1', day)]], {
            source: 'inventory',
            updatedAt: `2024-05-0${day}T02:00:00.000Z`,
            importId: session.id,
            delta: emptyDelta({ modified: day }),
          })
        }
        const first = await store.listDeltas(collection!.id, { limit: 2 })
        expect(first.deltas.map((d) => d.counts.modified)).toEqual([3, 2])
        const rest = await store.listDeltas(collection!.id, { limit: 2, cursor: first.nextCursor! })
        expect(rest).toMatchObject({ deltas: [{ counts: { modified: 1 } }], nextCursor: null })
        await expectCode(store.listDeltas('col_missing'), 'NOT_FOUND')
        await expectCode(store.listDeltas(collection!.id, { cursor: 'abc' }), 'INVALID_ARGUMENT')
      })

      it('renames a collection (a name taken in the connector is a CONFLICT) and deletes one with its FileInfo', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        const [a, b] = await store.createCollections(connector.id, [
          { name: 'A', folderPath: 'a/' },
          { name: 'B', folderPath: 'b/' },
        ])
        expect(await store.updateCollection(a!.id, { name: '  Smith wedding ' })).toMatchObject({ id: a!.id, name: 'Smith wedding' })
        await expectCode(store.updateCollection(b!.id, { name: 'Smith wedding' }), 'CONFLICT')
        await expectCode(store.updateCollection(b!.id, { name: ' ' }), 'INVALID_ARGUMENT')
        await expectCode(store.updateCollection('col_missing', { name: 'X' }), 'NOT_FOUND')

        await store.replaceFileInfo(a!.id, [[file('a/1')]], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        await store.deleteCollection(a!.id)
        await expectCode(store.getCollection(a!.id), 'NOT_FOUND')
        await expectCode(store.deleteCollection(a!.id), 'NOT_FOUND')
        // The folder can be mapped again, and starts with no FileInfo.
        const [again] = await store.createCollections(connector.id, [{ name: 'A again', folderPath: 'a/' }])
        expect(await readAll(store, again!.id)).toEqual([])
      })

      it('deletes a connector with everything of it; the audit log keeps its entries', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        const other = await store.createConnector({ name: 'Other', location })
        await store.replaceFolders(connector.id, [folder('a/')])
        const [collection] = await store.createCollections(connector.id, [{ name: 'A', folderPath: 'a/' }])
        await store.replaceFileInfo(collection!.id, [[file('a/1')]], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        await store.requestImportNow(connector.id, { actor: 'ana' })
        await store.requestImportNow(other.id)
        await store.deleteConnector(connector.id)
        await expectCode(store.getConnector(connector.id), 'NOT_FOUND')
        await expectCode(store.getCollection(collection!.id), 'NOT_FOUND')
        expect(await store.listJobs(connector.id)).toEqual([])
        expect(await store.listJobs(other.id)).toHaveLength(1)
        expect((await store.listConnectors()).map((c) => c.id)).toEqual([other.id])
        expect((await store.listAudit({ connectorId: connector.id })).map((e) => e.action)).toEqual(['connector.deleted', 'job.enqueued'])
        await expectCode(store.deleteConnector(connector.id), 'NOT_FOUND')
      })
    })

    describe('deltas and import sessions', () => {
      it('stores the delta and marks the collection done for the import, with the FileInfo', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        const [collection] = await store.createCollections(connector.id, [{ name: 'A', folderPath: 'a/' }])
        const session = await store.createImportSession({
          connectorId: connector.id,
          manifestKey: 'photos/daily/2024-05-07T01-00Z/manifest.json',
          inventoryTimestamp: '2024-05-07T01-00Z',
        })
        expect(session).toMatchObject({ status: 'running', checkpoint: { phase: 'A', dataFilesDone: 0, collectionsDone: [] } })
        expect(await store.getLatestDelta(collection!.id)).toBeNull()
        const delta: CollectionDelta = {
          ...emptyDelta({ new: 1, modified: 1, deleted: 1 }),
          new: [file('a/new')],
          modified: [{ key: 'a/m', before: file('a/m', 1), after: file('a/m', 2) }],
          deleted: [file('a/gone')],
        }
        await store.replaceFileInfo(collection!.id, [[file('a/new'), file('a/m', 2)]], {
          source: 'inventory',
          updatedAt: '2024-05-07T02:00:00.000Z',
          importId: session.id,
          delta,
        })
        const stored = await store.getLatestDelta(collection!.id)
        expect(stored).toEqual({ ...delta, collectionId: collection!.id, importId: session.id, computedAt: '2024-05-07T02:00:00.000Z' })
        expect((await store.getImportSession(session.id)).checkpoint.collectionsDone).toEqual([collection!.id])

        await store.replaceFileInfo(collection!.id, [[]], {
          source: 'inventory',
          updatedAt: '2024-05-08T02:00:00.000Z',
          importId: session.id,
          delta: emptyDelta({ deleted: 2 }),
        })
        expect((await store.getLatestDelta(collection!.id))?.counts.deleted).toBe(2)
      })

      it('updates an import session and lists sessions newest first', async () => {
        const connector = await store.createConnector({ name: 'Photos', location })
        const first = await store.createImportSession({ connectorId: connector.id, manifestKey: 'm1', inventoryTimestamp: 't1' })
        const second = await store.createImportSession({ connectorId: connector.id, manifestKey: 'm2', inventoryTimestamp: 't2' })
        const failed = await store.updateImportSession(first.id, {
          status: 'failed',
          error: { code: 'CHECKSUM_MISMATCH', message: 'bad' },
          finishedAt: '2024-01-01T00:00:00.000Z',
          checkpoint: { phase: 'B', dataFilesDone: 3 },
        })
        expect(failed).toMatchObject({
          status: 'failed',
          error: { code: 'CHECKSUM_MISMATCH', message: 'bad' },
          finishedAt: '2024-01-01T00:00:00.000Z',
          checkpoint: { phase: 'B', dataFilesDone: 3 },
        })
        const summary = {
          rows: { rows: 1, records: 1, noncurrentVersions: 0, deleteMarkers: 0, badRows: {}, badRowSamples: [] },
          dataFiles: 1,
          compressedBytes: 10,
          objectCount: 1,
          totalSizeBytes: 5,
          folderCount: 1,
          collections: 0,
        }
        await store.updateImportSession(second.id, { status: 'completed', summary })
        expect((await store.getImportSession(second.id)).summary).toEqual(summary)
        expect((await store.listImportSessions(connector.id)).map((s) => s.id)).toEqual([second.id, first.id])
        expect((await store.listImportSessions(connector.id, { limit: 1 })).map((s) => s.id)).toEqual([second.id])
        await expectCode(store.getImportSession('imp_missing'), 'NOT_FOUND')
      })
    })

    describeJobQueueConformance({ store: () => store, openPeer: options.openPeer?.bind(options) })
  })
}
