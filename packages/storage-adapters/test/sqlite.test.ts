import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { describeStoreConformance } from '@shuttersense/inventory-core/testing'
import { createSqliteStore } from '../src/sqlite.js'

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
  // Another connection to the same file, as a second agent process would have.
  async openPeer(store) {
    return createSqliteStore({ filename: (store as ReturnType<typeof createSqliteStore>).db.name })
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
