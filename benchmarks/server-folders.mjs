/* global fetch */
// Folder tree benchmark of the reference server: `GET …/inventory/folders?parent=` answering one level of
// 10,000 folders (each with a child, so the subtree holds 20,000), through HTTP on loopback, on a SQLite
// file (or a fresh Postgres schema with --postgres URL). Prints one JSON document.
//
//   npm run build && node benchmarks/server-folders.mjs [--children 10000] [--runs 20] [--postgres URL]
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import * as path from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { createApp, createLogger, openStores } from '../examples/express-server/dist/index.js'

const { values } = parseArgs({ options: { children: { type: 'string', default: '10000' }, runs: { type: 'string', default: '20' }, postgres: { type: 'string' } } })
const children = Number(values.children)
const runs = Number(values.runs)
const dir = await mkdtemp(path.join(tmpdir(), 'ss-bench-folders-'))
const schema = `bench_${randomBytes(4).toString('hex')}`
const database = values.postgres ? { kind: 'postgres', url: values.postgres, schema } : { kind: 'sqlite', filename: path.join(dir, 'db.sqlite') }
const stores = await openStores(database, { key: randomBytes(32), previousKeys: [] })

try {
  const connector = await stores.store.createConnector({ name: 'bench', location: { destinationBucket: 'd', sourceBucket: 's', configName: 'c' } })
  const folder = (p, objects, direct) => ({ path: p, objectCount: objects, totalSizeBytes: objects * 1000, directObjectCount: direct, directSizeBytes: direct * 1000, lastModified: '2024-05-06T22:44:22.000Z' })
  function* folders() {
    yield folder('archive/', children * 30, 0)
    for (let i = 0; i < children; i++) {
      const name = `archive/${String(i).padStart(5, '0')} Event ${i % 97}/`
      yield folder(name, 30, 20)
      yield folder(`${name}raw/`, 10, 10)
    }
  }
  await stores.store.replaceFolders(connector.id, folders())
  const { token } = await stores.serverStore.createUserToken('bench')
  const config = { jsonBodyLimitBytes: 1 << 20, adminToken: null, agentRegistrationToken: null, logObjectKeys: false }
  const app = createApp({ store: stores.store, serverStore: stores.serverStore, config, logger: createLogger({ level: 'warn' }), webDir: null })
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const url = `http://127.0.0.1:${server.address().port}/api/connectors/${connector.id}/inventory/folders?parent=archive/&limit=${children}`
  const times = []
  let count = 0
  let bytes = 0
  for (let i = 0; i < runs + 2; i++) {
    const started = performance.now()
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    const text = await res.text()
    const ms = performance.now() - started
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`)
    if (i >= 2) times.push(ms) // two warm-up requests
    count = JSON.parse(text).folders.length
    bytes = text.length
  }
  server.close()
  times.sort((a, b) => a - b)
  const pick = (q) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] * 10) / 10
  console.log(JSON.stringify({ backend: database.kind, children, foldersInSubtree: 2 * children + 1, runs, answered: count, responseBytes: bytes, ms: { min: pick(0), p50: pick(0.5), p95: pick(0.95), max: pick(1) }, loadavg: loadavg() }, null, 2))
} finally {
  await stores.close()
  if (values.postgres) {
    const pool = new pg.Pool({ connectionString: values.postgres, max: 1 })
    await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`)
    await pool.end()
  }
  await rm(dir, { recursive: true, force: true })
}
