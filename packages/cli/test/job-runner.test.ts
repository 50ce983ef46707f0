import { cpSync, readdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { InventoryStore, ObjectSource } from '@shuttersense/inventory-core'
import type { ImportJob } from '@shuttersense/inventory-core/types'
import { createFileScratch, createLocalDirectorySource, runImportJob, runInventoryImport } from '@shuttersense/inventory-core/node'
import { jobProgressOf } from '@shuttersense/inventory-core/internal'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'
import { runCliJson, snapshot, tempDir, WHERE } from './helpers.js'

const LEASE_MS = 10_000
const location = { destinationBucket: 'dest', sourceBucket: 'photos', configName: 'daily' }

let dir: string
let cleanup: () => void
const stores: InventoryStore[] = []

beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
})
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  cleanup()
})

/** The store without its optional batch write: phase B stores one collection per call. */
function withoutBatches(store: InventoryStore): InventoryStore {
  return { ...store, writeFileInfoBatch: undefined }
}

async function openStore(name: string): Promise<InventoryStore> {
  const store = createSqliteStore({ filename: path.join(dir, `${name}.db`) })
  await store.migrate()
  stores.push(store)
  return store
}

/** Day 1 and the next day's report (5% changed), each a directory standing for the destination bucket. */
async function twoDays(): Promise<{ day1: string; day2: string }> {
  const day1 = path.join(dir, 'day1')
  const day2 = path.join(dir, 'day2')
  await runCliJson(['generate', '--out', day1, ...WHERE, '--objects', '6000', '--files', '3', '--seed', '3'])
  await runCliJson(['generate', '--out', day2, ...WHERE, '--change-from', day1, '--change-pct', '5', '--seed', '4'])
  return { day1, day2 }
}

async function claim(store: InventoryStore, agentId: string, now = new Date()): Promise<ImportJob> {
  const job = await store.claimJob({ agentId, leaseMs: LEASE_MS, now })
  if (!job) throw new Error('nothing to claim')
  return job
}

/** `source` whose data files never arrive: a run over it ends only when its signal fires. */
function stallsUntilAborted(source: ObjectSource): ObjectSource {
  return {
    ...source,
    listFolders: (bucket, prefix, options) => source.listFolders(bucket, prefix, options),
    readObject: (bucket, key, options) => source.readObject(bucket, key, options),
    async *streamObject(_bucket, _key, options) {
      await new Promise((_resolve, reject) => options?.signal?.addEventListener('abort', () => reject(options.signal?.reason)))
      yield new Uint8Array()
    },
  }
}

/** Resolves once `condition` holds, checking between other work (no fixed delay to guess). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve))
}

/** One "Import now" job, claimed and run to its end by `agent`. */
async function importNow(store: InventoryStore, connectorId: string, root: string, agent = 'agent-a') {
  await store.requestImportNow(connectorId)
  const job = await claim(store, agent)
  return runImportJob({ job, agentId: agent, leaseMs: LEASE_MS, store, source: createLocalDirectorySource(root), scratch: createFileScratch() })
}

/** A connector with day 1 imported and every folder two levels deep mapped to a collection. */
async function connectorWithBaseline(store: InventoryStore, day1: string): Promise<string> {
  const connector = await store.createConnector({ name: 'Photos', location, schedule: 'daily' })
  expect((await importNow(store, connector.id, day1)).outcome).toBe('completed')
  await store.cancelQueuedJobs(connector.id)
  const { folders } = await store.listFolders(connector.id, { depth: 2 })
  await store.createCollections(connector.id, folders.map((folder, i) => ({ name: `C${i}`, folderPath: folder.path })))
  expect((await importNow(store, connector.id, day1)).outcome).toBe('completed')
  await store.cancelQueuedJobs(connector.id)
  return connector.id
}

describe('runImportJob', () => {
  it('resumes a job whose agent died in phase B: the result equals an uninterrupted run', async () => {
    const { day1, day2 } = await twoDays()
    const reference = await openStore('reference')
    const resumed = await openStore('resumed')
    const referenceConnector = await connectorWithBaseline(reference, day1)
    const resumedConnector = await connectorWithBaseline(resumed, day1)

    const uninterrupted = await importNow(reference, referenceConnector, day2)
    expect(uninterrupted.outcome).toBe('completed')

    // The first agent dies after three collections: its job stays running, its session keeps the checkpoint.
    // It stores one collection per call (SQLite's batches would store the whole small test report at once).
    await resumed.requestImportNow(resumedConnector)
    const job = await claim(resumed, 'agent-dies')
    const death = new AbortController()
    let collectionsDone = 0
    const interrupted = await runImportJob({
      job,
      agentId: 'agent-dies',
      leaseMs: LEASE_MS,
      store: withoutBatches(resumed),
      source: createLocalDirectorySource(day2),
      scratch: createFileScratch(),
      signal: death.signal,
      onProgress: (progress) => {
        if (progress.event === 'collection-done' && ++collectionsDone === 3) death.abort()
      },
    })
    expect(interrupted.outcome).toBe('interrupted')
    expect((await resumed.getJob(job.id)).status).toBe('running')
    const [session] = await resumed.listImportSessions(resumedConnector, { limit: 1 })
    expect(session).toMatchObject({ status: 'running', checkpoint: { phase: 'B' } })
    expect(session!.checkpoint.collectionsDone.length).toBe(3)

    // Nobody can claim it while the lease holds; after it, another agent does and resumes the session.
    expect(await resumed.claimJob({ agentId: 'agent-b', leaseMs: LEASE_MS })).toBeNull()
    const reclaimed = await claim(resumed, 'agent-b', new Date(Date.now() + LEASE_MS + 1))
    expect(reclaimed).toMatchObject({ id: job.id, attempts: 2, lockedBy: 'agent-b' })
    const finished = await runImportJob({
      job: reclaimed,
      agentId: 'agent-b',
      leaseMs: LEASE_MS,
      store: resumed,
      source: createLocalDirectorySource(day2),
      scratch: createFileScratch(),
    })
    expect(finished.outcome).toBe('completed')
    if (finished.outcome !== 'completed' || uninterrupted.outcome !== 'completed') return
    expect(finished.result.resumed).toBe(true)
    expect(finished.result.session.id).toBe(session!.id)
    expect(finished.result.summary).toEqual(uninterrupted.result.summary)

    const expected = await snapshot(reference, referenceConnector)
    const actual = await snapshot(resumed, resumedConnector)
    expect(Object.keys(actual.collections).length).toBeGreaterThan(3)
    expect(actual).toEqual(expected)
    // The changes of day 2 are in the deltas, not lost to the interruption.
    const changed = Object.values(actual.collections).reduce((sum, c) => sum + (c.delta?.counts.new ?? 0) + (c.delta?.counts.modified ?? 0), 0)
    expect(changed).toBeGreaterThan(0)
  })

  it('completes a job and queues the next scheduled import at completion + interval', async () => {
    const { day1 } = await twoDays()
    const store = await openStore('chain')
    const connector = await store.createConnector({ name: 'Photos', location, schedule: 'weekly' })
    const outcome = await importNow(store, connector.id, day1)
    expect(outcome.outcome).toBe('completed')
    if (outcome.outcome !== 'completed') return
    expect(outcome.job.status).toBe('completed')
    expect(outcome.job.result).toEqual({ importId: outcome.result.session.id, inventoryTimestamp: outcome.result.session.inventoryTimestamp, noNewReport: false })
    expect(outcome.next).toMatchObject({ trigger: 'scheduled', status: 'queued' })
    expect(Date.parse(outcome.next!.scheduledAt) - Date.parse(outcome.job.finishedAt!)).toBe(7 * 86_400_000)

    await store.updateConnector(connector.id, { schedule: 'manual' })
    expect((await store.getJob(outcome.next!.id)).status).toBe('cancelled')
    const manual = await importNow(store, connector.id, day1)
    expect(manual.outcome === 'completed' && manual.next).toBeNull()
    // The same report again: the job says nothing was new, naming the session that stands.
    expect(manual.outcome === 'completed' && manual.job.result).toEqual({ importId: outcome.result.session.id, inventoryTimestamp: outcome.result.session.inventoryTimestamp, noNewReport: true })
  })

  it('retries a transient failure later and fails a permanent one for good, keeping the chain', async () => {
    const { day1 } = await twoDays()
    const store = await openStore('failures')
    const connector = await store.createConnector({ name: 'Photos', location, schedule: 'daily' })

    // No report yet: the inventory may simply not be written; try again later.
    const empty = path.join(dir, 'empty')
    cpSync(day1, empty, { recursive: true, filter: (source) => !source.endsWith('manifest.json') })
    await store.requestImportNow(connector.id)
    const first = await claim(store, 'agent-a')
    const transient = await runImportJob({
      job: first,
      agentId: 'agent-a',
      store,
      source: createLocalDirectorySource(empty),
      retryDelayMs: (attempt) => attempt * 5_000,
    })
    expect(transient).toMatchObject({ outcome: 'failed', retrying: true, error: { code: 'MANIFEST_NOT_FOUND' } })
    const retried = await store.getJob(first.id)
    expect(retried).toMatchObject({ status: 'queued', lastError: { code: 'MANIFEST_NOT_FOUND' } })
    expect(Date.parse(retried.scheduledAt) - Date.now()).toBeGreaterThan(3_000)

    // A corrupt data file is not going to mend itself.
    const corrupt = path.join(dir, 'corrupt')
    cpSync(day1, corrupt, { recursive: true })
    const dataDir = path.join(corrupt, 'photos/daily/data')
    writeFileSync(path.join(dataDir, readdirSync(dataDir)[0]!), 'not gzip at all')
    const second = await claim(store, 'agent-a', new Date(Date.parse(retried.scheduledAt)))
    const permanent = await runImportJob({ job: second, agentId: 'agent-a', store, source: createLocalDirectorySource(corrupt) })
    expect(permanent).toMatchObject({ outcome: 'failed', retrying: false, error: { code: 'DATA_FILE_CORRUPT' } })
    expect((await store.getJob(first.id)).status).toBe('failed')
    const [next] = await store.listJobs(connector.id, { status: 'queued' })
    expect(next).toMatchObject({ trigger: 'scheduled' })
    expect(Date.parse(next!.scheduledAt) - Date.parse((await store.getJob(first.id)).finishedAt!)).toBe(86_400_000)
  })

  it('gives the job up when its heartbeats cannot reach the store for a whole lease', async () => {
    const { day1 } = await twoDays()
    const store = await openStore('unreachable')
    const connector = await store.createConnector({ name: 'Photos', location })
    await store.requestImportNow(connector.id)
    // The runner's clock: it reads the lease's age from `now`, so the test moves time instead of waiting for it.
    let clock = new Date()
    const job = await claim(store, 'cut-off', clock)
    let heartbeats = 0
    // Every heartbeat fails as if the database were down; the runner must not go on past its lease.
    const unreachable: InventoryStore = Object.create(store, {
      heartbeatJob: {
        value: () => {
          heartbeats++
          return Promise.reject(new Error('connection refused'))
        },
      },
    })
    const running = runImportJob({
      job,
      agentId: 'cut-off',
      leaseMs: LEASE_MS,
      heartbeatEveryMs: 5,
      now: () => clock,
      store: unreachable,
      source: stallsUntilAborted(createLocalDirectorySource(day1)),
    })
    // Failed heartbeats within the lease are tried again: the import goes on.
    await until(() => heartbeats >= 3)
    clock = new Date(clock.getTime() + LEASE_MS - 1)
    const before = heartbeats
    await until(() => heartbeats >= before + 3)
    // Past the lease with no renewal, another agent may hold the job: the runner gives it up.
    clock = new Date(clock.getTime() + 2)
    expect(await running).toMatchObject({ outcome: 'lost', error: { code: 'CONFLICT' } })
  })

  it('stops and records nothing when another agent took the job over', async () => {
    const { day1 } = await twoDays()
    const store = await openStore('lost')
    const connector = await store.createConnector({ name: 'Photos', location })
    await store.requestImportNow(connector.id)
    const claimedAt = new Date()
    const job = await claim(store, 'slow', claimedAt)
    // Another agent takes the job over once the lease has expired (it never renewed: its clock stands still).
    const takenOver = await claim(store, 'fast', new Date(claimedAt.getTime() + LEASE_MS + 1))
    expect(takenOver.lockedBy).toBe('fast')
    // The slow agent stalls before its first data file; only its next heartbeat (refused: CONFLICT) can end the run.
    const outcome = await runImportJob({
      job,
      agentId: 'slow',
      leaseMs: LEASE_MS,
      heartbeatEveryMs: 5,
      now: () => claimedAt,
      store,
      source: stallsUntilAborted(createLocalDirectorySource(day1)),
    })
    expect(outcome).toMatchObject({ outcome: 'lost', error: { code: 'CONFLICT' } })
    expect(await store.getJob(job.id)).toMatchObject({ status: 'running', lockedBy: 'fast', lastError: null })
  })

  it('reports progress with its heartbeats and stops a job cancelled while it runs: it ends cancelled, the chain goes on', async () => {
    const { day1 } = await twoDays()
    const store = await openStore('cancel')
    const connector = await store.createConnector({ name: 'Photos', location, schedule: 'daily' })
    await store.requestImportNow(connector.id)
    const job = await claim(store, 'agent-a')
    // Data files stall until the import is aborted: the run can only end through the cancel.
    const stalling = stallsUntilAborted(createLocalDirectorySource(day1))
    const running = runImportJob({ job, agentId: 'agent-a', leaseMs: LEASE_MS, heartbeatEveryMs: 5, store, source: stalling, scratch: createFileScratch() })
    for (;;) {
      const seen = await store.getJob(job.id)
      if (seen.progress?.phase === 'A') break
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect((await store.getJob(job.id)).progress).toMatchObject({ phase: 'A', dataFiles: 3, dataFilesDone: 0, percent: 0 })
    await store.cancelJob(job.id, { actor: 'ana' })
    const outcome = await running
    expect(outcome).toMatchObject({ outcome: 'cancelled', job: { id: job.id, status: 'cancelled' } })
    expect(await store.listJobs(connector.id, { status: 'queued' })).toEqual([expect.objectContaining({ trigger: 'scheduled' })])
  })

  it('progress counts the records and the bad rows by reason of every data file read', async () => {
    const root = path.join(dir, 'malformed')
    const written = await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '3000', '--files', '2', '--malformed', '4', '--seed', '9'])
    const store = await openStore('progress')
    const connector = await store.createConnector({ name: 'Photos', location })
    let last: ReturnType<typeof jobProgressOf> | undefined
    await runInventoryImport({
      store,
      connectorId: connector.id,
      source: createLocalDirectorySource(root),
      onProgress: (progress) => (last = jobProgressOf(progress)),
    })
    expect(last).toMatchObject({ phase: 'done', percent: 100, dataFilesDone: 2, records: (written as { objects: number }).objects })
    const bad = Object.values(last!.badRows).reduce((sum, count) => sum + (count ?? 0), 0)
    expect(bad).toBe(4)
  })
})
