import type { InventoryErrorCode } from './errors.js'

// The one retry rule of the job queue: the job runner decides with it whether to ask for a retry, and
// the stores with it whether a failed or lease-expired job may run again.

/** Failures that may pass by themselves: the source or the store was unreachable, or the report was not yet written. */
const TRANSIENT_FAILURES: ReadonlySet<string> = new Set<InventoryErrorCode>(['SOURCE_ERROR', 'STORE_ERROR', 'MANIFEST_NOT_FOUND'])

/** Whether a failure with `code` may pass if the job runs again later. */
export function isTransientFailure(code: string): boolean {
  return TRANSIENT_FAILURES.has(code)
}

/** Whether a job may run again: `attempts` counts its claims so far, and it may be claimed `maxAttempts` times. */
export function hasAttemptsLeft(job: { attempts: number; maxAttempts: number }): boolean {
  return job.attempts < job.maxAttempts
}

/** Whether a job that failed with `code` is retried: the failure may pass and attempts remain. */
export function retriesFailure(job: { attempts: number; maxAttempts: number }, code: string): boolean {
  return isTransientFailure(code) && hasAttemptsLeft(job)
}
