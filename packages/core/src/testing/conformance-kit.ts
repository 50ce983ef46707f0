import { afterEach, beforeEach, expect } from 'vitest'
import type { CollectionDelta } from '../delta.js'
import { isInventoryError } from '../errors.js'
import type { ImportJob, ImportStore } from '../store.js'
import type { FileInfo, FolderSummary, InventoryLocation } from '../types.js'

// What the conformance suites of the store parts share: sample records, assertions, the store's lifecycle.

/** Options every part's suite takes. */
export interface PartConformanceOptions<S> {
  /** A new, empty store for each test (migrated, when it has a schema). */
  createStore(): Promise<S>
  /** Called after each test with the store it used: close it, drop a schema, delete a file. */
  destroyStore?(store: S): Promise<void>
}

export const location: InventoryLocation = { destinationBucket: 'dest', sourceBucket: 'photos', configName: 'daily' }
export const T0 = new Date('2026-03-28T23:30:00.000Z')
export const at = (ms: number): Date => new Date(T0.getTime() + ms)
export const MINUTE = 60_000

export function file(key: string, size = 1, etag = 'e'): FileInfo {
  return { key, size, lastModified: '2024-05-06T22:44:22.000Z', etag, storageClass: 'STANDARD' }
}

export function folder(path: string, objectCount = 1): FolderSummary {
  return {
    path,
    objectCount,
    totalSizeBytes: objectCount * 10,
    directObjectCount: objectCount,
    directSizeBytes: objectCount * 10,
    lastModified: '2024-05-06T22:44:22.000Z',
  }
}

export const emptyDelta = (counts: Partial<CollectionDelta['counts']> = {}): CollectionDelta => ({
  counts: { new: 0, modified: 0, deleted: 0, unchanged: 0, ...counts },
  new: [],
  modified: [],
  deleted: [],
  truncated: false,
  baseline: false,
})

/** A job's progress as an agent reports it. */
export const progress = (rows: number) => ({
  phase: 'A' as const,
  percent: 10,
  rows,
  records: rows,
  badRows: {},
  dataFilesDone: 0,
  dataFiles: 2,
  collectionsDone: 0,
  collections: 0,
})

export async function readAll(store: Pick<ImportStore, 'readFileInfo'>, collectionId: string, batchSize?: number): Promise<FileInfo[]> {
  const files: FileInfo[] = []
  for await (const batch of store.readFileInfo(collectionId, { batchSize })) files.push(...batch)
  return files
}

export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(isInventoryError(error) ? error.code : error).toBe(code)
}

/**
 * Fails a claimed job with a transient error (S3 said 503) to be retried at `retryAt`, and checks that it
 * went back to the queue for then, unlocked, with the error kept: the retry rule both the import part and
 * the job queue hold to.
 */
export async function failForRetry(
  store: Pick<ImportStore, 'failJob'>,
  jobId: string,
  options: { agentId: string; retryAt: Date; now: Date },
): Promise<ImportJob> {
  const error = { code: 'SOURCE_UNAVAILABLE', message: 'S3 said 503' }
  const retried = await store.failJob(jobId, { ...options, error })
  expect(retried).toMatchObject({ status: 'queued', scheduledAt: options.retryAt.toISOString(), lockedBy: null, lastError: error })
  return retried
}

/** UTF-8 byte order: the order every store returns keys and folder paths in. */
export function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/** A fresh store for each test of the enclosing `describe`, destroyed after it. */
export function storePerTest<S>(options: PartConformanceOptions<S>): () => S {
  let store: S | undefined
  beforeEach(async () => {
    store = await options.createStore()
  })
  afterEach(async () => {
    if (store !== undefined) await options.destroyStore?.(store)
    store = undefined
  })
  return () => {
    if (store === undefined) throw new Error('the store exists only while a test runs')
    return store
  }
}
