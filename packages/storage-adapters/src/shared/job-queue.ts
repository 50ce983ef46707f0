import { InventoryError, type InventoryStore } from '@shuttersense/inventory-core'
import type { AuditEntry, ImportNowResult, JobKind, JobTrigger } from '@shuttersense/inventory-core/types'
import { newId } from '@shuttersense/inventory-core/internal'
import { appendAuditSteps, jobAudit, listAuditStatement, type TimedAuditEntry } from './audit.js'
import { cancelRequested, chainsToNextRun, heldBy, isSpent, leaseExpiredMessage, shouldRetry } from './job-rules.js'
import { auditFromRow, jobFromRow, type AuditRow, type JobRow } from './rows.js'
import { isIn, lockRows, orderColumn, orderValue, whereAll } from './sql/clauses.js'
import { EMPTY, sql } from './sql/statement.js'
import { countOf, firstOf, rowsOf, type SqlSteps, type SqlRunner } from './sql/steps.js'
import { checkJobNumbers } from './validate.js'

type JobMethods = Pick<
  InventoryStore,
  | 'enqueueImport'
  | 'requestImportNow'
  | 'claimJob'
  | 'heartbeatJob'
  | 'completeJob'
  | 'failJob'
  | 'cancelQueuedJobs'
  | 'enqueueJob'
  | 'cancelJob'
  | 'acknowledgeCancel'
  | 'getJob'
  | 'listJobs'
  | 'appendAudit'
  | 'listAudit'
>

/** What the rest of a store needs from the queue besides the public methods: steps to run in its own transactions. */
export interface JobQueue extends JobMethods {
  /** Cancels the connector's queued jobs (of one trigger, or all), auditing each; answers how many. */
  cancelQueuedSteps(connectorId: string, trigger: JobTrigger | undefined, actor: string, at: string, reason: string): SqlSteps<number>
  /** Appends to the audit log. */
  auditSteps(entry: TimedAuditEntry): SqlSteps<AuditEntry>
}

const DEFAULT_MAX_ATTEMPTS = 3

/** What a new job is. */
interface NewJob {
  connectorId: string
  trigger: JobTrigger
  scheduledAt: string
  maxAttempts: number
  at: string
  actor: string
  kind?: JobKind | undefined
  payload?: Record<string, unknown> | null | undefined
}

const iso = (date: Date | undefined): string => (date ?? new Date()).toISOString()

/**
 * The job queue and audit log, written once for both stores. Concurrency comes from the database: the
 * partial unique index `jobs_one_active_import_per_connector` allows one queued-or-running import per
 * connector (an insert that meets it does nothing), every transition runs in one write transaction that
 * locks its job row and writes its audit row, and claims skip rows another claim has locked. In SQLite
 * the locks are no-ops: a write transaction holds the database's one write lock from its start
 * (`BEGIN IMMEDIATE`), so even another process cannot interleave.
 */
export function createJobQueue(run: SqlRunner): JobQueue {
  function* requireJob(id: string, lock = false): SqlSteps<JobRow> {
    const row = yield* firstOf<JobRow>(sql`SELECT * FROM jobs WHERE id = ${id}${lock ? lockRows('update') : EMPTY}`)
    if (!row) throw new InventoryError('NOT_FOUND', `job ${id} does not exist`)
    return row
  }

  function* activeImport(connectorId: string, lock = false): SqlSteps<JobRow | undefined> {
    return yield* firstOf<JobRow>(
      sql`SELECT * FROM jobs WHERE connector_id = ${connectorId} AND status IN ('queued', 'running') AND kind = 'import'${lock ? lockRows('update') : EMPTY}`,
    )
  }

  /**
   * The schedule as this transaction sees it (locked for share: a concurrent switch to `manual` waits for
   * us, or we see it): a `manual` one queues no next run, whatever the caller computed.
   */
  function* scheduled(connectorId: string): SqlSteps<boolean> {
    const row = yield* firstOf<{ schedule: string }>(sql`SELECT schedule FROM connectors WHERE id = ${connectorId}${lockRows('share')}`)
    return row?.schedule !== 'manual'
  }

  function* requireConnector(connectorId: string): SqlSteps<void> {
    if (!(yield* firstOf(sql`SELECT 1 FROM connectors WHERE id = ${connectorId}`))) {
      throw new InventoryError('NOT_FOUND', `connector ${connectorId} does not exist`)
    }
  }

  /** Queues a job and audits it; `null` (nothing written) when it is an import and the connector already has an active one. */
  function* tryInsertJob(job: NewJob): SqlSteps<JobRow | null> {
    const kind = job.kind ?? 'import'
    // A concurrent uncommitted insert for the connector makes this wait for its outcome (Postgres), so
    // two callers can never both see "no active job".
    const row = yield* firstOf<JobRow>(sql`INSERT INTO jobs (id, connector_id, kind, trigger, status, scheduled_at, created_at, max_attempts, actor, payload${orderColumn('jobs')})
      VALUES (${newId('job')}, ${job.connectorId}, ${kind}, ${job.trigger}, 'queued', ${job.scheduledAt}, ${job.at}, ${job.maxAttempts}, ${job.actor},
        ${job.payload == null ? null : JSON.stringify(job.payload)}${orderValue('jobs')})
      ON CONFLICT (connector_id) WHERE status IN ('queued', 'running') AND kind = 'import' DO NOTHING RETURNING *`)
    if (!row) return null
    yield* appendAuditSteps(jobAudit.enqueued(row, job))
    return row
  }

  /** Queues a job; `IMPORT_IN_PROGRESS` when the connector already has an active import. */
  function* insertJob(job: NewJob): SqlSteps<JobRow> {
    const row = yield* tryInsertJob(job)
    if (row) return row
    const active = yield* activeImport(job.connectorId)
    throw new InventoryError(
      'IMPORT_IN_PROGRESS',
      `connector ${job.connectorId} already has a ${active?.status ?? 'queued or running'} import job${active ? ` (${active.id})` : ''}`,
    )
  }

  /** The next scheduled import after `row`, if the caller computed one and the schedule still wants it. */
  function* chainNextRun(row: JobRow, nextRunAt: Date | null | undefined, at: string): SqlSteps<JobRow | null> {
    if (!chainsToNextRun(row, nextRunAt) || !(yield* scheduled(row.connector_id))) return null
    return yield* insertJob({
      connectorId: row.connector_id,
      trigger: 'scheduled',
      scheduledAt: nextRunAt.toISOString(),
      maxAttempts: Number(row.max_attempts),
      at,
      actor: 'system',
    })
  }

  /** The job, locked, if `agentId` holds it; a CONFLICT otherwise (its lease was taken over, or it ended). */
  function* heldJob(jobId: string, agentId: string): SqlSteps<JobRow> {
    return heldBy(yield* requireJob(jobId, true), agentId)
  }

  /** Runs an UPDATE … RETURNING * of one job. */
  function* updated(statement: ReturnType<typeof sql>): SqlSteps<JobRow> {
    return (yield* firstOf<JobRow>(statement))!
  }

  function* cancelQueuedSteps(connectorId: string, trigger: JobTrigger | undefined, actor: string, at: string, reason: string): SqlSteps<number> {
    const rows = yield* rowsOf<{ id: string }>(sql`UPDATE jobs SET status = 'cancelled', finished_at = ${at}
      WHERE connector_id = ${connectorId} AND status = 'queued'${trigger === undefined ? EMPTY : sql` AND trigger = ${trigger}`} RETURNING id`)
    for (const { id } of rows) yield* appendAuditSteps(jobAudit.cancelled({ id, connector_id: connectorId }, reason, { at, actor }))
    return rows.length
  }

  return {
    cancelQueuedSteps,
    auditSteps: appendAuditSteps,

    async enqueueImport(connectorId, options) {
      checkJobNumbers({ maxAttempts: options.maxAttempts })
      const at = iso(options.now)
      const row = await run.transaction(function* () {
        yield* requireConnector(connectorId)
        return yield* insertJob({
          connectorId,
          trigger: options.trigger,
          scheduledAt: options.scheduledAt ? options.scheduledAt.toISOString() : at,
          maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
          at,
          actor: options.actor ?? 'system',
        })
      }, options.signal)
      return jobFromRow(row)
    },

    async requestImportNow(connectorId, options = {}) {
      const at = iso(options.now)
      const actor = options.actor ?? 'system'
      return run.transaction(function* (): SqlSteps<ImportNowResult> {
        yield* requireConnector(connectorId)
        for (;;) {
          const created = yield* tryInsertJob({ connectorId, trigger: 'manual', scheduledAt: at, maxAttempts: DEFAULT_MAX_ATTEMPTS, at, actor })
          if (created) return { job: jobFromRow(created), outcome: 'created' }
          // The connector has an active import: lock it, so no claim or completion moves it under us.
          const active = yield* activeImport(connectorId, true)
          // It ended between the insert and the lock (Postgres): try the insert again.
          if (!active) continue
          if (active.status === 'running') return { job: jobFromRow(active), outcome: 'already-running' }
          const job = yield* updated(sql`UPDATE jobs SET scheduled_at = ${at}, trigger = 'manual' WHERE id = ${active.id} RETURNING *`)
          yield* appendAuditSteps(jobAudit.rescheduled(active, at, { at, actor }))
          return { job: jobFromRow(job), outcome: 'rescheduled' }
        }
      }, options.signal)
    },

    async claimJob(options) {
      checkJobNumbers({ leaseMs: options.leaseMs })
      const now = options.now ?? new Date()
      const at = now.toISOString()
      const leaseExpiresAt = new Date(now.getTime() + options.leaseMs).toISOString()
      const stamp = { at, actor: options.agentId }
      const claimed = await run.transaction(function* (): SqlSteps<JobRow | null> {
        for (;;) {
          // SKIP LOCKED: a job another agent is claiming (or its holder is touching) is passed over, so
          // concurrent claims never wait on each other and never take the same job. Tests and refreshes
          // first (a person waits for them); a refresh waits while its connector imports.
          const row = yield* firstOf<JobRow>(sql`SELECT * FROM jobs AS j
            WHERE ((status = 'queued' AND scheduled_at <= ${at}) OR (status = 'running' AND lease_expires_at < ${at}))
              ${options.connectorId === undefined ? EMPTY : sql`AND connector_id = ${options.connectorId}`}
              ${options.kinds === undefined ? EMPTY : sql`AND ${isIn('kind', options.kinds)}`}
              AND NOT (kind = 'refresh' AND status = 'queued' AND EXISTS (
                SELECT 1 FROM jobs AS i WHERE i.connector_id = j.connector_id AND i.kind = 'import' AND i.status = 'running'))
            ORDER BY CASE kind WHEN 'import' THEN 1 ELSE 0 END, scheduled_at, seq LIMIT 1${lockRows('update skip locked')}`)
          if (!row) return null
          const reclaim = row.status === 'running'
          if (reclaim && isSpent(row)) {
            // Its agents kept dying: stop handing it out.
            const message = leaseExpiredMessage(row)
            yield* countOf(sql`UPDATE jobs SET status = 'failed', finished_at = ${at}, locked_by = NULL, lease_expires_at = NULL,
              error_code = 'LEASE_EXPIRED', error_message = ${message} WHERE id = ${row.id}`)
            yield* appendAuditSteps(jobAudit.leaseExpired(row, message, stamp))
            continue
          }
          const job = yield* updated(sql`UPDATE jobs SET status = 'running', locked_by = ${options.agentId}, lease_expires_at = ${leaseExpiresAt},
            attempts = attempts + 1, started_at = COALESCE(started_at, ${at}) WHERE id = ${row.id} RETURNING *`)
          yield* appendAuditSteps(jobAudit.claimed(row, reclaim, stamp))
          return job
        }
      }, options.signal)
      return claimed ? jobFromRow(claimed) : null
    },

    async heartbeatJob(jobId, options) {
      checkJobNumbers({ leaseMs: options.leaseMs })
      const now = options.now ?? new Date()
      const leaseExpiresAt = new Date(now.getTime() + options.leaseMs).toISOString()
      const progress = options.progress ? sql`, progress = ${JSON.stringify(options.progress)}, progress_at = ${now.toISOString()}` : EMPTY
      const row = await run.transaction(function* () {
        yield* heldJob(jobId, options.agentId)
        return yield* updated(sql`UPDATE jobs SET lease_expires_at = ${leaseExpiresAt}${progress} WHERE id = ${jobId} RETURNING *`)
      }, options.signal)
      return jobFromRow(row)
    },

    async completeJob(jobId, options) {
      const at = iso(options.now)
      const { job, next } = await run.transaction(function* () {
        const row = yield* heldJob(jobId, options.agentId)
        const job = yield* updated(sql`UPDATE jobs SET status = 'completed', finished_at = ${at}, lease_expires_at = NULL,
          result = ${options.result == null ? null : JSON.stringify(options.result)} WHERE id = ${jobId} RETURNING *`)
        yield* appendAuditSteps(jobAudit.completed(row, { at, actor: options.agentId }))
        return { job, next: yield* chainNextRun(row, options.nextRunAt, at) }
      }, options.signal)
      return { job: jobFromRow(job), next: next ? jobFromRow(next) : null }
    },

    async failJob(jobId, options) {
      const at = iso(options.now)
      const row = await run.transaction(function* () {
        const row = yield* heldJob(jobId, options.agentId)
        const retry = shouldRetry(row, options)
        const { code, message } = options.error
        const job = retry
          ? yield* updated(sql`UPDATE jobs SET status = 'queued', scheduled_at = ${options.retryAt!.toISOString()}, locked_by = NULL,
              lease_expires_at = NULL, error_code = ${code}, error_message = ${message} WHERE id = ${jobId} RETURNING *`)
          : yield* updated(sql`UPDATE jobs SET status = 'failed', finished_at = ${at}, lease_expires_at = NULL,
              error_code = ${code}, error_message = ${message} WHERE id = ${jobId} RETURNING *`)
        yield* appendAuditSteps(jobAudit.failed(row, options, retry, { at, actor: options.agentId }))
        if (!retry) yield* chainNextRun(row, options.nextRunAt, at)
        return job
      }, options.signal)
      return jobFromRow(row)
    },

    async cancelQueuedJobs(connectorId, options = {}) {
      const at = iso(options.now)
      return run.transaction(function* () {
        yield* requireConnector(connectorId)
        return yield* cancelQueuedSteps(connectorId, options.trigger, options.actor ?? 'system', at, 'cancelled on request')
      }, options.signal)
    },

    async enqueueJob(connectorId, options) {
      const at = iso(options.now)
      const row = await run.transaction(function* () {
        yield* requireConnector(connectorId)
        return yield* insertJob({
          connectorId,
          trigger: 'manual',
          scheduledAt: at,
          maxAttempts: 1,
          at,
          actor: options.actor ?? 'system',
          kind: options.kind,
          payload: options.payload ?? null,
        })
      }, options.signal)
      return jobFromRow(row)
    },

    async cancelJob(jobId, options = {}) {
      const at = iso(options.now)
      const stamp = { at, actor: options.actor ?? 'system' }
      const row = await run.transaction(function* () {
        const row = yield* requireJob(jobId, true)
        if (row.status === 'queued') {
          const job = yield* updated(sql`UPDATE jobs SET status = 'cancelled', finished_at = ${at} WHERE id = ${jobId} RETURNING *`)
          yield* appendAuditSteps(jobAudit.cancelled(row, 'cancelled on request', stamp))
          return job
        }
        if (row.status !== 'running') throw new InventoryError('CONFLICT', `job ${jobId} has already ended (${row.status})`)
        if (row.cancel_requested_at !== null) return row
        const job = yield* updated(sql`UPDATE jobs SET cancel_requested_at = ${at} WHERE id = ${jobId} RETURNING *`)
        yield* appendAuditSteps(jobAudit.cancelRequested(row, stamp))
        return job
      }, options.signal)
      return jobFromRow(row)
    },

    async acknowledgeCancel(jobId, options) {
      const at = iso(options.now)
      const row = await run.transaction(function* () {
        const row = cancelRequested(yield* heldJob(jobId, options.agentId))
        const job = yield* updated(sql`UPDATE jobs SET status = 'cancelled', finished_at = ${at}, lease_expires_at = NULL WHERE id = ${jobId} RETURNING *`)
        yield* appendAuditSteps(jobAudit.cancelled(row, 'stopped by its agent', { at, actor: options.agentId }))
        yield* chainNextRun(row, options.nextRunAt, at)
        return job
      }, options.signal)
      return jobFromRow(row)
    },

    async getJob(id, options = {}) {
      return jobFromRow(await run.autocommit(() => requireJob(id), options.signal))
    },

    async listJobs(connectorId, options = {}) {
      const where = [
        ...(connectorId === undefined ? [] : [sql`connector_id = ${connectorId}`]),
        ...(options.status === undefined ? [] : [sql`status = ${options.status}`]),
        ...(options.kind === undefined ? [] : [sql`kind = ${options.kind}`]),
      ]
      const rows = await run.autocommit(
        () => rowsOf<JobRow>(sql`SELECT * FROM jobs ${whereAll(where)} ORDER BY seq DESC LIMIT ${Math.max(1, options.limit ?? 100)}`),
        options.signal,
      )
      return rows.map(jobFromRow)
    },

    async appendAudit(entry, options = {}) {
      return run.autocommit(() => appendAuditSteps({ ...entry, at: entry.at ?? new Date().toISOString() }), options.signal)
    },

    async listAudit(options = {}) {
      const rows = await run.autocommit(() => rowsOf<AuditRow>(listAuditStatement(options.connectorId, Math.max(1, options.limit ?? 100))), options.signal)
      return rows.map(auditFromRow)
    },
  }
}
