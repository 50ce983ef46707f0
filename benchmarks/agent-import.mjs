// Server + agent benchmark: the import of an N-object inventory from s3rver through the reference server
// and one agent process over HTTP, beside the in-process CLI import of the same reports in the same run.
// Prints one JSON document.
//
//   npm run build && node benchmarks/agent-import.mjs [--objects 1000000] [--change-pct 1] [--postgres URL]
//
// Steps, each run by the CLI (`import --from s3://…`, SQLite) and by server + agent (SQLite file, or a
// fresh Postgres schema with --postgres):
//   1. first import of day 1 (phase A: folders)
//   2. every folder two levels deep mapped to a collection, day 1 imported again (B: FileInfo baseline)
//   3. the next day's report (--change-pct changed), imported (A, B, C: deltas)
// Peak RSS (VmHWM) of the CLI, the server and the agent is read from /proc while they run.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import * as path from 'node:path'
import { clearInterval, setInterval } from 'node:timers'
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
    'change-pct': { type: 'string', default: '1' },
    postgres: { type: 'string' },
  },
})
const BUCKET = 'inventory-destination'
const WHERE = ['--source-bucket', 'photos', '--config', 'daily', '--prefix', 'inv']
const log = (message) => process.stderr.write(`[agent-import] ${message}\n`)
const seconds = (since) => Number(((performance.now() - since) / 1000).toFixed(2))

/** Peak resident set of a process so far, in MB (0 once it is gone). */
function peakRssMb(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Math.round(Number(match[1]) / 1024) : 0
  } catch {
    return 0
  }
}

/** Runs a node script to its end, with its peak RSS. */
async function run(argv, env = {}) {
  const child = spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let peak = 0
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const timer = setInterval(() => (peak = Math.max(peak, peakRssMb(child.pid))), 50)
  const [code] = await once(child, 'exit')
  clearInterval(timer)
  if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}: ${stderr}`)
  return { stdout, peakRssMb: peak }
}

const dir = await mkdtemp(path.join(tmpdir(), 'agent-import-bench-'))
const day1 = path.join(dir, 'day1')
const day2 = path.join(dir, 'day2')
const s3 = await startS3Server()
try {
  log(`generating ${args.objects} objects and the next day's report (${args['change-pct']}% changed)`)
  await run([CLI, 'generate', '--out', day1, '--objects', args.objects, ...WHERE])
  await run([CLI, 'generate', '--out', day2, '--change-from', day1, '--change-pct', args['change-pct'], ...WHERE])
  await s3.createBucket(BUCKET)
  await s3.uploadDirectory(BUCKET, day1)

  // The CLI, in-process (the reference).
  const cliEnv = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' }
  const db = path.join(dir, 'cli.sqlite')
  const cliImport = async () => {
    const started = performance.now()
    const { peakRssMb: peak } = await run(
      ['--max-semi-space-size=8', CLI, 'import', '--from', `s3://${BUCKET}/inv`, '--endpoint', s3.endpoint, ...WHERE.slice(0, 4), '--db', db, '--json'],
      cliEnv,
    )
    return { seconds: seconds(started), peakRssMb: peak }
  }

  // Server + agent over HTTP.
  const schema = `bench_${randomBytes(4).toString('hex')}`
  const env = {
    SHUTTERSENSE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SHUTTERSENSE_ADMIN_TOKEN: `admin-${randomBytes(12).toString('hex')}`,
    SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: `reg-${randomBytes(12).toString('hex')}`,
    SHUTTERSENSE_DATA_DIR: path.join(dir, 'server'),
    ...(args.postgres ? { DATABASE_URL: args.postgres, SHUTTERSENSE_DATABASE_SCHEMA: schema } : { DATABASE_URL: '' }),
  }
  const server = await startServerProcess(env)
  const stores = await openStores(loadConfig(env).database, loadConfig(env).encryption)
  const agent = startAgentProcess(server.url, {
    SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: env.SHUTTERSENSE_AGENT_REGISTRATION_TOKEN,
    SHUTTERSENSE_AGENT_STATE: path.join(dir, 'agent.json'),
    SHUTTERSENSE_SCRATCH_DIR: path.join(dir, 'agent-scratch'),
  })
  const connector = await stores.store.createConnector({ name: 'Photos', location: { destinationBucket: BUCKET, destinationPrefix: 'inv', sourceBucket: 'photos', configName: 'daily' } })
  await stores.serverStore.setConnectorCredentials(connector.id, s3.credentials)
  const agentImport = async () => {
    const started = performance.now()
    const { job } = await stores.store.requestImportNow(connector.id, { actor: 'benchmark' })
    for (;;) {
      const current = await stores.store.getJob(job.id)
      if (current.status === 'completed') break
      if (current.status !== 'queued' && current.status !== 'running') throw new Error(`job ${job.id} ${current.status}: ${JSON.stringify(current.lastError)}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return { seconds: seconds(started) }
  }

  const steps = {}
  log('1. first import (folders)')
  steps.firstImport = { cli: await cliImport(), serverAgent: await agentImport() }
  await run([CLI, 'collections', 'create', '--db', db, '--depth', '2', '--json'])
  const { folders } = await stores.store.listFolders(connector.id, { depth: 2, limit: 100_000 })
  await stores.store.createCollections(connector.id, folders.map((folder, i) => ({ name: `C${i} ${folder.path}`, folderPath: folder.path })))
  log(`2. ${folders.length} collections: baseline FileInfo`)
  steps.baseline = { cli: await cliImport(), serverAgent: await agentImport() }
  await s3.uploadDirectory(BUCKET, day2)
  log('3. next day: FileInfo and deltas')
  steps.nextDay = { cli: await cliImport(), serverAgent: await agentImport() }
  for (const step of Object.values(steps)) step.ratio = Number((step.serverAgent.seconds / step.cli.seconds).toFixed(2))

  const result = {
    objects: Number(args.objects),
    changePct: Number(args['change-pct']),
    collections: folders.length,
    database: args.postgres ? 'postgres' : 'sqlite',
    steps,
    peakRssMb: { server: peakRssMb(server.process.pid), agent: peakRssMb(agent.process.pid) },
    machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), load: loadavg().map((l) => Number(l.toFixed(2))) },
  }
  await agent.stop()
  await server.stop()
  await stores.close()
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
} finally {
  await s3.stop()
  await rm(dir, { recursive: true, force: true })
}
