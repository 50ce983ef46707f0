import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { InventoryStore } from '@shuttersense/inventory-core'
import { createPostgresSqlRunner, createPostgresStore } from '@shuttersense/inventory-storage/postgres'
import { createSqliteSqlRunner, createSqliteStore } from '@shuttersense/inventory-storage/sqlite'
import type { DatabaseConfig } from './config.js'
import { createSecretCipher } from './crypto.js'
import { createServerStore, type ServerStore } from './server-store/index.js'

export interface Stores {
  store: InventoryStore
  serverStore: ServerStore
  close(): Promise<void>
}

/**
 * Opens and migrates the inventory store and the server store on one database: the same SQLite file
 * (and connection), or the same Postgres schema.
 */
export async function openStores(database: DatabaseConfig, encryption: { key: Buffer; previousKeys: readonly Buffer[] }): Promise<Stores> {
  const cipher = createSecretCipher(encryption.key, encryption.previousKeys)
  let store: InventoryStore
  let serverStore: ServerStore
  if (database.kind === 'sqlite') {
    if (database.filename !== ':memory:') mkdirSync(path.dirname(database.filename), { recursive: true })
    const sqlite = createSqliteStore({ filename: database.filename })
    store = sqlite
    serverStore = createServerStore(createSqliteSqlRunner(sqlite.db), cipher)
  } else {
    const postgres = createPostgresStore({ connectionString: database.url, schema: database.schema })
    store = postgres
    // The server's tables share the store's pool and schema.
    serverStore = createServerStore(createPostgresSqlRunner({ pool: postgres.pool, schema: postgres.schema }), cipher)
  }
  try {
    await store.migrate()
    await serverStore.migrate()
  } catch (error) {
    await serverStore.close().catch(() => undefined)
    await store.close().catch(() => undefined)
    throw error
  }
  return {
    store,
    serverStore,
    async close() {
      await serverStore.close()
      await store.close()
    },
  }
}
