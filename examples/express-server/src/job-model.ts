/**
 * The job model the agent protocol speaks (CONTRACTS §2): kinds, progress, results and cancel requests.
 * Until every store field exists, a job without `kind` is an import and a store without
 * `acknowledgeCancel` cannot cancel a running job; the agent API already carries all of it.
 */
import type { ImportJob, ImportStore, InventoryStore, JobQueueStore } from '@shuttersense/inventory-core'
import { InventoryError } from '@shuttersense/inventory-core'

export type JobKind = 'import' | 'refresh' | 'test'

/** What an agent reports with each heartbeat. */
export interface JobProgress {
  phase: 'A' | 'B' | 'C' | 'done' | null
  percent: number | null
  rows: number
  records: number
  badRows: Partial<Record<string, number>>
  dataFilesDone: number
  dataFiles: number
  collectionsDone: number
  collections: number
  message?: string | undefined
}

/** A job as the agent sees it. */
export type AgentJob = ImportJob & {
  kind?: JobKind
  payload?: Record<string, unknown> | null
  result?: Record<string, unknown> | null
  progress?: JobProgress | null
  cancelRequestedAt?: string | null
}

/** The kind of a job (`import` for a store that does not record kinds). */
export const kindOf = (job: ImportJob): JobKind => (job as AgentJob).kind ?? 'import'

type AcknowledgeCancel = (
  jobId: string,
  options: { agentId: string; now?: Date | undefined; nextRunAt?: Date | null | undefined; signal?: AbortSignal | undefined },
) => Promise<ImportJob>

/** The store calls of the job model, with the options it adds, on any store. */
export interface JobModelCalls {
  claimJob(options: Parameters<JobQueueStore['claimJob']>[0] & { kinds?: JobKind[] | undefined }): Promise<AgentJob | null>
  heartbeatJob(jobId: string, options: Parameters<ImportStore['heartbeatJob']>[1] & { progress?: JobProgress | undefined }): Promise<AgentJob>
  completeJob(
    jobId: string,
    options: Parameters<ImportStore['completeJob']>[1] & { result?: Record<string, unknown> | undefined },
  ): Promise<{ job: AgentJob; next: AgentJob | null }>
  acknowledgeCancel: AcknowledgeCancel
}

/** `store` seen through the job model. */
export function jobModel(store: InventoryStore | ImportStore): JobModelCalls {
  const calls = store as unknown as Partial<JobModelCalls> & InventoryStore
  return {
    claimJob: (options) => calls.claimJob(options),
    heartbeatJob: (jobId, options) => calls.heartbeatJob(jobId, options),
    completeJob: (jobId, options) => calls.completeJob(jobId, options),
    acknowledgeCancel: (jobId, options) => {
      if (typeof calls.acknowledgeCancel !== 'function') {
        return Promise.reject(new InventoryError('CONFLICT', `job ${jobId}: this store cannot cancel a running job`))
      }
      return calls.acknowledgeCancel.call(store, jobId, options)
    },
  }
}
