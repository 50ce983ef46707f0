/**
 * `npm run agent`: one agent process. It talks to the server only over HTTP, so it may run anywhere:
 *   SHUTTERSENSE_SERVER_URL                 the server, e.g. http://127.0.0.1:8080 (required)
 *   SHUTTERSENSE_AGENT_REGISTRATION_TOKEN   exchanged once for an agent token (first start only)
 *   SHUTTERSENSE_AGENT_STATE                where the agent token is kept (default ./.shuttersense/agent.json)
 *   SHUTTERSENSE_SCRATCH_DIR                job scratch, deleted after each job (default: the system temp directory)
 *   SHUTTERSENSE_AGENT_NAME, SHUTTERSENSE_AGENT_LEASE_MS, SHUTTERSENSE_AGENT_WORKERS, LOG_LEVEL
 *   SHUTTERSENSE_AGENT_BATCH_ROWS           rows per FileInfo batch upload (default: the import's, ~10,000)
 * SIGTERM or Ctrl-C: a running import is released to the queue at once (another agent resumes it from
 * its checkpoint), a test or refresh job finishes first.
 */
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import { limitHeapGrowth, defaultWorkerCount } from '@shuttersense/inventory-core/node'
import { createLogger } from '../logger.js'
import { createAgent } from './agent.js'
import { loadOrRegister } from './state.js'

// This process imports inventories: keep its heap near what is live. `npm run agent` also starts node
// with --max-semi-space-size=8, as the CLI does (V8 takes that only at startup).
limitHeapGrowth()

function positive(name: string, fallback: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`${name} must be a whole number: "${text}"\n`)
    process.exit(2)
  }
  return value
}

const serverUrl = process.env.SHUTTERSENSE_SERVER_URL
if (!serverUrl) {
  process.stderr.write('SHUTTERSENSE_SERVER_URL is not set: the URL of the ShutterSense server, e.g. http://127.0.0.1:8080\n')
  process.exit(2)
}
const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', logObjectKeys: process.env.SHUTTERSENSE_LOG_OBJECT_KEYS === '1' })
try {
  const state = await loadOrRegister({
    serverUrl,
    statePath: path.resolve(process.env.SHUTTERSENSE_AGENT_STATE ?? path.join('.shuttersense', 'agent.json')),
    registrationToken: process.env.SHUTTERSENSE_AGENT_REGISTRATION_TOKEN,
    name: process.env.SHUTTERSENSE_AGENT_NAME ?? `${hostname()}-${process.pid}`,
  })
  const agent = createAgent({
    serverUrl: state.serverUrl,
    agentId: state.agentId,
    token: state.token,
    scratchDir: path.resolve(process.env.SHUTTERSENSE_SCRATCH_DIR ?? path.join(tmpdir(), 'shuttersense-agent')),
    logger,
    leaseMs: positive('SHUTTERSENSE_AGENT_LEASE_MS', 60_000),
    workers: positive('SHUTTERSENSE_AGENT_WORKERS', defaultWorkerCount()),
    batchRows: process.env.SHUTTERSENSE_AGENT_BATCH_ROWS ? positive('SHUTTERSENSE_AGENT_BATCH_ROWS', 0) : undefined,
  })
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping')
      agent.stop()
    })
  }
  await agent.run()
} catch (error) {
  logger.error({ err: error }, 'agent failed')
  process.exitCode = 1
}
