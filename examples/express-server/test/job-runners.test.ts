import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileInfo, InventoryLocation } from '@shuttersense/inventory-core'
import type { ImportJob } from '@shuttersense/inventory-core/types'
import pino from 'pino'
import { createAgentApi } from '../src/agent/agent-api.js'
import { createHttpImportStore } from '../src/agent/http-store.js'
import { runClaimedJob, type JobRunSettings } from '../src/agent/job-runners.js'
import { startS3Server, type S3Server } from '../src/demo/processes.js'
import { createTestServer, type TestServer } from './harness.js'

// The `test` and `refresh` runners against s3rver, through the agent API of a listening server. Until
// the store records job kinds, the job is an "Import now" claimed by the agent and run as the kind
// under test: what matters here is what the runner does with S3 and the server.

const LEASE_MS = 30_000
const settings: JobRunSettings = { leaseMs: LEASE_MS, progressEveryMs: 2000, workers: 0, now: () => new Date(), testRetry: { retries: 0 } }

let dir: string
let s3: S3Server
let server: TestServer
let http: Server
let url: string

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'job-runners-'))
  s3 = await startS3Server()
  await s3.createBucket('photos-bucket')
  await s3.createBucket('reports-bucket')
  for (const key of ['2021/Wedding/a.jpg', '2021/Wedding/b c.jpg', '2021/Wedding/raw/c.CR3', '2022/x.jpg']) {
    await s3.client.send(new PutObjectCommand({ Bucket: 'photos-bucket', Key: key, Body: Buffer.from(key) }))
  }
  server = await createTestServer({ filename: path.join(dir, 'server.sqlite') })
  http = server.app.listen(0, '127.0.0.1')
  await new Promise((resolve) => http.once('listening', resolve))
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => http?.close(resolve))
  await server?.close()
  await s3?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function run(location: InventoryLocation, kind: 'test' | 'refresh', payload: Record<string, unknown> | null = null) {
  const connector = await server.store.createConnector({ name: `c-${Math.random()}`, location })
  await server.store.requestImportNow(connector.id)
  const claimed = await request(server.app).post('/api/agents/claim').set('authorization', server.agent).send({ waitMs: 0, leaseMs: LEASE_MS }).expect(200)
  const job: ImportJob = { ...(claimed.body.job as ImportJob), kind, payload }
  const api = createAgentApi({ serverUrl: url, token: server.agent.slice('Bearer '.length) })
  const store = createHttpImportStore({ api, jobId: job.id, scratchDir: path.join(dir, job.id) })
  const outcome = await runClaimedJob({
    job,
    connector: claimed.body.connector,
    credentials: s3.credentials,
    agentId: server.agentId,
    store,
    jobDir: path.join(dir, job.id),
    settings,
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
  })
  return { outcome, connector, job: await server.store.getJob(job.id) }
}

describe('job runners', () => {
  it('refresh: lists the collection folder live and stores it with source api', async () => {
    const location = { destinationBucket: 'reports-bucket', sourceBucket: 'photos-bucket', configName: 'daily' }
    const connector = await server.store.createConnector({ name: 'photos', location })
    const [collection] = await server.store.createCollections(connector.id, [{ name: 'Wedding', folderPath: '2021/Wedding/' }])
    const stale: FileInfo = { key: '2021/Wedding/gone.jpg', size: 1, lastModified: '2024-01-01T00:00:00.000Z', etag: 'x', storageClass: 'STANDARD' }
    await server.store.replaceFileInfo(collection!.id, [[stale]], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
    // The job must belong to the collection's connector: claim an import of that connector.
    await server.store.requestImportNow(connector.id)
    const claimed = await request(server.app).post('/api/agents/claim').set('authorization', server.agent).send({ waitMs: 0, leaseMs: LEASE_MS }).expect(200)
    const job: ImportJob = { ...(claimed.body.job as ImportJob), kind: 'refresh', payload: { collectionId: collection!.id } }
    const api = createAgentApi({ serverUrl: url, token: server.agent.slice('Bearer '.length) })
    const outcome = await runClaimedJob({
      job,
      connector: claimed.body.connector,
      credentials: s3.credentials,
      agentId: server.agentId,
      store: createHttpImportStore({ api, jobId: job.id, scratchDir: path.join(dir, job.id) }),
      jobDir: path.join(dir, job.id),
      settings,
      signal: new AbortController().signal,
      logger: pino({ level: 'silent' }),
    })
    expect(outcome).toBe('completed')
    expect((await server.store.getJob(job.id)).status).toBe('completed')
    const refreshed = await server.store.getCollection(collection!.id)
    expect(refreshed).toMatchObject({ fileInfoSource: 'api', fileCount: 3 })
    const files: FileInfo[] = []
    for await (const batch of server.store.readFileInfo(collection!.id)) files.push(...batch)
    expect(files.map((file) => file.key)).toEqual(['2021/Wedding/a.jpg', '2021/Wedding/b c.jpg', '2021/Wedding/raw/c.CR3'])
    expect(files.every((file) => !file.etag.includes('"'))).toBe(true)
    expect((await server.store.getLatestDelta(collection!.id))?.counts).toEqual({ new: 3, modified: 0, deleted: 1, unchanged: 0 })
  })

  it('refresh without a collection fails for good, at once', async () => {
    const { outcome, job } = await run({ destinationBucket: 'reports-bucket', sourceBucket: 'photos-bucket', configName: 'daily' }, 'refresh')
    expect(outcome).toBe('failed')
    expect(job).toMatchObject({ status: 'failed', lastError: { code: 'INVALID_ARGUMENT' } })
  })

  it('test: a location with no report completes within seconds, with what is wrong as its finding', async () => {
    const started = Date.now()
    const { outcome, job } = await run({ destinationBucket: 'no-such-bucket', sourceBucket: 'photos-bucket', configName: 'daily' }, 'test')
    expect(outcome).toBe('completed')
    expect(job.status).toBe('completed')
    expect(Date.now() - started).toBeLessThan(5000)
    const empty = await run({ destinationBucket: 'reports-bucket', sourceBucket: 'photos-bucket', configName: 'daily' }, 'test')
    expect(empty.outcome).toBe('completed')
  })
})
