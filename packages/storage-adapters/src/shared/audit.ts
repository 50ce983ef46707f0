import type { AuditEntry, FailJobOptions, NewAuditEntry } from '@shuttersense/inventory-core/types'
import { auditFromRow, type AuditRow, type JobRow } from './rows.js'
import { sql, type SqlFragment } from './sql/statement.js'
import { firstOf, type SqlSteps } from './sql/steps.js'

// Every audit entry the stores write, built in one place so both stores record the same actions and details.

/** An entry to append, with its time. */
export type TimedAuditEntry = NewAuditEntry & { at: string }

/** Appends `entry`; answers the stored entry. */
export function* appendAuditSteps(entry: TimedAuditEntry): SqlSteps<AuditEntry> {
  const row = yield* firstOf<AuditRow>(sql`INSERT INTO audit_log (at, connector_id, actor, action, subject_id, detail)
    VALUES (${entry.at}, ${entry.connectorId ?? null}, ${entry.actor}, ${entry.action}, ${entry.subjectId ?? null},
    ${entry.detail == null ? null : JSON.stringify(entry.detail)}) RETURNING *`)
  return auditFromRow(row!)
}

/** The newest entries first, of one connector or of all. */
export function listAuditStatement(connectorId: string | undefined, limit: number): SqlFragment {
  return connectorId === undefined
    ? sql`SELECT * FROM audit_log ORDER BY seq DESC LIMIT ${limit}`
    : sql`SELECT * FROM audit_log WHERE connector_id = ${connectorId} ORDER BY seq DESC LIMIT ${limit}`
}

/** Who did it, when. */
interface Stamp {
  at: string
  actor: string
}

const aboutJob = (job: Pick<JobRow, 'id' | 'connector_id'>, { at, actor }: Stamp, action: string, detail: Record<string, unknown> | null): TimedAuditEntry => ({
  at,
  connectorId: job.connector_id,
  actor,
  action,
  subjectId: job.id,
  detail,
})

/** The audit entries of the job queue's transitions. */
export const jobAudit = {
  enqueued: (job: Pick<JobRow, 'id' | 'connector_id' | 'kind' | 'trigger' | 'scheduled_at'>, stamp: Stamp) =>
    aboutJob(job, stamp, 'job.enqueued', { kind: job.kind, trigger: job.trigger, scheduledAt: job.scheduled_at }),

  rescheduled: (job: JobRow, to: string, stamp: Stamp) =>
    aboutJob(job, stamp, 'job.rescheduled', { from: job.scheduled_at, to, trigger: 'manual' }),

  /** A claim; `reclaim`: the job was running under an expired lease. */
  claimed: (job: JobRow, reclaim: boolean, stamp: Stamp) => {
    const attempt = Number(job.attempts) + 1
    return aboutJob(job, stamp, reclaim ? 'job.reclaimed' : 'job.claimed', reclaim ? { previousAgent: job.locked_by, attempt } : { attempt })
  },

  /** Its lease expired after its last attempt. */
  leaseExpired: (job: JobRow, message: string, stamp: Stamp) => aboutJob(job, stamp, 'job.failed', { code: 'LEASE_EXPIRED', message }),

  completed: (job: JobRow, stamp: Stamp) => aboutJob(job, stamp, 'job.completed', null),

  /** A failure, retried (at `options.retryAt`) or final. */
  failed: (job: JobRow, options: FailJobOptions, retry: boolean, stamp: Stamp) =>
    aboutJob(job, stamp, retry ? 'job.retry-scheduled' : 'job.failed', {
      ...options.error,
      attempt: Number(job.attempts),
      ...(retry ? { retryAt: options.retryAt!.toISOString() } : {}),
    }),

  cancelled: (job: Pick<JobRow, 'id' | 'connector_id'>, reason: string, stamp: Stamp) => aboutJob(job, stamp, 'job.cancelled', { reason }),

  cancelRequested: (job: JobRow, stamp: Stamp) => aboutJob(job, stamp, 'job.cancel-requested', null),
}

/** A connector was deleted (its entries stay in the log). */
export function connectorDeletedAudit(connector: { id: string; name: string }, at: string): TimedAuditEntry {
  return { at, connectorId: connector.id, actor: 'system', action: 'connector.deleted', subjectId: connector.id, detail: { name: connector.name } }
}
