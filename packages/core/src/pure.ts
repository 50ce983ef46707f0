// The public functions and types that need no Node.js built-ins (no crypto, zlib, stream, fs): they run
// in browsers, edge runtimes and workers. The root entry exports all of these too, plus the import itself
// (which reads and checks data files: gzip, MD5, threads, so it needs Node.js).
// Every name here is public API under semver, with a doc comment (test/entries.test.ts checks both).

// Errors: one class, a stable code per failure.
export { coerceError, InventoryError, isInventoryError, type InventoryErrorCode, type InventoryErrorContext } from './errors.js'

// Records and results.
export {
  countBadRows,
  type BadRowReason,
  type BadRowSample,
  type FileInfo,
  type FileInfoSource,
  type FolderSummary,
  type ImportSchedule,
  type InventoryLocation,
  type RowCounts,
} from './types.js'
export type { InventoryFileFormat, InventoryManifest, ManifestDataFile } from './manifest/inventory-manifest.js'
export { parseManifest } from './manifest/parse-manifest.js'
export { configuredLocation, inventoryPrefix, type TimestampFolder } from './location.js'

// Names, schedules, deltas and folders: functions that stand alone.
export { suggestCollectionName, suggestUniqueCollectionNames } from './names.js'
export { inferInventoryIntervalMs, nextRunAt } from './schedule.js'
export {
  computeDelta,
  isModified,
  type CollectionDelta,
  type DeltaCounts,
  type DeltaOptions,
  type FileInfoChanges,
  type ModifiedFile,
} from './delta.js'
export { compareKeys, directFolderOf, foldersDownTo } from './folders.js'

// The cost figure shown after an import: requests made against a ListObjectsV2 crawl.
export { listRequestsSaved, type ListRequestsSaved, type ListRequestsSavedInput } from './cost.js'

// The source seam.
export type { ObjectSource, ReadObjectOptions, SourceCallOptions, StreamObjectOptions } from './source.js'

// The store seam, in parts: an embedder implements the parts it needs (the import part alone suffices
// to run an import).
export {
  DEFAULT_DELTA_LIST_LIMIT,
  type AuditEntry,
  type AuditLogStore,
  type CatalogStore,
  type ClaimJobOptions,
  type Collection,
  type CompleteJobOptions,
  type Connector,
  type ConnectorPatch,
  type DeltaPage,
  type EnqueueImportOptions,
  type EnqueueJobOptions,
  type FailJobOptions,
  type FileInfoPage,
  type FileInfoQuery,
  type FolderPage,
  type FolderQuery,
  type ImportCheckpoint,
  type ImportJob,
  type ImportNowResult,
  type ImportPhase,
  type ImportSession,
  type ImportSessionPatch,
  type ImportStatus,
  type ImportStore,
  type ImportSummary,
  type InventoryStore,
  type JobKind,
  type JobProgress,
  type JobQueueStore,
  type JobStatus,
  type JobTrigger,
  type NewAuditEntry,
  type NewCollection,
  type NewConnector,
  type NewImportSession,
  type PageQuery,
  type ReplaceFileInfoOptions,
  type FileInfoWrite,
  type StoredFileInfo,
  type StoreCallOptions,
  type StoredDelta,
  type StoreLifecycle,
} from './store.js'
