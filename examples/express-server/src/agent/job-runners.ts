import type { Logger } from 'pino'
import { coerceError, InventoryError, isInventoryError, nextRunAt } from '@shuttersense/inventory-core'
import { refreshCollectionFileInfo, configuredLocation } from '@shuttersense/inventory-core/pure'
import type { Connector, ImportJob, JobProgress } from '@shuttersense/inventory-core/types'
import { createFileScratch, createWorkerParser, runImportJob } from '@shuttersense/inventory-core/node'
import { createS3Source, validateInventoryAccess, type RetryOptions, type S3Source } from '@shuttersense/inventory-s3'
import type { ConnectorCredentials } from '../server-store/index.js'
import type { HttpImportStore } from './http-store.js'

/** How an agent runs its jobs. */
export interface JobRunSettings {
  /** Lease asked for at claim; heartbeats renew it. */
  leaseMs: number
  /** Heartbeats (with progress) at least this often. */
  progressEveryMs: number
  /** Worker threads of the import's parser (0: parse on the agent's thread only). */
  workers: number
  now: () => Date
  /** Retries of an access test: few and short, so a wrong setting answers within seconds. */
  testRetry?: RetryOptions | undefined
}

/** Inputs of {@link runClaimedJob}. */
export interface ClaimedJobRun {
  job: ImportJob
  connector: Connector
  credentials: ConnectorCredentials | null
  agentId: string
  store: HttpImportStore
  /** The job's own scratch directory (deleted by the caller afterwards). */
  jobDir: string
  settings: JobRunSettings
  /** The agent is stopping: an import stops and its job is released. */
  signal: AbortSignal
  logger: Logger
}

/** How a job run ended, for the agent's log. */
export type JobRunOutcome = 'completed' | 'failed' | 'retrying' | 'cancelled' | 'released' | 'lost'

const TEST_RETRY: RetryOptions = { retries: 1, minTimeout: 100, maxTimeout: 500 }

/** The S3 source of a connector: its stored credentials, or the agent's own AWS chain when it has none. */
export function s3SourceFor(credentials: ConnectorCredentials | null, retry?: RetryOptions): S3Source {
  const endpoint = credentials?.endpoint
  return createS3Source({
    region: credentials?.region ?? process.env.AWS_REGION ?? 'us-east-1',
    endpoint,
    forcePathStyle: credentials?.forcePathStyle ?? (endpoint !== undefined ? true : undefined),
    credentials: credentials
      ? { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken }
      : undefined,
    // S3-compatible servers rarely speak the SDK's newer flexible checksums.
    clientConfig: endpoint !== undefined ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : undefined,
    retry,
  })
}

/** The connector's delta list limit (PRD phase 5), when its store keeps one. */

/** Runs one claimed job of any kind to its end. */
export async function runClaimedJob(run: ClaimedJobRun): Promise<JobRunOutcome> {
  switch (run.job.kind) {
    case 'import':
      return runImport(run)
    case 'test':
      return runShortJob(run, (_progress, signal) => runAccessTest(run, signal))
    case 'refresh':
      return runShortJob(run, (progress, signal) => runRefresh(run, progress, signal))
    default:
      await failForGood(run, new InventoryError('INVALID_ARGUMENT', `this agent cannot run jobs of kind "${String(run.job.kind)}"`))
      return 'failed'
  }
}

async function runImport(run: ClaimedJobRun): Promise<JobRunOutcome> {
  const { job, connector, store, agentId, settings } = run
  const source = s3SourceFor(run.credentials)
  const parser = settings.workers > 0 ? createWorkerParser({ workers: settings.workers }) : undefined
  try {
    const outcome = await runImportJob({
      job,
      agentId,
      store,
      source,
      leaseMs: settings.leaseMs,
      heartbeatEveryMs: Math.min(settings.progressEveryMs, settings.leaseMs / 3),
      scratch: createFileScratch({ parent: run.jobDir }),
      parser,
      deltaListLimit: connector.deltaListLimit,
      signal: run.signal,
      now: settings.now,
    })
    // `cancelled` comes with the job model's cancel requests.
    const ended = outcome.outcome as typeof outcome.outcome | 'cancelled'
    if (ended === 'interrupted') {
      await release(run)
      return 'released'
    }
    if (outcome.outcome === 'failed') return outcome.retrying ? 'retrying' : 'failed'
    return ended
  } finally {
    await parser?.close()
    source.destroy()
  }
}

/** An interrupted import goes back to the queue at once; the next agent resumes it from its checkpoint. */
async function release(run: ClaimedJobRun): Promise<void> {
  const at = run.settings.now()
  await run.store
    .failJob(run.job.id, {
      agentId: run.agentId,
      error: { code: 'ABORTED', message: `agent ${run.agentId} stopped; the job resumes on the next agent` },
      retryAt: at,
      nextRunAt: nextRunAt(at, run.connector.schedule),
      now: at,
    })
    .catch((error: unknown) => run.logger.warn({ err: error, jobId: run.job.id }, 'could not release the job; its lease will expire'))
}

async function failForGood(run: ClaimedJobRun, error: InventoryError): Promise<void> {
  await run.store
    .failJob(run.job.id, { agentId: run.agentId, error: { code: error.code, message: error.message }, retryAt: null, now: run.settings.now() })
    .catch((caught: unknown) => run.logger.warn({ err: caught, jobId: run.job.id }, 'could not record the failure'))
}

const emptyProgress = (message: string): JobProgress => ({
  phase: null,
  percent: null,
  rows: 0,
  records: 0,
  badRows: {},
  dataFilesDone: 0,
  dataFiles: 0,
  collectionsDone: 0,
  collections: 0,
  message,
})

/**
 * A `test` or `refresh` job: heartbeats with progress while it runs, stops when a cancel is requested
 * (and acknowledges it), completes with the result, and on failure fails for good (never retried).
 */
async function runShortJob(
  run: ClaimedJobRun,
  work: (progress: JobProgress, signal: AbortSignal) => Promise<Record<string, unknown>>,
): Promise<JobRunOutcome> {
  const { job, store, agentId, settings } = run
  const progress = emptyProgress('starting')
  const cancelled = new AbortController()
  let lost = false
  const beat = setInterval(() => {
    store
      .heartbeatJob(job.id, { agentId, leaseMs: settings.leaseMs, progress: { ...progress }, now: settings.now() })
      .then((beaten) => {
        if (beaten.cancelRequestedAt) cancelled.abort(new Error('cancel requested'))
      })
      .catch((error: unknown) => {
        if (isInventoryError(error, 'CONFLICT')) {
          lost = true
          cancelled.abort(error)
        }
      })
  }, Math.min(settings.progressEveryMs, settings.leaseMs / 3))
  try {
    const result = await work(progress, cancelled.signal)
    await store.completeJob(job.id, { agentId, nextRunAt: null, result, now: settings.now() })
    return 'completed'
  } catch (caught) {
    if (lost) return 'lost'
    if (cancelled.signal.aborted) {
      await store.acknowledgeCancel(job.id, { agentId, nextRunAt: null, now: settings.now() })
      return 'cancelled'
    }
    const error = coerceError(caught)
    await failForGood(run, error)
    return 'failed'
  } finally {
    clearInterval(beat)
  }
}

/** `test`: the connector check of `validateInventoryAccess`; what it finds (good or bad) is the job's result. */
async function runAccessTest(run: ClaimedJobRun, signal: AbortSignal): Promise<Record<string, unknown>> {
  const location = configuredLocation(run.connector)
  const source = s3SourceFor(run.credentials, run.settings.testRetry ?? TEST_RETRY)
  try {
    const result = await validateInventoryAccess(source, location, { signal })
    return { ...result, testedAt: run.settings.now().toISOString() }
  } finally {
    source.destroy()
  }
}

/** `refresh`: the collection's folder listed live, stored with source `api` and a delta against the cache. */
async function runRefresh(run: ClaimedJobRun, progress: JobProgress, signal: AbortSignal): Promise<Record<string, unknown>> {
  const collectionId = run.job.payload?.collectionId
  if (typeof collectionId !== 'string') throw new InventoryError('INVALID_ARGUMENT', `refresh job ${run.job.id} names no collection`)
  const source = s3SourceFor(run.credentials)
  try {
    progress.message = 'listing the folder live'
    const { collection, fileCount, delta } = await refreshCollectionFileInfo({
      store: run.store,
      lister: source,
      collectionId,
      deltaListLimit: run.connector.deltaListLimit,
      now: run.settings.now,
      signal,
    })
    progress.message = 'stored'
    return {
      collectionId: collection.id,
      fileCount,
      fileInfoSource: collection.fileInfoSource,
      fileInfoUpdatedAt: collection.fileInfoUpdatedAt,
      counts: delta.counts,
      requests: source.requestCounts(),
    }
  } finally {
    source.destroy()
  }
}
