import {
  InventoryError,
  type AuditEntry,
  type ImportJob,
  type ImportNowResult,
  type InventoryStore,
  type JobKind,
  type JobTrigger,
  type NewAuditEntry,
} from '@shuttersense/inventory-core'
import { newId } from '@shuttersense/inventory-core/internal'
import { auditFromRow, jobFromRow, type AuditRow, type JobRow } from '../shared/rows.js'
import {
  cancelRequested,
  chainsToNextRun,
  claimDetail,
  failureAudit,
  heldBy,
  isSpent,
  leaseExpiredMessage,
  shouldRetry,
} from '../shared/job-rules.js'
import { checkJobNumbers } from '../shared/validate.js'
import type { PgDb, Query } from './postgres-db.js'

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

/** What the rest of the Postgres store needs from the queue besides the public methods. */
export interface PgJobQueue extends JobMethods {
  /** Cancels queued jobs, with their audit rows; call inside the caller's transaction. */
  cancelQueuedIn(query: Query, connectorId: string, trigger: JobTrigger | undefined, actor: string, at: string, reason: string): Promise<number>
  /** Appends to the audit log; call inside the caller's transaction. */
  auditIn(query: Query, entry: NewAuditEntry & { at: string }): Promise<AuditEntry>
}

const DEFAULT_MAX_ATTEMPTS = 3

/** The partial unique index that allows one queued-or-running import per connector; `ON CONFLICT` names it by its columns and predicate. */
const ACTIVE_CONFLICT = "ON CONFLICT (connector_id) WHERE status IN ('queued', 'running') AND kind = 'import' DO NOTHING"

/**
 * The job queue and audit log of the Postgres store, with the semantics of the SQLite one
 * (`sqlite-jobs.ts`): the same transitions, audit actions and details. Concurrency comes from the
 * database rather than from a single writer: the partial unique index `jobs_one_active_per_connector`
 * enforces one active job per connector, claims lock rows `FOR UPDATE SKIP LOCKED`, and every
 * transition locks its job row and writes its audit row in the same transaction.
 */
export function createPgJobQueue(db: PgDb): PgJobQueue {
  const iso = (date: Date | undefined): string => (date ?? new Date()).toISOString()

  const audit = async (query: Query, entry: NewAuditEntry & { at: string }): Promise<AuditEntry> => {
    const { rows } = await query<AuditRow>(
      `INSERT INTO audit_log (at, connector_id, actor, action, subject_id, detail) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING *`,
      [
        entry.at,
        entry.connectorId ?? null,
        entry.actor,
        entry.action,
        entry.subjectId ?? null,
        entry.detail == null ? null : JSON.stringify(entry.detail),
      ],
    )
    return auditFromRow(rows[0]!)
  }

  const requireJob = async (query: Query, id: string, lock = false): Promise<JobRow> => {
    const { rows } = await query<JobRow>(`SELECT * FROM jobs WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])
    if (!rows[0]) throw new InventoryError('NOT_FOUND', `job ${id} does not exist`)
    return rows[0]
  }

  const activeJob = async (query: Query, connectorId: string, lock = false): Promise<JobRow | undefined> => {
    const { rows } = await query<JobRow>(
      `SELECT * FROM jobs WHERE connector_id = $1 AND status IN ('queued', 'running') AND kind = 'import'${lock ? ' FOR UPDATE' : ''}`,
      [connectorId],
    )
    return rows[0]
  }

  /**
   * The schedule as this transaction sees it (FOR SHARE: a concurrent switch to `manual` waits for us, or
   * we see it): a `manual` one queues no next run, whatever the caller computed.
   */
  const scheduled = async (query: Query, connectorId: string): Promise<boolean> => {
    const { rows } = await query<{ schedule: string }>('SELECT schedule FROM connectors WHERE id = $1 FOR SHARE', [connectorId])
    return rows[0]?.schedule !== 'manual'
  }

  const requireConnector = async (query: Query, connectorId: string): Promise<void> => {
    const { rowCount } = await query('SELECT 1 FROM connectors WHERE id = $1', [connectorId])
    if (!rowCount) throw new InventoryError('NOT_FOUND', `connector ${connectorId} does not exist`)
  }

  /** Queues a job and audits it; `null` (nothing written) when the connector already has an active job. */
  const tryInsertJob = async (
    query: Query,
    connectorId: string,
    trigger: JobTrigger,
    scheduledAt: string,
    maxAttempts: number,
    at: string,
    actor: string,
    kind: JobKind = 'import',
    payload: Record<string, unknown> | null = null,
  ): Promise<JobRow | null> => {
    const id = newId('job')
    // A concurrent uncommitted insert for the connector makes this wait for its outcome, so two
    // callers can never both see "no active job".
    const { rows } = await query<JobRow>(
      `INSERT INTO jobs (id, connector_id, kind, trigger, status, scheduled_at, created_at, max_attempts, actor, payload)
       VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8, $9) ${ACTIVE_CONFLICT} RETURNING *`,
      [id, connectorId, kind, trigger, scheduledAt, at, maxAttempts, actor, payload === null ? null : JSON.stringify(payload)],
    )
    if (!rows[0]) return null
    await audit(query, { at, connectorId, actor, action: 'job.enqueued', subjectId: id, detail: { kind, trigger, scheduledAt } })
    return rows[0]
  }

  /** Queues a job; `IMPORT_IN_PROGRESS` when the connector already has an active one. */
  const insertJob = async (...args: Parameters<typeof tryInsertJob>): Promise<JobRow> => {
    const row = await tryInsertJob(...args)
    if (row) return row
    const [query, connectorId] = args
    const active = await activeJob(query, connectorId)
    throw new InventoryError(
      'IMPORT_IN_PROGRESS',
      `connector ${connectorId} already has a ${active?.status ?? 'queued or running'} import job${active ? ` (${active.id})` : ''}`,
    )
  }

  /** The job, locked, if `agentId` holds it; a CONFLICT otherwise (its lease was taken over, or it ended). */
  const heldJob = async (query: Query, jobId: string, agentId: string): Promise<JobRow> => {
    return heldBy(await requireJob(query, jobId, true), agentId)
  }

  const updateJob = async (query: Query, sql: string, params: readonly unknown[]): Promise<JobRow> => {
    const { rows } = await query<JobRow>(sql, params)
    return rows[0]!
  }

  const cancelQueuedIn = async (
    query: Query,
    connectorId: string,
    trigger: JobTrigger | undefined,
    actor: string,
    at: string,
    reason: string,
  ): Promise<number> => {
    const { rows } = await query<{ id: string }>(
      `UPDATE jobs SET status = 'cancelled', finished_at = $1
       WHERE connector_id = $2 AND status = 'queued'${trigger === undefined ? '' : ' AND trigger = $3'} RETURNING id`,
      trigger === undefined ? [at, connectorId] : [at, connectorId, trigger],
    )
    for (const { id } of rows) {
      await audit(query, { at, connectorId, actor, action: 'job.cancelled', subjectId: id, detail: { reason } })
    }
    return rows.length
  }

  return {
    cancelQueuedIn,
    auditIn: audit,

    async enqueueImport(connectorId, options) {
      checkJobNumbers({ maxAttempts: options.maxAttempts })
      const at = iso(options.now)
      const row = await db.transaction(async (query) => {
        await requireConnector(query, connectorId)
        return insertJob(
          query,
          connectorId,
          options.trigger,
          options.scheduledAt ? options.scheduledAt.toISOString() : at,
          options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
          at,
          options.actor ?? 'system',
        )
      }, options.signal)
      return jobFromRow(row)
    },

    async requestImportNow(connectorId, options = {}) {
      const at = iso(options.now)
      const actor = options.actor ?? 'system'
      return db.transaction(async (query): Promise<ImportNowResult> => {
        await requireConnector(query, connectorId)
        for (;;) {
          const created = await tryInsertJob(query, connectorId, 'manual', at, DEFAULT_MAX_ATTEMPTS, at, actor)
          if (created) return { job: jobFromRow(created), outcome: 'created' }
          // The connector has an active job: lock it, so no claim or completion moves it under us.
          const active = await activeJob(query, connectorId, true)
          // It ended between the insert and the lock: try the insert again.
          if (!active) continue
          if (active.status === 'running') return { job: jobFromRow(active), outcome: 'already-running' }
          const job = await updateJob(query, "UPDATE jobs SET scheduled_at = $1, trigger = 'manual' WHERE id = $2 RETURNING *", [
            at,
            active.id,
          ])
          await audit(query, {
            at,
            connectorId,
            actor,
            action: 'job.rescheduled',
            subjectId: active.id,
            detail: { from: active.scheduled_at, to: at, trigger: 'manual' },
          })
          return { job: jobFromRow(job), outcome: 'rescheduled' }
        }
      }, options.signal)
    },

    async claimJob(options) {
      checkJobNumbers({ leaseMs: options.leaseMs })
      const now = options.now ?? new Date()
      const at = now.toISOString()
      const leaseExpiresAt = new Date(now.getTime() + options.leaseMs).toISOString()
      const claimed = await db.transaction(async (query): Promise<JobRow | null> => {
        for (;;) {
          // SKIP LOCKED: a job another agent is claiming (or its holder is touching) is passed over,
          // so concurrent claims never wait on each other and never take the same job.
          // Tests and refreshes first (a person waits for them); a refresh waits while its connector imports.
          const { rows } = await query<JobRow>(
            `SELECT * FROM jobs AS j
             WHERE ((status = 'queued' AND scheduled_at <= $1) OR (status = 'running' AND lease_expires_at < $1))
               AND ($2::text IS NULL OR connector_id = $2)
               AND ($3::text[] IS NULL OR kind = ANY($3::text[]))
               AND NOT (kind = 'refresh' AND status = 'queued' AND EXISTS (
                 SELECT 1 FROM jobs AS i WHERE i.connector_id = j.connector_id AND i.kind = 'import' AND i.status = 'running'))
             ORDER BY CASE kind WHEN 'import' THEN 1 ELSE 0 END, scheduled_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
            [at, options.connectorId ?? null, options.kinds ? [...options.kinds] : null],
          )
          const row = rows[0]
          if (!row) return null
          const reclaim = row.status === 'running'
          if (reclaim && isSpent(row)) {
            // Its agents kept dying: stop handing it out.
            const message = leaseExpiredMessage(row)
            await query(
              `UPDATE jobs SET status = 'failed', finished_at = $1, locked_by = NULL, lease_expires_at = NULL,
               error_code = 'LEASE_EXPIRED', error_message = $2 WHERE id = $3`,
              [at, message, row.id],
            )
            await audit(query, {
              at,
              connectorId: row.connector_id,
              actor: options.agentId,
              action: 'job.failed',
              subjectId: row.id,
              detail: { code: 'LEASE_EXPIRED', message },
            })
            continue
          }
          const job = await updateJob(
            query,
            `UPDATE jobs SET status = 'running', locked_by = $1, lease_expires_at = $2, attempts = attempts + 1,
             started_at = COALESCE(started_at, $3) WHERE id = $4 RETURNING *`,
            [options.agentId, leaseExpiresAt, at, row.id],
          )
          await audit(query, {
            at,
            connectorId: row.connector_id,
            actor: options.agentId,
            action: reclaim ? 'job.reclaimed' : 'job.claimed',
            subjectId: row.id,
            detail: claimDetail(row, reclaim),
          })
          return job
        }
      }, options.signal)
      return claimed ? jobFromRow(claimed) : null
    },

    async heartbeatJob(jobId, options) {
      checkJobNumbers({ leaseMs: options.leaseMs })
      const now = options.now ?? new Date()
      const row = await db.transaction(async (query) => {
        await heldJob(query, jobId, options.agentId)
        return updateJob(
          query,
          `UPDATE jobs SET lease_expires_at = $1,
           progress = COALESCE($3::json, progress), progress_at = CASE WHEN $3::json IS NULL THEN progress_at ELSE $4 END
           WHERE id = $2 RETURNING *`,
          [
            new Date(now.getTime() + options.leaseMs).toISOString(),
            jobId,
            options.progress ? JSON.stringify(options.progress) : null,
            now.toISOString(),
          ],
        )
      }, options.signal)
      return jobFromRow(row)
    },

    async completeJob(jobId, options) {
      const at = iso(options.now)
      const { job, next } = await db.transaction(async (query) => {
        const row = await heldJob(query, jobId, options.agentId)
        const job = await updateJob(
          query,
          "UPDATE jobs SET status = 'completed', finished_at = $1, lease_expires_at = NULL, result = $3 WHERE id = $2 RETURNING *",
          [at, jobId, options.result == null ? null : JSON.stringify(options.result)],
        )
        await audit(query, { at, connectorId: row.connector_id, actor: options.agentId, action: 'job.completed', subjectId: jobId, detail: null })
        const next = chainsToNextRun(row, options.nextRunAt) && (await scheduled(query, row.connector_id))
          ? await insertJob(query, row.connector_id, 'scheduled', options.nextRunAt.toISOString(), Number(row.max_attempts), at, 'system')
          : null
        return { job, next }
      }, options.signal)
      return { job: jobFromRow(job), next: next ? jobFromRow(next) : null }
    },

    async failJob(jobId, options) {
      const at = iso(options.now)
      const row = await db.transaction(async (query) => {
        const row = await heldJob(query, jobId, options.agentId)
        const retry = shouldRetry(row, options)
        const job = retry
          ? await updateJob(
              query,
              `UPDATE jobs SET status = 'queued', scheduled_at = $1, locked_by = NULL, lease_expires_at = NULL,
               error_code = $2, error_message = $3 WHERE id = $4 RETURNING *`,
              [options.retryAt!.toISOString(), options.error.code, options.error.message, jobId],
            )
          : await updateJob(
              query,
              `UPDATE jobs SET status = 'failed', finished_at = $1, lease_expires_at = NULL,
               error_code = $2, error_message = $3 WHERE id = $4 RETURNING *`,
              [at, options.error.code, options.error.message, jobId],
            )
        await audit(query, {
          at,
          connectorId: row.connector_id,
          actor: options.agentId,
          subjectId: jobId,
          ...failureAudit(row, options, retry),
        })
        if (!retry && chainsToNextRun(row, options.nextRunAt) && (await scheduled(query, row.connector_id))) {
          await insertJob(query, row.connector_id, 'scheduled', options.nextRunAt!.toISOString(), Number(row.max_attempts), at, 'system')
        }
        return job
      }, options.signal)
      return jobFromRow(row)
    },

    async cancelQueuedJobs(connectorId, options = {}) {
      const at = iso(options.now)
      return db.transaction(async (query) => {
        await requireConnector(query, connectorId)
        return cancelQueuedIn(query, connectorId, options.trigger, options.actor ?? 'system', at, 'cancelled on request')
      }, options.signal)
    },

    async enqueueJob(connectorId, options) {
      const at = iso(options.now)
      const row = await db.transaction(async (query) => {
        await requireConnector(query, connectorId)
        return insertJob(query, connectorId, 'manual', at, 1, at, options.actor ?? 'system', options.kind, options.payload ?? null)
      }, options.signal)
      return jobFromRow(row)
    },

    async cancelJob(jobId, options = {}) {
      const at = iso(options.now)
      const actor = options.actor ?? 'system'
      const row = await db.transaction(async (query) => {
        const row = await requireJob(query, jobId, true)
        if (row.status === 'queued') {
          const job = await updateJob(query, "UPDATE jobs SET status = 'cancelled', finished_at = $1 WHERE id = $2 RETURNING *", [at, jobId])
          await audit(query, { at, connectorId: row.connector_id, actor, action: 'job.cancelled', subjectId: jobId, detail: { reason: 'cancelled on request' } })
          return job
        }
        if (row.status !== 'running') throw new InventoryError('CONFLICT', `job ${jobId} has already ended (${row.status})`)
        if (row.cancel_requested_at !== null) return row
        const job = await updateJob(query, 'UPDATE jobs SET cancel_requested_at = $1 WHERE id = $2 RETURNING *', [at, jobId])
        await audit(query, { at, connectorId: row.connector_id, actor, action: 'job.cancel-requested', subjectId: jobId, detail: null })
        return job
      }, options.signal)
      return jobFromRow(row)
    },

    async acknowledgeCancel(jobId, options) {
      const at = iso(options.now)
      const row = await db.transaction(async (query) => {
        const row = cancelRequested(await heldJob(query, jobId, options.agentId))
        const job = await updateJob(
          query,
          "UPDATE jobs SET status = 'cancelled', finished_at = $1, lease_expires_at = NULL WHERE id = $2 RETURNING *",
          [at, jobId],
        )
        await audit(query, {
          at,
          connectorId: row.connector_id,
          actor: options.agentId,
          action: 'job.cancelled',
          subjectId: jobId,
          detail: { reason: 'stopped by its agent' },
        })
        if (chainsToNextRun(row, options.nextRunAt) && (await scheduled(query, row.connector_id))) {
          await insertJob(query, row.connector_id, 'scheduled', options.nextRunAt!.toISOString(), Number(row.max_attempts), at, 'system')
        }
        return job
      }, options.signal)
      return jobFromRow(row)
    },

    async getJob(id, options = {}): Promise<ImportJob> {
      return jobFromRow(await db.withClient((query) => requireJob(query, id), options.signal))
    },

    async listJobs(connectorId, options = {}) {
      const where: string[] = []
      const params: unknown[] = []
      if (connectorId !== undefined) {
        params.push(connectorId)
        where.push(`connector_id = $${params.length}`)
      }
      if (options.status !== undefined) {
        params.push(options.status)
        where.push(`status = $${params.length}`)
      }
      if (options.kind !== undefined) {
        params.push(options.kind)
        where.push(`kind = $${params.length}`)
      }
      params.push(Math.max(1, options.limit ?? 100))
      const { rows } = await db.query<JobRow>(
        `SELECT * FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
        params,
        options.signal,
      )
      return rows.map(jobFromRow)
    },

    async appendAudit(entry, options = {}) {
      return db.withClient((query) => audit(query, { ...entry, at: entry.at ?? new Date().toISOString() }), options.signal)
    },

    async listAudit(options = {}) {
      const limit = Math.max(1, options.limit ?? 100)
      const { rows } =
        options.connectorId === undefined
          ? await db.query<AuditRow>('SELECT * FROM audit_log ORDER BY seq DESC LIMIT $1', [limit], options.signal)
          : await db.query<AuditRow>(
              'SELECT * FROM audit_log WHERE connector_id = $1 ORDER BY seq DESC LIMIT $2',
              [options.connectorId, limit],
              options.signal,
            )
      return rows.map(auditFromRow)
    },
  }
}
