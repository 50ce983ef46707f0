// One measured step of the import benchmark, in its own process so its peak RSS is its own.
// Prints one JSON line: { step, seconds, maxRssMb, ...figures }.
import { parseArgs } from 'node:util'
import {
  createFileScratch,
  createLocalDirectorySource,
  createWorkerParser,
  defaultWorkerCount,
  limitHeapGrowth,
  runInventoryImport,
} from '@shuttersense/inventory-core/node'
import { createPostgresStore } from '@shuttersense/inventory-storage/postgres'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'

// As the CLI and agents do.
// Knobs for experiments: HEAP_GROWTH=0 keeps V8's default; SCRATCH_FLUSH sets the spill buffer (characters).
if (process.env.HEAP_GROWTH !== '0') limitHeapGrowth(process.env.HEAP_GROWTH ? Number(process.env.HEAP_GROWTH) : undefined)

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    db: { type: 'string' },
    step: { type: 'string' },
    collections: { type: 'string', default: '1000' },
  },
})
const location = { destinationBucket: 'bench-destination', sourceBucket: 'photos', configName: 'daily' }
// `--db postgres://…#schema`: PostgreSQL, the store's tables in that schema (`--step drop` drops it);
// anything else is a SQLite file.
const postgres = /^postgres(ql)?:\/\//.test(values.db)
const [connectionString, schema] = values.db.split('#')
const store = postgres ? createPostgresStore({ connectionString, schema }) : createSqliteStore({ filename: values.db })
if (values.step === 'drop') {
  if (postgres) await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await store.close()
  console.log(JSON.stringify({ step: 'drop' }))
  process.exit(0)
}
await store.migrate()
const connector = (await store.listConnectors())[0] ?? (await store.createConnector({ name: 'bench', location }))
const source = createLocalDirectorySource(values.root)

if (values.step === 'map-collections') {
  // `collections` collections: folders of the shallowest depth with at least that many (all of them
  // when it has about that many: they hold every object; an even spread of them otherwise).
  const wanted = Number(values.collections)
  let chosen = []
  for (let depth = 1; depth <= 4 && chosen.length < wanted; depth++) {
    const folders = []
    let cursor
    do {
      const page = await store.listFolders(connector.id, { depth, cursor, limit: 10_000 })
      folders.push(...page.folders)
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    chosen = folders
  }
  // `collections` of them, evenly spread over the bucket, when the depth has far more.
  if (chosen.length > wanted * 1.5) chosen = Array.from({ length: wanted }, (_, i) => chosen[Math.floor((i * chosen.length) / wanted)])
  await store.createCollections(connector.id, chosen.map((f, i) => ({ name: `c${i}`, folderPath: f.path })))
  console.log(JSON.stringify({ step: 'map-collections', collections: chosen.length }))
} else {
  // WORKERS=N parses data files on N worker threads beside the main thread, as `import --workers N`
  // does; by default as many as the CLI starts.
  const workers = process.env.WORKERS === undefined ? defaultWorkerCount() : Number(process.env.WORKERS)
  const parser = workers > 0 ? createWorkerParser({ workers }) : undefined
  const started = performance.now()
  let phaseAEnded = started
  const result = await runInventoryImport({
    source,
    store,
    connectorId: connector.id,
    parser,
    scratch: createFileScratch({ flushBytes: process.env.SCRATCH_FLUSH ? Number(process.env.SCRATCH_FLUSH) : undefined }),
    onProgress: (progress) => {
      if (progress.event === 'folders-stored') phaseAEnded = performance.now()
    },
  })
  const seconds = (performance.now() - started) / 1000
  await parser?.close()
  const deltas = { new: 0, modified: 0, deleted: 0, unchanged: 0 }
  for (const collection of await store.listCollections(connector.id)) {
    const delta = await store.getLatestDelta(collection.id)
    if (delta?.importId !== result.session.id) continue
    for (const key of Object.keys(deltas)) deltas[key] += delta.counts[key]
  }
  console.log(
    JSON.stringify({
      step: values.step,
      workers,
      seconds: Number(seconds.toFixed(2)),
      phaseASeconds: Number(((phaseAEnded - started) / 1000).toFixed(2)),
      cpuSeconds: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(2)),
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      objects: result.summary.objectCount,
      folders: result.summary.folderCount,
      collections: result.summary.collections,
      deltas,
    }),
  )
}
await store.close()
