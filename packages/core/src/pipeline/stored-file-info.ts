import type { Collection, ImportStore, StoreCallOptions } from '../store.js'
import type { FileInfo } from '../types.js'
import type { FileInfoBatchLimits } from './file-info-batcher.js'

/** Where phases B and C read a collection's stored FileInfo. */
export interface StoredFileInfoReader {
  /** The collection's stored FileInfo in key order, in batches. */
  read(collection: Collection): AsyncIterable<FileInfo[]>
}

/**
 * With {@link ImportStore.readFileInfoBatch}, small collections of one bucket (in the order they are
 * diffed) are read in groups of about `limits.rows` files, the next group fetched while one is diffed;
 * a bigger collection, and every collection on a store without the method, is read on its own.
 * A collection never written holds no FileInfo: no read for it (thousands on a first import).
 */
export function createStoredFileInfoReader(
  store: Pick<ImportStore, 'readFileInfo' | 'readFileInfoBatch'>,
  members: readonly Collection[],
  options: StoreCallOptions & { limits: FileInfoBatchLimits },
): StoredFileInfoReader {
  const { limits, signal } = options
  const groupOf = new Map<string, number>()
  const groups: string[][] = []
  if (store.readFileInfoBatch) {
    let rows = Infinity
    for (const collection of members) {
      if (collection.fileInfoUpdatedAt === null || collection.fileCount > limits.rows) continue
      if (rows + collection.fileCount > limits.rows || groups[groups.length - 1]!.length >= limits.collections) {
        groups.push([])
        rows = 0
      }
      groups[groups.length - 1]!.push(collection.id)
      groupOf.set(collection.id, groups.length - 1)
      rows += collection.fileCount
    }
  }
  const fetches = new Map<number, Promise<Map<string, FileInfo[]>>>()
  const fetch = (group: number): Promise<Map<string, FileInfo[]>> | undefined => {
    if (group >= groups.length) return undefined
    let fetched = fetches.get(group)
    if (!fetched) {
      fetched = (async () => {
        const files = new Map<string, FileInfo[]>()
        for await (const stored of store.readFileInfoBatch!(groups[group]!, { signal })) files.set(stored.collectionId, stored.files)
        return files
      })()
      // A group fetched ahead and never asked for (the import stopped) is no unhandled rejection.
      fetched.catch(() => undefined)
      fetches.set(group, fetched)
    }
    return fetched
  }

  return {
    read(collection) {
      if (collection.fileInfoUpdatedAt === null) return none()
      const group = groupOf.get(collection.id)
      if (group === undefined) return store.readFileInfo(collection.id, { signal })
      return (async function* () {
        const files = await fetch(group)!
        fetch(group + 1)
        fetches.delete(group - 1)
        const stored = files.get(collection.id) ?? []
        files.delete(collection.id)
        if (stored.length > 0) yield stored
      })()
    },
  }
}

async function* none(): AsyncGenerator<FileInfo[]> {}
