import { coerceError, InventoryError, isInventoryError } from '../errors.js'
import { retriesFailure } from '../job-retry.js'
import { inferInventoryIntervalMs, nextRunAt } from '../schedule.js'
import type { ImportJob } from '../store.js'
import { jobProgressOf, type ImportProgress } from './progress.js'
import { runInventoryImport, type ImportResult, type RunImportOptions } from './run-import.js'

/** Options of {@link runImportJob}. */
export interface RunImportJobOptions extends Omit<RunImportOptions, 'connectorId' | 'resume'> {
  /** A job this agent has just claimed (`store.claimJob`). */
  job: ImportJob
  /** Who holds the job: the `agentId` it was claimed with. */
  agentId: string
  /** The lease asked for at claim time; heartbeats renew it. @default 60_000 */
  leaseMs?: number | undefined
  /** How often the job's lease is renewed and its progress recorded. @default leaseMs / 3 */
  heartbeatEveryMs?: number | undefined
  /** Delay before retry `attempt` (1-based) of a transient failure. @default 1 min × 4^(attempt − 1) */
  retryDelayMs?: ((attempt: number) => number) | undefined
}

/** How a job run ended. */
export type ImportJobOutcome =
  | { outcome: 'completed'; job: ImportJob; next: ImportJob | null; result: ImportResult }
  /** Failed; queued again at `job.scheduledAt` when `retrying`. */
  | { outcome: 'failed'; job: ImportJob; retrying: boolean; error: InventoryError }
  /** Another agent took the job over (this agent's lease expired); nothing was recorded. */
  | { outcome: 'lost'; error: InventoryError }
  /** The caller's signal fired: the job stays `running` until its lease expires, then resumes elsewhere. */
  | { outcome: 'interrupted'; error: InventoryError }
  /** A user cancelled the job while it ran: the import stopped at its next heartbeat and the job ended `cancelled`. */
  | { outcome: 'cancelled'; job: ImportJob }

const defaultRetryDelayMs = (attempt: number): number => 60_000 * 4 ** (attempt - 1)

/**
 * Runs a claimed import job to its end, as an agent does: heartbeats keep the lease while the import
 * runs; success completes the job and queues the connector's next scheduled import (completion time +
 * interval); a transient failure is retried later while attempts remain; a permanent one fails the job
 * and still queues the next scheduled import, so a bad report does not end the chain.
 *
 * The import resumes the job's interrupted session, if any: a job reclaimed after its agent died
 * continues from the stored checkpoint, with the same result as an uninterrupted run.
 */
export async function runImportJob(options: RunImportJobOptions): Promise<ImportJobOutcome> {
  const { job, agentId, store } = options
  const now = options.now ?? (() => new Date())
  const leaseMs = options.leaseMs ?? 60_000
  const lost = new AbortController()
  let lostError: InventoryError | undefined
  const loseLease = (error: InventoryError): void => {
    lostError ??= error
    lost.abort(error)
  }
  const cancelled = new AbortController()
  let latest: ImportProgress | undefined
  let lastRenewed = now().getTime()
  /** The heartbeat waiting for the store, if any: never more than one at a time. */
  let beating: Promise<void> | null = null
  const beat = (): Promise<void> => {
    const sent = store
      .heartbeatJob(job.id, { agentId, leaseMs, now: now(), progress: latest ? jobProgressOf(latest) : undefined })
      .then(
        (beaten) => {
          lastRenewed = now().getTime()
          if (beaten.cancelRequestedAt) cancelled.abort(new InventoryError('ABORTED', `job ${job.id} was cancelled`))
        },
        (error: unknown) => {
          // Only a lost lease stops the import; a failed heartbeat (store briefly down) is tried again next tick.
          if (isInventoryError(error, 'CONFLICT')) loseLease(error)
        },
      )
      .finally(() => {
        beating = null
      })
    beating = sent
    return sent
  }
  const heartbeat = setInterval(() => {
    // Past its own lease with no renewal (the store unreachable), another agent may hold the job now.
    if (now().getTime() - lastRenewed > leaseMs) {
      loseLease(new InventoryError('CONFLICT', `job ${job.id}: lease of ${agentId} expired without a heartbeat getting through`))
      return
    }
    if (!beating) void beat()
  }, options.heartbeatEveryMs ?? leaseMs / 3)
  heartbeat.unref?.()
  /**
   * Stops the ticks and records the last progress with one more heartbeat: an import shorter than one
   * tick would otherwise end with no progress at all. It waits for a heartbeat in flight, so an older
   * snapshot cannot land after the last one.
   */
  const finalBeat = async (): Promise<void> => {
    clearInterval(heartbeat)
    if (beating) await beating
    if (latest && !lostError) await beat()
  }
  const signal = AbortSignal.any([...(options.signal ? [options.signal] : []), lost.signal, cancelled.signal])
  const onProgress = (progress: ImportProgress): void => {
    latest = progress
    options.onProgress?.(progress)
  }

  try {
    const result = await runInventoryImport({ ...options, connectorId: job.connectorId, signal, now, onProgress })
    await finalBeat()
    if (lostError) throw lostError
    const connector = await store.getConnector(job.connectorId)
    const completedAt = now()
    const { job: completed, next } = await store.completeJob(job.id, {
      agentId,
      now: completedAt,
      nextRunAt: nextRunAt(completedAt, connector.schedule, inferInventoryIntervalMs(result.reportTimes)),
      // On the job, so whoever asked for the import learns which session it made, or that the newest
      // report was already imported and nothing was read.
      result: { importId: result.session.id, inventoryTimestamp: result.session.inventoryTimestamp, noNewReport: result.noNewReport },
    })
    return { outcome: 'completed', job: completed, next, result }
  } catch (caught) {
    const error = coerceError(caught)
    if (lostError) return { outcome: 'lost', error: lostError }
    if (cancelled.signal.aborted) return await acknowledgeCancel(options, now())
    if (error.code === 'ABORTED') return { outcome: 'interrupted', error }
    await finalBeat()
    if (lostError) return { outcome: 'lost', error: lostError }
    return await recordFailure(options, error, now())
  } finally {
    clearInterval(heartbeat)
  }
}

async function acknowledgeCancel(options: RunImportJobOptions, at: Date): Promise<ImportJobOutcome> {
  const { job, agentId, store } = options
  const connector = await store.getConnector(job.connectorId)
  try {
    const ended = await store.acknowledgeCancel(job.id, { agentId, now: at, nextRunAt: nextRunAt(at, connector.schedule) })
    return { outcome: 'cancelled', job: ended }
  } catch (recordError) {
    if (isInventoryError(recordError, 'CONFLICT')) return { outcome: 'lost', error: recordError }
    throw recordError
  }
}

async function recordFailure(options: RunImportJobOptions, error: InventoryError, failedAt: Date): Promise<ImportJobOutcome> {
  const { job, agentId, store } = options
  const retrying = retriesFailure(job, error.code)
  const delay = (options.retryDelayMs ?? defaultRetryDelayMs)(job.attempts)
  const connector = await store.getConnector(job.connectorId)
  try {
    const failed = await store.failJob(job.id, {
      agentId,
      error: { code: error.code, message: error.message },
      retryAt: retrying ? new Date(failedAt.getTime() + delay) : null,
      nextRunAt: retrying ? null : nextRunAt(failedAt, connector.schedule),
      now: failedAt,
    })
    return { outcome: 'failed', job: failed, retrying, error }
  } catch (recordError) {
    if (isInventoryError(recordError, 'CONFLICT')) return { outcome: 'lost', error: recordError }
    throw recordError
  }
}
