import { tmpdir } from 'node:os'
import { findLatestInventory, type DiscoveredInventory } from '../discover.js'
import { InventoryError } from '../errors.js'
import { normalizeDestinationPrefix } from '../location.js'
import { requireManifestImportFields } from '../parse/file-schema.js'
import type { DataFileParser } from '../pipeline/data-file-parser.js'
import type { ImportResult, RunImportOptions } from '../pipeline/run-import.js'
import { runImportJob } from '../pipeline/run-job.js'
import { nextRunAt } from '../schedule.js'
import type { ScratchSpace } from '../scratch.js'
import type { CatalogStore, Connector, ImportJob, ImportStore, JobQueueStore } from '../store.js'
import type { InventoryLocation } from '../types.js'
import { createFileScratch } from './file-scratch.js'
import { createWorkerParser, defaultWorkerCount } from './worker-parser.js'

/** The store parts {@link importInventory} uses: it finds or creates the connector and runs the import as a job. */
export type ImportInventoryStore = ImportStore & Pick<CatalogStore, 'listConnectors' | 'createConnector'> & JobQueueStore

/** Options of {@link importInventory}. */
export interface ImportInventoryOptions
  extends Pick<RunImportOptions, 'source' | 'onProgress' | 'signal' | 'concurrency' | 'csvEngine' | 'deltaListLimit' | 'readers' | 'now'> {
  /** Where the inventory's reports are: the connector is the one with this location (see {@link sameInventoryLocation}). */
  location: InventoryLocation
  /** A store with the import part, the job queue and connectors (any `InventoryStore`). */
  store: ImportInventoryStore
  /** Name of a connector created by this import. @default `<sourceBucket> (<configName>)` */
  connectorName?: string | undefined
  /** Directory under which the import's scratch directory is made (and removed). @default the OS temp dir */
  scratchDir?: string | undefined
  /** Scratch space to use instead of files under `scratchDir`. */
  scratch?: ScratchSpace | undefined
  /** Worker threads that parse CSV data files. @default one per spare core, at most 3 (0 where the worker script is absent) */
  workers?: number | undefined
  /** The worker script, where a bundler moved this package (see `WorkerParserOptions.workerScript`). @default the script beside this module */
  workerScript?: string | URL | undefined
  /** Who holds the job in the store's queue and audit log. @default `import-<pid>` */
  agentId?: string | undefined
  /** The job's lease: a process that dies blocks its connector this long at most. @default 30 s */
  leaseMs?: number | undefined
}

/** What {@link importInventory} returns. */
export interface ImportInventoryResult extends ImportResult {
  /** The connector imported, found by its location or created by this import. */
  connector: Connector
  /** True when this import created the connector. */
  connectorCreated: boolean
  /** The job of the store's queue the import ran as. */
  jobId: string
}

/**
 * Whether two locations name the same inventory configuration, so the same connector: same destination
 * bucket, same destination prefix (`reports`, `reports/` and `/reports/` are one), same source bucket and
 * same configuration name. Credentials, region and endpoint are not part of it.
 */
export function sameInventoryLocation(a: InventoryLocation, b: InventoryLocation): boolean {
  return (
    a.destinationBucket === b.destinationBucket &&
    normalizeDestinationPrefix(a.destinationPrefix) === normalizeDestinationPrefix(b.destinationPrefix) &&
    a.sourceBucket === b.sourceBucket &&
    a.configName === b.configName
  )
}

/**
 * Imports the newest report of an inventory in one call, with defaults right for real inventories:
 * finds the connector with this location or creates it (only once the report's manifest was found and
 * is valid, so a wrong location leaves nothing behind), keeps records between phases in files under
 * the OS temp dir, parses on worker threads where they exist, and runs as a job of the store's queue
 * (one import per connector at a time across processes, recorded in the audit log).
 *
 * When the newest report was already imported completely and no collection was added since, it ends at
 * once with `noNewReport: true` after reading only the manifest. For full control (your own scratch,
 * parser, session handling or job queue) use `runInventoryImport` or `runImportJob`.
 * @throws InventoryError with a stable `code`: `MANIFEST_NOT_FOUND`, `MANIFEST_INVALID`, `ABORTED`
 * (the signal fired), `IMPORT_IN_PROGRESS` (another process imports this connector), and others.
 */
export async function importInventory(options: ImportInventoryOptions): Promise<ImportInventoryResult> {
  const { store, source, location, signal } = options
  const existing = (await store.listConnectors({ signal })).find((connector) => connector.location && sameInventoryLocation(connector.location, location))
  let connector = existing
  let discovered: DiscoveredInventory | undefined
  if (!connector) {
    // Check the report before creating anything: a wrong location or a bad manifest must leave no connector.
    const found = await findLatestInventory(source, location, { signal })
    discovered = found
    if (!options.readers?.[found.manifest.fileFormat]) requireManifestImportFields(found.manifest, found.manifestKey)
    connector = await store.createConnector(
      { name: options.connectorName ?? `${location.sourceBucket} (${location.configName})`, location },
      { signal },
    )
  }
  const agentId = options.agentId ?? `import-${process.pid}`
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  const job = await claimImport(store, connector.id, agentId, leaseMs, options.now)
  const workers = options.workers ?? defaultWorkerCount(options.workerScript)
  const parser: DataFileParser | undefined = workers > 0 ? createWorkerParser({ workers, workerScript: options.workerScript }) : undefined
  try {
    const outcome = await runImportJob({
      job,
      agentId,
      leaseMs,
      source,
      store,
      scratch: options.scratch ?? createFileScratch({ parent: options.scratchDir ?? tmpdir() }),
      parser,
      concurrency: options.concurrency,
      csvEngine: options.csvEngine,
      deltaListLimit: options.deltaListLimit,
      readers: options.readers,
      onProgress: options.onProgress,
      signal,
      now: options.now,
      discovered,
    })
    switch (outcome.outcome) {
      case 'completed':
        return { ...outcome.result, connector, connectorCreated: existing === undefined, jobId: job.id }
      case 'interrupted': {
        // Released at once rather than left to the lease, and the connector's schedule keeps its next run.
        const failedAt = options.now?.() ?? new Date()
        const current = await store.getConnector(connector.id).catch(() => connector)
        await store
          .failJob(job.id, {
            agentId,
            error: { code: outcome.error.code, message: outcome.error.message },
            retryAt: null,
            nextRunAt: nextRunAt(failedAt, current.schedule),
            now: failedAt,
          })
          .catch(() => undefined)
        throw outcome.error
      }
      case 'cancelled':
        throw new InventoryError('ABORTED', `job ${outcome.job.id} was cancelled`)
      default:
        throw outcome.error
    }
  } finally {
    await parser?.close()
  }
}

const DEFAULT_LEASE_MS = 30_000

/** Queues an import now (or finds the queued one) and claims it; a running job whose lease expired is taken over. */
async function claimImport(
  store: JobQueueStore,
  connectorId: string,
  agentId: string,
  leaseMs: number,
  now: (() => Date) | undefined,
): Promise<ImportJob> {
  const claim = async (): Promise<ImportJob | null> => {
    const at = now?.() ?? new Date()
    const asked = await store.requestImportNow(connectorId, { actor: agentId, now: at })
    const stale = asked.outcome === 'already-running' && Date.parse(asked.job.leaseExpiresAt ?? '') < at.getTime()
    // A running job whose lease expired belongs to a process that died: claimJob takes it over (or, when
    // its attempts are used up, fails it, and the second round queues a new job).
    if (asked.outcome === 'already-running' && !stale) {
      throw new InventoryError(
        'IMPORT_IN_PROGRESS',
        `${asked.job.lockedBy ?? 'another process'} is importing this connector (job ${asked.job.id}, lease until ${asked.job.leaseExpiresAt})`,
      )
    }
    return store.claimJob({ agentId, leaseMs, connectorId, now: at })
  }
  const job = (await claim()) ?? (await claim())
  if (!job) throw new InventoryError('IMPORT_IN_PROGRESS', "another process claimed this connector's import first")
  return job
}
