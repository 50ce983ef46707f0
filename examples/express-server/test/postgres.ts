import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The Postgres the tests use (the `test` database on 127.0.0.1 unless DATABASE_URL says otherwise). */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Null when Postgres answers; otherwise why not. In CI a missing server fails instead of skipping. */
export async function postgresUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.query('SELECT 1')
    return null
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`[postgres] cannot connect (CI=true, so the Postgres tests must run): ${(error as Error).message}`)
    console.log(`[postgres] skipped: ${(error as Error).message}`)
    return (error as Error).message
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** A fresh schema name per test, dropped by {@link dropSchema}. */
export const newSchema = (): string => `srv_${randomBytes(6).toString('hex')}`

export async function dropSchema(schema: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 })
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`)
  } finally {
    await pool.end()
  }
}
