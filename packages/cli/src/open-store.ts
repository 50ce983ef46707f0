import type { InventoryStore } from '@shuttersense/inventory-core'
import type { Connector } from '@shuttersense/inventory-core/types'
import { UsageError } from './cli-io.js'

/** Whether `--db` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db)
}

/**
 * Opens (and migrates) the store `--db` names: a SQLite file, or a PostgreSQL database given as
 * `postgres://…` (or `postgresql://…`, `?schema=NAME` for a schema other than public). Without `--db`, `DATABASE_URL` is used when set. Each store's
 * driver is loaded only when asked for.
 */
export async function openStore(db: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<InventoryStore> {
  const target = db ?? env.DATABASE_URL
  if (!target) throw new UsageError('--db FILE or --db postgres://… is required (or set DATABASE_URL)')
  if (isPostgresUrl(target)) {
    const { createPostgresStore } = await import('@shuttersense/inventory-storage/postgres')
    // `?schema=NAME` picks the schema the tables live in (default public); pg does not know the parameter.
    const url = new URL(target)
    const schema = url.searchParams.get('schema') ?? undefined
    url.searchParams.delete('schema')
    const store = createPostgresStore({ connectionString: url.toString(), schema })
    try {
      await store.migrate()
    } catch (error) {
      await store.close()
      throw error
    }
    return store
  }
  const { createSqliteStore } = await import('@shuttersense/inventory-storage/sqlite')
  const store = createSqliteStore({ filename: target })
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
