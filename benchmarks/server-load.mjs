// Server under load while an import runs: a bounded autocannon run on loopback against the three reads
// the UI polls (inventory status, one folder level, a collection's files), at the same time, while an agent
// imports the next day's report into the same database. Prints one JSON document.
//
//   npm run build && node benchmarks/server-load.mjs [--objects 1000000] [--duration 10] [--connections 8] [--postgres URL]
//
// autocannon runs through `npx autocannon@8` (fetched on first use; it is not a dependency of the repo).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import * as path from 'node:path'
import { parseArgs } from 'node:util'

const ROOT = path.resolve(import.meta.dirname, '..')
const CLI = path.join(ROOT, 'packages/cli/dist/bin.js')
const SERVER_DIST = path.join(ROOT, 'examples/express-server/dist')
const { startS3Server, startServerProcess, startAgentProcess } = await import(path.join(SERVER_DIST, 'demo/processes.js'))
const { loadConfig, openStores } = await import(path.join(SERVER_DIST, 'index.js'))

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const { values: args } = parseArgs({
  options: {
    objects: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    postgres: { type: 'string' },
  },
})
const BUCKET = 'inventory-destination'
const WHERE = ['--source-bucket', 'photos', '--config', 'daily', '--prefix', 'inv']
const log = (message) => process.stderr.write(`[server-load] ${message}\n`)

/** Runs a command to its end; its stdout. */
async function run(command, argv) {
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const [code] = await once(child, 'exit')
  if (code !== 0) throw new Error(`${command} ${argv.join(' ')} exited ${code}: ${stderr.slice(-2000)}`)
  return stdout
}

async function waitFor(store, jobId) {
  for (;;) {
    const job = await store.getJob(jobId)
    if (job.status === 'completed') return job
    if (job.status !== 'queued' && job.status !== 'running') throw new Error(`job ${jobId} ${job.status}: ${JSON.stringify(job.lastError)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** One autocannon run: requests/s, latency percentiles, errors and non-2xx answers. */
async function load(url, token) {
  const out = await run('npx', [
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
const s3 = await startS3Server()
try {
  const day1 = path.join(dir, 'day1')
  const day2 = path.join(dir, 'day2')
  log(`generating ${args.objects} objects and the next day's report`)
  await run(process.execPath, [CLI, 'generate', '--out', day1, '--objects', args.objects, ...WHERE])
  await run(process.execPath, [CLI, 'generate', '--out', day2, '--change-from', day1, '--change-pct', '1', ...WHERE])
  await s3.createBucket(BUCKET)
  await s3.uploadDirectory(BUCKET, day1)

  const token = `ssu_bench_${randomBytes(12).toString('hex')}`
  const env = {
    SHUTTERSENSE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SHUTTERSENSE_ADMIN_TOKEN: token,
    SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: `reg-${randomBytes(12).toString('hex')}`,
    SHUTTERSENSE_DATA_DIR: path.join(dir, 'server'),
    ...(args.postgres ? { DATABASE_URL: args.postgres, SHUTTERSENSE_DATABASE_SCHEMA: `load_${randomBytes(4).toString('hex')}` } : { DATABASE_URL: '' }),
  }
  const server = await startServerProcess(env)
  const stores = await openStores(loadConfig(env).database, loadConfig(env).encryption)
  const agent = startAgentProcess(server.url, {
    SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: env.SHUTTERSENSE_AGENT_REGISTRATION_TOKEN,
    SHUTTERSENSE_AGENT_STATE: path.join(dir, 'agent.json'),
    SHUTTERSENSE_SCRATCH_DIR: path.join(dir, 'agent-scratch'),
  })
  const { store, serverStore } = stores
  const location = { destinationBucket: BUCKET, destinationPrefix: 'inv', sourceBucket: 'photos', configName: 'daily' }
  const connector = await store.createConnector({ name: 'Photos', location })
  await serverStore.setConnectorCredentials(connector.id, { ...s3.credentials })
  log('first import and the baseline of every folder two levels deep')
  await waitFor(store, (await store.requestImportNow(connector.id, { actor: 'benchmark' })).job.id)
  const { folders } = await store.listFolders(connector.id, { depth: 2, limit: 100_000 })
  const collections = await store.createCollections(connector.id, folders.map((folder, i) => ({ name: `C${i}`, folderPath: folder.path })))
  await waitFor(store, (await store.requestImportNow(connector.id, { actor: 'benchmark' })).job.id)
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
  const done = await waitFor(store, job.id)
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
  await agent.stop()
  await server.stop()
  await stores.close()
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
} finally {
  await s3.stop()
  await rm(dir, { recursive: true, force: true })
}
