import { compareKeys } from './folders.js'
import type { FileInfo } from './types.js'

/** A file whose ETag or size changed. */
export interface ModifiedFile {
  key: string
  before: FileInfo
  after: FileInfo
}

/** Counts of a collection's delta between its stored FileInfo and a new import. */
export interface DeltaCounts {
  new: number
  modified: number
  deleted: number
  unchanged: number
}

/** The changes of one collection, with capped, key-sorted lists. */
export interface CollectionDelta {
  counts: DeltaCounts
  new: FileInfo[]
  modified: ModifiedFile[]
  deleted: FileInfo[]
  /** True when a list holds fewer entries than its count (see `listLimit`). */
  truncated: boolean
  /** True when there was no stored FileInfo to compare with (every file is new). */
  baseline: boolean
}

/** Options of {@link computeDelta}. */
export interface DeltaOptions {
  /** Most entries kept in each list; counts are always exact. @default 1000 */
  listLimit?: number | undefined
}

/** Modified means the ETag or the size differs; a new last-modified alone (a copy in place) is not a change. */
export function isModified(before: FileInfo, after: FileInfo): boolean {
  return before.etag !== after.etag || before.size !== after.size
}

/** The writes that turn a collection's stored FileInfo into its current files. */
export interface FileInfoChanges {
  /** New files and files with any field changed (a new storage class or last-modified counts here). */
  upserts: FileInfo[]
  /** Keys of files that are gone. */
  deletes: string[]
}

/** True when any stored field differs: the row must be rewritten even if the file is not "modified". */
function rowDiffers(before: FileInfo, after: FileInfo): boolean {
  return (
    before.etag !== after.etag ||
    before.size !== after.size ||
    before.lastModified !== after.lastModified ||
    before.storageClass !== after.storageClass
  )
}

/**
 * Compares a collection's stored FileInfo (streamed, in any order) with its current files.
 * Memory: the current files (already in memory) plus the deleted list, never the previous set as a whole.
 */
export async function computeDelta(
  previous: AsyncIterable<readonly FileInfo[]> | Iterable<readonly FileInfo[]>,
  current: readonly FileInfo[],
  options: DeltaOptions = {},
): Promise<CollectionDelta> {
  return (await diffFileInfo(previous, current, options)).delta
}

/**
 * {@link computeDelta}, plus the complete (uncapped) writes that bring the stored FileInfo up to date,
 * so a store can write the few changed rows instead of every row.
 */
export async function diffFileInfo(
  previous: AsyncIterable<readonly FileInfo[]> | Iterable<readonly FileInfo[]>,
  current: readonly FileInfo[],
  options: DeltaOptions = {},
): Promise<{ delta: CollectionDelta; changes: FileInfoChanges; previousCount: number }> {
  const limit = options.listLimit ?? 1000
  const byKey = new Map<string, FileInfo>()
  for (const file of current) byKey.set(file.key, file)
  const seen = new Set<string>()
  const modified: ModifiedFile[] = []
  const deleted: FileInfo[] = []
  const changes: FileInfoChanges = { upserts: [], deletes: [] }
  const counts: DeltaCounts = { new: 0, modified: 0, deleted: 0, unchanged: 0 }
  let previousCount = 0
  for await (const batch of previous) {
    for (const before of batch) {
      previousCount++
      const after = byKey.get(before.key)
      if (after === undefined) {
        counts.deleted++
        changes.deletes.push(before.key)
        keepSmallest(deleted, before, limit, (file) => file.key)
        continue
      }
      seen.add(before.key)
      if (rowDiffers(before, after)) changes.upserts.push(after)
      if (isModified(before, after)) {
        counts.modified++
        keepSmallest(modified, { key: after.key, before, after }, limit, (change) => change.key)
      } else {
        counts.unchanged++
      }
    }
  }
  const added: FileInfo[] = []
  for (const file of current) {
    if (seen.has(file.key)) continue
    counts.new++
    changes.upserts.push(file)
    keepSmallest(added, file, limit, (entry) => entry.key)
  }
  const sortByKey = <T>(list: T[], keyOf: (item: T) => string): T[] => {
    list.sort((a, b) => compareKeys(keyOf(a), keyOf(b)))
    if (list.length > limit) list.length = limit
    return list
  }
  const delta: CollectionDelta = {
    counts,
    new: sortByKey(added, (file) => file.key),
    modified: sortByKey(modified, (change) => change.key),
    deleted: sortByKey(deleted, (file) => file.key),
    truncated: counts.new > added.length || counts.modified > modified.length || counts.deleted > deleted.length,
    baseline: previousCount === 0,
  }
  return { delta, changes, previousCount }
}

/**
 * Keeps the `limit` entries with the smallest keys, whatever order they arrive in, so capped lists are
 * the same on every run. Trims lazily (at twice the limit) to keep the cost amortised O(n log limit).
 */
function keepSmallest<T>(list: T[], item: T, limit: number, keyOf: (item: T) => string): void {
  if (limit <= 0) return
  list.push(item)
  if (list.length >= limit * 2) {
    list.sort((a, b) => compareKeys(keyOf(a), keyOf(b)))
    list.length = limit
  }
}
