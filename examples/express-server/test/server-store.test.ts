import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { createPostgresSqlRunner, createPostgresStore } from '@shuttersense/inventory-storage/postgres'
import { createSqliteSqlRunner, createSqliteStore, SQLITE_MIGRATIONS } from '@shuttersense/inventory-storage/sqlite'
import { createSecretCipher } from '../src/crypto.js'
import { createServerStore, SERVER_MIGRATIONS, type ServerStoreDb } from '../src/server-store/index.js'
import { DATABASE_URL, dropSchema, newSchema, postgresUnavailable } from './postgres.js'
import { describeServerStoreConformance } from './server-store-conformance.js'

// The server's tables live beside the inventory store's (one database, migrated after it), as `openStores` opens them.
describeServerStoreConformance('sqlite', {
  async createDb() {
    const inventory = createSqliteStore({ filename: ':memory:' })
    await inventory.migrate()
    return createSqliteSqlRunner(inventory.db)
  },
})

const unavailable = await postgresUnavailable()
describe.skipIf(unavailable !== null)('postgres', () => {
  const schemas: string[] = []
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema)
  })
  describeServerStoreConformance('postgres', {
    async createDb(): Promise<ServerStoreDb> {
      const schema = newSchema()
      schemas.push(schema)
      const inventory = createPostgresStore({ connectionString: DATABASE_URL, schema })
      await inventory.migrate()
      await inventory.close()
      return createPostgresSqlRunner({ connectionString: DATABASE_URL, schema, poolSize: 2 })
    },
  })
})

describe('server migration 3: connector settings move into the store', () => {
  it('keeps a configured connector configured (format, delta list size) and unconfigures a placeholder', async () => {
    const db = new Database(':memory:')
    // A database as the previous release left it: store migrations 1-3, server migrations 1-2.
    db.exec('CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)')
    db.exec('CREATE TABLE server_schema_migrations (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)')
    const apply = (migrations: readonly { id: number; sql: string }[], upTo: number, table: string) => {
      for (const migration of migrations.filter((m) => m.id <= upTo)) {
        db.exec(migration.sql)
        db.prepare(`INSERT INTO ${table} VALUES (?, ?)`).run(migration.id, 'then')
      }
    }
    apply(SQLITE_MIGRATIONS, 3, 'schema_migrations')
    apply(SERVER_MIGRATIONS, 2, 'server_schema_migrations')
    const insert = db.prepare(`INSERT INTO connectors (id, name, destination_bucket, destination_prefix, source_bucket, config_name, schedule, created_at, updated_at) VALUES (?, ?, ?, NULL, ?, ?, ?, 't', 't')`)
    insert.run('con_configured', 'Photos', 'dest', 'photos', 'daily', 'daily')
    insert.run('con_bare', 'Bare', 'unconfigured', 'unconfigured', 'unconfigured', 'manual')
    db.prepare(`INSERT INTO server_connector_settings VALUES ('con_configured', 'Parquet', 0, '2026-01-01T00:00:00.000Z')`).run()
    db.prepare(`INSERT INTO server_connector_settings VALUES ('con_bare', 'CSV', 1000, NULL)`).run()
    const filename = path.join(tmpdir(), `server-v2-${randomBytes(4).toString('hex')}.db`)
    await db.backup(filename)
    db.close()
    const store = createSqliteStore({ filename })
    await store.migrate()
    const serverStore = createServerStore(createSqliteSqlRunner(store.db), createSecretCipher(randomBytes(32)))
    await serverStore.migrate()
    try {
      expect(await store.getConnector('con_configured')).toMatchObject({
        location: { destinationBucket: 'dest', sourceBucket: 'photos', configName: 'daily' },
        schedule: 'daily',
        format: 'Parquet',
        deltaListLimit: 0,
      })
      expect(await store.getConnector('con_bare')).toMatchObject({ location: null, format: 'CSV', deltaListLimit: 1000 })
    } finally {
      await store.close()
      rmSync(filename, { force: true })
    }
  })
})
