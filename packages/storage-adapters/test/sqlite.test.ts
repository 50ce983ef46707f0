import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ImportStore, InventoryStore } from '@shuttersense/inventory-core'
import { describeImportStoreConformance, describeStoreConformance, inventoryStoreFixtures, type ImportStoreFixtures } from '@shuttersense/inventory-core/testing'
import { createSqliteStore } from '../src/sqlite.js'
import { openThreadPeer } from './thread-peer/thread-peer.js'

const directory = mkdtempSync(path.join(tmpdir(), 'sqlite-store-'))
let counter = 0
afterAll(() => rmSync(directory, { recursive: true, force: true }))

// A real database file per test (WAL mode and all), not :memory:.
describeStoreConformance('sqlite', {
  async createStore() {
    const store = createSqliteStore({ filename: path.join(directory, `store-${++counter}.db`) })
    await store.migrate()
    return store
  },
  // Another connection to the same file, on a thread of its own, as a second agent process would have:
  // its calls race this thread's for real.
  async openPeer(store) {
    return openThreadPeer((store as ReturnType<typeof createSqliteStore>).db.name)
  },
})

// What an embedder with its own catalog and job queue runs: the import part's suite on a store that has
// the import part and nothing else (every other method is out of reach), its fixtures going to the
// catalog and queue behind it.
// The import part's methods less the optional batch calls: the suite also runs on a store without them.
const IMPORT_PART: readonly Exclude<keyof ImportStore, 'writeFileInfoBatch' | 'readFileInfoBatch'>[] = [
  'getConnector',
  'listCollections',
  'replaceFolders',
  'replaceFileInfo',
  'applyFileInfoChanges',
  'readFileInfo',
  'createImportSession',
  'updateImportSession',
  'listImportSessions',
  'heartbeatJob',
  'acknowledgeCancel',
  'completeJob',
  'failJob',
]
const behind = new WeakMap<ImportStore, InventoryStore>()
function importPartOf(store: InventoryStore): ImportStore {
  const part = Object.fromEntries(IMPORT_PART.map((method) => [method, store[method].bind(store)])) as unknown as ImportStore
  behind.set(part, store)
  return part
}
const full = (part: ImportStore): InventoryStore => behind.get(part)!
const fixturesBehind: ImportStoreFixtures<ImportStore> = {
  createConnector: (part, input) => inventoryStoreFixtures.createConnector(full(part), input),
  createCollections: (part, connectorId, collections) => inventoryStoreFixtures.createCollections(full(part), connectorId, collections),
  startJob: (part, connectorId, options) => inventoryStoreFixtures.startJob(full(part), connectorId, options),
  requestCancel: (part, jobId, now) => inventoryStoreFixtures.requestCancel(full(part), jobId, now),
  readFolders: (part, connectorId) => inventoryStoreFixtures.readFolders(full(part), connectorId),
  latestDelta: (part, collectionId) => inventoryStoreFixtures.latestDelta(full(part), collectionId),
}

describeImportStoreConformance('sqlite (import part alone)', {
  async createStore() {
    const store = createSqliteStore({ filename: path.join(directory, `part-${++counter}.db`) })
    await store.migrate()
    return importPartOf(store)
  },
  destroyStore: (part) => full(part).close(),
  fixtures: fixturesBehind,
})

// SQLite's own schema, not store behaviour: FileInfo rows go with their collection (a trigger, not a foreign key).
describe('sqlite schema', () => {
  it('deletes a collection\'s FileInfo rows with the collection, and no other', async () => {
    const store = createSqliteStore({ filename: path.join(directory, `schema-${++counter}.db`) })
    await store.migrate()
    try {
      const connector = await store.createConnector({
        name: 'Photos',
        location: { destinationBucket: 'dest', sourceBucket: 'photos', configName: 'daily' },
      })
      const [gone, kept] = await store.createCollections(connector.id, [
        { name: 'A', folderPath: 'a/' },
        { name: 'B', folderPath: 'b/' },
      ])
      const file = (key: string) => ({ key, size: 1, lastModified: '2024-05-06T22:44:22.000Z', etag: 'e', storageClass: 'STANDARD' })
      await store.replaceFileInfo(gone!.id, [[file('a/1'), file('a/2')]], { source: 'inventory', updatedAt: 'x' })
      await store.replaceFileInfo(kept!.id, [[file('b/1')]], { source: 'inventory', updatedAt: 'x' })
      store.db.prepare('DELETE FROM collections WHERE id = ?').run(gone!.id)
      expect(store.db.prepare('SELECT key FROM file_info').all()).toEqual([{ key: 'b/1' }])
    } finally {
      await store.close()
    }
  })
})

describe('sqlite: FileInfo from an async source', () => {
  it('streams through a temporary staging table without locking the database, and leaves no staged row, also when the source fails', async () => {
    const { default: Database } = await import('better-sqlite3')
    const store = createSqliteStore({ filename: path.join(directory, `staging-${++counter}.db`) })
    await store.migrate()
    const other = new Database(store.db.name)
    other.pragma('busy_timeout = 0')
    try {
      const connector = await store.createConnector({ name: 'P', location: { destinationBucket: 'd', sourceBucket: 's', configName: 'c' } })
      const [collection, neighbour] = await store.createCollections(connector.id, [
        { name: 'A', folderPath: 'a/' },
        { name: 'B', folderPath: 'b/' },
      ])
      const file = (i: number) => ({ key: `a/${String(i).padStart(6, '0')}`, size: i, lastModified: '2024-05-06T22:44:22.000Z', etag: `e${i}`, storageClass: 'STANDARD' })
      const staged = (): number => (store.db.prepare('SELECT count(*) AS n FROM temp.file_info_staging').get() as { n: number }).n
      let stagedWhileListing = 0
      async function* listing(pages: number, failAt?: number) {
        for (let page = 0; page < pages; page++) {
          if (page === failAt) throw new Error('listing failed')
          yield Array.from({ length: 6000 }, (_, i) => file(page * 6000 + i))
          stagedWhileListing = Math.max(stagedWhileListing, staged())
          // Another process can write while the listing runs: staging holds no lock on the database.
          other.prepare('UPDATE collections SET name = ? WHERE id = ?').run(`B ${page}`, neighbour!.id)
        }
      }
      const options = { source: 'api' as const, updatedAt: '2026-01-01T00:00:00.000Z' }
      expect(await store.replaceFileInfo(collection!.id, listing(4), options)).toEqual({ fileCount: 24_000 })
      // Rows went to the staging table while the source was still listing, not into memory first.
      expect(stagedWhileListing).toBeGreaterThan(0)
      expect(staged()).toBe(0)
      await expect(store.replaceFileInfo(collection!.id, listing(4, 3), options)).rejects.toThrow(/listing failed/)
      expect(staged()).toBe(0)
      expect(await store.getCollection(collection!.id)).toMatchObject({ fileInfoSource: 'api', fileCount: 24_000 })
      expect((await store.listFileInfo(collection!.id, { limit: 1 })).files[0]!.key).toBe('a/000000')
    } finally {
      other.close()
      await store.close()
    }
  })
})

describe('sqlite migration 4 (nullable location, format, delta list size)', () => {
  it('rebuilds the connectors table of a version-3 database without losing a row that refers to it', async () => {
    const { default: Database } = await import('better-sqlite3')
    const { SQLITE_MIGRATIONS } = await import('../src/sqlite.js')
    const filename = path.join(directory, `v3-${++counter}.db`)
    const old = new Database(filename)
    old.pragma('foreign_keys = ON')
    old.exec('CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)')
    for (const migration of SQLITE_MIGRATIONS.filter((m) => m.id <= 3)) {
      old.exec(migration.sql)
      old.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(migration.id, 'then')
    }
    old
      .prepare(`INSERT INTO connectors (id, name, destination_bucket, destination_prefix, source_bucket, config_name, schedule, created_at, updated_at)
                VALUES ('con_1', 'Photos', 'dest', 'inv', 'photos', 'daily', 'weekly', 't', 't')`)
      .run()
    old
      .prepare(`INSERT INTO folders (connector_id, path, depth, object_count, total_size_bytes, direct_object_count, direct_size_bytes, last_modified)
                VALUES ('con_1', '2020/', 1, 3, 30, 3, 30, NULL)`)
      .run()
    old.close()

    const store = createSqliteStore({ filename })
    await store.migrate()
    try {
      expect(await store.getConnector('con_1')).toMatchObject({
        location: { destinationBucket: 'dest', destinationPrefix: 'inv', sourceBucket: 'photos', configName: 'daily' },
        schedule: 'weekly',
        format: 'CSV',
        deltaListLimit: 1000,
      })
      expect((await store.listFolders('con_1')).folders.map((f) => f.path)).toEqual(['2020/'])
      // Foreign keys are on again: deleting the connector still takes its folders with it.
      await store.deleteConnector('con_1')
      expect(store.db.prepare('SELECT COUNT(*) AS n FROM folders').get()).toEqual({ n: 0 })
    } finally {
      await store.close()
    }
  })
})
