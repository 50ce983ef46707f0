import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from 'pino'
import { isInventoryError } from '@shuttersense/inventory-core'
import type { Connector, ImportJob, JobKind } from '@shuttersense/inventory-core/types'
import type { ConnectorCredentials } from '../server-store/index.js'
import { createAgentApi, type AgentApi, type RetryPolicy } from './agent-api.js'
import { createHttpImportStore } from './http-store.js'
import { runClaimedJob, type JobRunSettings } from './job-runners.js'

/** What the claim endpoint hands over. */
export interface ClaimedJob {
  job: ImportJob
  connector: Connector
  credentials: ConnectorCredentials | null
}

/** Options of {@link createAgent}. */
export interface AgentOptions extends Partial<JobRunSettings> {
  serverUrl: string
  agentId: string
  /** The agent token. */
  token: string
  /** Each job gets a directory here, deleted when the job ends (NFR-021). */
  scratchDir: string
  logger: Logger
  /** Job kinds this agent runs. @default all */
  kinds?: JobKind[] | undefined
  /** Long-poll wait of one claim. @default 20000 */
  claimWaitMs?: number | undefined
  retry?: RetryPolicy | undefined
  fetch?: typeof fetch | undefined
  /** Rows per FileInfo batch upload (see `HttpImportStoreOptions.batchRows`). */
  batchRows?: number | undefined
}

/** A running agent: claims jobs one at a time until stopped. */
export interface Agent {
  /** Claims and runs jobs until {@link Agent.stop}; resolves once the current job is finished or released. */
  run(): Promise<void>
  /**
   * Stops: no more claims; a running import is interrupted and released to the queue at once (another
   * agent resumes it from its checkpoint); a `test` or `refresh` job, which takes seconds, finishes first.
   */
  stop(): void
  readonly api: AgentApi
}

/** How long an idle agent waits before asking again when the server cannot be reached. */
const UNREACHABLE_PAUSE_MS = 1000

export function createAgent(options: AgentOptions): Agent {
  const { logger, agentId } = options
  const api = createAgentApi({ serverUrl: options.serverUrl, token: options.token, retry: options.retry, fetch: options.fetch })
  const settings: JobRunSettings = {
    leaseMs: options.leaseMs ?? 60_000,
    progressEveryMs: options.progressEveryMs ?? 2000,
    workers: options.workers ?? 0,
    now: options.now ?? (() => new Date()),
    testRetry: options.testRetry,
  }
  const stopping = new AbortController()
  let interruptJob: (() => void) | null = null

  async function claim(): Promise<ClaimedJob | null> {
    return api.call<ClaimedJob>({
      method: 'POST',
      path: '/api/agents/claim',
      json: { waitMs: options.claimWaitMs ?? 20_000, leaseMs: settings.leaseMs, ...(options.kinds ? { kinds: options.kinds } : {}) },
      signal: stopping.signal,
      // Idle: the loop below keeps asking; one claim need not wait out a long outage.
      retry: { budgetMs: 0 },
    })
  }

  async function runOne(claimed: ClaimedJob): Promise<void> {
    const { job } = claimed
    const jobDir = path.join(options.scratchDir, job.id)
    await mkdir(jobDir, { recursive: true })
    const interrupt = new AbortController()
    // A stop interrupts an import at once; short jobs are left to finish.
    interruptJob = job.kind === 'import' ? () => interrupt.abort(new Error('agent stopping')) : null
    if (stopping.signal.aborted) interruptJob?.()
    const store = createHttpImportStore({ api, jobId: job.id, scratchDir: path.join(jobDir, 'uploads'), batchRows: options.batchRows })
    logger.info({ jobId: job.id, kind: job.kind, connectorId: job.connectorId, attempt: job.attempts }, 'job started')
    try {
      const outcome = await runClaimedJob({ ...claimed, agentId, store, jobDir, settings, signal: interrupt.signal, logger })
      logger.info({ jobId: job.id, kind: job.kind, outcome }, 'job ended')
    } catch (error) {
      logger.error({ err: error, jobId: job.id }, 'job ended with an error')
    } finally {
      interruptJob = null
      await rm(jobDir, { recursive: true, force: true })
    }
  }

  return {
    api,
    async run() {
      await mkdir(options.scratchDir, { recursive: true })
      logger.info({ agentId, server: api.serverUrl }, 'agent started')
      while (!stopping.signal.aborted) {
        let claimed: ClaimedJob | null
        try {
          claimed = await claim()
        } catch (error) {
          if (stopping.signal.aborted) break
          if (isInventoryError(error, 'STORE_ERROR')) {
            logger.warn({ err: error.message }, 'server unreachable; trying again')
            await new Promise((resolve) => setTimeout(resolve, UNREACHABLE_PAUSE_MS))
            continue
          }
          throw error
        }
        if (claimed) await runOne(claimed)
      }
      logger.info({ agentId }, 'agent stopped')
    },
    stop() {
      stopping.abort(new Error('agent stopping'))
      interruptJob?.()
    },
  }
}
