import { describe, expect, it, vi } from 'vitest'
import { runHttpDemo } from '../src/demo/http-demo.js'
import pg from 'pg'
import { DATABASE_URL, postgresUnavailable } from './postgres.js'

// Real processes (s3rver, the built server and an agent) driven through the HTTP API only.
vi.setConfig({ testTimeout: 180_000 })

/** Schemas of the Postgres test database whose name says they are the demo's. */
async function demoSchemas(): Promise<string[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  try {
    const { rows } = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'shuttersense_demo_%'")
    return rows.map((row) => row.nspname)
  } finally {
    await client.end()
  }
}

describe.each(['sqlite', 'postgres'] as const)('npm run demo (the HTTP workflow) on %s', (backend) => {
  it('imports, maps folders two levels deep, imports the next day and reports a delta per collection', async (context) => {
    if (backend === 'postgres' && (await postgresUnavailable()) !== null) return context.skip()
    const schemasBefore = backend === 'postgres' ? await demoSchemas() : []
    let printed = ''
    const installation = await runHttpDemo({
      objects: 4000,
      changePercent: 5,
      serverEnv: backend === 'postgres' ? { DATABASE_URL } : { DATABASE_URL: '' },
      out: { write: (text: string) => (printed += text) },
    })
    try {
      expect(printed).toContain('found report')
      expect(printed).not.toMatch(/NodeVersionSupportWarning|tsup|Build success/)
      expect(installation.deltas.length).toBeGreaterThan(1)
      // Every collection's delta covers what it holds now: new + modified + unchanged = its day-2 files.
      const changed = installation.deltas.filter((d) => d.counts.new + d.counts.modified + d.counts.deleted > 0)
      expect(changed.length).toBeGreaterThan(0)
      const response = await fetch(`${installation.url}/api/collections?connector=${installation.connectorGuid}`, {
        headers: { authorization: `Bearer ${installation.userToken}` },
      })
      const { collections } = (await response.json()) as { collections: { folderPath: string; fileCount: number }[] }
      for (const delta of installation.deltas) {
        const collection = collections.find((c) => c.folderPath === delta.folderPath)!
        expect(delta.counts.new + delta.counts.modified + delta.counts.unchanged).toBe(collection.fileCount)
      }
      // The source bucket holds the objects the report describes: a live refresh finds every cached file
      // unchanged (what `npm start`'s "Refresh from S3" relies on).
      const refreshed = collections.find((c) => c.folderPath === installation.deltas.find((d) => d.name === installation.refreshed.name)!.folderPath)!
      expect(refreshed.fileCount).toBeGreaterThan(0)
      expect(installation.refreshed.counts).toEqual({ new: 0, modified: 0, deleted: 0, unchanged: refreshed.fileCount })
      const view = await fetch(`${installation.url}/api/collections/${installation.refreshed.guid}`, { headers: { authorization: `Bearer ${installation.userToken}` } })
      expect(((await view.json()) as { fileInfoSource: string }).fileInfoSource).toBe('api')
    } finally {
      await installation.stop()
    }
    // On Postgres the demo used a schema of its own and dropped it when it stopped.
    if (backend === 'postgres') {
      expect(printed).toMatch(/schema shuttersense_demo_[0-9a-f]{8}/)
      expect(await demoSchemas()).toEqual(schemasBefore)
    }
  })
})
