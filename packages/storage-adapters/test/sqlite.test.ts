import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll } from 'vitest'
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
