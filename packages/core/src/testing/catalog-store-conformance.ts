import { describe, expect, it } from 'vitest'
import type { CatalogStore, ImportStore } from '../store.js'
import { byUtf8, emptyDelta, expectCode, file, folder, location, readAll, storePerTest, type PartConformanceOptions } from './conformance-kit.js'

/** What the catalog's suite runs on: the catalog part, and the import part that fills it. */
export type CatalogConformanceStore = CatalogStore & ImportStore

/**
 * The behaviour of the catalog part of a store ({@link CatalogStore}: connectors, folders, collections,
 * FileInfo and deltas as a user browses and maps them), as one vitest suite. Its store also has the import
 * part, which writes what the catalog reads.
 * @param name - names the backend in the suite's titles (`sqlite`, `my store`)
 */
export function describeCatalogStoreConformance<S extends CatalogConformanceStore>(name: string, options: PartConformanceOptions<S>): void {
  describe(`${name}: catalog part of the store`, () => {
    const current = storePerTest(options)

    describe('connectors', () => {
      it('creates, reads, lists and updates a connector', async () => {
        const store = current()
        const created = await store.createConnector({ name: 'Photos', location: { ...location, destinationPrefix: 'inv' } })
        expect(created.id).toMatch(/^con_/)
        expect(created.schedule).toBe('manual')
        expect(await store.getConnector(created.id)).toEqual(created)
        expect((await store.listConnectors()).map((c) => c.id)).toEqual([created.id])
        const updated = await store.updateConnector(created.id, { schedule: 'weekly', name: 'Archive' })
        expect(updated).toMatchObject({ schedule: 'weekly', name: 'Archive', location: { destinationPrefix: 'inv' } })
      })

      it('stores a destination prefix in one form: no surrounding slashes, none when empty', async () => {
        const store = current()
        const slashed = await store.createConnector({ name: 'A', location: { ...location, destinationPrefix: '/inv/reports/' } })
        expect(slashed.location!.destinationPrefix).toBe('inv/reports')
        const empty = await store.createConnector({ name: 'B', location: { ...location, destinationPrefix: '/' } })
        expect(empty.location).not.toHaveProperty('destinationPrefix')
        const updated = await store.updateConnector(empty.id, { location: { ...location, destinationPrefix: 'x/' } })
        expect(updated.location!.destinationPrefix).toBe('x')
      })

      it('creates a connector before its inventory is configured, then configures and unconfigures it', async () => {
        const store = current()
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
        const store = current()
        await expectCode(store.createConnector({ name: 'X', format: 'JSON' as never }), 'INVALID_ARGUMENT')
        const created = await store.createConnector({ name: 'Y', location })
        await expectCode(store.updateConnector(created.id, { deltaListLimit: -1 }), 'INVALID_ARGUMENT')
        await expectCode(store.updateConnector(created.id, { deltaListLimit: 1.5 }), 'INVALID_ARGUMENT')
        expect((await store.getConnector(created.id)).deltaListLimit).toBe(1000)
      })

      it('answers NOT_FOUND for an unknown connector and INVALID_ARGUMENT for a bad schedule', async () => {
        const store = current()
        await expectCode(store.getConnector('con_missing'), 'NOT_FOUND')
        const created = await store.createConnector({ name: 'Photos', location })
        await expectCode(store.updateConnector(created.id, { schedule: 'hourly' as never }), 'INVALID_ARGUMENT')
      })
    })

    describe('folders', () => {
      it('pages the folders of a connector in byte order', async () => {
        const store = current()
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

      it('pages past the default page size', async () => {
        const store = current()
        const connector = await store.createConnector({ name: 'Photos', location })
        await store.replaceFolders(connector.id, Array.from({ length: 12_345 }, (_, i) => folder(`f${String(i).padStart(5, '0')}/`)))
        const page = await store.listFolders(connector.id, { limit: 10_000 })
        expect(page.folders).toHaveLength(10_000)
        expect((await store.listFolders(connector.id, { cursor: page.nextCursor ?? undefined, limit: 10_000 })).folders.at(-1)).toEqual(
          folder('f12344/'),
        )
      })

      it('filters folders by prefix and depth', async () => {
        const store = current()
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
        const store = current()
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
        const store = current()
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
        // Without a connector: the collections of all of them.
        expect((await store.listCollections()).map((c) => c.connectorId).sort()).toEqual([connector.id, other.id].sort())
      })

      it('creates a batch with normalised folder paths and lists it by path', async () => {
        const store = current()
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
        const store = current()
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

    describe('browsing and editing', () => {
      it("pages a collection's FileInfo in key order, by prefix, and NOT_FOUND for an unknown collection", async () => {
        const store = current()
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

      it("lists a collection's deltas newest first, paged, and reads the latest", async () => {
        const store = current()
        const connector = await store.createConnector({ name: 'Photos', location })
        const [collection] = await store.createCollections(connector.id, [{ name: 'A', folderPath: 'a/' }])
        expect(await store.getLatestDelta(collection!.id)).toBeNull()
        for (let day = 1; day <= 3; day++) {
          const session = await store.createImportSession({ connectorId: connector.id, manifestKey: `m${day}`, inventoryTimestamp: `2024-05-0${day}T01-00Z` })
          await store.replaceFileInfo(collection!.id, [[file('a/1', day)]], {
            source: 'inventory',
            updatedAt: `2024-05-0${day}T02:00:00.000Z`,
            importId: session.id,
            delta: emptyDelta({ modified: day }),
          })
        }
        expect((await store.getLatestDelta(collection!.id))?.counts.modified).toBe(3)
        const first = await store.listDeltas(collection!.id, { limit: 2 })
        expect(first.deltas.map((d) => d.counts.modified)).toEqual([3, 2])
        const rest = await store.listDeltas(collection!.id, { limit: 2, cursor: first.nextCursor! })
        expect(rest).toMatchObject({ deltas: [{ counts: { modified: 1 } }], nextCursor: null })
        await expectCode(store.listDeltas('col_missing'), 'NOT_FOUND')
        await expectCode(store.listDeltas(collection!.id, { cursor: 'abc' }), 'INVALID_ARGUMENT')
      })

      it('reads an import session by id, NOT_FOUND for an unknown one', async () => {
        const store = current()
        const connector = await store.createConnector({ name: 'Photos', location })
        const session = await store.createImportSession({ connectorId: connector.id, manifestKey: 'm', inventoryTimestamp: 't' })
        const updated = await store.updateImportSession(session.id, { checkpoint: { phase: 'B', dataFilesDone: 2 } })
        expect(await store.getImportSession(session.id)).toEqual(updated)
        await expectCode(store.getImportSession('imp_missing'), 'NOT_FOUND')
      })

      it('renames a collection (a name taken in the connector is a CONFLICT) and deletes one with its FileInfo', async () => {
        const store = current()
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

      it('deletes a connector with its folders, collections and FileInfo', async () => {
        const store = current()
        const connector = await store.createConnector({ name: 'Photos', location })
        const other = await store.createConnector({ name: 'Other', location })
        await store.replaceFolders(connector.id, [folder('a/')])
        const [collection] = await store.createCollections(connector.id, [{ name: 'A', folderPath: 'a/' }])
        await store.replaceFileInfo(collection!.id, [[file('a/1')]], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
        await store.createImportSession({ connectorId: connector.id, manifestKey: 'm', inventoryTimestamp: 't' })
        await store.deleteConnector(connector.id)
        await expectCode(store.getConnector(connector.id), 'NOT_FOUND')
        await expectCode(store.getCollection(collection!.id), 'NOT_FOUND')
        expect((await store.listConnectors()).map((c) => c.id)).toEqual([other.id])
        await expectCode(store.deleteConnector(connector.id), 'NOT_FOUND')
      })
    })
  })
}
