import { describe, expect, it } from 'vitest'
import type { AuditLogStore, CatalogStore, ImportStore, JobQueueStore } from '../store.js'
import { MINUTE, T0, at, expectCode, location, storePerTest, type PartConformanceOptions } from './conformance-kit.js'

/**
 * What the audit log's suite runs on: the log, and the parts whose changes the store logs by itself
 * (job transitions, a connector deleted).
 */
export type AuditLogConformanceStore = AuditLogStore &
  JobQueueStore &
  ImportStore &
  Pick<CatalogStore, 'createConnector' | 'updateConnector' | 'deleteConnector'>

/**
 * The behaviour of the audit log part of a store ({@link AuditLogStore}; NFR-022: who triggered which
 * import, when, and what happened to it), as one vitest suite.
 * @param name - names the backend in the suite's titles (`sqlite`, `my store`)
 */
export function describeAuditLogConformance<S extends AuditLogConformanceStore>(name: string, options: PartConformanceOptions<S>): void {
  describe(`${name}: audit log part of the store`, () => {
    const current = storePerTest(options)
    const newConnector = (name = 'Photos', schedule: 'manual' | 'daily' = 'manual') =>
      current().createConnector({ name, location, schedule })
    const actions = async (connectorId: string) => (await current().listAudit({ connectorId })).map((entry) => [entry.action, entry.actor])

    it('appends entries and lists them newest first, by connector and up to a limit', async () => {
      const store = current()
      const a = await newConnector('A')
      const b = await newConnector('B')
      await store.enqueueImport(a.id, { trigger: 'manual', actor: 'alice' })
      const entry = await store.appendAudit({
        connectorId: a.id,
        actor: 'alice',
        action: 'collections.created',
        subjectId: null,
        detail: { count: 3, folders: ['2021/Wedding/', 'ö "quoted"'] },
      })
      expect(entry).toMatchObject({ actor: 'alice', action: 'collections.created', detail: { count: 3, folders: ['2021/Wedding/', 'ö "quoted"'] } })
      await store.appendAudit({ connectorId: b.id, actor: 'bob', action: 'connector.configured', subjectId: b.id, detail: null, at: at(5).toISOString() })
      const log = await store.listAudit({ connectorId: a.id })
      expect(log.map((line) => [line.action, line.actor])).toEqual([
        ['collections.created', 'alice'],
        ['job.enqueued', 'alice'],
      ])
      expect(log[0]).toEqual(entry)
      expect(log[0]!.seq).toBeGreaterThan(log[1]!.seq)
      expect((await store.listAudit({ connectorId: b.id }))[0]).toMatchObject({ at: at(5).toISOString(), subjectId: b.id, detail: null })
      expect((await store.listAudit({ limit: 2 })).length).toBe(2)
      expect((await store.listAudit()).length).toBe(3)
    })

    it("logs a job's transitions itself: enqueued, claimed, reclaimed, completed, with who and which job", async () => {
      const store = current()
      const connector = await newConnector()
      const job = await store.enqueueImport(connector.id, { trigger: 'manual', now: T0 })
      await store.claimJob({ agentId: 'dead', leaseMs: 10_000, now: T0 })
      await store.claimJob({ agentId: 'live', leaseMs: 10_000, now: at(10_001) })
      await store.completeJob(job.id, { agentId: 'live', now: at(20_000), nextRunAt: null })
      const audit = await store.listAudit({ connectorId: connector.id })
      expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([
        ['job.completed', 'live'],
        ['job.reclaimed', 'live'],
        ['job.claimed', 'dead'],
        ['job.enqueued', 'system'],
      ])
      expect(audit.every((entry) => entry.subjectId === job.id)).toBe(true)
      expect(audit[1]!.detail).toMatchObject({ previousAgent: 'dead', attempt: 2 })
    })

    it('logs cancelling: asked for, and ended (a queued job at once, a running one by its agent)', async () => {
      const store = current()
      const connector = await newConnector('Photos', 'daily')
      const queued = await store.enqueueImport(connector.id, { trigger: 'manual', now: T0 })
      await store.cancelJob(queued.id, { actor: 'ana', now: at(1) })
      const running = await store.enqueueImport(connector.id, { trigger: 'scheduled', now: at(2) })
      await store.claimJob({ agentId: 'agent-a', leaseMs: MINUTE, now: at(3) })
      await store.cancelJob(running.id, { actor: 'ana', now: at(4) })
      await store.acknowledgeCancel(running.id, { agentId: 'agent-a', now: at(5), nextRunAt: at(86_400_000) })
      const logged = (await actions(connector.id)).map(([action]) => action)
      expect(logged).toContain('job.cancel-requested')
      expect(logged.filter((action) => action === 'job.cancelled')).toHaveLength(2)
    })

    it('logs the queued scheduled jobs that turning the schedule to manual cancels, with the reason', async () => {
      const store = current()
      const connector = await newConnector('Photos', 'daily')
      const job = await store.enqueueImport(connector.id, { trigger: 'scheduled', scheduledAt: at(MINUTE), now: T0 })
      await store.updateConnector(connector.id, { schedule: 'manual' })
      expect((await store.listAudit({ connectorId: connector.id, limit: 1 }))[0]).toMatchObject({
        action: 'job.cancelled',
        subjectId: job.id,
        detail: { reason: 'schedule set to manual' },
      })
    })

    it("keeps a deleted connector's entries (and logs the deletion); its jobs are gone", async () => {
      const store = current()
      const connector = await newConnector('Photos')
      const other = await newConnector('Other')
      await store.requestImportNow(connector.id, { actor: 'ana' })
      await store.requestImportNow(other.id)
      await store.deleteConnector(connector.id)
      expect(await store.listJobs(connector.id)).toEqual([])
      expect(await store.listJobs(other.id)).toHaveLength(1)
      expect((await store.listAudit({ connectorId: connector.id })).map((e) => e.action)).toEqual(['connector.deleted', 'job.enqueued'])
      await expectCode(store.deleteConnector(connector.id), 'NOT_FOUND')
    })
  })
}
