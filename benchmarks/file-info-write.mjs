// FileInfo write benchmark: `rows` FileInfo rows across `collections` collections, written through
// `replaceFileInfo` (one call per collection, as phase B of an import does), for SQLite and/or Postgres.
// Uses the BUILT packages: run `npm run build` first.
//
//   node benchmarks/file-info-write.mjs [--rows 1000000] [--collections 1000] [--store sqlite|postgres|both] [--batch]
//
// Prints one JSON line per store: { store, rows, collections, seconds, rowsPerSecond }. `seconds` is the
// time spent in replaceFileInfo only (generating the rows and creating the collections is not timed).
// Postgres: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a schema of its own, dropped
// at the end. SQLite: a database file in a temporary directory, deleted at the end.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { performance } from 'node:perf_hooks'
import process from 'node:process'
import { parseArgs } from 'node:util'
import { createPostgresStore } from '@shuttersense/inventory-storage/postgres'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    collections: { type: 'string', default: '1000' },
    store: { type: 'string', default: 'both' },
    batch: { type: 'boolean', default: false },
  },
})
const totalRows = Number(values.rows)
const collectionCount = Number(values.collections)
if (!Number.isInteger(totalRows) || totalRows < 1 || !Number.isInteger(collectionCount) || collectionCount < 1) {
  throw new Error('--rows and --collections must be positive whole numbers')
}
if (!['sqlite', 'postgres', 'both'].includes(values.store)) throw new Error('--store must be sqlite, postgres or both')

const location = { destinationBucket: 'bench-destination', sourceBucket: 'photos', configName: 'daily' }
const surnames = ['Smith', 'García', 'Müller', 'Nguyen', "O'Brien", 'Kowalski', 'Rossi', 'Tanaka', 'Dubois', 'Silva']
const events = ['Wedding', 'Portraits', 'Engagement', 'Corporate', 'Birthday']
const folders = ['Raw', 'Edited', 'Export/Web']
const extensions = { Raw: 'CR3', Edited: 'TIF', 'Export/Web': 'jpg' }

// A small deterministic PRNG (mulberry32), so every run writes the same rows.
let seed = 0x5eed
function random() {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const hex32 = () =>
  Array.from({ length: 4 }, () => Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, '0')).join('')

function collectionFolder(index) {
  const year = 2015 + (index % 10)
  return `${year}/${events[index % events.length]} ${surnames[Math.floor(index / 10) % surnames.length]} ${index}/`
}

/** Rows of collection `index`: `count` photos under its folder, sizes and dates of a real shoot, in key order. */
function collectionRows(index, count) {
  const folder = collectionFolder(index)
  const shot = Date.UTC(2015 + (index % 10), index % 12, 1 + (index % 28), 14)
  const rows = new Array(count)
  for (let i = 0; i < count; i++) {
    const sub = folders[i % folders.length]
    const number = String(Math.floor(i / folders.length) + 1).padStart(4, '0')
    rows[i] = {
      key: `${folder}${sub}/IMG_${number}.${extensions[sub]}`,
      size: sub === 'Raw' ? 25_000_000 + Math.floor(random() * 20_000_000) : 2_000_000 + Math.floor(random() * 8_000_000),
      lastModified: new Date(shot + i * 7_000 + Math.floor(random() * 1000) * 1000).toISOString(),
      etag: hex32(),
      storageClass: i % 10 === 0 ? 'GLACIER_IR' : 'STANDARD',
    }
  }
  // Phase B hands each collection's files over in key order; so does the benchmark. (Plain string
  // order equals UTF-8 byte order for these keys: no characters outside the BMP.)
  return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/** Writes every collection's rows through `store`; answers the seconds spent inside replaceFileInfo. */
async function writeAll(store) {
  await store.migrate()
  const connector = await store.createConnector({ name: 'bench', location })
  const collections = await store.createCollections(
    connector.id,
    Array.from({ length: collectionCount }, (_, i) => ({ name: `Collection ${i}`, folderPath: collectionFolder(i) })),
  )
  seed = 0x5eed
  let seconds = 0
  let written = 0
  // --batch: through writeFileInfoBatch, as phase B batches small collections (200 collections or 10,000 rows).
  let queued = []
  let queuedRows = 0
  const send = async () => {
    const started = performance.now()
    await store.writeFileInfoBatch(queued)
    seconds += (performance.now() - started) / 1000
    written += queuedRows
    queued = []
    queuedRows = 0
  }
  for (let i = 0; i < collectionCount; i++) {
    const count = Math.floor(totalRows / collectionCount) + (i < totalRows % collectionCount ? 1 : 0)
    const rows = collectionRows(i, count)
    if (values.batch) {
      queued.push({ collectionId: collections[i].id, replace: rows, options: { source: 'inventory', updatedAt: '2024-05-07T02:00:00.000Z' } })
      queuedRows += rows.length
      if (queued.length >= 200 || queuedRows >= 10_000) await send()
      continue
    }
    const started = performance.now()
    const { fileCount } = await store.replaceFileInfo(collections[i].id, [rows], {
      source: 'inventory',
      updatedAt: '2024-05-07T02:00:00.000Z',
    })
    seconds += (performance.now() - started) / 1000
    written += fileCount
  }
  if (queued.length > 0) await send()
  if (written !== totalRows) throw new Error(`wrote ${written} rows, expected ${totalRows}`)
  return seconds
}

function report(store, seconds) {
  const line = {
    store,
    rows: totalRows,
    collections: collectionCount,
    seconds: Number(seconds.toFixed(3)),
    rowsPerSecond: Math.round(totalRows / seconds),
  }
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

if (values.store === 'sqlite' || values.store === 'both') {
  const directory = mkdtempSync(path.join(tmpdir(), 'file-info-bench-'))
  const store = createSqliteStore({ filename: path.join(directory, 'bench.db') })
  try {
    report('sqlite', await writeAll(store))
  } finally {
    await store.close()
    rmSync(directory, { recursive: true, force: true })
  }
}

if (values.store === 'postgres' || values.store === 'both') {
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`
  const store = createPostgresStore({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    schema,
    poolSize: 2,
  })
  try {
    report('postgres', await writeAll(store))
  } finally {
    await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
    await store.close()
  }
}
