import type { CollectionDelta, FileInfoChanges } from './delta.js'
import type { InventoryFileFormat } from './manifest/manifest-schema.js'
import type { BadRowReason, FileInfo, FileInfoSource, FolderSummary, ImportSchedule, InventoryLocation, RowCounts } from './types.js'

/** Options every store call may take. */
export interface StoreCallOptions {
  /** Aborts the call: the store stops at its next step and rejects with `InventoryError` `ABORTED`. */
  signal?: AbortSignal | undefined
}


/** A bucket whose inventory ShutterSense imports. */
export interface Connector {
  id: string
  name: string
  /** Where the inventory reports are; `null` until the connector is configured (nothing to import yet). */
  location: InventoryLocation | null
  schedule: ImportSchedule
  /** The format the inventory configuration says (the manifest of each report says it again). */
  format: InventoryFileFormat
  /** How many changed files per type a delta keeps (0: counts only); every delta says when its lists are cut. */
  deltaListLimit: number
  createdAt: string
  updatedAt: string
}

/** Input of {@link CatalogStore.createConnector}. */
export interface NewConnector {
  name: string
  /** @default null (configure it later with `updateConnector`) */
  location?: InventoryLocation | null | undefined
  /** @default 'manual' */
  schedule?: ImportSchedule | undefined
  /** @default 'CSV' */
  format?: InventoryFileFormat | undefined
  /** @default 1000 */
  deltaListLimit?: number | undefined
}

/** What {@link CatalogStore.updateConnector} may change. */
export type ConnectorPatch = Partial<Pick<Connector, 'name' | 'location' | 'schedule' | 'format' | 'deltaListLimit'>>

/** A connector's delta list size when none is set. */
export const DEFAULT_DELTA_LIST_LIMIT = 1000

/** A ShutterSense collection bound to one folder of a connector's bucket. */
export interface Collection {
  id: string
  connectorId: string
  name: string
  /** Folder path ending in `/`. */
  folderPath: string
  createdAt: string
  /** Where the cached FileInfo came from, or `null` before the first import or refresh. */
  fileInfoSource: FileInfoSource | null
  fileInfoUpdatedAt: string | null
  /** Files in the cached FileInfo. */
  fileCount: number
}

/** Input of {@link CatalogStore.createCollections}. */
export interface NewCollection {
  name: string
  folderPath: string
}

/** A stored delta of one collection for one import. */
export interface StoredDelta extends CollectionDelta {
  collectionId: string
  importId: string | null
  computedAt: string
}

/** The phases of an import: A folders, B FileInfo, C delta. */
export type ImportPhase = 'A' | 'B' | 'C' | 'done'

/** Lifecycle of an import session. */
export type ImportStatus = 'running' | 'completed' | 'failed'

/** Where an import can resume from. */
export interface ImportCheckpoint {
  phase: ImportPhase
  /** Data files fully read in phase A. */
  dataFilesDone: number
  /** Collections whose FileInfo and delta are stored (phases B and C are one transaction per collection). */
  collectionsDone: string[]
}

/** Summary figures of an import. */
export interface ImportSummary {
  rows: RowCounts
  dataFiles: number
  compressedBytes: number
  objectCount: number
  totalSizeBytes: number
  folderCount: number
  collections: number
  /** Requests made to the source, by type, when the source counts them. */
  requests?: Record<string, number> | undefined
}

/** One run of the import of a connector. */
export interface ImportSession {
  id: string
  connectorId: string
  status: ImportStatus
  /** Key of the manifest imported (identifies the report). */
  manifestKey: string
  /** The report's timestamp folder name, e.g. `2024-05-07T01-00Z`. */
  inventoryTimestamp: string
  startedAt: string
  finishedAt: string | null
  checkpoint: ImportCheckpoint
  summary: ImportSummary | null
  error: { code: string; message: string } | null
}

/** Input of {@link ImportStore.createImportSession}. */
export interface NewImportSession {
  connectorId: string
  manifestKey: string
  inventoryTimestamp: string
}

/** Changes to an import session. */
export interface ImportSessionPatch {
  status?: ImportStatus
  checkpoint?: Omit<ImportCheckpoint, 'collectionsDone'>
  summary?: ImportSummary
  error?: { code: string; message: string } | null
  finishedAt?: string | null
}

/** Why an import job exists: a person asked ("Import now") or the connector's schedule queued it. */
export type JobTrigger = 'manual' | 'scheduled'

/**
 * Lifecycle of a job: `queued` (waiting for `scheduledAt`), `running` (claimed by an agent, with a
 * lease), then `completed`, `failed` (retries used up) or `cancelled`.
 */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled'

/**
 * What a job does: `import` runs the three phases; `refresh` lists one collection's folder live
 * (payload `{ collectionId }`); `test` checks the connector's access to its inventory. Only imports
 * are chained to a next run, retried, and limited to one queued-or-running per connector.
 */
export type JobKind = 'import' | 'refresh' | 'test'

/** What the agent running a job last reported (with its heartbeat). */
export interface JobProgress {
  phase: ImportPhase | null
  /** 0 to 100, when it can be told. */
  percent: number | null
  rows: number
  records: number
  badRows: Partial<Record<BadRowReason, number>>
  dataFilesDone: number
  dataFiles: number
  collectionsDone: number
  collections: number
  message?: string | undefined
}

/** A job of one connector, waiting for or claimed by an agent. */
export interface ImportJob {
  id: string
  connectorId: string
  kind: JobKind
  trigger: JobTrigger
  status: JobStatus
  /** Who queued it: a user, an agent id, or `system` (the schedule). */
  actor: string
  /** What the job works on beyond its connector (a refresh: `{ collectionId }`). */
  payload: Record<string, unknown> | null
  /** What a finished job found (a test: the newest report or what is wrong; an import: its session). */
  result: Record<string, unknown> | null
  progress: JobProgress | null
  progressAt: string | null
  /** Set when a user cancelled the job while it ran: its agent stops at its next heartbeat. */
  cancelRequestedAt: string | null
  /** Not claimed before this time. */
  scheduledAt: string
  createdAt: string
  /** Claims so far (a reclaim after a lost lease counts). */
  attempts: number
  maxAttempts: number
  /** The agent holding the job while `running`. */
  lockedBy: string | null
  /** A running job whose lease passed this time may be claimed by another agent. */
  leaseExpiresAt: string | null
  startedAt: string | null
  finishedAt: string | null
  lastError: { code: string; message: string } | null
}

/** Options of {@link JobQueueStore.enqueueImport}. */
export interface EnqueueImportOptions extends StoreCallOptions {
  /** Why the job exists: `manual` (a person asked) or `scheduled` (the connector's schedule). */
  trigger: JobTrigger
  /** Who asks, for the audit log. @default 'system' */
  actor?: string | undefined
  /** The current time (tests pass a fixed one). @default new Date() */
  now?: Date | undefined
  /** Not claimed before this time. @default now */
  scheduledAt?: Date | undefined
  /** Claims allowed before the job fails for good (retries and lost leases count). @default 3 */
  maxAttempts?: number | undefined
}

/** Options of {@link JobQueueStore.enqueueJob}. */
export interface EnqueueJobOptions extends StoreCallOptions {
  /** `refresh` (list one collection's folder live) or `test` (check the connector's access). */
  kind: Exclude<JobKind, 'import'>
  /** What the job works on beyond its connector: a refresh takes `{ collectionId }`. @default null */
  payload?: Record<string, unknown> | null | undefined
  /** Who asks, for the audit log. @default 'system' */
  actor?: string | undefined
  /** The current time (tests pass a fixed one). @default new Date() */
  now?: Date | undefined
}

/** Answer of {@link JobQueueStore.requestImportNow}. */
export interface ImportNowResult {
  job: ImportJob
  /**
   * `created`: a new job; `rescheduled`: the connector's queued job now runs at once;
   * `already-running`: an agent is importing this connector, and this is its job.
   */
  outcome: 'created' | 'rescheduled' | 'already-running'
}

/** Options of {@link JobQueueStore.claimJob}. */
export interface ClaimJobOptions extends StoreCallOptions {
  /** Who claims: the agent's id, recorded as `lockedBy`. */
  agentId: string
  /** How long the claim holds without a heartbeat, in milliseconds. */
  leaseMs: number
  /** Only this connector's job (a process importing one connector, such as the CLI). */
  connectorId?: string | undefined
  /** Only jobs of these kinds. @default every kind */
  kinds?: readonly JobKind[] | undefined
  /** The current time (tests pass a fixed one). @default new Date() */
  now?: Date | undefined
}

/** Options of {@link ImportStore.completeJob}. */
export interface CompleteJobOptions extends StoreCallOptions {
  /** The agent holding the job (`CONFLICT` for any other). */
  agentId: string
  /** The current time (tests pass a fixed one). @default new Date() */
  now?: Date | undefined
  /**
   * When the connector's next scheduled import runs (core's `nextRunAt`): a `scheduled` job is
   * queued for then in the same transaction. `null` for a manual schedule.
   */
  nextRunAt: Date | null
  /** What the job found, kept on the job. */
  result?: Record<string, unknown> | null | undefined
}

/** Options of {@link ImportStore.failJob}. */
export interface FailJobOptions extends StoreCallOptions {
  /** The agent holding the job (`CONFLICT` for any other). */
  agentId: string
  /** What went wrong, kept as the job's `lastError` (an `InventoryError`'s code and message). */
  error: { code: string; message: string }
  /** When to try again if attempts remain; `null` fails the job for good. */
  retryAt: Date | null
  /**
   * When the job fails for good: the connector's next scheduled import, queued in the same
   * transaction so a failed run does not end the chain. `null` or omitted: none.
   */
  nextRunAt?: Date | null | undefined
  /** The current time (tests pass a fixed one). @default new Date() */
  now?: Date | undefined
}

/** One line of the audit log: who did what to which connector's imports, and when. */
export interface AuditEntry {
  /** Increases with every entry of a store. */
  seq: number
  at: string
  connectorId: string | null
  /** An agent id, a user, or `system`. */
  actor: string
  /** e.g. `job.enqueued`, `job.claimed`, `job.reclaimed`, `job.completed`, `job.failed`, `job.cancelled`. */
  action: string
  /** The id of the job, import session or collection the action was on. */
  subjectId: string | null
  detail: Record<string, unknown> | null
}

/** Input of {@link AuditLogStore.appendAudit}. */
export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'at'> & { at?: string | undefined }

/** Query of {@link CatalogStore.listFolders}. */
export interface FolderQuery extends StoreCallOptions {
  /** Only folders whose path starts with this. */
  prefix?: string | undefined
  /** Only folders this many levels deep (`a/` is 1, `a/b/` is 2). */
  depth?: number | undefined
  /** Continue after this path (the previous page's `nextCursor`). */
  cursor?: string | undefined
  /** @default 1000 */
  limit?: number | undefined
}

/** One page of folders. */
export interface FolderPage {
  folders: FolderSummary[]
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null
}

/** Options of {@link ImportStore.replaceFileInfo}. */
export interface ReplaceFileInfoOptions extends StoreCallOptions {
  /** Where the FileInfo comes from: `inventory` (an import) or `api` (a live listing). */
  source: FileInfoSource
  /** When the FileInfo was read (ISO 8601), kept as the collection's `fileInfoUpdatedAt`. */
  updatedAt: string
  /** When set, the delta is stored and the collection marked done for this import, in the same transaction. */
  importId?: string | undefined
  /** The collection's delta against its previous FileInfo, stored with it (with `importId`). */
  delta?: CollectionDelta | undefined
}

/**
 * One collection's FileInfo write of an import, as {@link ImportStore.writeFileInfoBatch} takes it: the
 * whole new set (`replace`, what `replaceFileInfo` writes) or changes to the stored set (`changes`, what
 * `applyFileInfoChanges` writes), with the same options.
 */
export type FileInfoWrite = { collectionId: string; options: Omit<ReplaceFileInfoOptions, 'signal'> } & (
  | { replace: readonly FileInfo[] }
  | { changes: FileInfoChanges }
)

/** One collection's stored FileInfo, whole, as {@link ImportStore.readFileInfoBatch} gives it. */
export interface StoredFileInfo {
  collectionId: string
  /** In key order. */
  files: FileInfo[]
}

/**
 * Opening and closing a store. Every backend implements it beside the parts below.
 */
export interface StoreLifecycle {
  /** Creates or upgrades the schema. Safe to call concurrently and repeatedly. */
  migrate(options?: StoreCallOptions): Promise<void>
  /** Releases connections. */
  close(): Promise<void>
}

/**
 * The part of a store that an import calls: {@link runInventoryImport} and {@link runImportJob} use
 * nothing else. An embedder with its own database and job queue implements this part alone; the
 * reference agent implements it over HTTP. Its conformance suite is `describeImportStoreConformance`
 * from `@shuttersense/inventory-core/testing`.
 *
 * Atomicity rules: {@link ImportStore.replaceFolders} and {@link ImportStore.replaceFileInfo} swap the
 * whole set or nothing; a failure leaves the previous set whole.
 */
export interface ImportStore {
  /** @throws InventoryError `NOT_FOUND` */
  getConnector(id: string, options?: StoreCallOptions): Promise<Connector>
  /**
   * Collections of a connector, ordered by folder path. Omitted: of all connectors the store reaches (a
   * store of every part: all; an agent's HTTP client: its job's connector). The import always names one.
   */
  listCollections(connectorId?: string, options?: StoreCallOptions): Promise<Collection[]>
  /**
   * Replaces all folders of a connector at once. `folders` is read once, in any order, and written as it
   * is read (an import hands over a generator, so its 300k summaries are never all in memory).
   */
  replaceFolders(connectorId: string, folders: Iterable<FolderSummary>, options?: StoreCallOptions): Promise<void>
  /**
   * Replaces a collection's FileInfo with `files` (batches, in any order), all or nothing. With `importId` + `delta`
   * it also stores the delta and marks the collection done for that import, in the same transaction.
   * A write with the `importId` of an import that has marked the collection done stores nothing (no
   * rows, no delta) and answers the stored `fileCount`: an import writes a collection once (its
   * checkpoint skips those done), so a second write is a retry (a lost answer, a resumed import) and must
   * not rewrite what that import stored. A write of another import, or of none (a live refresh), writes.
   */
  replaceFileInfo(
    collectionId: string,
    files: Iterable<readonly FileInfo[]> | AsyncIterable<readonly FileInfo[]>,
    options: ReplaceFileInfoOptions,
  ): Promise<{ fileCount: number }>
  /**
   * Applies `changes` (upserts and deletes by key) to a collection's FileInfo, all or nothing, with the
   * same bookkeeping as {@link ImportStore.replaceFileInfo} (and the same skip of a collection this import
   * stored already): an import with few changes writes few rows.
   */
  applyFileInfoChanges(
    collectionId: string,
    changes: FileInfoChanges,
    options: ReplaceFileInfoOptions,
  ): Promise<{ fileCount: number }>
  /**
   * Optional: several collections' writes in one call, each as its own `replaceFileInfo` or
   * `applyFileInfoChanges` would store it (all or nothing per collection, in order; a collection this
   * import has already stored is left as it is). When it throws, the collections before the failing one
   * may be stored. A store behind a network implements it to save a round-trip per collection (the
   * reference agent's HTTP client does); phases B and C then send small collections in batches, and
   * write one collection per call otherwise.
   */
  writeFileInfoBatch?(writes: readonly FileInfoWrite[], options?: StoreCallOptions): Promise<void>
  /**
   * Optional: the stored FileInfo of several collections in one call: each collection whole, in key
   * order, one after the other in the order asked (a collection without FileInfo comes with none). A store
   * behind a network implements it to save a round-trip per collection; phases B and C then read small
   * collections (by their `fileCount`) in batches, and every other one through `readFileInfo`.
   */
  readFileInfoBatch?(collectionIds: readonly string[], options?: StoreCallOptions): AsyncIterable<StoredFileInfo>
  /** Reads a collection's FileInfo in key order (UTF-8 byte order), in batches. */
  readFileInfo(collectionId: string, options?: StoreCallOptions & { batchSize?: number }): AsyncIterable<FileInfo[]>
  createImportSession(input: NewImportSession, options?: StoreCallOptions): Promise<ImportSession>
  updateImportSession(id: string, patch: ImportSessionPatch, options?: StoreCallOptions): Promise<ImportSession>
  /** Newest first. */
  listImportSessions(connectorId: string, options?: StoreCallOptions & { limit?: number }): Promise<ImportSession[]>
  /**
   * Extends a running job's lease and records its progress. The job returned tells the agent whether a
   * user asked to cancel it (`cancelRequestedAt`).
   * @throws InventoryError `CONFLICT` when `agentId` no longer holds the job (its lease was taken over).
   */
  heartbeatJob(
    jobId: string,
    options: StoreCallOptions & { agentId: string; leaseMs: number; now?: Date | undefined; progress?: JobProgress | undefined },
  ): Promise<ImportJob>
  /**
   * The agent stopped a job whose cancellation was requested: it ends `cancelled`. A scheduled import
   * still queues its next run at `nextRunAt` (cancelling one run does not end the chain).
   * @throws InventoryError `CONFLICT` when `agentId` does not hold the job or no cancel was requested.
   */
  acknowledgeCancel(
    jobId: string,
    options: StoreCallOptions & { agentId: string; now?: Date | undefined; nextRunAt?: Date | null | undefined },
  ): Promise<ImportJob>
  /** Marks a running job completed and queues the next scheduled one (see `nextRunAt`). @throws `CONFLICT` as above */
  completeJob(jobId: string, options: CompleteJobOptions): Promise<{ job: ImportJob; next: ImportJob | null }>
  /** Records a failure: queued again at `retryAt` while attempts remain, else `failed`. @throws `CONFLICT` as above */
  failJob(jobId: string, options: FailJobOptions): Promise<ImportJob>
}

/** Connectors, folders, collections and deltas as a user browses and maps them. */
export interface CatalogStore {
  createConnector(input: NewConnector, options?: StoreCallOptions): Promise<Connector>
  listConnectors(options?: StoreCallOptions): Promise<Connector[]>
  /**
   * Turning the schedule to `manual` cancels the connector's queued scheduled jobs in the same
   * transaction (a running one finishes; with a manual schedule it queues no next one).
   * @throws InventoryError `NOT_FOUND`
   */
  updateConnector(
    id: string,
    patch: ConnectorPatch,
    options?: StoreCallOptions,
  ): Promise<Connector>
  /** Folders ordered by path (UTF-8 byte order), paged. */
  listFolders(connectorId: string, query?: FolderQuery): Promise<FolderPage>
  /**
   * Creates collections, all or none.
   * @throws InventoryError `CONFLICT` when a folder already has a collection of this connector.
   */
  createCollections(
    connectorId: string,
    collections: readonly NewCollection[],
    options?: StoreCallOptions,
  ): Promise<Collection[]>
  /** @throws InventoryError `NOT_FOUND` */
  getCollection(id: string, options?: StoreCallOptions): Promise<Collection>
  /** The newest stored delta of a collection, or `null`. */
  getLatestDelta(collectionId: string, options?: StoreCallOptions): Promise<StoredDelta | null>
  /** @throws InventoryError `NOT_FOUND` */
  getImportSession(id: string, options?: StoreCallOptions): Promise<ImportSession>
  /**
   * Deletes a connector with its folders, collections, FileInfo, deltas, import sessions and jobs.
   * The audit log keeps its entries. @throws InventoryError `NOT_FOUND`
   */
  deleteConnector(id: string, options?: StoreCallOptions): Promise<void>
  /**
   * Renames a collection.
   * @throws InventoryError `NOT_FOUND`; `CONFLICT` when another collection of the connector has the name
   */
  updateCollection(id: string, patch: { name: string }, options?: StoreCallOptions): Promise<Collection>
  /** Deletes a collection with its FileInfo and deltas. @throws InventoryError `NOT_FOUND` */
  deleteCollection(id: string, options?: StoreCallOptions): Promise<void>
  /** A collection's stored deltas, newest first, paged. @throws InventoryError `NOT_FOUND` */
  listDeltas(collectionId: string, query?: PageQuery): Promise<DeltaPage>
  /** One page of a collection's FileInfo in key order (UTF-8 byte order). @throws InventoryError `NOT_FOUND` */
  listFileInfo(collectionId: string, query?: FileInfoQuery): Promise<FileInfoPage>
}

/** Paging of a list: continue after `cursor` (the previous page's `nextCursor`). */
export interface PageQuery extends StoreCallOptions {
  cursor?: string | undefined
  /** @default 100 (at most 1000) */
  limit?: number | undefined
}

/** Query of {@link CatalogStore.listFileInfo}. */
export interface FileInfoQuery extends PageQuery {
  /** Only keys that start with this. */
  prefix?: string | undefined
}

/** One page of stored deltas, newest first. */
export interface DeltaPage {
  deltas: StoredDelta[]
  nextCursor: string | null
}

/** One page of FileInfo, in key order. */
export interface FileInfoPage {
  files: FileInfo[]
  nextCursor: string | null
}

/** The import job queue: leases, retries and chain scheduling (a lease's heartbeat, completion and failure are in {@link ImportStore}). */
export interface JobQueueStore {
  /**
   * Queues an import job. The database allows one queued-or-running import per connector.
   * @throws InventoryError `IMPORT_IN_PROGRESS` when the connector already has one.
   */
  enqueueImport(connectorId: string, options: EnqueueImportOptions): Promise<ImportJob>
  /**
   * "Import now": a job that runs at once whatever the schedule. A queued job of the connector is
   * moved to now (and becomes `manual`); a running one is returned as it is. Race-free.
   */
  requestImportNow(
    connectorId: string,
    options?: StoreCallOptions & { actor?: string | undefined; now?: Date | undefined },
  ): Promise<ImportNowResult>
  /**
   * Claims the due job that was scheduled first, or a running job whose lease has expired (its agent
   * died); due `test` and `refresh` jobs come before imports. Each job is claimed by exactly one
   * caller. `null` when nothing is due.
   */
  claimJob(options: ClaimJobOptions): Promise<ImportJob | null>
  /** Cancels the connector's queued jobs (of one trigger, or all). Running jobs are not touched. */
  cancelQueuedJobs(
    connectorId: string,
    options?: StoreCallOptions & { trigger?: JobTrigger | undefined; actor?: string | undefined; now?: Date | undefined },
  ): Promise<number>
  /**
   * Queues a `refresh` or `test` job to run at once. Such jobs run once (never retried, never chained)
   * and may run while an import of the connector is queued. A refresh is not claimed while its
   * connector imports: it waits for the import to end.
   * @throws InventoryError `NOT_FOUND` for an unknown connector
   */
  enqueueJob(connectorId: string, options: EnqueueJobOptions): Promise<ImportJob>
  /**
   * Cancels one job: a queued job ends `cancelled` at once; a running one is marked
   * (`cancelRequestedAt`) and its agent stops at its next heartbeat ({@link ImportStore.acknowledgeCancel}).
   * @throws InventoryError `NOT_FOUND`; `CONFLICT` for a job that already ended
   */
  cancelJob(jobId: string, options?: StoreCallOptions & { actor?: string | undefined; now?: Date | undefined }): Promise<ImportJob>
  /** @throws InventoryError `NOT_FOUND` */
  getJob(id: string, options?: StoreCallOptions): Promise<ImportJob>
  /** Jobs of a connector (all connectors when omitted), newest first. */
  listJobs(
    connectorId?: string,
    options?: StoreCallOptions & { status?: JobStatus; kind?: JobKind; limit?: number },
  ): Promise<ImportJob[]>
}

/** The audit log (NFR-022): who triggered which import, when, and what each phase did. */
export interface AuditLogStore {
  /** Appends to the audit log. Job transitions are logged by the store itself, in their own transaction. */
  appendAudit(entry: NewAuditEntry, options?: StoreCallOptions): Promise<AuditEntry>
  /** The audit log, newest first. */
  listAudit(options?: StoreCallOptions & { connectorId?: string; limit?: number }): Promise<AuditEntry[]>
}

/**
 * The whole storage contract: every part above. The SQLite and Postgres stores implement it and pass
 * `describeStoreConformance` from `@shuttersense/inventory-core/testing` (the suites of every part).
 */
export interface InventoryStore extends StoreLifecycle, ImportStore, CatalogStore, JobQueueStore, AuditLogStore {}
