import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { describeStoreConformance } from '@shuttersense/inventory-core/testing'
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
