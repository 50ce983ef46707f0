// Every type that the public functions and seams of core name, types only (no runtime code, so it needs
// no Node.js): for implementing a seam of one's own (a source, a store part, a format reader, scratch
// space), and for naming the parts of a record or result. The root entry re-exports the few an embedder
// names most. Every name here is public API under semver, with a doc comment (test/entries.test.ts checks
// both, and that every type a public declaration names is exported here or by `/node` or `/testing`).

// Errors.
export type { InventoryErrorCode, InventoryErrorContext } from './errors.js'

// Records and results.
export type {
  BadRowReason,
  BadRowSample,
  FileInfo,
  FileInfoSource,
  FolderSummary,
  ImportSchedule,
  InventoryLocation,
  RowCounts,
} from './types.js'
export type { InventoryFileFormat, InventoryManifest, ManifestDataFile } from './manifest/inventory-manifest.js'
export type { TimestampFolder } from './location.js'
export type { CollectionDelta, DeltaCounts, DeltaOptions, FileInfoChanges, ModifiedFile } from './delta.js'
export type { ListRequestsSaved, ListRequestsSavedInput } from './cost.js'

// The import: the one-call form, the calls for control, progress, discovery.
export type { ImportInventoryOptions, ImportInventoryResult, ImportInventoryStore } from './node/import-inventory.js'
export type { ImportResult, RunImportOptions } from './pipeline/run-import.js'
export type { ImportJobOutcome, RunImportJobOptions } from './pipeline/run-job.js'
export type { ImportProgress, ImportProgressEvent } from './pipeline/progress.js'
export type { DiscoveredInventory } from './discover.js'

// A collection's files: cached FileInfo first, a live listing only when asked.
export type {
  CollectionFiles,
  CollectionFilesStore,
  GetCollectionFilesOptions,
  LiveLister,
  RefreshCollectionOptions,
  RefreshResult,
} from './collection-files.js'

// The source seam.
export type { ObjectSource, ReadObjectOptions, SourceCallOptions, StreamObjectOptions } from './source.js'

// The store seam, in parts, with the records and options of their calls.
export type {
  AuditEntry,
  AuditLogStore,
  CatalogStore,
  ClaimJobOptions,
  Collection,
  CompleteJobOptions,
  Connector,
  ConnectorPatch,
  DeltaPage,
  EnqueueImportOptions,
  EnqueueJobOptions,
  FailJobOptions,
  FileInfoPage,
  FileInfoQuery,
  FileInfoWrite,
  FolderPage,
  FolderQuery,
  ImportCheckpoint,
  ImportJob,
  ImportNowResult,
  ImportPhase,
  ImportSession,
  ImportSessionPatch,
  ImportStatus,
  ImportStore,
  ImportSummary,
  InventoryStore,
  JobKind,
  JobProgress,
  JobQueueStore,
  JobStatus,
  JobTrigger,
  NewAuditEntry,
  NewCollection,
  NewConnector,
  NewImportSession,
  PageQuery,
  ReplaceFileInfoOptions,
  StoreCallOptions,
  StoredDelta,
  StoredFileInfo,
  StoreLifecycle,
} from './store.js'

// What `runInventoryImport`'s options for control take: scratch space, a parser, format readers.
export type { ScratchSpace } from './scratch.js'
export type { DataFileParser } from './pipeline/data-file-parser.js'
export type { DataFileReadContext, DataFileReader } from './pipeline/data-file-reader.js'
export type { LocalRandomAccessFile, RandomAccessFile } from './io/random-access-file.js'
export type { CsvEngine } from './parse/csv-records.js'
