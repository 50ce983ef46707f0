import { readFileSync } from 'node:fs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import request from 'supertest'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FileInfo, FolderSummary } from '@shuttersense/inventory-core'
import { folderGuid } from '@shuttersense/inventory-core/node'
import { createTestServer, type Backend, type TestServer } from './harness.js'
import { postgresUnavailable } from './postgres.js'

const pgDown = await postgresUnavailable()
const backends: Backend[] = pgDown === null ? ['sqlite', 'postgres'] : ['sqlite']

const CONFIG = { destinationBucket: 'inventory-dest', destinationPrefix: 'reports', sourceBucket: 'photos', configName: 'daily-all' }
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'

const folder = (p: string, objects: number, direct: number): FolderSummary => ({
  path: p,
  objectCount: objects,
  totalSizeBytes: objects * 10,
  directObjectCount: direct,
  directSizeBytes: direct * 10,
  lastModified: '2024-05-06T22:44:22.000Z',
})
const FOLDERS = [folder('2020/', 5, 0), folder('2020/Milledgeville, GA/', 2, 2), folder('2020/Wedding/', 3, 1), folder('2020/Wedding/Smith-Jones/', 2, 2), folder('2021/', 1, 1)]
const file = (key: string, size = 1): FileInfo => ({ key, size, lastModified: '2024-05-06T22:44:22.000Z', etag: `e-${key}`, storageClass: 'STANDARD' })

describe.each(backends)('user API on %s', (backend) => {
  let s: TestServer
  let clock = new Date('2026-01-01T00:00:00.000Z')
  beforeEach(async () => {
    clock = new Date('2026-01-01T00:00:00.000Z')
    s = await createTestServer({ backend, now: () => clock })
  })
  afterEach(() => s.close())

  const api = () => request(s.app)
  async function connector(body: Record<string, unknown> = { name: 'Photos', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET } }) {
    return (await api().post('/api/connectors').set('Authorization', s.user).send(body).expect(201)).body as { guid: string }
  }
  async function configured(schedule = 'manual') {
    const c = await connector()
    await api().put(`/api/connectors/${c.guid}/inventory/config`).set('Authorization', s.user).send({ ...CONFIG, schedule }).expect(200)
    return c.guid
  }

  it('connectors: create, list, get, rename; credentials write-only', async () => {
    const created = await connector()
    expect(created).toMatchObject({ name: 'Photos', hasCredentials: true, inventoryConfig: null })
    expect(created.guid).toMatch(/^con_[0-9a-f]{32}$/)
    expect(JSON.stringify(created)).not.toContain(SECRET)
    const bare = await connector({ name: 'No creds' })
    expect(bare).toMatchObject({ hasCredentials: false })
    const list = await api().get('/api/connectors').set('Authorization', s.user).expect(200)
    expect(list.body.connectors.map((c: { name: string }) => c.name)).toEqual(['Photos', 'No creds'])
    expect(JSON.stringify(list.body)).not.toContain(SECRET)
    const renamed = await api().patch(`/api/connectors/${created.guid}`).set('Authorization', s.user).send({ name: 'Archive', credentials: null }).expect(200)
    expect(renamed.body).toMatchObject({ name: 'Archive', hasCredentials: false })
    expect((await api().get(`/api/connectors/${created.guid}`).set('Authorization', s.user).expect(200)).body.name).toBe('Archive')
    expect(await s.serverStore.getConnectorCredentials(created.guid)).toBeNull()
  })

  it('connectors: 400 with issues, 401, 403, 404', async () => {
    const bad = await api().post('/api/connectors').set('Authorization', s.user).send({ name: '', credentials: { accessKeyId: 'x' }, extra: 1 }).expect(400)
    expect(bad.body.error.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['body.name', 'body.credentials.secretAccessKey']))
    await api().get('/api/connectors').expect(401)
    await api().get('/api/connectors').set('Authorization', s.agent).expect(403)
    const missing = `con_${'0'.repeat(32)}`
    expect((await api().get(`/api/connectors/${missing}`).set('Authorization', s.user).expect(404)).body.error.code).toBe('NOT_FOUND')
    await api().get('/api/connectors/nope').set('Authorization', s.user).expect(400)
    await api().patch(`/api/connectors/${missing}`).set('Authorization', s.user).send({}).expect(400)
    await api().patch(`/api/connectors/${missing}`).set('Authorization', s.user).send({ name: 'x' }).expect(404)
  })

  it('inventory config: stored, schedule queues the first job at now + interval, manual cancels it', async () => {
    const c = await connector()
    const bad = await api().put(`/api/connectors/${c.guid}/inventory/config`).set('Authorization', s.user).send({ sourceBucket: 'a/b', format: 'XML' }).expect(400)
    expect(bad.body.error.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['body.destinationBucket', 'body.sourceBucket', 'body.configName', 'body.format']))
    const res = await api().put(`/api/connectors/${c.guid}/inventory/config`).set('Authorization', s.user).send({ ...CONFIG, schedule: 'daily', deltaListLimit: 10 }).expect(200)
    expect(res.body.inventoryConfig).toEqual({ ...CONFIG, format: 'CSV', schedule: 'daily', deltaListLimit: 10 })
    const jobs = (await api().get(`/api/jobs?connector=${c.guid}`).set('Authorization', s.user).expect(200)).body.jobs
    expect(jobs).toHaveLength(1)
    expect(jobs[0]).toMatchObject({ trigger: 'scheduled', status: 'queued', kind: 'import', scheduledAt: '2026-01-02T00:00:00.000Z' })
    const status = (await api().get(`/api/connectors/${c.guid}/inventory/status`).set('Authorization', s.user).expect(200)).body
    expect(status).toMatchObject({ configured: true, schedule: 'daily', nextScheduledImportAt: '2026-01-02T00:00:00.000Z', folderCount: 0, mappedFolderCount: 0 })
    // weekly re-times the queued job
    await api().put(`/api/connectors/${c.guid}/inventory/config`).set('Authorization', s.user).send({ ...CONFIG, schedule: 'weekly' }).expect(200)
    const weekly = (await api().get(`/api/jobs?connector=${c.guid}&status=queued`).set('Authorization', s.user).expect(200)).body.jobs
    expect(weekly.map((j: { scheduledAt: string }) => j.scheduledAt)).toEqual(['2026-01-08T00:00:00.000Z'])
    await api().put(`/api/connectors/${c.guid}/inventory/config`).set('Authorization', s.user).send({ ...CONFIG, schedule: 'manual' }).expect(200)
    expect((await api().get(`/api/jobs?connector=${c.guid}&status=queued`).set('Authorization', s.user).expect(200)).body.jobs).toEqual([])
    const audit = (await api().get(`/api/connectors/${c.guid}/audit`).set('Authorization', s.user).expect(200)).body.entries
    expect(audit.some((e: { actor: string; action: string }) => e.actor === 'alice' && e.action === 'connector.configured')).toBe(true)
  })

  it('import now: 202 { job }, 409 before configuration and while running, the audit names the user', async () => {
    const c = await connector()
    expect((await api().post(`/api/connectors/${c.guid}/inventory/import`).set('Authorization', s.user).expect(409)).body.error.code).toBe('NOT_CONFIGURED')
    const guid = await configured()
    const res = await api().post(`/api/connectors/${guid}/inventory/import`).set('Authorization', s.user).expect(202)
    expect(res.body.job).toMatchObject({ connectorGuid: guid, status: 'queued', trigger: 'manual', kind: 'import' })
    const claimed = await s.store.claimJob({ agentId: s.agentId, leaseMs: 60_000, now: clock })
    expect(claimed?.id).toBe(res.body.job.guid)
    const running = await api().post(`/api/connectors/${guid}/inventory/import`).set('Authorization', s.otherUser).expect(409)
    expect(running.body.error.code).toBe('IMPORT_IN_PROGRESS')
    expect(running.body.job).toMatchObject({ guid: res.body.job.guid, status: 'running', agentGuid: s.agentId })
    const status = (await api().get(`/api/connectors/${guid}/inventory/status`).set('Authorization', s.user).expect(200)).body
    expect(status.currentJob).toMatchObject({ guid: res.body.job.guid, status: 'running' })
    const audit = (await api().get(`/api/connectors/${guid}/audit`).set('Authorization', s.user).expect(200)).body.entries
    expect(audit.find((e: { action: string }) => e.action === 'job.enqueued')).toMatchObject({ actor: 'alice', subjectGuid: res.body.job.guid })
  })

  it('connector list: each connector with its state, folder count and last import time (no status call per connector)', async () => {
    const bare = await connector({ name: 'Bare' })
    const scheduled = await configured('daily')
    const busy = await configured()
    const done = await configured()
    await api().post(`/api/connectors/${busy}/inventory/import`).set('Authorization', s.user).expect(202)
    const session = await s.store.createImportSession({ connectorId: done, manifestKey: 'm', inventoryTimestamp: '2024-05-07T01-00Z' })
    const summary = { rows: { records: 0, bad: {} }, dataFiles: 1, compressedBytes: 1, objectCount: 9, totalSizeBytes: 9, folderCount: 4, collections: 0 }
    await s.store.updateImportSession(session.id, { status: 'completed', summary: summary as never, finishedAt: '2026-01-01T00:05:00.000Z' })
    const state = async () =>
      Object.fromEntries(
        ((await api().get('/api/connectors').set('Authorization', s.user).expect(200)).body.connectors as { guid: string; state: string; folderCount: number; lastImportAt: string | null }[]).map(
          (c) => [c.guid, [c.state, c.folderCount, c.lastImportAt]],
        ),
      )
    // A scheduled import due tomorrow is not "queued" today.
    expect(await state()).toEqual({
      [bare.guid]: ['not_configured', 0, null],
      [scheduled]: ['never_imported', 0, null],
      [busy]: ['queued', 0, null],
      [done]: ['imported', 4, '2026-01-01T00:05:00.000Z'],
    })
    await s.store.claimJob({ agentId: s.agentId, leaseMs: 60_000, now: clock })
    expect((await state())[busy]).toEqual(['running', 0, null])
  })

  it('50 parallel "import now" make one job', async () => {
    const guid = await configured()
    const answers = await Promise.all(Array.from({ length: 50 }, () => api().post(`/api/connectors/${guid}/inventory/import`).set('Authorization', s.user)))
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(202))
    expect(new Set(answers.map((r) => r.body.job.guid)).size).toBe(1)
    expect((await s.store.listJobs(guid)).length).toBe(1)
  })

  it('folders: one level with hasChildren, search, paging, guid, suggested name and collection', async () => {
    const guid = await configured()
    await s.store.replaceFolders(guid, FOLDERS)
    const top = (await api().get(`/api/connectors/${guid}/inventory/folders`).set('Authorization', s.user).expect(200)).body
    expect(top.folders.map((f: { path: string }) => f.path)).toEqual(['2020/', '2021/'])
    expect(top.folders[0]).toEqual({ guid: folderGuid(guid, '2020/'), ...FOLDERS[0], hasChildren: true, collectionGuid: null, suggestedName: '2020' })
    expect(top.folders[1].hasChildren).toBe(false)
    const level = (await api().get(`/api/connectors/${guid}/inventory/folders?parent=2020/&limit=1`).set('Authorization', s.user).expect(200)).body
    expect(level.folders.map((f: { path: string }) => f.path)).toEqual(['2020/Milledgeville, GA/'])
    expect(level.folders[0].suggestedName).toBe('2020 - Milledgeville GA')
    const next = (await api().get(`/api/connectors/${guid}/inventory/folders`).query({ parent: '2020/', cursor: level.nextCursor }).set('Authorization', s.user).expect(200)).body
    expect(next.folders.map((f: { path: string }) => f.path)).toEqual(['2020/Wedding/'])
    expect(next.nextCursor).toBeNull()
    const search = (await api().get(`/api/connectors/${guid}/inventory/folders?q=smith`).set('Authorization', s.user).expect(200)).body
    expect(search.folders.map((f: { path: string }) => f.path)).toEqual(['2020/Wedding/Smith-Jones/'])
    expect(search.folders[0].suggestedName).toBe('2020 - Wedding - Smith Jones')
    const bad = await api().get(`/api/connectors/${guid}/inventory/folders?parent=2020&limit=0`).set('Authorization', s.user).expect(400)
    expect(bad.body.error.issues[0].path).toBe('query.limit')
    await api().get(`/api/connectors/${guid}/inventory/folders?parent=2020`).set('Authorization', s.user).expect(400)
    await api().get(`/api/connectors/${guid}/inventory/folders`).set('Authorization', s.agent).expect(403)
  })

  it('from-inventory: suggested unique names, 409 mapped, all or none, import now by default', async () => {
    const guid = await configured()
    await s.store.replaceFolders(guid, FOLDERS)
    const body = { connectorGuid: guid, folders: [{ path: '2020/Wedding/' }, { path: '2020/Wedding/Smith-Jones/', name: 'Smith wedding' }] }
    const res = await api().post('/api/collections/from-inventory').set('Authorization', s.user).send(body).expect(201)
    expect(res.body.collections.map((c: { name: string }) => c.name)).toEqual(['2020 - Wedding', 'Smith wedding'])
    expect(res.body.job).toMatchObject({ kind: 'import', status: 'queued', trigger: 'manual' })
    // Already mapped: 409 and nothing created.
    const again = await api().post('/api/collections/from-inventory').set('Authorization', s.user).send({ connectorGuid: guid, folders: [{ path: '2021/' }, { path: '2020/Wedding/' }] }).expect(409)
    expect(again.body.error.code).toBe('CONFLICT')
    expect((await s.store.listCollections(guid)).length).toBe(2)
    await api().post('/api/collections/from-inventory').set('Authorization', s.user).send({ connectorGuid: guid, folders: [{ path: '2021/', name: 'smith WEDDING' }] }).expect(409)
    await api().post('/api/collections/from-inventory').set('Authorization', s.user).send({ connectorGuid: guid, folders: [{ path: 'nope/' }] }).expect(404)
    const dup = await api().post('/api/collections/from-inventory').set('Authorization', s.user).send({ connectorGuid: guid, folders: [{ path: '2021/' }, { path: '2021/' }] }).expect(400)
    expect(dup.body.error.issues[0].path).toBe('body.folders.1.path')
    const invalid = await api().post('/api/collections/from-inventory').set('Authorization', s.user).send({ connectorGuid: 'x', folders: [] }).expect(400)
    expect(invalid.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.connectorGuid', 'body.folders'])
    const none = await api().post('/api/collections/from-inventory').set('Authorization', s.user).send({ connectorGuid: guid, folders: [{ path: '2021/' }], importNow: false }).expect(201)
    expect(none.body.job).toBeNull()
    const folders = (await api().get(`/api/connectors/${guid}/inventory/folders?parent=2020/`).set('Authorization', s.user).expect(200)).body.folders
    expect(folders.find((f: { path: string }) => f.path === '2020/Wedding/').collectionGuid).toBe(res.body.collections[0].guid)
    const status = (await api().get(`/api/connectors/${guid}/inventory/status`).set('Authorization', s.user).expect(200)).body
    expect(status.mappedFolderCount).toBe(3)
  })

  it('collections: list, get, files in key order with paging and prefix, deltas', async () => {
    const guid = await configured()
    await s.store.replaceFolders(guid, FOLDERS)
    const [col] = await s.store.createCollections(guid, [{ name: 'Wedding', folderPath: '2020/Wedding/' }])
    const files = ['2020/Wedding/b.jpg', '2020/Wedding/a.jpg', '2020/Wedding/Smith-Jones/c.jpg'].map((k) => file(k))
    const session = await s.store.createImportSession({ connectorId: guid, manifestKey: 'm', inventoryTimestamp: '2024-05-07T01-00Z' })
    await s.store.replaceFileInfo(col!.id, [files], {
      source: 'inventory',
      updatedAt: '2026-01-01T00:00:00.000Z',
      importId: session.id,
      delta: { counts: { new: 3, modified: 0, deleted: 0, unchanged: 0 }, new: [], modified: [], deleted: [], truncated: false, baseline: true },
    })
    const list = (await api().get(`/api/collections?connector=${guid}`).set('Authorization', s.user).expect(200)).body.collections
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ guid: col!.id, connectorGuid: guid, fileCount: 3, fileInfoSource: 'inventory' })
    await api().get(`/api/collections/${col!.id}`).set('Authorization', s.user).expect(200)
    await api().get(`/api/collections/col_${'1'.repeat(32)}`).set('Authorization', s.user).expect(404)
    const page1 = (await api().get(`/api/collections/${col!.id}/files?limit=2`).set('Authorization', s.user).expect(200)).body
    expect(page1.files.map((f: FileInfo) => f.key)).toEqual(['2020/Wedding/Smith-Jones/c.jpg', '2020/Wedding/a.jpg'])
    expect(page1).toMatchObject({ fileInfoSource: 'inventory', fileInfoUpdatedAt: '2026-01-01T00:00:00.000Z', fileCount: 3 })
    const page2 = (await api().get(`/api/collections/${col!.id}/files`).query({ limit: 2, cursor: page1.nextCursor }).set('Authorization', s.user).expect(200)).body
    expect(page2.files.map((f: FileInfo) => f.key)).toEqual(['2020/Wedding/b.jpg'])
    expect(page2.nextCursor).toBeNull()
    const sub = (await api().get(`/api/collections/${col!.id}/files`).query({ prefix: '2020/Wedding/Smith' }).set('Authorization', s.user).expect(200)).body
    expect(sub.files).toEqual([files[2]])
    await api().get(`/api/collections/${col!.id}/files?limit=abc`).set('Authorization', s.user).expect(400)
    const latest = (await api().get(`/api/collections/${col!.id}/deltas/latest`).set('Authorization', s.user).expect(200)).body
    expect(latest).toMatchObject({ collectionGuid: col!.id, importGuid: session.id, counts: { new: 3 }, baseline: true })
    await api().get(`/api/collections/${col!.id}/deltas/latest?type=renamed`).set('Authorization', s.user).expect(400)
    const history = (await api().get(`/api/collections/${col!.id}/deltas`).set('Authorization', s.user).expect(200)).body
    expect(history.deltas).toHaveLength(1)
    const imports = (await api().get(`/api/connectors/${guid}/inventory/imports`).set('Authorization', s.user).expect(200)).body.imports
    expect(imports[0]).toMatchObject({ guid: session.id, status: 'running', inventoryTimestamp: '2024-05-07T01-00Z' })
  })

  it('a collection without an import has no latest delta (404)', async () => {
    const guid = await configured()
    await s.store.replaceFolders(guid, FOLDERS)
    const [col] = await s.store.createCollections(guid, [{ name: 'W', folderPath: '2020/Wedding/' }])
    expect((await api().get(`/api/collections/${col!.id}/deltas/latest`).set('Authorization', s.user).expect(404)).body.error.code).toBe('NOT_FOUND')
    const files = (await api().get(`/api/collections/${col!.id}/files`).set('Authorization', s.user).expect(200)).body
    expect(files).toMatchObject({ files: [], nextCursor: null, fileInfoSource: null, fileInfoUpdatedAt: null })
  })

  it('jobs: list by status, get, cancel a queued job at once, 409 once ended, 404', async () => {
    const guid = await configured()
    const { job } = (await api().post(`/api/connectors/${guid}/inventory/import`).set('Authorization', s.user).expect(202)).body
    expect((await api().get(`/api/jobs/${job.guid}`).set('Authorization', s.user).expect(200)).body.job.guid).toBe(job.guid)
    const cancelled = (await api().post(`/api/jobs/${job.guid}/cancel`).set('Authorization', s.user).expect(200)).body.job
    expect(cancelled.status).toBe('cancelled')
    expect((await api().post(`/api/jobs/${job.guid}/cancel`).set('Authorization', s.user).expect(409)).body.error.code).toBe('CONFLICT')
    await api().get(`/api/jobs/job_${'2'.repeat(32)}`).set('Authorization', s.user).expect(404)
    await api().get('/api/jobs?status=lost').set('Authorization', s.user).expect(400)
    expect((await api().get('/api/jobs?status=cancelled&kind=import').set('Authorization', s.user).expect(200)).body.jobs).toHaveLength(1)
    await api().get('/api/jobs').set('Authorization', s.agent).expect(403)
  })

  const claim = async (kinds?: string[]) =>
    (await api().post('/api/agents/claim').set('Authorization', s.agent).send({ waitMs: 0, leaseMs: 60_000, ...(kinds ? { kinds } : {}) }).expect(200)).body as {
      job: { guid?: string; id?: string; kind: string }
      connector: unknown
    }
  const claimedId = (claimed: { job: { guid?: string; id?: string } }) => (claimed.job.id ?? claimed.job.guid)!

  it('test access: 202 job of kind test, run by an agent, its findings on the job and on the status', async () => {
    const guid = await configured()
    const unconfigured = await connector({ name: 'Bare' })
    expect((await api().post(`/api/connectors/${unconfigured.guid}/inventory/test`).set('Authorization', s.user).expect(409)).body.error.code).toBe('NOT_CONFIGURED')
    const { job } = (await api().post(`/api/connectors/${guid}/inventory/test`).set('Authorization', s.user).expect(202)).body
    expect(job).toMatchObject({ kind: 'test', status: 'queued', trigger: 'manual', actor: 'alice', maxAttempts: 1 })
    // A test is claimed before a queued import.
    await api().post(`/api/connectors/${guid}/inventory/import`).set('Authorization', s.user).expect(202)
    const claimed = await claim()
    expect(claimedId(claimed)).toBe(job.guid)
    const findings = { ok: false, problem: 'access-denied', message: 'AccessDenied on s3://inventory-dest/reports/photos/daily-all/', code: 'ACCESS_DENIED' }
    await api().post(`/api/agents/jobs/${job.guid}/complete`).set('Authorization', s.agent).send({ nextRunAt: null, result: findings }).expect(200)
    const done = (await api().get(`/api/jobs/${job.guid}`).set('Authorization', s.user).expect(200)).body.job
    expect(done).toMatchObject({ status: 'completed', result: findings })
    const status = (await api().get(`/api/connectors/${guid}/inventory/status`).set('Authorization', s.user).expect(200)).body
    expect(status.lastAccessTest).toMatchObject({ guid: job.guid, result: findings })
  })

  it('refresh: 202 job naming its collection, waits while the connector imports, 404 for an unknown collection', async () => {
    const guid = await configured()
    await s.store.replaceFolders(guid, FOLDERS)
    const [col] = await s.store.createCollections(guid, [{ name: 'Wedding', folderPath: '2020/Wedding/' }])
    const { job: importJob } = (await api().post(`/api/connectors/${guid}/inventory/import`).set('Authorization', s.user).expect(202)).body
    expect(claimedId(await claim(['import']))).toBe(importJob.guid)
    const { job } = (await api().post(`/api/collections/${col!.id}/refresh`).set('Authorization', s.user).expect(202)).body
    expect(job).toMatchObject({ kind: 'refresh', status: 'queued', payload: { collectionId: col!.id } })
    // The import runs: the refresh is not handed out until it ends.
    await api().post('/api/agents/claim').set('Authorization', s.agent).send({ waitMs: 0 }).expect(204)
    await api().post(`/api/agents/jobs/${importJob.guid}/complete`).set('Authorization', s.agent).send({ nextRunAt: null }).expect(200)
    expect(claimedId(await claim())).toBe(job.guid)
    await api().post(`/api/collections/col_${'3'.repeat(32)}/refresh`).set('Authorization', s.user).expect(404)
    await api().post(`/api/collections/${col!.id}/refresh`).set('Authorization', s.agent).expect(403)
  })

  it('collections mapped while an import runs get their FileInfo: its completion queues "Import now" for them', async () => {
    const guid = await configured()
    await s.store.replaceFolders(guid, FOLDERS)
    const { job: running } = (await api().post(`/api/connectors/${guid}/inventory/import`).set('Authorization', s.user).expect(202)).body
    expect(claimedId(await claim(['import']))).toBe(running.guid)
    clock = new Date(clock.getTime() + 5000)
    const mapped = (await api().post('/api/collections/from-inventory').set('Authorization', s.user).send({ connectorGuid: guid, folders: [{ path: '2021/' }] }).expect(201)).body
    expect(mapped.job).toMatchObject({ guid: running.guid, status: 'running' })
    clock = new Date(clock.getTime() + 5000)
    await api().post(`/api/agents/jobs/${running.guid}/complete`).set('Authorization', s.agent).send({ nextRunAt: null }).expect(200)
    const queued = (await api().get(`/api/jobs?connector=${guid}&status=queued`).set('Authorization', s.user).expect(200)).body.jobs
    expect(queued).toEqual([expect.objectContaining({ kind: 'import', trigger: 'manual', actor: 'system', scheduledAt: clock.toISOString() })])
    // Its own completion finds every collection created before it started: nothing more is queued.
    expect(claimedId(await claim(['import']))).toBe(queued[0].guid)
    await s.store.replaceFileInfo(mapped.collections[0].guid, [[]], { source: 'inventory', updatedAt: clock.toISOString() })
    clock = new Date(clock.getTime() + 5000)
    await api().post(`/api/agents/jobs/${queued[0].guid}/complete`).set('Authorization', s.agent).send({ nextRunAt: null }).expect(200)
    expect((await api().get(`/api/jobs?connector=${guid}&status=queued`).set('Authorization', s.user).expect(200)).body.jobs).toEqual([])
  })

  it('cancel a running import: the agent learns it at its heartbeat, acknowledges, and the job ends cancelled', async () => {
    const guid = await configured()
    const { job } = (await api().post(`/api/connectors/${guid}/inventory/import`).set('Authorization', s.user).expect(202)).body
    expect(claimedId(await claim())).toBe(job.guid)
    const requested = (await api().post(`/api/jobs/${job.guid}/cancel`).set('Authorization', s.user).expect(200)).body.job
    expect(requested.status).toBe('running')
    expect(requested.cancelRequestedAt).not.toBeNull()
    const beat = (await api().post(`/api/agents/jobs/${job.guid}/heartbeat`).set('Authorization', s.agent).send({ leaseMs: 60_000 }).expect(200)).body.job
    expect(beat.cancelRequestedAt).not.toBeNull()
    await api().post(`/api/agents/jobs/${job.guid}/acknowledge-cancel`).set('Authorization', s.agent).send({}).expect(200)
    expect((await api().get(`/api/jobs/${job.guid}`).set('Authorization', s.user).expect(200)).body.job.status).toBe('cancelled')
    const audit = (await api().get(`/api/connectors/${guid}/audit`).set('Authorization', s.user).expect(200)).body.entries
    expect(audit.map((e: { action: string }) => e.action)).toContain('job.cancel-requested')
  })

  it('rename and delete a collection, delete a connector: 200/204, 409 for a taken name, 404 after', async () => {
    const guid = await configured()
    await s.store.replaceFolders(guid, FOLDERS)
    const [a, b] = await s.store.createCollections(guid, [
      { name: 'Wedding', folderPath: '2020/Wedding/' },
      { name: 'Milledgeville', folderPath: '2020/Milledgeville, GA/' },
    ])
    const renamed = (await api().patch(`/api/collections/${a!.id}`).set('Authorization', s.user).send({ name: 'Smith Wedding' }).expect(200)).body
    expect(renamed).toMatchObject({ guid: a!.id, name: 'Smith Wedding' })
    expect((await api().patch(`/api/collections/${b!.id}`).set('Authorization', s.user).send({ name: 'smith wedding' }).expect(409)).body.error.code).toBe('CONFLICT')
    await api().patch(`/api/collections/${b!.id}`).set('Authorization', s.user).send({ name: '' }).expect(400)
    await api().delete(`/api/collections/${b!.id}`).set('Authorization', s.user).expect(204)
    await api().get(`/api/collections/${b!.id}`).set('Authorization', s.user).expect(404)
    // The folder is free to map again.
    await api().post('/api/collections/from-inventory').set('Authorization', s.user).send({ connectorGuid: guid, folders: [{ path: '2020/Milledgeville, GA/' }], importNow: false }).expect(201)
    await api().delete(`/api/connectors/${guid}`).set('Authorization', s.user).expect(204)
    await api().get(`/api/connectors/${guid}`).set('Authorization', s.user).expect(404)
    await api().get(`/api/collections/${a!.id}`).set('Authorization', s.user).expect(404)
    await api().delete(`/api/connectors/${guid}`).set('Authorization', s.user).expect(404)
    expect(await s.serverStore.getConnectorCredentials(guid)).toBeNull()
  })
})

describe('credentials at rest', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ss-server-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('the SQLite file holds no secret access key in plain text', async () => {
    const filename = path.join(dir, 'db.sqlite')
    const s = await createTestServer({ filename })
    await request(s.app).post('/api/connectors').set('Authorization', s.user).send({ name: 'P', credentials: { accessKeyId: 'AKIAPLAINTEXTCHECK', secretAccessKey: SECRET, sessionToken: 'SESSIONTOKENPLAIN' } }).expect(201)
    await s.close()
    const bytes = Buffer.concat([readFileSync(filename), ...['-wal'].map((suffix) => { try { return readFileSync(filename + suffix) } catch { return Buffer.alloc(0) } })])
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false)
    expect(bytes.includes(Buffer.from('SESSIONTOKENPLAIN'))).toBe(false)
    expect(bytes.includes(Buffer.from('AKIAPLAINTEXTCHECK'))).toBe(false)
  })
})
