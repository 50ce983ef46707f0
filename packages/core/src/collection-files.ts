import { diffFileInfo, type CollectionDelta } from './delta.js'
import { InventoryError, throwIfAborted } from './errors.js'
import { sortByKey } from './folders.js'
import type { SourceCallOptions } from './source.js'
import type { CatalogStore, Collection, ImportStore } from './store.js'
import type { FileInfo, FileInfoSource } from './types.js'

/**
 * Lists a folder of a bucket now, one batch of FileInfo per page, in the shape an inventory import
 * stores (ETag without quotes, ISO 8601 with milliseconds). `S3Source.listLive` is one.
 */
export interface LiveLister {
  listLive(bucket: string, prefix: string, options?: SourceCallOptions): AsyncIterable<FileInfo[]>
}

/** The store calls a collection's files take: the import part plus reading a collection. */
export type CollectionFilesStore = Pick<
  ImportStore,
  'getConnector' | 'readFileInfo' | 'replaceFileInfo' | 'applyFileInfoChanges'
> &
  Pick<CatalogStore, 'getCollection'>

/** Options of {@link refreshCollectionFileInfo}. */
export interface RefreshCollectionOptions extends SourceCallOptions {
  /** Where the collection's FileInfo and delta are read and stored. */
  store: CollectionFilesStore
  /** Lists the folder live (the S3 source is one). */
  lister: LiveLister
  /** The collection to refresh. */
  collectionId: string
  /** Most files listed per kind in the stored delta. @default 1000 */
  deltaListLimit?: number | undefined
  /** The clock (tests pass a fixed one). @default () => new Date() */
  now?: (() => Date) | undefined
}

/** What a live refresh stored. */
export interface RefreshResult {
  collection: Collection
  fileCount: number
  /** The stored delta against the FileInfo cached before (a baseline when there was none). */
  delta: CollectionDelta
}

/**
 * "Refresh from S3" (FR-052): lists the collection's folder of the source bucket live and stores it as
 * the collection's FileInfo with source `api`, with a delta against what was cached, in one store
 * transaction. Holds one collection's listing in memory, as phase B holds one collection's records.
 */
export async function refreshCollectionFileInfo(options: RefreshCollectionOptions): Promise<RefreshResult> {
  const { store, signal } = options
  const now = options.now ?? (() => new Date())
  const collection = await store.getCollection(options.collectionId, { signal })
  const connector = await store.getConnector(collection.connectorId, { signal })
  if (!connector.location) {
    throw new InventoryError('INVALID_ARGUMENT', `connector ${connector.id} has no inventory location to list`)
  }
  const listed: FileInfo[] = []
  for await (const page of options.lister.listLive(connector.location.sourceBucket, collection.folderPath, { signal })) {
    for (const file of page) listed.push(file)
  }
  throwIfAborted(signal)
  // S3 lists in UTF-8 byte order already; S3-compatible servers may not.
  const files = sortByKey(listed, (file) => file.key)
  const { delta, changes, previousCount } = await diffFileInfo(store.readFileInfo(collection.id, { signal }), files, {
    listLimit: collection.fileInfoUpdatedAt === null ? 0 : options.deltaListLimit,
  })
  const write = { source: 'api' as const, updatedAt: now().toISOString(), delta, signal }
  const { fileCount } =
    previousCount === 0
      ? await store.replaceFileInfo(collection.id, [files], write)
      : await store.applyFileInfoChanges(collection.id, changes, write)
  return { collection: await store.getCollection(collection.id, { signal }), fileCount, delta }
}

/** Options of {@link getCollectionFiles}. */
export interface GetCollectionFilesOptions extends Omit<RefreshCollectionOptions, 'lister'> {
  /** Lists live when there is no cached FileInfo or a refresh is asked for; without one, those cases fail. */
  lister?: LiveLister | undefined
  /** List live even when FileInfo is cached ("Refresh from S3"). @default false */
  refresh?: boolean | undefined
  /** Cached FileInfo older than this counts as missing. @default no limit */
  maxAgeMs?: number | undefined
}

/** A collection's files, and where they came from. */
export interface CollectionFiles {
  collection: Collection
  /** `inventory` or `api` (a live listing, now or earlier). */
  source: FileInfoSource
  /** When the FileInfo was stored (ISO 8601). */
  updatedAt: string
  /** Age of the FileInfo at the time of the call, in milliseconds. */
  ageMs: number
  fileCount: number
  /** True when this call listed the folder live. */
  listed: boolean
  /** The files in key order, in batches, read from the store. */
  files(options?: { batchSize?: number | undefined }): AsyncIterable<FileInfo[]>
}

/**
 * What every ShutterSense tool calls to get a collection's files (FR-051, "cached FileInfo first"): the
 * cached FileInfo when there is any, with zero list requests; a live listing (stored with source `api`)
 * only when nothing is cached, the cache is older than `maxAgeMs`, or `refresh` asks for one.
 * @throws InventoryError `NOT_FOUND` for an unknown collection; `INVALID_ARGUMENT` when a listing is needed and there is no `lister`.
 */
export async function getCollectionFiles(options: GetCollectionFilesOptions): Promise<CollectionFiles> {
  const { store, signal } = options
  const now = options.now ?? (() => new Date())
  let collection = await store.getCollection(options.collectionId, { signal })
  const cachedAt = collection.fileInfoUpdatedAt === null ? null : Date.parse(collection.fileInfoUpdatedAt)
  const stale =
    cachedAt === null || options.refresh === true || (options.maxAgeMs !== undefined && now().getTime() - cachedAt > options.maxAgeMs)
  if (stale) {
    if (!options.lister) {
      throw new InventoryError(
        'INVALID_ARGUMENT',
        `collection ${collection.id} has ${cachedAt === null ? 'no cached FileInfo' : 'FileInfo too old'} and no live lister was given`,
      )
    }
    collection = (await refreshCollectionFileInfo({ ...options, lister: options.lister, now })).collection
  }
  const updatedAt = collection.fileInfoUpdatedAt!
  const id = collection.id
  return {
    collection,
    source: collection.fileInfoSource!,
    updatedAt,
    ageMs: Math.max(0, now().getTime() - Date.parse(updatedAt)),
    fileCount: collection.fileCount,
    listed: stale,
    files: (readOptions = {}) => store.readFileInfo(id, { signal, batchSize: readOptions.batchSize }),
  }
}
