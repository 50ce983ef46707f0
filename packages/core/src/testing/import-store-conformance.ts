import { beforeEach, describe, expect, it } from 'vitest'
import type { CollectionDelta } from '../delta.js'
import type {
  Collection,
  Connector,
  ImportJob,
  ImportStore,
  InventoryStore,
  JobTrigger,
  NewCollection,
  NewConnector,
  StoredDelta,
} from '../store.js'
import type { FileInfo, FolderSummary } from '../types.js'
import {
  MINUTE,
  at,
  byUtf8,
  emptyDelta,
  expectCode,
  failForRetry,
  file,
  folder,
  location,
  progress,
  readAll,
  storePerTest,
  type PartConformanceOptions,
} from './conformance-kit.js'

/**
 * What the import part's suite needs besides the import part itself: an embedder's own catalog and job
 * queue put in place what an import reads (connectors, collections, a claimed job), and read back what
 * it wrote where the import part has no read of its own (folders, deltas).
 */
export interface ImportStoreFixtures<S> {
  /** Creates a connector, as the embedder's catalog does. */
  createConnector(store: S, input: NewConnector): Promise<Connector>
  /** Creates collections of a connector (folder paths end in `/`), as the embedder's catalog does. */
  createCollections(store: S, connectorId: string, collections: readonly NewCollection[]): Promise<Collection[]>
  /**
   * Queues an import job of the connector and has `agentId` claim it with a lease of `leaseMs` from
   * `now`: the running job the embedder's queue hands to `runImportJob`.
   */
  startJob(
    store: S,
    connectorId: string,
    options: { agentId: string; leaseMs: number; now: Date; trigger: JobTrigger; maxAttempts?: number | undefined },
  ): Promise<ImportJob>
  /** A user asks to cancel a running job: its `cancelRequestedAt` is set at `now`. */
  requestCancel(store: S, jobId: string, now: Date): Promise<void>
  /** The folders stored for a connector, in any order. */
  readFolders(store: S, connectorId: string): Promise<FolderSummary[]>
  /** The newest delta stored for a collection, or `null`. */
  latestDelta(store: S, collectionId: string): Promise<StoredDelta | null>
  /**
   * The ids of two agents the store knows, as `lockedBy` records them: the first holds the jobs the
   * tests start, the second is refused. Omitted: `agent-a` and `agent-b` (a store that takes any id).
   */
  agentIds?(store: S): readonly [string, string]
}

/** Options of {@link describeImportStoreConformance}. */
export interface ImportStoreConformanceOptions<S extends ImportStore> extends PartConformanceOptions<S> {
  /** How the tests create connectors, collections and a claimed job, and read back folders and deltas ({@link inventoryStoreFixtures} for a store of every part). */
  fixtures: ImportStoreFixtures<S>
}

/** {@link ImportStoreFixtures} of a store that has every part: the fixtures call its own catalog and queue. */
export const inventoryStoreFixtures: ImportStoreFixtures<InventoryStore> = {
  createConnector: (store, input) => store.createConnector(input),
  createCollections: (store, connectorId, collections) => store.createCollections(connectorId, collections),
  async startJob(store, connectorId, { agentId, leaseMs, now, trigger, maxAttempts }) {
    await store.enqueueImport(connectorId, { trigger, now, maxAttempts })
    const job = await store.claimJob({ agentId, leaseMs, now, connectorId, kinds: ['import'] })
    if (!job) throw new Error(`no import job of ${connectorId} to claim`)
    return job
  },
  async requestCancel(store, jobId, now) {
    await store.cancelJob(jobId, { now })
  },
  async readFolders(store, connectorId) {
    const folders: FolderSummary[] = []
    let cursor: string | undefined
    do {
      const page = await store.listFolders(connectorId, { cursor, limit: 1000 })
      folders.push(...page.folders)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return folders
  },
  latestDelta: (store, collectionId) => store.getLatestDelta(collectionId),
}

/**
 * The behaviour of the import part of a store ({@link ImportStore}: everything `runInventoryImport` and
 * `runImportJob` call), as one vitest suite. An embedder with its own database and job queue implements
 * this part alone and runs this suite with fixtures that create connectors, collections and a claimed
 * job its own way:
 *
 * ```ts
 * describeImportStoreConformance('my store', { createStore, destroyStore, fixtures })
 * ```
 *
 * A store of every part passes {@link inventoryStoreFixtures}.
 * @param name - names the backend in the suite's titles (`sqlite`, `my store`)
 */
export function describeImportStoreConformance<S extends ImportStore>(name: string, options: ImportStoreConformanceOptions<S>): void {
  const { fixtures } = options

  describe(`${name}: import part of the store`, () => {
    const current = storePerTest(options)
    const newConnector = (name = 'Photos', schedule: 'manual' | 'daily' = 'manual') =>
      fixtures.createConnector(current(), { name, location, schedule })
    const newCollection = async (folderPath = 'a/'): Promise<Collection> => {
      const connector = await newConnector()
      const [collection] = await fixtures.createCollections(current(), connector.id, [{ name: 'A', folderPath }])
      return collection!
    }
    const collectionNow = async (collection: Collection): Promise<Collection> => {
      const found = (await current().listCollections(collection.connectorId)).find((c) => c.id === collection.id)
      if (!found) throw new Error(`collection ${collection.id} is not listed`)
      return found
    }

    describe('connectors and collections', () => {
      it('reads a connector by id and answers NOT_FOUND for an unknown one', async () => {
        const connector = await newConnector()
        expect(await current().getConnector(connector.id)).toEqual(connector)
        await expectCode(current().getConnector('con_missing'), 'NOT_FOUND')
      })

      it('lists the collections of a connector by folder path', async () => {
        const store = current()
        const photos = await newConnector('Photos')
        const other = await newConnector('Other')
        await fixtures.createCollections(store, photos.id, [
          { name: 'B', folderPath: 'b/' },
          { name: 'A', folderPath: 'a/' },
        ])
        await fixtures.createCollections(store, other.id, [{ name: 'C', folderPath: 'c/' }])
        const listed = await store.listCollections(photos.id)
        expect(listed.map((c) => [c.name, c.folderPath])).toEqual([
          ['A', 'a/'],
          ['B', 'b/'],
        ])
        expect(listed[0]).toMatchObject({ connectorId: photos.id, fileCount: 0, fileInfoSource: null, fileInfoUpdatedAt: null })
        expect((await store.listCollections(other.id)).map((c) => c.folderPath)).toEqual(['c/'])
      })
    })

    describe('folders', () => {
      it('replaces the folders of a connector at once', async () => {
        const store = current()
        const connector = await newConnector()
        await store.replaceFolders(connector.id, [folder('old/'), folder('old/a/')])
        const paths = ['2020/', '2020/a/', '2021/Été/', '2021/😀/']
        await store.replaceFolders(connector.id, paths.map((p) => folder(p, 2)))
        const stored = await fixtures.readFolders(store, connector.id)
        expect(stored.sort((a, b) => byUtf8(a.path, b.path))).toEqual([...paths].sort(byUtf8).map((p) => folder(p, 2)))
      })

      it('keeps the previous folders whole when a replace fails part way', async () => {
        const store = current()
        const connector = await newConnector()
        await store.replaceFolders(connector.id, [folder('kept/')])
        const failing = function* () {
          for (let i = 0; i < 2500; i++) yield folder(`new${i}/`)
          throw new Error('rollup broke')
        }
        await expect(store.replaceFolders(connector.id, failing())).rejects.toThrow('rollup broke')
        expect(await fixtures.readFolders(store, connector.id)).toEqual([folder('kept/')])
      })

      it('takes the folders from a generator, read once as it writes (more than one write chunk)', async () => {
        const store = current()
        const connector = await newConnector()
        let reads = 0
        const many = function* () {
          reads++
          for (let i = 0; i < 12_345; i++) yield folder(`f${String(i).padStart(5, '0')}/`)
        }
        await store.replaceFolders(connector.id, many())
        expect(reads).toBe(1)
        const stored = await fixtures.readFolders(store, connector.id)
        expect(stored).toHaveLength(12_345)
        expect(stored.find((f) => f.path === 'f12344/')).toEqual(folder('f12344/'))
      })
    })

    describe('FileInfo', () => {
      it("replaces a collection's FileInfo and records its source, time and count", async () => {
        const store = current()
        const collection = await newCollection()
        await store.replaceFileInfo(collection.id, [[file('a/1'), file('a/2')]], { source: 'api', updatedAt: '2024-01-01T00:00:00.000Z' })
        const result = await store.replaceFileInfo(collection.id, [[file('a/3', 7, 'x')]], {
          source: 'inventory',
          updatedAt: '2024-01-02T00:00:00.000Z',
        })
        expect(result.fileCount).toBe(1)
        expect(await readAll(store, collection.id)).toEqual([file('a/3', 7, 'x')])
        expect(await collectionNow(collection)).toMatchObject({
          fileInfoSource: 'inventory',
          fileInfoUpdatedAt: '2024-01-02T00:00:00.000Z',
          fileCount: 1,
        })
      })

      it('keeps the previous FileInfo whole when a replace fails part way', async () => {
        const store = current()
        const collection = await newCollection()
        const before = [file('a/1'), file('a/2')]
        await store.replaceFileInfo(collection.id, [before], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        async function* failing(): AsyncGenerator<FileInfo[]> {
          yield [file('a/9')]
          throw new Error('listing broke')
        }
        await expect(store.replaceFileInfo(collection.id, failing(), { source: 'api', updatedAt: '2024-01-02T00:00:00.000Z' })).rejects.toThrow(
          'listing broke',
        )
        expect(await readAll(store, collection.id)).toEqual(before)
        expect(await collectionNow(collection)).toMatchObject({ fileInfoSource: 'inventory', fileCount: 2 })
      })

      it('answers INVALID_ARGUMENT for FileInfo that names a key twice (listed or streamed) and keeps the previous FileInfo', async () => {
        const store = current()
        const collection = await newCollection()
        const before = [file('a/1'), file('a/2')]
        await store.replaceFileInfo(collection.id, [before], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        await expectCode(
          store.replaceFileInfo(collection.id, [[file('a/3')], [file('a/3')]], { source: 'inventory', updatedAt: 'x' }),
          'INVALID_ARGUMENT',
        )
        async function* twice(): AsyncGenerator<FileInfo[]> {
          yield [file('a/4')]
          yield [file('a/4')]
        }
        await expectCode(store.replaceFileInfo(collection.id, twice(), { source: 'api', updatedAt: 'x' }), 'INVALID_ARGUMENT')
        expect(await readAll(store, collection.id)).toEqual(before)
        expect(await collectionNow(collection)).toMatchObject({ fileInfoSource: 'inventory', fileCount: 2 })
      })

      it('applies changes by key: upserts and deletes, all or nothing, with the delta', async () => {
        const store = current()
        const collection = await newCollection()
        const id = collection.id
        await store.replaceFileInfo(id, [[file('a/1'), file('a/2'), file('a/3')]], {
          source: 'inventory',
          updatedAt: '2024-01-01T00:00:00.000Z',
        })
        const session = await store.createImportSession({ connectorId: collection.connectorId, manifestKey: 'm', inventoryTimestamp: 't' })
        const moved = { ...file('a/2'), storageClass: 'GLACIER' }
        const delta = { ...emptyDelta({ new: 1, deleted: 1, unchanged: 2 }), new: [file('a/4')], deleted: [file('a/1')] }
        const result = await store.applyFileInfoChanges(
          id,
          { upserts: [moved, file('a/4', 9, 'new')], deletes: ['a/1'] },
          { source: 'inventory', updatedAt: '2024-01-02T00:00:00.000Z', importId: session.id, delta },
        )
        expect(result.fileCount).toBe(3)
        expect(await readAll(store, id)).toEqual([moved, file('a/3'), file('a/4', 9, 'new')])
        expect(await collectionNow(collection)).toMatchObject({ fileCount: 3, fileInfoUpdatedAt: '2024-01-02T00:00:00.000Z' })
        expect((await fixtures.latestDelta(store, id))?.counts).toEqual(delta.counts)
        const [stored] = await store.listImportSessions(collection.connectorId)
        expect(stored?.checkpoint.collectionsDone).toEqual([id])

        // An import that does not exist fails the write: nothing of it stays.
        await expect(
          store.applyFileInfoChanges(
            id,
            { upserts: [file('a/5')], deletes: ['a/3'] },
            { source: 'inventory', updatedAt: '2024-01-03T00:00:00.000Z', importId: 'imp_missing', delta: emptyDelta() },
          ),
        ).rejects.toThrow()
        expect(await readAll(store, id)).toEqual([moved, file('a/3'), file('a/4', 9, 'new')])
        expect(await collectionNow(collection)).toMatchObject({ fileCount: 3, fileInfoUpdatedAt: '2024-01-02T00:00:00.000Z' })
        expect((await fixtures.latestDelta(store, id))?.counts).toEqual(delta.counts)
        await expectCode(
          store.applyFileInfoChanges('col_missing', { upserts: [], deletes: [] }, { source: 'inventory', updatedAt: 'x' }),
          'NOT_FOUND',
        )
      })

      it('round-trips keys with every odd character, in UTF-8 byte order', async () => {
        const store = current()
        const collection = await newCollection()
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
        await store.replaceFileInfo(collection.id, [files], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        const read = await readAll(store, collection.id, 3)
        expect(read).toEqual([...files].sort((x, y) => byUtf8(x.key, y.key)))
        expect(Buffer.byteLength(read.find((f) => f.key.startsWith('a/kkk'))!.key)).toBe(1024)
      })

      it("takes FileInfo in any order and reads it back in key order (an import's first write is unsorted)", async () => {
        const store = current()
        const collection = await newCollection()
        const names = ['é', 'z', 'A', ' ', '😀', '\uff0c', 'a b', 'a+b', '~']
        const files = Array.from({ length: 3000 }, (_, i) => file(`a/${names[i % names.length]}${(i * 7919) % 3001}.jpg`, i, `e${i}`))
        const shuffled = [...files].sort((x, y) => (x.size * 2654435761) % 4093 - (y.size * 2654435761) % 4093)
        await store.replaceFileInfo(collection.id, [shuffled.slice(0, 1000), shuffled.slice(1000)], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        expect(await readAll(store, collection.id, 700)).toEqual([...files].sort((x, y) => byUtf8(x.key, y.key)))
      })

      it('round-trips 100,000 FileInfo rows in batches', async () => {
        const store = current()
        const collection = await newCollection()
        const files = Array.from({ length: 100_000 }, (_, i) => file(`a/${String(i).padStart(6, '0')}.jpg`, i * 1000, `e${i}`))
        const batches = Array.from({ length: 10 }, (_, i) => files.slice(i * 10_000, (i + 1) * 10_000))
        const written = await store.replaceFileInfo(collection.id, batches, { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        expect(written.fileCount).toBe(100_000)
        const read = await readAll(store, collection.id, 7000)
        expect(read.length).toBe(100_000)
        expect(read[0]).toEqual(files[0])
        expect(read[99_999]).toEqual(files[99_999])
        expect(read.reduce((sum, f) => sum + f.size, 0)).toBe(files.reduce((sum, f) => sum + f.size, 0))
      })

      it('accepts sizes beyond 32 bits (a 40 GB file)', async () => {
        const store = current()
        const collection = await newCollection()
        await store.replaceFileInfo(collection.id, [[file('a/huge.mov', 40_000_000_000)]], { source: 'api', updatedAt: '2024-01-01T00:00:00.000Z' })
        expect((await readAll(store, collection.id))[0]!.size).toBe(40_000_000_000)
      })
    })

    describe('FileInfo of several collections in one call (the optional batch calls)', () => {
      const threeCollections = async (): Promise<Collection[]> => {
        const connector = await newConnector()
        return fixtures.createCollections(current(), connector.id, [
          { name: 'A', folderPath: 'a/' },
          { name: 'B', folderPath: 'b/' },
          { name: 'C', folderPath: 'c/' },
        ])
      }

      it('writes each collection of a batch as its own replace or changes would, and leaves one this import stored as it is', async (context) => {
        const store = current()
        if (!store.writeFileInfoBatch) return context.skip('the store has no writeFileInfoBatch')
        const [a, b, c] = (await threeCollections()) as [Collection, Collection, Collection]
        await store.replaceFileInfo(b.id, [[file('b/1'), file('b/2')]], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        const session = await store.createImportSession({ connectorId: a.connectorId, manifestKey: 'm', inventoryTimestamp: 't' })
        const write = { source: 'inventory' as const, updatedAt: '2024-01-02T00:00:00.000Z', importId: session.id }
        const changed = { ...emptyDelta({ new: 1, deleted: 1, unchanged: 1 }), new: [file('b/3')], deleted: [file('b/1')] }
        await store.writeFileInfoBatch([
          { collectionId: a.id, replace: [file('a/1'), file('a/2', 5, 'x')], options: { ...write, delta: emptyDelta({ new: 2 }) } },
          { collectionId: b.id, changes: { upserts: [file('b/3')], deletes: ['b/1'] }, options: { ...write, delta: changed } },
          { collectionId: c.id, replace: [], options: { ...write, delta: emptyDelta() } },
        ])
        expect(await readAll(store, a.id)).toEqual([file('a/1'), file('a/2', 5, 'x')])
        expect(await readAll(store, b.id)).toEqual([file('b/2'), file('b/3')])
        expect(await readAll(store, c.id)).toEqual([])
        expect(await collectionNow(c)).toMatchObject({ fileCount: 0, fileInfoSource: 'inventory', fileInfoUpdatedAt: write.updatedAt })
        expect(await fixtures.latestDelta(store, b.id)).toMatchObject({ counts: changed.counts, new: changed.new, deleted: changed.deleted })
        const [stored] = await store.listImportSessions(a.connectorId)
        expect([...stored!.checkpoint.collectionsDone].sort()).toEqual([a.id, b.id, c.id].sort())

        // Sent again (a retry after a lost answer): what this import stored stays as it is.
        await store.writeFileInfoBatch([{ collectionId: a.id, replace: [file('a/9')], options: { ...write, delta: emptyDelta({ new: 1 }) } }])
        expect(await readAll(store, a.id)).toEqual([file('a/1'), file('a/2', 5, 'x')])
        expect((await fixtures.latestDelta(store, a.id))?.counts).toEqual(emptyDelta({ new: 2 }).counts)
      })

      it('refuses a batch naming a collection of no connector it holds, and a key twice in a collection', async (context) => {
        const store = current()
        if (!store.writeFileInfoBatch) return context.skip('the store has no writeFileInfoBatch')
        const [a] = (await threeCollections()) as [Collection]
        const write = { source: 'inventory' as const, updatedAt: '2024-01-02T00:00:00.000Z' }
        await expectCode(store.writeFileInfoBatch([{ collectionId: 'col_missing', replace: [file('x/1')], options: write }]), 'NOT_FOUND')
        await expectCode(store.writeFileInfoBatch([{ collectionId: a.id, replace: [file('a/1'), file('a/1')], options: write }]), 'INVALID_ARGUMENT')
        expect(await collectionNow(a)).toMatchObject({ fileCount: 0, fileInfoSource: null })
      })

      it('reads several collections whole, in key order, in the order asked (one without FileInfo comes with none)', async (context) => {
        const store = current()
        if (!store.readFileInfoBatch) return context.skip('the store has no readFileInfoBatch')
        const [a, b, c] = (await threeCollections()) as [Collection, Collection, Collection]
        const many = Array.from({ length: 12_000 }, (_, i) => file(`a/${String(i).padStart(5, '0')}`, i))
        await store.replaceFileInfo(a.id, [many.slice(6000), many.slice(0, 6000)], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        await store.replaceFileInfo(c.id, [[file('c/é'), file('c/e')]], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        const read = []
        for await (const stored of store.readFileInfoBatch([c.id, b.id, a.id])) read.push(stored)
        expect(read).toEqual([
          { collectionId: c.id, files: [file('c/e'), file('c/é')] },
          { collectionId: b.id, files: [] },
          { collectionId: a.id, files: many },
        ])
      })
    })

    describe('deltas and import sessions', () => {
      it('stores the delta and marks the collection done for the import, with the FileInfo', async () => {
        const store = current()
        const collection = await newCollection()
        const session = await store.createImportSession({
          connectorId: collection.connectorId,
          manifestKey: 'photos/daily/2024-05-07T01-00Z/manifest.json',
          inventoryTimestamp: '2024-05-07T01-00Z',
        })
        expect(session).toMatchObject({ status: 'running', checkpoint: { phase: 'A', dataFilesDone: 0, collectionsDone: [] } })
        expect(await fixtures.latestDelta(store, collection.id)).toBeNull()
        const delta: CollectionDelta = {
          ...emptyDelta({ new: 1, modified: 1, deleted: 1 }),
          new: [file('a/new')],
          modified: [{ key: 'a/m', before: file('a/m', 1), after: file('a/m', 2) }],
          deleted: [file('a/gone')],
        }
        await store.replaceFileInfo(collection.id, [[file('a/new'), file('a/m', 2)]], {
          source: 'inventory',
          updatedAt: '2024-05-07T02:00:00.000Z',
          importId: session.id,
          delta,
        })
        const stored = await fixtures.latestDelta(store, collection.id)
        expect(stored).toEqual({ ...delta, collectionId: collection.id, importId: session.id, computedAt: '2024-05-07T02:00:00.000Z' })
        expect((await store.listImportSessions(collection.connectorId))[0]?.checkpoint.collectionsDone).toEqual([collection.id])

        // The next day's import: its delta is the latest.
        const next = await store.createImportSession({ connectorId: collection.connectorId, manifestKey: 'm2', inventoryTimestamp: 't2' })
        await store.replaceFileInfo(collection.id, [[]], {
          source: 'inventory',
          updatedAt: '2024-05-08T02:00:00.000Z',
          importId: next.id,
          delta: emptyDelta({ deleted: 2 }),
        })
        expect(await fixtures.latestDelta(store, collection.id)).toMatchObject({ importId: next.id, counts: { deleted: 2 } })
      })

      it('leaves a collection this import stored as it is when the import writes it again; another import writes it', async () => {
        const store = current()
        const collection = await newCollection()
        const id = collection.id
        const first = await store.createImportSession({ connectorId: collection.connectorId, manifestKey: 'm', inventoryTimestamp: 't' })
        const stored = [file('a/1'), file('a/2')]
        const delta = emptyDelta({ new: 2 })
        const write = { source: 'inventory' as const, updatedAt: '2024-05-07T02:00:00.000Z', importId: first.id }
        await store.replaceFileInfo(id, [stored], { ...write, delta })
        const asStored = { fileCount: 2, fileInfoSource: 'inventory', fileInfoUpdatedAt: write.updatedAt }

        // A retried import sends the collection again, whole or as changes, with another delta.
        const again = { ...write, updatedAt: '2024-05-07T03:00:00.000Z', delta: emptyDelta({ new: 1 }) }
        expect(await store.replaceFileInfo(id, [[file('a/9')]], again)).toEqual({ fileCount: 2 })
        expect(await store.applyFileInfoChanges(id, { upserts: [file('a/8')], deletes: ['a/1'] }, again)).toEqual({ fileCount: 2 })
        async function* listed(): AsyncGenerator<FileInfo[]> {
          yield [file('a/7')]
        }
        expect(await store.replaceFileInfo(id, listed(), again)).toEqual({ fileCount: 2 })
        expect(await readAll(store, id)).toEqual(stored)
        expect(await collectionNow(collection)).toMatchObject(asStored)
        expect(await fixtures.latestDelta(store, id)).toMatchObject({ importId: first.id, counts: delta.counts, computedAt: write.updatedAt })
        expect((await store.listImportSessions(collection.connectorId))[0]?.checkpoint.collectionsDone).toEqual([id])

        // The next import writes it, and so does a write of no import (a live refresh).
        const next = await store.createImportSession({ connectorId: collection.connectorId, manifestKey: 'm2', inventoryTimestamp: 't2' })
        const changed = emptyDelta({ new: 1, deleted: 1, unchanged: 1 })
        const nextWrite = { source: 'inventory' as const, updatedAt: '2024-05-08T02:00:00.000Z', importId: next.id, delta: changed }
        expect(await store.applyFileInfoChanges(id, { upserts: [file('a/3')], deletes: ['a/1'] }, nextWrite)).toEqual({ fileCount: 2 })
        expect(await readAll(store, id)).toEqual([file('a/2'), file('a/3')])
        expect(await fixtures.latestDelta(store, id)).toMatchObject({ importId: next.id, counts: changed.counts })
        const live = { source: 'api' as const, updatedAt: '2024-05-08T03:00:00.000Z', delta: emptyDelta({ deleted: 2, new: 1 }) }
        expect(await store.replaceFileInfo(id, [[file('a/4')]], live)).toEqual({ fileCount: 1 })
        expect(await readAll(store, id)).toEqual([file('a/4')])
        expect(await collectionNow(collection)).toMatchObject({ fileCount: 1, fileInfoSource: 'api', fileInfoUpdatedAt: live.updatedAt })
        expect(await fixtures.latestDelta(store, id)).toMatchObject({ importId: null, counts: live.delta.counts })
      })

      it('updates an import session and lists sessions newest first', async () => {
        const store = current()
        const connector = await newConnector()
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
        const completed = await store.updateImportSession(second.id, { status: 'completed', summary })
        expect(completed.summary).toEqual(summary)
        const listed = await store.listImportSessions(connector.id)
        expect(listed.map((s) => s.id)).toEqual([second.id, first.id])
        expect(listed[0]).toEqual(completed)
        expect((await store.listImportSessions(connector.id, { limit: 1 })).map((s) => s.id)).toEqual([second.id])
      })
    })

    describe("the agent's calls on its job", () => {
      let agentA = 'agent-a'
      let agentB = 'agent-b'
      beforeEach(() => {
        if (fixtures.agentIds) [agentA, agentB] = fixtures.agentIds(current())
      })
      const start = (connectorId: string, agentId = agentA, trigger: JobTrigger = 'manual', maxAttempts?: number) =>
        fixtures.startJob(current(), connectorId, { agentId, leaseMs: MINUTE, now: at(0), trigger, maxAttempts })

      it('a heartbeat extends the lease and records progress; another agent gets CONFLICT', async () => {
        const store = current()
        const connector = await newConnector()
        const job = await start(connector.id)
        expect(job).toMatchObject({ status: 'running', lockedBy: agentA, connectorId: connector.id, kind: 'import' })
        const beaten = await store.heartbeatJob(job.id, { agentId: agentA, leaseMs: MINUTE, now: at(1000), progress: progress(500) })
        expect(beaten).toMatchObject({
          status: 'running',
          progress: progress(500),
          progressAt: at(1000).toISOString(),
          leaseExpiresAt: at(1000 + MINUTE).toISOString(),
          cancelRequestedAt: null,
        })
        // A heartbeat without progress keeps the last one.
        expect(await store.heartbeatJob(job.id, { agentId: agentA, leaseMs: MINUTE, now: at(2000) })).toMatchObject({ progress: progress(500) })
        await expectCode(store.heartbeatJob(job.id, { agentId: agentB, leaseMs: MINUTE, now: at(3000) }), 'CONFLICT')
      })

      it('completing keeps the result and queues the next scheduled import at nextRunAt, or none', async () => {
        const store = current()
        const daily = await newConnector('Daily', 'daily')
        const job = await start(daily.id, agentA, 'scheduled')
        await expectCode(store.completeJob(job.id, { agentId: agentB, nextRunAt: null, now: at(500) }), 'CONFLICT')
        const { job: done, next } = await store.completeJob(job.id, {
          agentId: agentA,
          now: at(1000),
          nextRunAt: at(86_400_000),
          result: { importId: 'imp_1' },
        })
        expect(done).toMatchObject({ id: job.id, status: 'completed', finishedAt: at(1000).toISOString(), result: { importId: 'imp_1' } })
        expect(next).toMatchObject({ connectorId: daily.id, kind: 'import', trigger: 'scheduled', status: 'queued', scheduledAt: at(86_400_000).toISOString() })
        await expectCode(store.completeJob(job.id, { agentId: agentA, nextRunAt: null }), 'CONFLICT')

        const manual = await newConnector('Manual')
        const once = await start(manual.id)
        expect((await store.completeJob(once.id, { agentId: agentA, now: at(2000), nextRunAt: null })).next).toBeNull()
      })

      it('a failure is retried at retryAt while attempts remain, then fails the job for good', async () => {
        const store = current()
        const connector = await newConnector()
        const job = await start(connector.id, agentA, 'manual', 1)
        await expectCode(store.failJob(job.id, { agentId: agentB, error: { code: 'X', message: 'x' }, retryAt: null }), 'CONFLICT')
        const failed = await store.failJob(job.id, {
          agentId: agentA,
          error: { code: 'CHECKSUM_MISMATCH', message: 'bad data file' },
          retryAt: at(MINUTE),
          now: at(1000),
        })
        expect(failed).toMatchObject({ status: 'failed', attempts: 1, finishedAt: at(1000).toISOString(), lastError: { code: 'CHECKSUM_MISMATCH' } })

        const other = await newConnector('Other')
        await failForRetry(store, (await start(other.id, agentA, 'manual', 3)).id, { agentId: agentA, retryAt: at(30_000), now: at(1000) })
      })

      it('a cancel asked for shows in the heartbeat and ends the job when the agent acknowledges it', async () => {
        const store = current()
        const connector = await newConnector()
        const job = await start(connector.id)
        await expectCode(store.acknowledgeCancel(job.id, { agentId: agentA, now: at(1000) }), 'CONFLICT')
        await fixtures.requestCancel(store, job.id, at(2000))
        const seen = await store.heartbeatJob(job.id, { agentId: agentA, leaseMs: MINUTE, now: at(3000) })
        expect(seen).toMatchObject({ status: 'running', cancelRequestedAt: at(2000).toISOString() })
        await expectCode(store.acknowledgeCancel(job.id, { agentId: agentB, now: at(4000) }), 'CONFLICT')
        const ended = await store.acknowledgeCancel(job.id, { agentId: agentA, now: at(4000) })
        expect(ended).toMatchObject({ status: 'cancelled', finishedAt: at(4000).toISOString() })
        await expectCode(store.heartbeatJob(job.id, { agentId: agentA, leaseMs: MINUTE, now: at(5000) }), 'CONFLICT')
      })
    })
  })
}
