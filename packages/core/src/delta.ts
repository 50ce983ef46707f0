import { compareKeys, isInKeyOrder } from './folders.js'
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
 * @param previous - the stored FileInfo, in batches (`store.readFileInfo`), in any order
 * @param current - the collection's files now (an import's records of its folder)
 * @param options - `listLimit`: most files kept per list (the counts are always whole)
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
 *
 * Both sides in key order ({@link compareKeys}), as stores read FileInfo, are merged without hashing a
 * single key. Any other order is still right: current files out of order are looked up by key, and so
 * are all of them from the first stored key out of order.
 */
export async function diffFileInfo(
  previous: AsyncIterable<readonly FileInfo[]> | Iterable<readonly FileInfo[]>,
  current: readonly FileInfo[],
  options: DeltaOptions = {},
): Promise<{ delta: CollectionDelta; changes: FileInfoChanges; previousCount: number }> {
  const limit = options.listLimit ?? 1000
  // matched[i] = 1 once current[i] has met its stored row; what never does is new.
  const matched = new Uint8Array(current.length)
  const modified: ModifiedFile[] = []
  const deleted: FileInfo[] = []
  const changes: FileInfoChanges = { upserts: [], deletes: [] }
  const counts: DeltaCounts = { new: 0, modified: 0, deleted: 0, unchanged: 0 }
  let previousCount = 0

  const compare = (before: FileInfo, index: number): void => {
    const after = current[index]!
    matched[index] = 1
    if (rowDiffers(before, after)) changes.upserts.push(after)
    if (isModified(before, after)) {
      counts.modified++
      keepSmallest(modified, { key: after.key, before, after }, limit, (change) => change.key)
    } else {
      counts.unchanged++
    }
  }
  const markDeleted = (before: FileInfo): void => {
    counts.deleted++
    changes.deletes.push(before.key)
    keepSmallest(deleted, before, limit, (file) => file.key)
  }

  // Decided at the first stored row: with none (a first import) the current files need neither an
  // order check nor a key index, whatever order they come in.
  let byKey: Map<string, number> | undefined
  let next = 0 // merge position: current files before it have keys below the previous key
  let lastKey: string | undefined
  for await (const batch of previous) {
    for (const before of batch) {
      if (previousCount++ === 0 && !isInKeyOrder(current)) byKey = indexByKey(current)
      if (byKey === undefined && lastKey !== undefined && compareKeys(lastKey, before.key) >= 0) byKey = indexByKey(current)
      lastKey = before.key
      if (byKey !== undefined) {
        const index = byKey.get(before.key)
        if (index === undefined || matched[index] === 1) markDeleted(before)
        else compare(before, index)
        continue
      }
      let order = -1
      while (next < current.length && (order = compareKeys(current[next]!.key, before.key)) < 0) next++
      if (next < current.length && order === 0) compare(before, next++)
      else markDeleted(before)
    }
  }

  const added: FileInfo[] = []
  for (let index = 0; index < current.length; index++) {
    if (matched[index] === 1) continue
    const file = current[index]!
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

/** Index of each key in `files` (the first, for a key listed twice). */
function indexByKey(files: readonly FileInfo[]): Map<string, number> {
  const byKey = new Map<string, number>()
  for (let i = files.length - 1; i >= 0; i--) byKey.set(files[i]!.key, i)
  return byKey
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
