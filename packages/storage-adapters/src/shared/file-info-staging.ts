import type { FileInfo } from '@shuttersense/inventory-core'
import { throwIfAborted } from '@shuttersense/inventory-core/internal'

/** Where a store stages FileInfo from an async source before it swaps it in (see {@link replaceThroughStaging}). */
export interface FileInfoStaging {
  /** Writes one chunk of rows to the staging area. */
  stage(rows: readonly FileInfo[]): Promise<void>
  /** Replaces the collection's FileInfo with the `count` staged rows, under the collection's lock; answers the file count. */
  swap(count: number): Promise<number>
  /** Drops what was staged (after the swap, or after a failure). */
  discard(): Promise<void>
}

/**
 * Replaces a collection's FileInfo from an async source (a live listing, minutes for a large prefix) in
 * both stores the same way: the rows stream into a staging area in chunks of `chunkRows`, so memory stays
 * bounded whatever the listing's size; the collection's lock (and in SQLite the database's write lock) is
 * held only for the swap; a source that fails, or a signal that fires, leaves the stored FileInfo as it
 * was and nothing staged.
 */
export async function replaceThroughStaging(
  files: AsyncIterable<readonly FileInfo[]>,
  staging: FileInfoStaging,
  options: { chunkRows: number; signal?: AbortSignal | undefined },
): Promise<number> {
  try {
    let staged = 0
    let chunk: FileInfo[] = []
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return
      const rows = chunk
      chunk = []
      await staging.stage(rows)
      staged += rows.length
    }
    for await (const batch of files) {
      throwIfAborted(options.signal)
      for (const file of batch) {
        chunk.push(file)
        if (chunk.length >= options.chunkRows) await flush()
      }
    }
    await flush()
    throwIfAborted(options.signal)
    return await staging.swap(staged)
  } finally {
    await staging.discard().catch(() => undefined)
  }
}
