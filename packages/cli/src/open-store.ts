import type { Connector, InventoryStore } from '@shuttersense/inventory-core'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'
import { UsageError } from './cli-io.js'

/** Opens (and migrates) the SQLite file named by `--db`. */
export async function openStore(db: string | undefined): Promise<InventoryStore> {
  if (!db) throw new UsageError('--db FILE is required')
  const store = createSqliteStore({ filename: db })
  await store.migrate()
  return store
}

/** The connector named by `--connector`, or the only one in the database. */
export async function resolveConnector(store: InventoryStore, id: string | undefined): Promise<Connector> {
  if (id) return store.getConnector(id)
  const connectors = await store.listConnectors()
  if (connectors.length === 1) return connectors[0]!
  if (connectors.length === 0) throw new UsageError('the database has no connector yet: run `import` first')
  throw new UsageError(`the database has ${connectors.length} connectors: pass --connector ID (${connectors.map((c) => c.id).join(', ')})`)
}
