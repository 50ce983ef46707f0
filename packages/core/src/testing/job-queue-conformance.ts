import { describe, expect, it } from 'vitest'
import { nextRunAt } from '../schedule.js'
import type { CatalogStore, ImportJob, ImportStore, JobQueueStore, StoreLifecycle } from '../store.js'
import { MINUTE, T0, at, expectCode, failForRetry, location, progress, storePerTest, type PartConformanceOptions } from './conformance-kit.js'

/** What the job queue's suite runs on: the queue, the import part (an agent's calls on its job) and connectors. */
export type JobQueueConformanceStore = JobQueueStore & ImportStore & Pick<CatalogStore, 'createConnector' | 'updateConnector'>

/** Options of {@link describeJobQueueConformance}. */
export interface JobQueueConformanceOptions<S extends JobQueueConformanceStore> extends PartConformanceOptions<S> {
  /**
   * A second store on the same database as `store` (another connection, pool or process), closed by the
   * test. Enables the race tests; omit it for a backend that cannot have two.
   */
  openPeer?(store: S): Promise<S & Pick<StoreLifecycle, 'close'>>
}

/**
 * The behaviour of the job queue part of a store ({@link JobQueueStore}; PRD "chain scheduling"), as one
 * vitest suite: one queued-or-running import per connector, enforced by the database; leases; retries;
 * the next scheduled job queued on completion; cancelling; claims that race.
 * @param name - names the backend in the suite's titles (`sqlite`, `my store`)
 */
export function describeJobQueueConformance<S extends JobQueueConformanceStore>(name: string, options: JobQueueConformanceOptions<S>): void {
  describe(`${name}: job queue part of the store`, () => {
    const current = storePerTest(options)
    const newConnector = (name = 'Photos', schedule: 'manual' | 'daily' = 'manual') =>
      current().createConnector({ name, location, schedule })

    describe('job kinds, progress and cancelling', () => {
      it('a test or refresh job runs beside a queued import, is claimed first, runs once and never chains', async () => {
        const store = current()
        const connector = await newConnector('Photos', 'daily')
        const imported = await store.enqueueImport(connector.id, { trigger: 'scheduled', now: T0 })
        const test = await store.enqueueJob(connector.id, { kind: 'test', actor: 'ana', now: at(1) })
        expect(test).toMatchObject({ kind: 'test', status: 'queued', actor: 'ana', maxAttempts: 1, payload: null, result: null, progress: null })
        expect(imported).toMatchObject({ kind: 'import', actor: 'system', cancelRequestedAt: null })

        const first = await store.claimJob({ agentId: 'agent-a', leaseMs: MINUTE, now: at(2) })
        expect(first?.id).toBe(test.id)
        const { job, next } = await store.completeJob(test.id, {
          agentId: 'agent-a',
          now: at(3),
          nextRunAt: at(86_400_000),
          result: { ok: true, newestReport: '2026-03-28T01-00Z' },
        })
        expect(job).toMatchObject({ status: 'completed', result: { ok: true, newestReport: '2026-03-28T01-00Z' } })
        expect(next).toBeNull()

        const failing = await store.enqueueJob(connector.id, { kind: 'test', now: at(4) })
        await store.claimJob({ agentId: 'agent-a', leaseMs: MINUTE, now: at(5), kinds: ['test'] })
        const failed = await store.failJob(failing.id, {
          agentId: 'agent-a',
          error: { code: 'ACCESS_DENIED', message: 'AccessDenied on s3://dest/manifest.json' },
          retryAt: at(MINUTE),
          nextRunAt: at(86_400_000),
          now: at(6),
        })
        expect(failed).toMatchObject({ status: 'failed', lastError: { code: 'ACCESS_DENIED' } })
        expect(await store.listJobs(connector.id, { status: 'queued' })).toEqual([expect.objectContaining({ id: imported.id })])
        expect((await store.listJobs(connector.id, { kind: 'test' })).map((j) => j.id)).toEqual([failing.id, test.id])
        await expectCode(store.enqueueJob('con_missing', { kind: 'test' }), 'NOT_FOUND')
      })

      it('claims only the kinds asked for; a refresh waits while its connector imports', async () => {
        const store = current()
        const connector = await newConnector()
        const imported = await store.enqueueImport(connector.id, { trigger: 'manual', now: T0 })
        expect(await store.claimJob({ agentId: 'agent-a', leaseMs: MINUTE, now: at(1), kinds: ['test', 'refresh'] })).toBeNull()
        expect((await store.claimJob({ agentId: 'agent-a', leaseMs: MINUTE, now: at(1), kinds: ['import'] }))?.id).toBe(imported.id)
        const refresh = await store.enqueueJob(connector.id, { kind: 'refresh', payload: { collectionId: 'col_x' }, now: at(2) })
        expect(refresh.payload).toEqual({ collectionId: 'col_x' })
        expect(await store.claimJob({ agentId: 'agent-b', leaseMs: MINUTE, now: at(3) })).toBeNull()
        await store.completeJob(imported.id, { agentId: 'agent-a', now: at(4), nextRunAt: null })
        expect((await store.claimJob({ agentId: 'agent-b', leaseMs: MINUTE, now: at(5) }))?.id).toBe(refresh.id)
      })

      it('a heartbeat records progress; cancelling ends a queued job at once and a running one through its agent', async () => {
        const store = current()
        const connector = await newConnector('Photos', 'daily')
        const queued = await store.enqueueImport(connector.id, { trigger: 'manual', now: T0 })
        expect(await store.cancelJob(queued.id, { actor: 'ana', now: at(1) })).toMatchObject({ status: 'cancelled', finishedAt: at(1).toISOString() })
        await expectCode(store.cancelJob(queued.id), 'CONFLICT')
        await expectCode(store.cancelJob('job_missing'), 'NOT_FOUND')

        const running = await store.enqueueImport(connector.id, { trigger: 'scheduled', now: at(2) })
        await store.claimJob({ agentId: 'agent-a', leaseMs: MINUTE, now: at(3) })
        const beaten = await store.heartbeatJob(running.id, { agentId: 'agent-a', leaseMs: MINUTE, now: at(4), progress: progress(500) })
        expect(beaten).toMatchObject({ progress: progress(500), progressAt: at(4).toISOString(), cancelRequestedAt: null })
        await expectCode(store.acknowledgeCancel(running.id, { agentId: 'agent-a', now: at(5) }), 'CONFLICT')

        const asked = await store.cancelJob(running.id, { actor: 'ana', now: at(6) })
        expect(asked).toMatchObject({ status: 'running', cancelRequestedAt: at(6).toISOString() })
        const seen = await store.heartbeatJob(running.id, { agentId: 'agent-a', leaseMs: MINUTE, now: at(7) })
        expect(seen).toMatchObject({ cancelRequestedAt: at(6).toISOString(), progress: progress(500) })
        await expectCode(store.acknowledgeCancel(running.id, { agentId: 'agent-b', now: at(8) }), 'CONFLICT')
        const ended = await store.acknowledgeCancel(running.id, { agentId: 'agent-a', now: at(8), nextRunAt: at(86_400_000) })
        expect(ended).toMatchObject({ status: 'cancelled', finishedAt: at(8).toISOString() })
        // Cancelling one scheduled run does not end the chain.
        expect(await store.listJobs(connector.id, { status: 'queued' })).toEqual([
          expect.objectContaining({ trigger: 'scheduled', scheduledAt: at(86_400_000).toISOString() }),
        ])
      })
    })

    describe('job queue', () => {
      it('queues one import per connector: a second is IMPORT_IN_PROGRESS until the first ends', async () => {
        const store = current()
        const connector = await newConnector()
        const job = await store.enqueueImport(connector.id, { trigger: 'scheduled', scheduledAt: at(MINUTE), now: T0 })
        expect(job).toMatchObject({
          connectorId: connector.id,
          trigger: 'scheduled',
          status: 'queued',
          scheduledAt: at(MINUTE).toISOString(),
          createdAt: T0.toISOString(),
          attempts: 0,
          maxAttempts: 3,
          lockedBy: null,
          lastError: null,
        })
        expect(job.id).toMatch(/^job_/)
        await expectCode(store.enqueueImport(connector.id, { trigger: 'manual' }), 'IMPORT_IN_PROGRESS')
        expect(await store.cancelQueuedJobs(connector.id)).toBe(1)
        expect((await store.getJob(job.id)).status).toBe('cancelled')
        const again = await store.enqueueImport(connector.id, { trigger: 'manual' })
        expect(again.status).toBe('queued')

        const other = await newConnector('Other')
        await expect(store.enqueueImport(other.id, { trigger: 'manual' })).resolves.toMatchObject({ status: 'queued' })
        await expectCode(store.enqueueImport('con_missing', { trigger: 'manual' }), 'NOT_FOUND')
        await expectCode(store.getJob('job_missing'), 'NOT_FOUND')
        await expectCode(store.enqueueImport(other.id, { trigger: 'manual', maxAttempts: 0 }), 'INVALID_ARGUMENT')
      })

      it('"Import now" creates a job, pulls a queued one forward, or answers with the running one', async () => {
        const store = current()
        const connector = await newConnector('Photos', 'daily')
        const first = await store.requestImportNow(connector.id, { now: T0 })
        expect(first.outcome).toBe('created')
        expect(first.job).toMatchObject({ trigger: 'manual', status: 'queued', scheduledAt: T0.toISOString() })

        const claimed = await store.claimJob({ agentId: 'agent-a', leaseMs: MINUTE, now: T0 })
        const whileRunning = await store.requestImportNow(connector.id, { now: at(1000) })
        expect(whileRunning).toEqual({ outcome: 'already-running', job: claimed })

        const { next } = await store.completeJob(first.job.id, { agentId: 'agent-a', now: at(2000), nextRunAt: at(2000 + 86_400_000) })
        expect(next).toMatchObject({ trigger: 'scheduled', status: 'queued', scheduledAt: at(2000 + 86_400_000).toISOString() })
        const pulled = await store.requestImportNow(connector.id, { now: at(3000) })
        expect(pulled.outcome).toBe('rescheduled')
        expect(pulled.job).toMatchObject({ id: next!.id, trigger: 'manual', status: 'queued', scheduledAt: at(3000).toISOString() })
        await expectCode(store.requestImportNow('con_missing'), 'NOT_FOUND')
      })

      it('claims due jobs in scheduled order, each once, and none before its time', async () => {
        const store = current()
        const late = await newConnector('Late')
        const early = await newConnector('Early')
        const future = await newConnector('Future')
        await store.enqueueImport(late.id, { trigger: 'scheduled', scheduledAt: at(2000), now: T0 })
        await store.enqueueImport(early.id, { trigger: 'scheduled', scheduledAt: at(1000), now: T0 })
        await store.enqueueImport(future.id, { trigger: 'scheduled', scheduledAt: at(MINUTE), now: T0 })

        expect(await store.claimJob({ agentId: 'a', leaseMs: MINUTE, now: at(999) })).toBeNull()
        const firstClaim = await store.claimJob({ agentId: 'a', leaseMs: MINUTE, now: at(5000) })
        expect(firstClaim).toMatchObject({
          connectorId: early.id,
          status: 'running',
          lockedBy: 'a',
          attempts: 1,
          startedAt: at(5000).toISOString(),
          leaseExpiresAt: at(5000 + MINUTE).toISOString(),
        })
        expect((await store.claimJob({ agentId: 'b', leaseMs: MINUTE, now: at(5000) }))?.connectorId).toBe(late.id)
        expect(await store.claimJob({ agentId: 'c', leaseMs: MINUTE, now: at(5000) })).toBeNull()
        expect((await store.listJobs(undefined, { status: 'running' })).length).toBe(2)
        // One connector's job only, even when another's is due first.
        const other = await newConnector('Other')
        await store.enqueueImport(other.id, { trigger: 'manual', scheduledAt: at(10), now: T0 })
        expect(await store.claimJob({ agentId: 'c', leaseMs: MINUTE, now: at(MINUTE), connectorId: late.id })).toBeNull()
        expect((await store.claimJob({ agentId: 'c', leaseMs: MINUTE, now: at(MINUTE), connectorId: future.id }))?.connectorId).toBe(
          future.id,
        )
        await expectCode(store.claimJob({ agentId: 'c', leaseMs: 0 }), 'INVALID_ARGUMENT')
      })

      it('reclaims a job whose lease expired; the old holder can no longer heartbeat, complete or fail it', async () => {
        const store = current()
        const connector = await newConnector()
        const job = await store.enqueueImport(connector.id, { trigger: 'manual', now: T0 })
        await store.claimJob({ agentId: 'dead', leaseMs: 10_000, now: T0 })
        const beat = await store.heartbeatJob(job.id, { agentId: 'dead', leaseMs: 10_000, now: at(8000) })
        expect(beat.leaseExpiresAt).toBe(at(18_000).toISOString())
        expect(await store.claimJob({ agentId: 'live', leaseMs: 10_000, now: at(15_000) })).toBeNull()

        const reclaimed = await store.claimJob({ agentId: 'live', leaseMs: 10_000, now: at(18_001) })
        expect(reclaimed).toMatchObject({ id: job.id, lockedBy: 'live', attempts: 2, startedAt: T0.toISOString() })
        await expectCode(store.heartbeatJob(job.id, { agentId: 'dead', leaseMs: 10_000, now: at(18_002) }), 'CONFLICT')
        await expectCode(store.completeJob(job.id, { agentId: 'dead', nextRunAt: null }), 'CONFLICT')
        await expectCode(
          store.failJob(job.id, { agentId: 'dead', error: { code: 'X', message: 'x' }, retryAt: null }),
          'CONFLICT',
        )
        const done = await store.completeJob(job.id, { agentId: 'live', now: at(20_000), nextRunAt: null })
        expect(done).toEqual({ job: expect.objectContaining({ status: 'completed', finishedAt: at(20_000).toISOString() }), next: null })
        await expectCode(store.completeJob(job.id, { agentId: 'live', nextRunAt: null }), 'CONFLICT')
      })

      it('fails a job for good once its agents have died maxAttempts times', async () => {
        const store = current()
        const connector = await newConnector()
        const job = await store.enqueueImport(connector.id, { trigger: 'manual', maxAttempts: 2, now: T0 })
        await store.claimJob({ agentId: 'a', leaseMs: 1000, now: T0 })
        await store.claimJob({ agentId: 'b', leaseMs: 1000, now: at(2000) })
        expect(await store.claimJob({ agentId: 'c', leaseMs: 1000, now: at(4000) })).toBeNull()
        expect(await store.getJob(job.id)).toMatchObject({ status: 'failed', attempts: 2, lastError: { code: 'LEASE_EXPIRED' } })
        await expect(store.enqueueImport(connector.id, { trigger: 'manual' })).resolves.toMatchObject({ status: 'queued' })
      })

      it('retries a failed job at retryAt while attempts remain, then fails it and keeps the chain going', async () => {
        const store = current()
        const connector = await newConnector('Photos', 'daily')
        const job = await store.enqueueImport(connector.id, { trigger: 'scheduled', maxAttempts: 2, now: T0 })
        await store.claimJob({ agentId: 'a', leaseMs: MINUTE, now: T0 })
        await failForRetry(store, job.id, { agentId: 'a', retryAt: at(30_000), now: at(1000) })
        expect(await store.claimJob({ agentId: 'a', leaseMs: MINUTE, now: at(29_999) })).toBeNull()
        await store.claimJob({ agentId: 'a', leaseMs: MINUTE, now: at(30_000) })
        const next = nextRunAt(at(31_000), 'daily')!
        const failed = await store.failJob(job.id, {
          agentId: 'a',
          error: { code: 'CHECKSUM_MISMATCH', message: 'bad data file' },
          retryAt: at(60_000),
          nextRunAt: next,
          now: at(31_000),
        })
        expect(failed).toMatchObject({ status: 'failed', attempts: 2, finishedAt: at(31_000).toISOString() })
        const [queued] = await store.listJobs(connector.id, { status: 'queued' })
        expect(queued).toMatchObject({ trigger: 'scheduled', scheduledAt: '2026-03-29T23:30:31.000Z' })
      })

      it('queues the next scheduled import at completion + interval, in exact UTC arithmetic', async () => {
        const store = current()
        const connector = await newConnector('Photos', 'daily')
        const job = await store.enqueueImport(connector.id, { trigger: 'scheduled', now: T0 })
        await store.claimJob({ agentId: 'a', leaseMs: MINUTE, now: T0 })
        // 2026-03-29 is a DST change in Europe; UTC days are still 24 hours.
        const completedAt = new Date('2026-03-28T23:45:12.345Z')
        const { job: done, next } = await store.completeJob(job.id, {
          agentId: 'a',
          now: completedAt,
          nextRunAt: nextRunAt(completedAt, 'daily'),
        })
        expect(done.status).toBe('completed')
        expect(next).toMatchObject({ trigger: 'scheduled', status: 'queued', scheduledAt: '2026-03-29T23:45:12.345Z' })
        await store.claimJob({ agentId: 'a', leaseMs: MINUTE, now: new Date('2026-03-29T23:45:12.345Z') })
        const weekly = await store.completeJob(next!.id, {
          agentId: 'a',
          now: new Date('2026-03-30T00:00:00.000Z'),
          nextRunAt: nextRunAt(new Date('2026-03-30T00:00:00.000Z'), 'weekly'),
        })
        expect(weekly.next?.scheduledAt).toBe('2026-04-06T00:00:00.000Z')
      })

      it('queues no next import once the schedule was switched to manual during the run', async () => {
        const store = current()
        const connector = await newConnector('Photos', 'daily')
        const job = await store.enqueueImport(connector.id, { trigger: 'scheduled', now: T0 })
        await store.claimJob({ agentId: 'a', leaseMs: MINUTE, now: T0 })
        // The agent computed nextRunAt from the daily schedule; the user turned the schedule off meanwhile.
        await store.updateConnector(connector.id, { schedule: 'manual' })
        const { next } = await store.completeJob(job.id, { agentId: 'a', now: at(1000), nextRunAt: nextRunAt(at(1000), 'daily') })
        expect(next).toBeNull()
        expect(await store.listJobs(connector.id, { status: 'queued' })).toEqual([])
      })

      it('disabling the schedule cancels queued scheduled jobs, not a manual or running one', async () => {
        const store = current()
        const scheduled = await newConnector('Scheduled', 'daily')
        const manual = await newConnector('Manual', 'daily')
        const running = await newConnector('Running', 'daily')
        const scheduledJob = await store.enqueueImport(scheduled.id, { trigger: 'scheduled', scheduledAt: at(MINUTE), now: T0 })
        const manualJob = await store.enqueueImport(manual.id, { trigger: 'manual', now: T0 })
        await store.enqueueImport(running.id, { trigger: 'scheduled', now: T0 })
        const runningJob = await store.claimJob({ agentId: 'a', leaseMs: MINUTE, now: T0 })
        expect(runningJob?.connectorId).toBe(manual.id) // scheduled at T0 and created first
        const runningScheduled = await store.claimJob({ agentId: 'a', leaseMs: MINUTE, now: T0 })
        expect(runningScheduled?.connectorId).toBe(running.id)

        for (const connector of [scheduled, manual, running]) await store.updateConnector(connector.id, { schedule: 'manual' })
        expect((await store.getJob(scheduledJob.id)).status).toBe('cancelled')
        expect((await store.getJob(manualJob.id)).status).toBe('running')
        expect((await store.getJob(runningScheduled!.id)).status).toBe('running')

        const queuedManual = await store.enqueueImport(scheduled.id, { trigger: 'manual' })
        expect(await store.cancelQueuedJobs(scheduled.id, { trigger: 'scheduled' })).toBe(0)
        expect((await store.getJob(queuedManual.id)).status).toBe('queued')
      })

      it('lists jobs newest first, by connector, status and kind', async () => {
        const store = current()
        const a = await newConnector('A')
        const b = await newConnector('B')
        const jobA = await store.enqueueImport(a.id, { trigger: 'manual', actor: 'alice' })
        const jobB = await store.enqueueImport(b.id, { trigger: 'manual' })
        expect((await store.listJobs()).map((job: ImportJob) => job.id)).toEqual([jobB.id, jobA.id])
        expect((await store.listJobs(a.id)).map((job) => job.id)).toEqual([jobA.id])
        expect(await store.listJobs(a.id, { status: 'running' })).toEqual([])
        expect(await store.listJobs(a.id, { kind: 'test' })).toEqual([])
        expect((await store.listJobs(undefined, { limit: 1 })).map((job) => job.id)).toEqual([jobB.id])
        expect(await store.getJob(jobA.id)).toEqual(jobA)
      })

      describe.skipIf(!options.openPeer)('races between connections', () => {
        it('50 concurrent "Import now" calls leave exactly one active job', async () => {
          const store = current()
          const others = [await options.openPeer!(store), await options.openPeer!(store)]
          const peers = [store, ...others]
          try {
            const connector = await newConnector()
            const results = await Promise.all(
              Array.from({ length: 50 }, (_, i) => peers[i % peers.length]!.requestImportNow(connector.id)),
            )
            const active = [
              ...(await store.listJobs(connector.id, { status: 'queued' })),
              ...(await store.listJobs(connector.id, { status: 'running' })),
            ]
            expect(active.length).toBe(1)
            expect(new Set(results.map((result) => result.job.id))).toEqual(new Set([active[0]!.id]))
            expect(results.filter((result) => result.outcome === 'created').length).toBe(1)
          } finally {
            for (const peer of others) await peer.close()
          }
        })

        it('4 concurrent claimers on 200 jobs: each job is claimed exactly once', async () => {
          const store = current()
          const others = await Promise.all([1, 2, 3].map(() => options.openPeer!(store)))
          const peers = [store, ...others]
          try {
            for (let i = 0; i < 200; i++) {
              const connector = await newConnector(`C${i}`)
              await store.enqueueImport(connector.id, { trigger: 'manual', now: T0 })
            }
            const claimedBy = await Promise.all(
              peers.map(async (peer, index) => {
                const ids: string[] = []
                for (;;) {
                  const job = await peer.claimJob({ agentId: `agent-${index}`, leaseMs: MINUTE, now: at(1000) })
                  if (!job) return ids
                  ids.push(job.id)
                }
              }),
            )
            const all = claimedBy.flat()
            expect(all.length).toBe(200)
            expect(new Set(all).size).toBe(200)
            const running = await store.listJobs(undefined, { status: 'running', limit: 500 })
            expect(running.every((job) => job.attempts === 1)).toBe(true)
            expect(running.length).toBe(200)
          } finally {
            for (const peer of others) await peer.close()
          }
        })
      })
    })
  })
}
