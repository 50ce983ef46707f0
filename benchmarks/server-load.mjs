// Server under load while an import runs: a bounded autocannon run on loopback against the three reads
// the UI polls (inventory status, one folder level, a collection's files), at the same time, while an agent
// imports the next day's report into the same database. Prints one JSON document.
//
//   npm run build && node benchmarks/server-load.mjs [--objects 1000000] [--duration 10] [--connections 8] [--postgres URL]
//
// autocannon runs through `npx autocannon@8` (fetched on first use; it is not a dependency of the repo).
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import * as path from 'node:path'
import { parseArgs } from 'node:util'
import { BUCKET, generateReports, run, startInstallation, waitForJob } from './lib/installation.mjs'

const { values: args } = parseArgs({
  options: {
    objects: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    postgres: { type: 'string' },
  },
})
const log = (message) => process.stderr.write(`[server-load] ${message}\n`)

/** One autocannon run: requests/s, latency percentiles, errors and non-2xx answers. */
async function load(url, token) {
  const { stdout: out } = await run('npx', [
    '--yes', 'autocannon@8', '--json', '--duration', args.duration, '--connections', args.connections,
    '--headers', `authorization=Bearer ${token}`, url,
  ])
  const report = JSON.parse(out)
  return {
    requests: report.requests.total,
    requestsPerSecond: Math.round(report.requests.average),
    latencyMs: { p50: report.latency.p50, p99: report.latency.p99, max: report.latency.max },
    errors: report.errors + report.timeouts,
    non2xx: report.non2xx,
  }
}

const dir = await mkdtemp(path.join(tmpdir(), 'server-load-bench-'))
let installation
try {
  log(`generating ${args.objects} objects and the next day's report`)
  const { day1, day2 } = await generateReports(dir, { objects: args.objects, changePct: 1 })
  installation = await startInstallation({ dir, day1, postgres: args.postgres })
  const { s3, server, store, connector, token } = installation
  log('first import and the baseline of every folder two levels deep')
  await installation.importNow()
  const { folders } = await store.listFolders(connector.id, { depth: 2, limit: 100_000 })
  const collections = await store.createCollections(connector.id, folders.map((folder, i) => ({ name: `C${i}`, folderPath: folder.path })))
  await installation.importNow()
  const biggest = (await store.listCollections(connector.id)).sort((a, b) => b.fileCount - a.fileCount)[0]
  const parent = folders[0].path.split('/')[0] + '/'

  await s3.uploadDirectory(BUCKET, day2)
  log(`next day's import running; ${args.duration} s of load on 3 endpoints, ${args.connections} connections each`)
  const { job } = await store.requestImportNow(connector.id, { actor: 'benchmark' })
  while ((await store.getJob(job.id)).status === 'queued') await new Promise((resolve) => setTimeout(resolve, 20))
  const base = `${server.url}/api`
  const [status, folderLevel, files] = await Promise.all([
    load(`${base}/connectors/${connector.id}/inventory/status`, token),
    load(`${base}/connectors/${connector.id}/inventory/folders?parent=${encodeURIComponent(parent)}`, token),
    load(`${base}/collections/${biggest.id}/files?limit=1000`, token),
  ])
  const importStillRunning = (await store.getJob(job.id)).status === 'running'
  const done = await waitForJob(store, job.id, 100)
  const result = {
    objects: Number(args.objects),
    collections: collections.length,
    database: args.postgres ? 'postgres' : 'sqlite',
    durationSeconds: Number(args.duration),
    connectionsPerEndpoint: Number(args.connections),
    importRanThroughout: importStillRunning,
    importSeconds: Number(((Date.parse(done.finishedAt) - Date.parse(done.startedAt)) / 1000).toFixed(1)),
    endpoints: { status, folders: folderLevel, files },
    machine: { cpus: cpus().length, load: loadavg().map((l) => Number(l.toFixed(2))) },
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
} finally {
  await installation?.close()
  await rm(dir, { recursive: true, force: true })
}
