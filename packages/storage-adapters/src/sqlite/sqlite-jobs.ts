import type Database from 'better-sqlite3'
import {
  InventoryError,
  type AuditEntry,
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
  kindList,
  leaseExpiredMessage,
  shouldRetry,
} from '../shared/job-rules.js'
import { checkJobNumbers } from '../shared/validate.js'

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

/** What the rest of the SQLite store needs from the queue besides the public methods. */
export interface SqliteJobQueue extends JobMethods {
  /** Cancels queued jobs; call inside the caller's transaction. */
  cancelQueuedSync(connectorId: string, trigger: JobTrigger | undefined, actor: string, at: string, reason: string): number
  /** Appends to the audit log; call inside the caller's transaction. */
  auditSync(entry: NewAuditEntry & { at: string }): AuditEntry
}

const DEFAULT_MAX_ATTEMPTS = 3

/**
 * The job queue and audit log of the SQLite store. Every transition is one `BEGIN IMMEDIATE`
 * transaction: SQLite has one writer at a time, so a claim cannot interleave with another claim,
 * even from another process.
 */
export function createSqliteJobQueue(db: Database.Database, stmt: (sql: string) => Database.Statement): SqliteJobQueue {
  const iso = (date: Date | undefined): string => (date ?? new Date()).toISOString()

  const audit = (entry: NewAuditEntry & { at: string }): AuditEntry => {
    const result = stmt(
      'INSERT INTO audit_log (at, connector_id, actor, action, subject_id, detail) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      entry.at,
      entry.connectorId,
      entry.actor,
      entry.action,
      entry.subjectId,
      entry.detail === null ? null : JSON.stringify(entry.detail),
    )
    return auditFromRow(stmt('SELECT * FROM audit_log WHERE seq = ?').get(result.lastInsertRowid) as AuditRow)
  }

  const findJob = (id: string): JobRow | undefined => stmt('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined

  const requireJob = (id: string): JobRow => {
    const row = findJob(id)
    if (!row) throw new InventoryError('NOT_FOUND', `job ${id} does not exist`)
    return row
  }

  const activeJob = (connectorId: string): JobRow | undefined =>
    stmt("SELECT * FROM jobs WHERE connector_id = ? AND status IN ('queued', 'running') AND kind = 'import'").get(connectorId) as
      | JobRow
      | undefined

  /** The schedule as this transaction sees it: a `manual` one queues no next run, whatever the caller computed. */
  const scheduled = (connectorId: string): boolean =>
    (stmt('SELECT schedule FROM connectors WHERE id = ?').get(connectorId) as { schedule: string } | undefined)?.schedule !==
    'manual'

  const requireConnector = (connectorId: string): void => {
    if (!stmt('SELECT 1 FROM connectors WHERE id = ?').get(connectorId)) {
      throw new InventoryError('NOT_FOUND', `connector ${connectorId} does not exist`)
    }
  }

  const insertJob = (
    connectorId: string,
    trigger: JobTrigger,
    scheduledAt: string,
    maxAttempts: number,
    at: string,
    actor: string,
    kind: JobKind = 'import',
    payload: Record<string, unknown> | null = null,
  ): JobRow => {
    const id = newId('job')
    try {
      stmt(
        `INSERT INTO jobs (id, connector_id, kind, trigger, status, scheduled_at, created_at, max_attempts, actor, payload, seq)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs))`,
      ).run(id, connectorId, kind, trigger, scheduledAt, at, maxAttempts, actor, payload === null ? null : JSON.stringify(payload))
    } catch (cause) {
      if ((cause as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const active = activeJob(connectorId)
        throw new InventoryError(
          'IMPORT_IN_PROGRESS',
          `connector ${connectorId} already has a ${active?.status ?? 'queued or running'} import job${active ? ` (${active.id})` : ''}`,
          { cause },
        )
      }
      throw cause
    }
    audit({ at, connectorId, actor, action: 'job.enqueued', subjectId: id, detail: { kind, trigger, scheduledAt } })
    return requireJob(id)
  }

  /** The job, if `agentId` holds it; a CONFLICT otherwise (its lease was taken over, or it ended). */
  const heldJob = (jobId: string, agentId: string): JobRow => {
    return heldBy(requireJob(jobId), agentId)
  }

  const cancelQueuedSync = (
    connectorId: string,
    trigger: JobTrigger | undefined,
    actor: string,
    at: string,
    reason: string,
  ): number => {
    const rows = (
      trigger === undefined
        ? stmt("SELECT id FROM jobs WHERE connector_id = ? AND status = 'queued'").all(connectorId)
        : stmt("SELECT id FROM jobs WHERE connector_id = ? AND status = 'queued' AND trigger = ?").all(connectorId, trigger)
    ) as { id: string }[]
    for (const { id } of rows) {
      stmt("UPDATE jobs SET status = 'cancelled', finished_at = ? WHERE id = ?").run(at, id)
      audit({ at, connectorId, actor, action: 'job.cancelled', subjectId: id, detail: { reason } })
    }
    return rows.length
  }

  return {
    cancelQueuedSync,
    auditSync: audit,

    async enqueueImport(connectorId, options) {
      checkJobNumbers({ maxAttempts: options.maxAttempts })
      const at = iso(options.now)
      return jobFromRow(
        db.transaction(() => {
          requireConnector(connectorId)
          return insertJob(
            connectorId,
            options.trigger,
            options.scheduledAt ? options.scheduledAt.toISOString() : at,
            options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
            at,
            options.actor ?? 'system',
          )
        }).immediate(),
      )
    },

    async requestImportNow(connectorId, options = {}) {
      const at = iso(options.now)
      const actor = options.actor ?? 'system'
      return db.transaction(() => {
        requireConnector(connectorId)
        const active = activeJob(connectorId)
        if (active?.status === 'running') return { job: jobFromRow(active), outcome: 'already-running' as const }
        if (active) {
          stmt("UPDATE jobs SET scheduled_at = ?, trigger = 'manual' WHERE id = ?").run(at, active.id)
          audit({
            at,
            connectorId,
            actor,
            action: 'job.rescheduled',
            subjectId: active.id,
            detail: { from: active.scheduled_at, to: at, trigger: 'manual' },
          })
          return { job: jobFromRow(requireJob(active.id)), outcome: 'rescheduled' as const }
        }
        return { job: jobFromRow(insertJob(connectorId, 'manual', at, DEFAULT_MAX_ATTEMPTS, at, actor)), outcome: 'created' as const }
      }).immediate()
    },

    async claimJob(options) {
      checkJobNumbers({ leaseMs: options.leaseMs })
      const now = options.now ?? new Date()
      const at = now.toISOString()
      const leaseExpiresAt = new Date(now.getTime() + options.leaseMs).toISOString()
      const claimed = db.transaction((): JobRow | null => {
        for (;;) {
          const kinds = kindList(options.kinds)
          // Tests and refreshes first (a person waits for them); a refresh waits while its connector imports.
          const row = stmt(
            `SELECT * FROM jobs AS j
             WHERE ((status = 'queued' AND scheduled_at <= ?) OR (status = 'running' AND lease_expires_at < ?))
               AND (? IS NULL OR connector_id = ?)
               AND (? IS NULL OR instr(?, ',' || kind || ',') > 0)
               AND NOT (kind = 'refresh' AND status = 'queued' AND EXISTS (
                 SELECT 1 FROM jobs AS i WHERE i.connector_id = j.connector_id AND i.kind = 'import' AND i.status = 'running'))
             ORDER BY CASE kind WHEN 'import' THEN 1 ELSE 0 END, scheduled_at, seq LIMIT 1`,
          ).get(at, at, options.connectorId ?? null, options.connectorId ?? null, kinds, kinds) as JobRow | undefined
          if (!row) return null
          const reclaim = row.status === 'running'
          if (reclaim && isSpent(row)) {
            // Its agents kept dying: stop handing it out.
            const message = leaseExpiredMessage(row)
            stmt(
              `UPDATE jobs SET status = 'failed', finished_at = ?, locked_by = NULL, lease_expires_at = NULL,
               error_code = 'LEASE_EXPIRED', error_message = ? WHERE id = ?`,
            ).run(at, message, row.id)
            audit({ at, connectorId: row.connector_id, actor: options.agentId, action: 'job.failed', subjectId: row.id, detail: { code: 'LEASE_EXPIRED', message } })
            continue
          }
          stmt(
            `UPDATE jobs SET status = 'running', locked_by = ?, lease_expires_at = ?, attempts = attempts + 1,
             started_at = COALESCE(started_at, ?) WHERE id = ?`,
          ).run(options.agentId, leaseExpiresAt, at, row.id)
          audit({
            at,
            connectorId: row.connector_id,
            actor: options.agentId,
            action: reclaim ? 'job.reclaimed' : 'job.claimed',
            subjectId: row.id,
            detail: claimDetail(row, reclaim),
          })
          return requireJob(row.id)
        }
      }).immediate()
      return claimed ? jobFromRow(claimed) : null
    },

    async heartbeatJob(jobId, options) {
      checkJobNumbers({ leaseMs: options.leaseMs })
      const now = options.now ?? new Date()
      return jobFromRow(
        db.transaction(() => {
          heldJob(jobId, options.agentId)
          stmt('UPDATE jobs SET lease_expires_at = ? WHERE id = ?').run(new Date(now.getTime() + options.leaseMs).toISOString(), jobId)
          if (options.progress) {
            stmt('UPDATE jobs SET progress = ?, progress_at = ? WHERE id = ?').run(JSON.stringify(options.progress), now.toISOString(), jobId)
          }
          return requireJob(jobId)
        }).immediate(),
      )
    },

    async completeJob(jobId, options) {
      const at = iso(options.now)
      const { job, next } = db.transaction(() => {
        const row = heldJob(jobId, options.agentId)
        stmt("UPDATE jobs SET status = 'completed', finished_at = ?, lease_expires_at = NULL, result = ? WHERE id = ?").run(
          at,
          options.result == null ? null : JSON.stringify(options.result),
          jobId,
        )
        audit({ at, connectorId: row.connector_id, actor: options.agentId, action: 'job.completed', subjectId: jobId, detail: null })
        const nextRow = chainsToNextRun(row, options.nextRunAt) && scheduled(row.connector_id)
          ? insertJob(row.connector_id, 'scheduled', options.nextRunAt.toISOString(), Number(row.max_attempts), at, 'system')
          : null
        return { job: requireJob(jobId), next: nextRow }
      }).immediate()
      return { job: jobFromRow(job), next: next ? jobFromRow(next) : null }
    },

    async failJob(jobId, options) {
      const at = iso(options.now)
      return jobFromRow(
        db.transaction(() => {
          const row = heldJob(jobId, options.agentId)
          const retry = shouldRetry(row, options)
          if (retry) {
            stmt(
              `UPDATE jobs SET status = 'queued', scheduled_at = ?, locked_by = NULL, lease_expires_at = NULL,
               error_code = ?, error_message = ? WHERE id = ?`,
            ).run(options.retryAt!.toISOString(), options.error.code, options.error.message, jobId)
          } else {
            stmt(
              `UPDATE jobs SET status = 'failed', finished_at = ?, lease_expires_at = NULL,
               error_code = ?, error_message = ? WHERE id = ?`,
            ).run(at, options.error.code, options.error.message, jobId)
          }
          audit({
            at,
            connectorId: row.connector_id,
            actor: options.agentId,
            subjectId: jobId,
            ...failureAudit(row, options, retry),
          })
          if (!retry && chainsToNextRun(row, options.nextRunAt) && scheduled(row.connector_id)) {
            insertJob(row.connector_id, 'scheduled', options.nextRunAt!.toISOString(), Number(row.max_attempts), at, 'system')
          }
          return requireJob(jobId)
        }).immediate(),
      )
    },

    async cancelQueuedJobs(connectorId, options = {}) {
      const at = iso(options.now)
      return db.transaction(() => {
        requireConnector(connectorId)
        return cancelQueuedSync(connectorId, options.trigger, options.actor ?? 'system', at, 'cancelled on request')
      }).immediate()
    },

    async enqueueJob(connectorId, options) {
      const at = iso(options.now)
      return jobFromRow(
        db.transaction(() => {
          requireConnector(connectorId)
          return insertJob(connectorId, 'manual', at, 1, at, options.actor ?? 'system', options.kind, options.payload ?? null)
        }).immediate(),
      )
    },

    async cancelJob(jobId, options = {}) {
      const at = iso(options.now)
      const actor = options.actor ?? 'system'
      return jobFromRow(
        db.transaction(() => {
          const row = requireJob(jobId)
          if (row.status === 'queued') {
            stmt("UPDATE jobs SET status = 'cancelled', finished_at = ? WHERE id = ?").run(at, jobId)
            audit({ at, connectorId: row.connector_id, actor, action: 'job.cancelled', subjectId: jobId, detail: { reason: 'cancelled on request' } })
          } else if (row.status === 'running') {
            if (row.cancel_requested_at === null) {
              stmt('UPDATE jobs SET cancel_requested_at = ? WHERE id = ?').run(at, jobId)
              audit({ at, connectorId: row.connector_id, actor, action: 'job.cancel-requested', subjectId: jobId, detail: null })
            }
          } else {
            throw new InventoryError('CONFLICT', `job ${jobId} has already ended (${row.status})`)
          }
          return requireJob(jobId)
        }).immediate(),
      )
    },

    async acknowledgeCancel(jobId, options) {
      const at = iso(options.now)
      return jobFromRow(
        db.transaction(() => {
          const row = cancelRequested(heldJob(jobId, options.agentId))
          stmt("UPDATE jobs SET status = 'cancelled', finished_at = ?, lease_expires_at = NULL WHERE id = ?").run(at, jobId)
          audit({ at, connectorId: row.connector_id, actor: options.agentId, action: 'job.cancelled', subjectId: jobId, detail: { reason: 'stopped by its agent' } })
          if (chainsToNextRun(row, options.nextRunAt) && scheduled(row.connector_id)) {
            insertJob(row.connector_id, 'scheduled', options.nextRunAt!.toISOString(), Number(row.max_attempts), at, 'system')
          }
          return requireJob(jobId)
        }).immediate(),
      )
    },

    async getJob(id) {
      return jobFromRow(requireJob(id))
    },

    async listJobs(connectorId, options = {}) {
      const where: string[] = []
      const params: unknown[] = []
      if (connectorId !== undefined) {
        where.push('connector_id = ?')
        params.push(connectorId)
      }
      if (options.status !== undefined) {
        where.push('status = ?')
        params.push(options.status)
      }
      if (options.kind !== undefined) {
        where.push('kind = ?')
        params.push(options.kind)
      }
      const rows = stmt(
        `SELECT * FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
      ).all(...params, Math.max(1, options.limit ?? 100)) as JobRow[]
      return rows.map(jobFromRow)
    },

    async appendAudit(entry) {
      return audit({ ...entry, at: entry.at ?? new Date().toISOString() })
    },

    async listAudit(options = {}) {
      const rows = (
        options.connectorId === undefined
          ? stmt('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(Math.max(1, options.limit ?? 100))
          : stmt('SELECT * FROM audit_log WHERE connector_id = ? ORDER BY seq DESC LIMIT ?').all(
              options.connectorId,
              Math.max(1, options.limit ?? 100),
            )
      ) as AuditRow[]
      return rows.map(auditFromRow)
    },
  }
}
