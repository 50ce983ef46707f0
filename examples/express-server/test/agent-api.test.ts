import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import request from 'supertest'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { FileInfo, InventoryLocation, InventoryStore } from '@shuttersense/inventory-core'
import type { ImportJob } from '@shuttersense/inventory-core/types'
import { createFileScratch, createLocalDirectorySource, runImportJob } from '@shuttersense/inventory-core/node'
import { main as cli } from '@shuttersense/inventory-cli'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'
import { createAgentApi } from '../src/agent/agent-api.js'
import { createHttpImportStore } from '../src/agent/http-store.js'
import { NDJSON_CONTENT_TYPE } from '../src/ndjson.js'
import { stageNdjsonUpload } from '../src/routes/ndjson-upload.js'
import { FileInfoLineSchema, FileInfoSchema, quickFileInfo } from '../src/agent-schemas.js'
import { createTestServer, REGISTRATION_TOKEN, type TestServer } from './harness.js'

const WHERE = ['--source-bucket', 'photos', '--config', 'daily']
const LEASE_MS = 30_000

let dir: string
let day1: string
let day2: string

async function generate(argv: string[]): Promise<void> {
  let stderr = ''
  const code = await cli([...argv, ...WHERE], { stdout: { write: () => undefined }, stderr: { write: (text: string) => (stderr += text) } })
  if (code !== 0) throw new Error(`generate failed: ${stderr}`)
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'agent-api-'))
  day1 = path.join(dir, 'day1')
  day2 = path.join(dir, 'day2')
  await generate(['generate', '--out', day1, '--objects', '3000', '--files', '3', '--seed', '7'])
  await generate(['generate', '--out', day2, '--change-from', day1, '--change-pct', '5', '--seed', '8'])
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const locationOf = (root: string): InventoryLocation => ({ destinationBucket: root, sourceBucket: 'photos', configName: 'daily' })

async function readAll(store: InventoryStore, collectionId: string): Promise<FileInfo[]> {
  const files: FileInfo[] = []
  for await (const batch of store.readFileInfo(collectionId)) files.push(...batch)
  return files
}

/** Folders, FileInfo and latest delta of every collection, by folder path, so two stores compare. */
async function snapshot(store: InventoryStore, connectorId: string) {
  const folders = (await store.listFolders(connectorId, { limit: 100_000 })).folders
  const collections: Record<string, unknown> = {}
  for (const collection of await store.listCollections(connectorId)) {
    const delta = await store.getLatestDelta(collection.id)
    collections[collection.folderPath] = {
      files: await readAll(store, collection.id),
      delta: delta && { counts: delta.counts, new: delta.new, modified: delta.modified, deleted: delta.deleted, truncated: delta.truncated },
    }
  }
  return { folders, collections }
}

describe('agent API', () => {
  let server: TestServer
  let http: Server
  let url: string

  beforeEach(async () => {
    server = await createTestServer({ filename: path.join(mkdtempSync(path.join(dir, 'db-')), 'server.sqlite') })
    http = server.app.listen(0, '127.0.0.1')
    await new Promise((resolve) => http.once('listening', resolve))
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  })
  afterEach(async () => {
    await new Promise((resolve) => http.close(resolve))
    await server.close()
  })

  /** A connector of the local copy `root`, with an "Import now" job claimed over HTTP by the test agent. */
  async function claimImport(connectorId: string, agent = server.agent): Promise<ImportJob> {
    await server.store.requestImportNow(connectorId)
    const claimed = await request(server.app).post('/api/agents/claim').set('authorization', agent).send({ waitMs: 0, leaseMs: LEASE_MS }).expect(200)
    expect(claimed.body.connector.id).toBe(connectorId)
    return claimed.body.job as ImportJob
  }

  async function importOverHttp(
    connectorId: string,
    root: string,
    expected: 'completed' | 'failed' = 'completed',
    fetch: typeof globalThis.fetch = globalThis.fetch,
  ): Promise<ImportJob> {
    const job = await claimImport(connectorId)
    const api = createAgentApi({ serverUrl: url, token: server.agent.slice('Bearer '.length), fetch, retry: { minDelayMs: 10 } })
    const store = createHttpImportStore({ api, jobId: job.id, scratchDir: path.join(dir, 'scratch', job.id) })
    const outcome = await runImportJob({
      job,
      agentId: server.agentId,
      leaseMs: LEASE_MS,
      store,
      source: createLocalDirectorySource(root),
      scratch: createFileScratch(),
    })
    expect(outcome.outcome).toBe(expected)
    return job
  }

  async function importInProcess(store: InventoryStore, connectorId: string, root: string): Promise<void> {
    await store.requestImportNow(connectorId)
    const job = (await store.claimJob({ agentId: 'local', leaseMs: LEASE_MS }))!
    const outcome = await runImportJob({ job, agentId: 'local', leaseMs: LEASE_MS, store, source: createLocalDirectorySource(root), scratch: createFileScratch() })
    expect(outcome.outcome).toBe('completed')
  }

  it('registers an agent with the registration token, and only with it', async () => {
    const registered = await request(server.app).post('/api/agents/register').set('authorization', `Bearer ${REGISTRATION_TOKEN}`).send({ name: 'nas-1' }).expect(201)
    expect(registered.body.agent.id).toMatch(/^agt_/)
    expect(registered.body.token).toMatch(/^ssa_/)
    await request(server.app).post('/api/agents/claim').set('authorization', `Bearer ${registered.body.token}`).send({ waitMs: 0 }).expect(204)
    await request(server.app).post('/api/agents/register').set('authorization', server.user).send({ name: 'x' }).expect(401)
    await request(server.app).post('/api/agents/register').set('authorization', `Bearer ${REGISTRATION_TOKEN}`).send({ name: '' }).expect(400)
    await request(server.app).post('/api/agents/claim').set('authorization', server.user).send({ waitMs: 0 }).expect(403)
    await request(server.app).post('/api/agents/claim').send({ waitMs: 0 }).expect(401)
  })

  /** Three imports (day 1, day 1 with collections, day 2) over HTTP and in process: the stores end equal. */
  async function expectSameAsInProcess(fetch?: typeof globalThis.fetch): Promise<void> {
    const reference = createSqliteStore({ filename: path.join(mkdtempSync(path.join(dir, 'ref-')), 'ref.sqlite') })
    await reference.migrate()
    const viaHttp = (connectorId: string, root: string) => importOverHttp(connectorId, root, 'completed', fetch)
    try {
      const remote = await server.store.createConnector({ name: 'Photos', location: locationOf(day1) })
      const local = await reference.createConnector({ name: 'Photos', location: locationOf(day1) })
      await viaHttp(remote.id, day1)
      await importInProcess(reference, local.id, day1)
      const { folders } = await server.store.listFolders(remote.id, { depth: 2 })
      expect(folders.length).toBeGreaterThan(3)
      const mapping = folders.map((folder) => ({ name: folder.path, folderPath: folder.path }))
      await server.store.createCollections(remote.id, mapping)
      await reference.createCollections(local.id, mapping)
      for (const [store, id] of [[server.store, remote.id], [reference, local.id]] as const) {
        await store.updateConnector(id, { location: locationOf(day1) })
      }
      await viaHttp(remote.id, day1)
      await importInProcess(reference, local.id, day1)
      await server.store.updateConnector(remote.id, { location: locationOf(day2) })
      await reference.updateConnector(local.id, { location: locationOf(day2) })
      await viaHttp(remote.id, day2)
      await importInProcess(reference, local.id, day2)

      const expected = await snapshot(reference, local.id)
      const actual = await snapshot(server.store, remote.id)
      expect(actual).toEqual(expected)
      const changed = Object.values(actual.collections as Record<string, { delta: { counts: { new: number; modified: number; deleted: number } } }>)
      expect(changed.reduce((sum, { delta }) => sum + delta.counts.new + delta.counts.modified + delta.counts.deleted, 0)).toBeGreaterThan(0)
      const jobs = await server.store.listJobs(remote.id)
      expect(jobs.map((job) => [job.status, job.attempts])).toEqual(jobs.map(() => ['completed', 1]))
    } finally {
      await reference.close()
    }
  }

  it('imports through the HTTP store exactly what an in-process import stores', async () => {
    await expectSameAsInProcess()
  })

  it('asks again for a FileInfo stream or an answer cut off mid-body (a server restart): same result, first attempt', async () => {
    // Fault injection: the first FileInfo stream breaks after 300 bytes (inside its second line), and the
    // first answer to each of a checkpoint and a FileInfo batch upload after 5 bytes (after their commits).
    const cuts = new Map<string, number>()
    const cutting: typeof globalThis.fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init)
      const target = String(input)
      const kind = (/\/file-info$/.test(target) && init?.method === 'GET') || /\/file-info-read$/.test(target) ? 'stream' : /\/import-sessions\/|\/file-info(-changes|-batch)?$/.test(target) ? 'answer' : null
      if (kind === null || (cuts.get(`${kind} ${init?.method}`) ?? 0) > 0 || !response.body) return response
      cuts.set(`${kind} ${init?.method}`, 1)
      const keep = kind === 'stream' ? 300 : 5
      const reader = response.body.getReader()
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await reader.read()
          if (done) return controller.close()
          if (sent + value.length < keep) {
            sent += value.length
            return controller.enqueue(value)
          }
          controller.enqueue(value.subarray(0, keep - sent))
          await reader.cancel()
          controller.error(new TypeError('terminated'))
        },
      })
      return new Response(body, { status: response.status, headers: response.headers })
    }
    await expectSameAsInProcess(cutting)
    expect([...cuts.keys()].sort()).toEqual(['answer PATCH', 'answer POST', 'stream POST'])
  })

  it('an import shorter than one heartbeat still records its last progress, when it completes and when it fails', async () => {
    // The lease is 30 s, so the first heartbeat would come at 10 s: these imports end long before.
    const connector = await server.store.createConnector({ name: 'Photos', location: locationOf(day1) })
    const completed = await importOverHttp(connector.id, day1)
    expect(await server.store.getJob(completed.id)).toMatchObject({
      status: 'completed',
      progress: { phase: 'done', percent: 100, records: 3000, rows: 3000, dataFiles: 3, dataFilesDone: 3 },
    })
    expect((await server.store.getJob(completed.id)).progressAt).not.toBeNull()

    // The next day's report with a data file whose bytes do not match the manifest's MD5: the import
    // fails for good in phase A.
    const broken = path.join(mkdtempSync(path.join(dir, 'broken-')), 'report')
    cpSync(day2, broken, { recursive: true })
    const dataDir = path.join(broken, 'photos', 'daily', 'data')
    writeFileSync(path.join(dataDir, readdirSync(dataDir)[0]!), 'not the bytes the manifest names')
    await server.store.updateConnector(connector.id, { location: locationOf(broken) })
    const failed = await importOverHttp(connector.id, broken, 'failed')
    const { status, progress } = await server.store.getJob(failed.id)
    expect({ status, phase: progress?.phase }).toEqual({ status: 'failed', phase: 'A' })
    expect(progress!.dataFiles).toBeGreaterThan(progress!.dataFilesDone)
  })

  it('refuses every call on a job the agent does not hold (CONFLICT)', async () => {
    const connector = await server.store.createConnector({ name: 'Photos', location: locationOf(day1) })
    const job = await claimImport(connector.id)
    const other = await server.serverStore.registerAgent('other')
    const as = (token: string) => ({ authorization: `Bearer ${token}` })
    const calls = [
      request(server.app).get(`/api/agents/jobs/${job.id}/connector`),
      request(server.app).get(`/api/agents/jobs/${job.id}/collections`),
      request(server.app).post(`/api/agents/jobs/${job.id}/heartbeat`).send({ leaseMs: LEASE_MS }),
      request(server.app).post(`/api/agents/jobs/${job.id}/complete`).send({ nextRunAt: null }),
      request(server.app).post(`/api/agents/jobs/${job.id}/fail`).send({ error: { code: 'X', message: 'x' }, retryAt: null }),
      request(server.app).post(`/api/agents/jobs/${job.id}/import-sessions`).send({ manifestKey: 'm', inventoryTimestamp: 't' }),
      request(server.app).put(`/api/agents/jobs/${job.id}/folders`).set('content-type', NDJSON_CONTENT_TYPE).send(''),
    ]
    for (const call of calls) {
      const response = await call.set(as(other.token))
      expect(response.status).toBe(409)
      expect(response.body.error.code).toBe('CONFLICT')
    }
    // The holder still can.
    await request(server.app).post(`/api/agents/jobs/${job.id}/heartbeat`).set('authorization', server.agent).send({ leaseMs: LEASE_MS }).expect(200)
    await request(server.app).get(`/api/agents/jobs/job_unknown/connector`).set('authorization', server.agent).expect(404)
  })

  it('stores nothing of an upload with a bad line, and answers which line', async () => {
    const connector = await server.store.createConnector({ name: 'Photos', location: locationOf(day1) })
    const [collection] = await server.store.createCollections(connector.id, [{ name: 'A', folderPath: 'a/' }])
    const before: FileInfo = { key: 'a/old.jpg', size: 1, lastModified: '2024-01-01T00:00:00.000Z', etag: 'e', storageClass: 'STANDARD' }
    await server.store.replaceFileInfo(collection!.id, [[before]], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
    const job = await claimImport(connector.id)
    const header = { source: 'api', updatedAt: '2024-01-02T00:00:00.000Z' }
    const good = (i: number) => ({ key: `a/${i}.jpg`, size: i, lastModified: '2024-01-02T00:00:00.000Z', etag: `e${i}`, storageClass: 'STANDARD' })
    const lines = [header, ...Array.from({ length: 30_000 }, (_, i) => good(i))].map((value) => JSON.stringify(value))
    const upload = (body: string) =>
      request(server.app)
        .put(`/api/agents/jobs/${job.id}/collections/${collection!.id}/file-info`)
        .set('authorization', server.agent)
        .set('content-type', NDJSON_CONTENT_TYPE)
        .send(body)

    // A bad record far into the upload (past what is held in memory), then one that is not JSON.
    const badRecord = [...lines.slice(0, 25_000), JSON.stringify({ ...good(1), size: -1 }), ...lines.slice(25_000)].join('\n')
    const rejected = await upload(badRecord).expect(400)
    expect(rejected.body.error.code).toBe('INVALID_NDJSON')
    expect(rejected.body.error.message).toMatch(/^line 25001: /)
    expect(rejected.body.error.issues[0].path).toBe('line.25001.size')
    const tupleLines = lines.slice(1).map((line) => JSON.stringify(Object.values(JSON.parse(line) as FileInfo)))
    const badTuple = await upload([lines[0], ...tupleLines.slice(0, 25_000), JSON.stringify(['a/x.jpg', 1, 'yesterday', 'e', 'STANDARD']), ...tupleLines.slice(25_000)].join('\n')).expect(400)
    expect(badTuple.body.error.message).toMatch(/^line 25002: /)
    const notJson = await upload([...lines.slice(0, 3), '{"key": "a/x.jpg",', ...lines.slice(3)].join('\n')).expect(400)
    expect(notJson.body.error.message).toMatch(/^line 4: not valid JSON/)
    expect(await readAll(server.store, collection!.id)).toEqual([before])
    expect((await server.store.getCollection(collection!.id)).fileInfoSource).toBe('inventory')

    const stored = await upload(`${[lines[0], ...tupleLines].join('\n')}\n`).expect(200)
    expect(stored.body).toEqual({ fileCount: 30_000, replayed: false })
    const files = await readAll(server.store, collection!.id)
    expect(files).toHaveLength(30_000)

    // Read back as NDJSON over HTTP, in key order.
    const api = createAgentApi({ serverUrl: url, token: server.agent.slice('Bearer '.length) })
    const httpStore = createHttpImportStore({ api, jobId: job.id, scratchDir: path.join(dir, 'scratch-read') })
    const read: FileInfo[] = []
    for await (const batch of httpStore.readFileInfo(collection!.id, { batchSize: 7000 })) {
      expect(batch.length).toBeLessThanOrEqual(7000)
      read.push(...batch)
    }
    expect(read).toEqual(files)
  })

  it('stores a batch of collections in one upload, and nothing of a batch with a bad line', async () => {
    const connector = await server.store.createConnector({ name: 'Photos', location: locationOf(day1) })
    const [a, b] = await server.store.createCollections(connector.id, [
      { name: 'A', folderPath: 'a/' },
      { name: 'B', folderPath: 'b/' },
    ])
    const old: FileInfo = { key: 'b/old.jpg', size: 1, lastModified: '2024-01-01T00:00:00.000Z', etag: 'e', storageClass: 'STANDARD' }
    await server.store.replaceFileInfo(b!.id, [[old]], { source: 'inventory', updatedAt: '2024-01-01T00:00:00.000Z' })
    const job = await claimImport(connector.id)
    const file = (key: string): FileInfo => ({ key, size: 2, lastModified: '2024-01-02T00:00:00.000Z', etag: 'f', storageClass: 'STANDARD' })
    const marker = (collectionId: string, mode: string) => ({ collection: { collectionId, mode, source: 'inventory', updatedAt: '2024-01-02T00:00:00.000Z' } })
    const send = (lines: unknown[]) =>
      request(server.app)
        .post(`/api/agents/jobs/${job.id}/file-info-batch`)
        .set('authorization', server.agent)
        .set('content-type', NDJSON_CONTENT_TYPE)
        .send(lines.map((line) => JSON.stringify(line)).join('\n'))
    const rejected = await send([marker(a!.id, 'replace'), file('a/1.jpg'), marker(b!.id, 'changes'), { upsert: file('b/new.jpg') }, { delete: '' }]).expect(400)
    expect(rejected.body.error).toMatchObject({ code: 'INVALID_NDJSON', message: expect.stringMatching(/^line 5: /) })
    expect(await readAll(server.store, a!.id)).toEqual([])
    expect(await readAll(server.store, b!.id)).toEqual([old])
    await send([file('a/1.jpg')]).expect(400)
    // The compact form is validated the same way: a bad field of an array line fails the batch.
    const tuple = (f: FileInfo) => [f.key, f.size, f.lastModified, f.etag, f.storageClass]
    const badTuple = await send([marker(a!.id, 'replace'), tuple(file('a/1.jpg')), [...tuple(file('a/2.jpg')).slice(0, 4)], marker(b!.id, 'changes'), { delete: 'b/old.jpg' }]).expect(400)
    expect(badTuple.body.error).toMatchObject({ code: 'INVALID_NDJSON', message: expect.stringMatching(/^line 3: /) })
    const badUpsert = await send([marker(b!.id, 'changes'), { upsert: [...tuple(file('b/x.jpg')).slice(0, 1), -5, ...tuple(file('b/x.jpg')).slice(2)] }]).expect(400)
    expect(badUpsert.body.error).toMatchObject({ code: 'INVALID_NDJSON', message: expect.stringMatching(/^line 2: /) })
    expect(await readAll(server.store, a!.id)).toEqual([])
    expect(await readAll(server.store, b!.id)).toEqual([old])

    const stored = await send([marker(a!.id, 'replace'), file('a/1.jpg'), tuple(file('a/2.jpg')), marker(b!.id, 'changes'), { upsert: tuple(file('b/new.jpg')) }, { delete: 'b/old.jpg' }]).expect(200)
    expect(stored.body.collections).toEqual([
      { collectionId: a!.id, fileCount: 2, replayed: false },
      { collectionId: b!.id, fileCount: 1, replayed: false },
    ])
    expect(await readAll(server.store, a!.id)).toEqual([file('a/1.jpg'), file('a/2.jpg')])
    expect(await readAll(server.store, b!.id)).toEqual([file('b/new.jpg')])

    // Read back in one stream, in the order asked.
    const read = await request(server.app).post(`/api/agents/jobs/${job.id}/file-info-read`).set('authorization', server.agent).send({ collectionIds: [b!.id, a!.id] }).expect(200)
    expect(read.text.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { collection: b!.id },
      file('b/new.jpg'),
      { collection: a!.id },
      file('a/1.jpg'),
      file('a/2.jpg'),
    ])
    const compact = await request(server.app).post(`/api/agents/jobs/${job.id}/file-info-read`).set('authorization', server.agent).send({ collectionIds: [a!.id], format: 'tuple' }).expect(200)
    expect(compact.text.trim().split('\n').map((line) => JSON.parse(line))).toEqual([{ collection: a!.id }, tuple(file('a/1.jpg')), tuple(file('a/2.jpg'))])
    await request(server.app).post(`/api/agents/jobs/${job.id}/file-info-read`).set('authorization', server.agent).send({ collectionIds: [] }).expect(400)
  })

  it('answers 415 for an upload that is not NDJSON', async () => {
    const connector = await server.store.createConnector({ name: 'Photos', location: locationOf(day1) })
    const job = await claimImport(connector.id)
    await request(server.app).put(`/api/agents/jobs/${job.id}/folders`).set('authorization', server.agent).send({ folders: [] }).expect(415)
  })

  it('waits for a job on a long-poll claim and hands it over when it is queued', async () => {
    const connector = await server.store.createConnector({ name: 'Photos', location: locationOf(day1) })
    // The job is queued once the claim has found the queue empty (an event, not a timer): a claim
    // that does not wait answers 204 then.
    const { store } = server
    const claimJob = store.claimJob.bind(store)
    const foundEmpty = new Promise<void>((resolve) => {
      store.claimJob = async (options) => {
        const job = await claimJob(options)
        if (!job) resolve()
        return job
      }
    })
    const claimed = request(server.app).post('/api/agents/claim').set('authorization', server.agent).send({ waitMs: 10_000 }).then((response) => response)
    await foundEmpty
    await store.requestImportNow(connector.id)
    const response = await claimed
    expect(response.status).toBe(200)
    expect(response.body.job.connectorId).toBe(connector.id)
    expect(response.body.job.lockedBy).toBe(server.agentId)
  })
})

describe('stageNdjsonUpload', () => {
  it('gives back every record in order, from memory or from its staging file', async () => {
    const files = Array.from({ length: 1234 }, (_, i) => ({ key: `k${i}`, size: i, lastModified: '2024-01-01T00:00:00.000Z', etag: 'e', storageClass: 'STANDARD' }))
    const text = files.map((file) => JSON.stringify(file)).join('\n')
    for (const memoryRecords of [10, 100_000]) {
      const chunks = [text.slice(0, 777), text.slice(777, 5000), text.slice(5000)].map((part) => Buffer.from(part))
      const staged = await stageNdjsonUpload(
        (async function* () {
          yield* chunks
        })(),
        { header: null, line: FileInfoSchema, memoryRecords },
      )
      expect(staged.count).toBe(1234)
      expect([...staged.batches(100)].flat()).toEqual(files)
      staged.dispose()
    }
  })
})

describe('quickFileInfo', () => {
  it('accepts only what the schema accepts, and leaves everything else to it', () => {
    const good = { key: 'a/b.jpg', size: 3, lastModified: '2024-05-06T22:44:22.000Z', etag: 'abc', storageClass: 'STANDARD' }
    const values: unknown[] = [
      good,
      { ...good, extra: 1 },
      { ...good, lastModified: '2024-05-06T22:44:22Z' },
      { ...good, key: '' },
      { ...good, size: -1 },
      { ...good, size: 1.5 },
      { ...good, size: '3' },
      { ...good, lastModified: 'yesterday' },
      { ...good, lastModified: '2024-13-06T22:44:22.000Z' },
      { ...good, etag: null },
      null,
      'text',
      [good],
      ['a/b.jpg', 3, '2024-05-06T22:44:22.000Z', 'abc', 'STANDARD'],
      ['a/b.jpg', 3, '2024-05-06T22:44:22.000Z', 'abc'],
      ['a/b.jpg', 3, '2024-05-06T22:44:22.000Z', 'abc', 'STANDARD', 'extra'],
      ['a/b.jpg', -3, '2024-05-06T22:44:22.000Z', 'abc', 'STANDARD'],
      ['', 3, '2024-05-06T22:44:22.000Z', 'abc', 'STANDARD'],
      ['a/b.jpg', 3, 'yesterday', 'abc', 'STANDARD'],
      ['a/b.jpg', 3, '2024-05-06T22:44:22.000Z', 7, 'STANDARD'],
    ]
    for (const value of values) {
      const quick = quickFileInfo(value)
      const parsed = FileInfoLineSchema.safeParse(value)
      if (quick !== null) expect(parsed.data).toEqual(quick)
      if (!parsed.success) expect(quick).toBeNull()
    }
    expect(quickFileInfo(good)).toEqual(good)
    expect(quickFileInfo(['a/b.jpg', 3, '2024-05-06T22:44:22.000Z', 'abc', 'STANDARD'])).toEqual(good)
    expect(quickFileInfo({ ...good, size: -1 })).toBeNull()
  })
})
