import { InventoryError } from '@shuttersense/inventory-core'
import type { FailJobOptions } from '@shuttersense/inventory-core/types'
import { hasAttemptsLeft } from '@shuttersense/inventory-core/internal'
import type { JobRow } from './rows.js'

// The job-queue rules that are not SQL, so both stores decide and report them the same way.

/** The row, if `agentId` holds the job; a CONFLICT otherwise (its lease was taken over, or the job ended). */
export function heldBy(row: JobRow, agentId: string): JobRow {
  if (row.status !== 'running' || row.locked_by !== agentId) {
    throw new InventoryError(
      'CONFLICT',
      `job ${row.id} is not held by ${agentId} (status ${row.status}${row.locked_by ? `, held by ${row.locked_by}` : ''})`,
    )
  }
  return row
}

const attemptsOf = (row: JobRow): { attempts: number; maxAttempts: number } => ({
  attempts: Number(row.attempts),
  maxAttempts: Number(row.max_attempts),
})

/** A running job whose lease expired after its last attempt: handed out no more. */
export function isSpent(row: JobRow): boolean {
  return !hasAttemptsLeft(attemptsOf(row))
}

export function leaseExpiredMessage(row: JobRow): string {
  return `lease of ${row.locked_by ?? 'an agent'} expired after ${row.attempts} attempts`
}

/** A failure is retried when the job runner asked for it (a retry time, see core's `retriesFailure`) and attempts remain. */
export function shouldRetry(row: JobRow, options: Pick<FailJobOptions, 'retryAt'>): boolean {
  return options.retryAt !== null && hasAttemptsLeft(attemptsOf(row))
}

/** Only imports are chained to a next scheduled run; a refresh or an access test runs once. */
export function chainsToNextRun(row: JobRow, nextRunAt: Date | null | undefined): nextRunAt is Date {
  return row.kind === 'import' && nextRunAt != null
}

/** The row, if a user asked to cancel the job; a CONFLICT otherwise. */
export function cancelRequested(row: JobRow): JobRow {
  if (row.cancel_requested_at === null) throw new InventoryError('CONFLICT', `job ${row.id}: no cancel was requested`)
  return row
}
