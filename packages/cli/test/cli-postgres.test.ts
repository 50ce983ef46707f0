import { randomBytes } from 'node:crypto'
import * as path from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, runCliJson, tempDir, WHERE } from './helpers.js'

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return true
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`[cli postgres] cannot connect (CI=true, so this test must run): ${(error as Error).message}`)
    console.log('[cli postgres] skipped: cannot connect (set DATABASE_URL)')
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

const up = await reachable()

describe.skipIf(!up)('the CLI on PostgreSQL', () => {
  let dir: string
  let cleanup: () => void
  const schema = `cli_${randomBytes(6).toString('hex')}`
  const url = (): string => {
    const withSchema = new URL(DATABASE_URL)
    withSchema.searchParams.set('schema', schema)
    return withSchema.toString()
  }
  beforeEach(() => ({ dir, cleanup } = tempDir()))
  afterEach(async () => {
    cleanup()
    const pool = new pg.Pool({ connectionString: DATABASE_URL })
    await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`)
    await pool.end()
  })

  it('imports into --db postgres://… and, without --db, into DATABASE_URL', async () => {
    const inventory = path.join(dir, 'inventory')
    await runCliJson(['generate', '--out', inventory, ...WHERE, '--objects', '400'])
    const imported = await runCliJson<{ summary: { objectCount: number } }>(['import', '--from', inventory, ...WHERE, '--db', url()])
    expect(imported.summary.objectCount).toBe(400)
    const saved = process.env.DATABASE_URL
    process.env.DATABASE_URL = url()
    try {
      const listed = await runCli(['folders', '--json'])
      expect(listed.code).toBe(0)
      expect((JSON.parse(listed.stdout) as { folders: unknown[] }).folders.length).toBeGreaterThan(0)
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL
      else process.env.DATABASE_URL = saved
    }
  })
})
