import Database from 'better-sqlite3'
import pg from 'pg'

/**
 * The little SQL the server store needs, over SQLite or Postgres: statements use `?` placeholders
 * (turned into `$1…` for Postgres) and portable types (TEXT, INTEGER), so one store implementation
 * serves both. Kept apart so these tables can move onto a shared SQL layer without touching the store.
 */
export interface SqlDb {
  readonly dialect: 'sqlite' | 'postgres'
  all<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>
  /** Applies the migrations not yet recorded in `table`, in order, each in its own transaction; safe to run concurrently. */
  migrate(migrations: readonly { id: number; sql: string }[], table: string): Promise<void>
  close(): Promise<void>
}

/** SQLite through better-sqlite3: an open database (the inventory store's, say) or a file of its own. */
export function sqliteDb(source: { db: Database.Database } | { filename: string }): SqlDb {
  const own = !('db' in source)
  const db = 'db' in source ? source.db : new Database(source.filename)
  if (own) {
    db.pragma('journal_mode = WAL')
    db.pragma('busy_timeout = 5000')
  }
  const statements = new Map<string, Database.Statement>()
  const stmt = (sql: string): Database.Statement => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }
  return {
    dialect: 'sqlite',
    async all<Row>(sql: string, params: readonly unknown[] = []) {
      return stmt(sql).all(...params) as Row[]
    },
    async run(sql, params = []) {
      return stmt(sql).run(...params).changes
    },
    async migrate(migrations, table) {
      db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`)
      for (const migration of migrations) {
        // IMMEDIATE takes the write lock first, so two processes cannot both apply one migration.
        db.exec('BEGIN IMMEDIATE')
        try {
          const done = db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(migration.id)
          if (!done) {
            db.exec(migration.sql)
            db.prepare(`INSERT INTO ${table} (id, applied_at) VALUES (?, ?)`).run(migration.id, new Date().toISOString())
          }
          db.exec('COMMIT')
        } catch (error) {
          db.exec('ROLLBACK')
          throw error
        }
      }
    },
    async close() {
      if (own) db.close()
    },
  }
}

/** Placeholders `?` become `$1`, `$2`, … (the server store's SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

export interface PostgresDbOptions {
  connectionString: string
  /** Schema of the tables (created by `migrate`). @default 'public' */
  schema?: string | undefined
  poolSize?: number | undefined
}

/** Postgres through a pool of its own whose connections use `schema`. */
export function postgresDb(options: PostgresDbOptions): SqlDb {
  const schema = options.schema ?? 'public'
  const quoted = pg.escapeIdentifier(schema)
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 4,
    // Every connection starts with the schema on its search path (no per-query SET).
    options: `-c search_path=${quoted}`,
    connectionTimeoutMillis: 10_000,
  })
  pool.on('error', () => undefined)
  return {
    dialect: 'postgres',
    async all<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await pool.query(numbered(sql), params as unknown[])
      return result.rows as Row[]
    },
    async run(sql, params = []) {
      const result = await pool.query(numbered(sql), params as unknown[])
      return result.rowCount ?? 0
    },
    async migrate(migrations, table) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        // One migrating process at a time per schema; the lock ends with the transaction.
        await client.query('SELECT pg_advisory_xact_lock(1397969750, hashtext($1))', [`${schema}.${table}`])
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`)
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`)
        const applied = new Set((await client.query<{ id: number }>(`SELECT id FROM ${table}`)).rows.map((row) => row.id))
        for (const migration of migrations) {
          if (applied.has(migration.id)) continue
          await client.query(migration.sql)
          await client.query(`INSERT INTO ${table} (id, applied_at) VALUES ($1, $2)`, [migration.id, new Date().toISOString()])
        }
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    },
    async close() {
      await pool.end()
    },
  }
}
