import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { FileInfo, InventoryStore } from '@shuttersense/inventory-core'
import { compareKeys } from '@shuttersense/inventory-core/pure'
import type { ImportJob } from '@shuttersense/inventory-core/types'
import { loadConfig } from '../src/config.js'
import { openStores, type Stores } from '../src/open-stores.js'
import { startAgentProcess, startS3Server, startServerProcess, SERVER_SCRIPT, type Child, type S3Server, type ServerProcess } from '../src/demo/processes.js'
import { expectedDelta, generate, location, reportFiles } from './generated-reports.js'
import { DATABASE_URL, dropSchema, newSchema, postgresUnavailable } from './postgres.js'

// Real processes (s3rver, server, agents) on a 2-core machine that CI may share: a restart or a
// reclaim takes seconds, so these tests get more than the suite's 30 s.
vi.setConfig({ testTimeout: 120_000 })

// Real processes: s3rver, the built server (`npm run server`) and built agents (`npm run agent`), which
// reach the server only over HTTP. The test sets the connector up in the database directly (the user
// endpoints are another module's) and watches the jobs there.

const REGISTRATION = 'registration-token-of-the-e2e-test'

let dir: string
let s3: S3Server
let day1: string
let day2: string

async function waitForJob(store: InventoryStore, jobId: string, timeoutMs = 60_000): Promise<ImportJob> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const job = await store.getJob(jobId)
    if (job.status !== 'queued' && job.status !== 'running') return job
    if (Date.now() > until) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((entry) => statSync(path.join(root, entry)).isFile())
}

beforeAll(async () => {
  if (!existsSync(SERVER_SCRIPT)) throw new Error(`${SERVER_SCRIPT} is missing: run \`npm run build\` first`)
  dir = mkdtempSync(path.join(tmpdir(), 'agent-e2e-'))
  day1 = path.join(dir, 'day1')
  day2 = path.join(dir, 'day2')
  await generate(['generate', '--out', day1, '--objects', '6000', '--files', '3', '--seed', '11'])
  await generate(['generate', '--out', day2, '--change-from', day1, '--change-pct', '4', '--seed', '12'])
  s3 = await startS3Server()
})
afterAll(async () => {
  await s3?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** A server process on a fresh database, and the test's own connection to that database. */
async function startInstallation(backend: 'sqlite' | 'postgres') {
  const home = mkdtempSync(path.join(dir, `${backend}-`))
  const schema = newSchema()
  const env: NodeJS.ProcessEnv = {
    SHUTTERSENSE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SHUTTERSENSE_ADMIN_TOKEN: `admin-${randomBytes(12).toString('hex')}`,
    SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: REGISTRATION,
    SHUTTERSENSE_DATA_DIR: home,
    ...(backend === 'postgres' ? { DATABASE_URL, SHUTTERSENSE_DATABASE_SCHEMA: schema } : { DATABASE_URL: '' }),
  }
  let server: ServerProcess = await startServerProcess(env)
  const config = loadConfig(env)
  const stores: Stores = await openStores(config.database, config.encryption)
  const agents: Child[] = []
  const agent = (name: string, extra: NodeJS.ProcessEnv = {}): Child => {
    const started = startAgentProcess(server.url, {
      SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: REGISTRATION,
      SHUTTERSENSE_AGENT_STATE: path.join(home, `${name}.json`),
      SHUTTERSENSE_SCRATCH_DIR: path.join(home, `scratch-${name}`),
      SHUTTERSENSE_AGENT_NAME: name,
      SHUTTERSENSE_AGENT_WORKERS: '0',
      // One collection per upload, so phase B stores its few collections one at a time and can be
      // interrupted in the middle (an import batches up to ~10,000 rows: these all fit in one).
      SHUTTERSENSE_AGENT_BATCH_ROWS: '1',
      ...extra,
    })
    agents.push(started)
    return started
  }
  // A bucket of its own holding day 1's report; `uploadDay2` adds the next day's.
  const bucket = `inv-${backend}-${randomBytes(4).toString('hex')}`
  await s3.createBucket(bucket)
  await s3.uploadDirectory(bucket, day1)
  const connector = await stores.store.createConnector({ name: 'Photos', location: { ...location, destinationBucket: bucket } })
  await stores.serverStore.setConnectorCredentials(connector.id, s3.credentials)
  const importNow = async (): Promise<string> => (await stores.store.requestImportNow(connector.id, { actor: 'test' })).job.id
  return {
    home,
    stores,
    connectorId: connector.id,
    agent,
    uploadDay2: () => s3.uploadDirectory(bucket, day2),
    get server() {
      return server
    },
    /** SIGKILLs the server and starts it again on the same port and database. */
    async restartServer() {
      await server.kill()
      server = await startServerProcess({ ...env, PORT: new URL(server.url).port })
    },
    importNow,
    async close() {
      for (const started of agents) await started.kill()
      await server.stop()
      await stores.close()
      if (backend === 'postgres') await dropSchema(schema)
    },
  }
}

type Installation = Awaited<ReturnType<typeof startInstallation>>

/** Day 1 imported, every folder two levels deep mapped, and imported again (the baseline FileInfo). */
async function baseline(installation: Installation): Promise<void> {
  const { store } = installation.stores
  expect((await waitForJob(store, await installation.importNow())).status).toBe('completed')
  const { folders } = await store.listFolders(installation.connectorId, { depth: 2 })
  await store.createCollections(installation.connectorId, folders.map((folder) => ({ name: folder.path, folderPath: folder.path })))
  expect((await waitForJob(store, await installation.importNow())).status).toBe('completed')
}

async function expectDeltasOfTheGeneratedChange(installation: Installation): Promise<void> {
  const { store } = installation.stores
  const before = await reportFiles(day1)
  const after = await reportFiles(day2)
  let changed = 0
  for (const collection of await store.listCollections(installation.connectorId)) {
    const delta = (await store.getLatestDelta(collection.id))!
    const expected = expectedDelta(before, after, collection.folderPath)
    expect({
      new: delta.new.map((file) => file.key),
      modified: delta.modified.map((change) => change.key),
      deleted: delta.deleted.map((file) => file.key),
      unchanged: delta.counts.unchanged,
    }).toEqual(expected)
    expect(delta.counts).toMatchObject({ new: expected.new.length, modified: expected.modified.length, deleted: expected.deleted.length })
    changed += expected.new.length + expected.modified.length + expected.deleted.length
    const files: FileInfo[] = []
    for await (const batch of store.readFileInfo(collection.id)) files.push(...batch)
    expect(files).toEqual([...after.values()].filter((file) => file.key.startsWith(collection.folderPath)).sort((a, b) => compareKeys(a.key, b.key)))
  }
  expect(changed).toBeGreaterThan(0)
}

describe.each(['sqlite', 'postgres'] as const)('server + s3rver + agent processes on %s', (backend) => {
  let installation: Installation
  let skip = false
  beforeAll(async () => {
    if (backend === 'postgres' && (await postgresUnavailable()) !== null) {
      skip = true
      return
    }
    installation = await startInstallation(backend)
  })
  afterAll(async () => {
    await installation?.close()
  })

  it("imports over HTTP only: the second import's deltas are exactly the generated change", async ({ skip: skipTest }) => {
    if (skip) skipTest()
    const agent = installation.agent('agent-a')
    await baseline(installation)
    await installation.uploadDay2()
    const jobId = await installation.importNow()
    const job = await waitForJob(installation.stores.store, jobId)
    expect(job.status).toBe('completed')
    await expectDeltasOfTheGeneratedChange(installation)

    // The agent registered once and kept its token to itself; its scratch is gone after each job (NFR-021).
    const stateFile = path.join(installation.home, 'agent-a.json')
    expect(statSync(stateFile).mode & 0o777).toBe(0o600)
    expect(filesUnder(path.join(installation.home, 'scratch-agent-a'))).toEqual([])
    await agent.stop()
    expect(agent.process.exitCode).toBe(0)
  })
})

/** Waits until the import after `previousSessionId` has stored at least one collection (phase B has begun). */
async function untilPhaseB(store: InventoryStore, connectorId: string, jobId: string, previousSessionId: string): Promise<void> {
  for (;;) {
    const [session] = await store.listImportSessions(connectorId, { limit: 1 })
    if (session && session.id !== previousSessionId && session.checkpoint.collectionsDone.length > 0) return
    if ((await store.getJob(jobId)).status === 'completed') throw new Error('the import ended before phase B could be interrupted: make it longer')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('an agent and a server that stop mid-import', () => {
  it('SIGTERM: the agent releases its import to the queue at once and exits; the next agent resumes it', async () => {
    const installation = await startInstallation('sqlite')
    try {
      const { store } = installation.stores
      const first = installation.agent('agent-a')
      await baseline(installation)
      await installation.uploadDay2()
      const [previous] = await store.listImportSessions(installation.connectorId, { limit: 1 })
      const jobId = await installation.importNow()
      await untilPhaseB(store, installation.connectorId, jobId, previous!.id)
      await first.stop()
      expect(first.process.exitCode).toBe(0)
      const released = await store.getJob(jobId)
      expect(released).toMatchObject({ status: 'queued', lockedBy: null, lastError: { code: 'ABORTED' } })
      installation.agent('agent-b')
      expect((await waitForJob(store, jobId)).status).toBe('completed')
      await expectDeltasOfTheGeneratedChange(installation)
    } finally {
      await installation.close()
    }
  })

  it('a server restart in phase B: the agent retries its uploads and the import completes with the same result', async () => {
    const installation = await startInstallation('sqlite')
    try {
      const { store } = installation.stores
      installation.agent('agent-a')
      await baseline(installation)
      await installation.uploadDay2()
      const [previous] = await store.listImportSessions(installation.connectorId, { limit: 1 })
      const jobId = await installation.importNow()
      await untilPhaseB(store, installation.connectorId, jobId, previous!.id)
      await installation.restartServer()
      const job = await waitForJob(store, jobId)
      expect(job).toMatchObject({ status: 'completed', attempts: 1 })
      await expectDeltasOfTheGeneratedChange(installation)
    } finally {
      await installation.close()
    }
  })
})

describe('an agent killed in phase B', () => {
  it('leaves its job to a second agent, which resumes it from the checkpoint with the result of an uninterrupted run', async () => {
    const installation = await startInstallation('sqlite')
    try {
      const { store } = installation.stores
      // A short lease, so the second agent can take over soon after the first dies.
      const first = installation.agent('agent-a', { SHUTTERSENSE_AGENT_LEASE_MS: '1500' })
      await baseline(installation)
      await installation.uploadDay2()
      const [baselineSession] = await store.listImportSessions(installation.connectorId, { limit: 1 })
      const jobId = await installation.importNow()
      // Kill it as soon as phase B has stored a collection of the next day's report.
      for (;;) {
        const [session] = await store.listImportSessions(installation.connectorId, { limit: 1 })
        if (session && session.id !== baselineSession!.id && session.checkpoint.collectionsDone.length > 0) break
        if ((await store.getJob(jobId)).status === 'completed') throw new Error('the import ended before the agent could be killed: make it longer')
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      await first.kill()
      const [interrupted] = await store.listImportSessions(installation.connectorId, { limit: 1 })
      expect(interrupted!.status).toBe('running')
      const doneBefore = interrupted!.checkpoint.collectionsDone.length
      const collections = (await store.listCollections(installation.connectorId)).length
      expect(doneBefore).toBeLessThan(collections)

      installation.agent('agent-b')
      const job = await waitForJob(store, jobId)
      expect(job.status).toBe('completed')
      expect(job.attempts).toBe(2)
      const [resumed] = await store.listImportSessions(installation.connectorId, { limit: 1 })
      expect(resumed!.id).toBe(interrupted!.id)
      await expectDeltasOfTheGeneratedChange(installation)
    } finally {
      await installation.close()
    }
  })
})
