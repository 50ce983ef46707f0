// What the server + agent benchmarks share: generated reports served by s3rver, the built server on a
// SQLite file or its own Postgres schema, one built agent process, and a connector with credentials.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { clearInterval, setInterval } from 'node:timers'

const ROOT = path.resolve(import.meta.dirname, '../..')
export const CLI = path.join(ROOT, 'packages/cli/dist/bin.js')
const SERVER_DIST = path.join(ROOT, 'examples/express-server/dist')
const { startS3Server, startServerProcess, startAgentProcess } = await import(path.join(SERVER_DIST, 'demo/processes.js'))
const { loadConfig, openStores } = await import(path.join(SERVER_DIST, 'index.js'))

export const BUCKET = 'inventory-destination'
export const WHERE = ['--source-bucket', 'photos', '--config', 'daily', '--prefix', 'inv']
const LOCATION = { destinationBucket: BUCKET, destinationPrefix: 'inv', sourceBucket: 'photos', configName: 'daily' }

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

/** Peak resident set of a process so far, in MB (0 once it is gone). */
export function peakRssMb(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Math.round(Number(match[1]) / 1024) : 0
  } catch {
    return 0
  }
}

/** Runs a command to its end: its stdout and peak RSS. */
export async function run(command, argv, env = {}) {
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let peak = 0
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const timer = setInterval(() => (peak = Math.max(peak, peakRssMb(child.pid))), 50)
  const [code] = await once(child, 'exit')
  clearInterval(timer)
  if (code !== 0) throw new Error(`${command} ${argv.join(' ')} exited ${code}: ${stderr.slice(-2000)}`)
  return { stdout, peakRssMb: peak }
}

/** Day 1 (`objects` objects) and the next day's report (`changePct` % changed), by the CLI's generator. */
export async function generateReports(dir, { objects, changePct = 1 }) {
  const day1 = path.join(dir, 'day1')
  const day2 = path.join(dir, 'day2')
  await run(process.execPath, [CLI, 'generate', '--out', day1, '--objects', String(objects), ...WHERE])
  await run(process.execPath, [CLI, 'generate', '--out', day2, '--change-from', day1, '--change-pct', String(changePct), ...WHERE])
  return { day1, day2 }
}

/** Waits until a job has completed; throws when it ends otherwise. */
export async function waitForJob(store, jobId, pollMs = 50) {
  for (;;) {
    const job = await store.getJob(jobId)
    if (job.status === 'completed') return job
    if (job.status !== 'queued' && job.status !== 'running') throw new Error(`job ${jobId} ${job.status}: ${JSON.stringify(job.lastError)}`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

/** A PostgreSQL URL with `?schema=` for the CLI's `--db`. */
export const withSchema = (url, schema) => `${url}${url.includes('?') ? '&' : '?'}schema=${encodeURIComponent(schema)}`

/** Drops a benchmark's schema (the server's or the CLI's) at the end of a Postgres run. */
export async function dropSchema(url, schema) {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`)
  } finally {
    await client.end()
  }
}

/**
 * s3rver holding day 1 under BUCKET/inv, the built server (SQLite file under `dir`, or a fresh schema of
 * `postgres`), one agent process and a connector of that location with s3rver's credentials.
 * `processEnv(name)` adds environment to the server's (`server`) and the agent's (`agent`) process.
 */
export async function startInstallation({ dir, day1, postgres, adminToken, processEnv = () => ({}) }) {
  const s3 = await startS3Server()
  await s3.createBucket(BUCKET)
  await s3.uploadDirectory(BUCKET, day1)
  const schema = `bench_${randomBytes(4).toString('hex')}`
  const token = adminToken ?? `ssu_bench_${randomBytes(12).toString('hex')}`
  const env = {
    SHUTTERSENSE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SHUTTERSENSE_ADMIN_TOKEN: token,
    SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: `reg-${randomBytes(12).toString('hex')}`,
    SHUTTERSENSE_DATA_DIR: path.join(dir, 'server'),
    ...(postgres ? { DATABASE_URL: postgres, SHUTTERSENSE_DATABASE_SCHEMA: schema } : { DATABASE_URL: '' }),
  }
  const server = await startServerProcess({ ...env, ...processEnv('server') })
  const config = loadConfig(env)
  const stores = await openStores(config.database, config.encryption)
  const agent = startAgentProcess(server.url, {
    SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: env.SHUTTERSENSE_AGENT_REGISTRATION_TOKEN,
    SHUTTERSENSE_AGENT_STATE: path.join(dir, 'agent.json'),
    SHUTTERSENSE_SCRATCH_DIR: path.join(dir, 'agent-scratch'),
    ...processEnv('agent'),
  })
  const connector = await stores.store.createConnector({ name: 'Photos', location: LOCATION })
  await stores.serverStore.setConnectorCredentials(connector.id, { ...s3.credentials })
  return {
    s3,
    server,
    agent,
    stores,
    store: stores.store,
    connector,
    token,
    /** "Import now", waited for: the job as it completed. */
    async importNow() {
      const { job } = await stores.store.requestImportNow(connector.id, { actor: 'benchmark' })
      return waitForJob(stores.store, job.id)
    },
    /** Peak RSS so far of the server and the agent. */
    peakRssMb: () => ({ server: peakRssMb(server.process.pid), agent: peakRssMb(agent.process.pid) }),
    async close() {
      await agent.stop()
      await server.stop()
      await stores.close()
      await s3.stop()
      if (postgres) await dropSchema(postgres, schema)
    },
  }
}
