import type { CollectionDelta } from './delta.js'
import type { FileInfo, FileInfoSource, FolderSummary, ImportSchedule, InventoryLocation, RowCounts } from './types.js'

/** Options every store call may take. */
export interface StoreCallOptions {
  signal?: AbortSignal | undefined
}

/** What a backend can do beyond the contract's baseline. Conformance tests skip what is `false`. */
export interface StoreCapabilities {
  /** Several processes may claim jobs at once (Postgres); SQLite serialises through one file lock. */
  readonly supportsConcurrentClaims: boolean
  /** Schema changes roll back with their transaction. */
  readonly supportsTransactionalDdl: boolean
}

/** A bucket whose inventory ShutterSense imports. */
export interface Connector {
  id: string
  name: string
  location: InventoryLocation
  schedule: ImportSchedule
  createdAt: string
  updatedAt: string
}

/** Input of {@link InventoryStore.createConnector}. */
export interface NewConnector {
  name: string
  location: InventoryLocation
  /** @default 'manual' */
  schedule?: ImportSchedule | undefined
}

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

/** Input of {@link InventoryStore.createCollections}. */
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

/** Input of {@link InventoryStore.createImportSession}. */
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

/** Query of {@link InventoryStore.listFolders}. */
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

/** Options of {@link InventoryStore.replaceFileInfo}. */
export interface ReplaceFileInfoOptions extends StoreCallOptions {
  source: FileInfoSource
  updatedAt: string
  /** When set, the delta is stored and the collection marked done for this import, in the same transaction. */
  importId?: string | undefined
  delta?: CollectionDelta | undefined
}

/**
 * The storage contract of the inventory import. Every backend (SQLite, Postgres, the agent's HTTP client)
 * implements it and passes `describeStoreConformance` from `@shuttersense/inventory-core/testing`.
 *
 * Atomicity rules: {@link replaceFolders} and {@link replaceFileInfo} swap the whole set or nothing;
 * a failure leaves the previous set whole.
 */
export interface InventoryStore {
  readonly capabilities: StoreCapabilities
  /** Creates or upgrades the schema. Safe to call concurrently and repeatedly. */
  migrate(options?: StoreCallOptions): Promise<void>
  /** Releases connections. */
  close(): Promise<void>

  createConnector(input: NewConnector, options?: StoreCallOptions): Promise<Connector>
  /** @throws InventoryError `NOT_FOUND` */
  getConnector(id: string, options?: StoreCallOptions): Promise<Connector>
  listConnectors(options?: StoreCallOptions): Promise<Connector[]>
  /** @throws InventoryError `NOT_FOUND` */
  updateConnector(
    id: string,
    patch: Partial<Pick<Connector, 'name' | 'location' | 'schedule'>>,
    options?: StoreCallOptions,
  ): Promise<Connector>

  /** Replaces all folders of a connector at once. */
  replaceFolders(connectorId: string, folders: readonly FolderSummary[], options?: StoreCallOptions): Promise<void>
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
  /** Collections of a connector (all connectors when omitted), ordered by folder path. */
  listCollections(connectorId?: string, options?: StoreCallOptions): Promise<Collection[]>
  /** @throws InventoryError `NOT_FOUND` */
  getCollection(id: string, options?: StoreCallOptions): Promise<Collection>

  /**
   * Replaces a collection's FileInfo with `files` (batches), all or nothing. With `importId` + `delta`
   * it also stores the delta and marks the collection done for that import, in the same transaction.
   */
  replaceFileInfo(
    collectionId: string,
    files: Iterable<readonly FileInfo[]> | AsyncIterable<readonly FileInfo[]>,
    options: ReplaceFileInfoOptions,
  ): Promise<{ fileCount: number }>
  /** Reads a collection's FileInfo in key order (UTF-8 byte order), in batches. */
  readFileInfo(collectionId: string, options?: StoreCallOptions & { batchSize?: number }): AsyncIterable<FileInfo[]>

  /** The newest stored delta of a collection, or `null`. */
  getLatestDelta(collectionId: string, options?: StoreCallOptions): Promise<StoredDelta | null>

  createImportSession(input: NewImportSession, options?: StoreCallOptions): Promise<ImportSession>
  /** @throws InventoryError `NOT_FOUND` */
  getImportSession(id: string, options?: StoreCallOptions): Promise<ImportSession>
  updateImportSession(id: string, patch: ImportSessionPatch, options?: StoreCallOptions): Promise<ImportSession>
  /** Newest first. */
  listImportSessions(connectorId: string, options?: StoreCallOptions & { limit?: number }): Promise<ImportSession[]>
}

