import { diffFileInfo } from '../delta.js'
import { throwIfAborted } from '../errors.js'
import { sortFilesByKey } from '../folders.js'
import { type ScratchSpace, readSpillBytes } from '../scratch.js'
import type { Collection, ImportStore } from '../store.js'
import { createFileInfoBatcher, FILE_INFO_BATCH_LIMITS, type FileInfoBatchLimits } from './file-info-batcher.js'
import { spillName } from './phase-a.js'
import { createStoredFileInfoReader } from './stored-file-info.js'
import { spillBucketOf } from './spill.js'
import { SpilledBucket } from './spilled-bucket.js'

/** Inputs of phases B and C. */
export interface PhaseBCInput {
  store: ImportStore
  importId: string
  collections: readonly Collection[]
  scratch: ScratchSpace
  bucketCount: number
  /** Collections already done by an earlier, interrupted run of this import. */
  done: ReadonlySet<string>
  deltaListLimit?: number | undefined
  now: () => Date
  signal?: AbortSignal | undefined
  onCollectionDone(collection: Collection, fileCount: number): void
  /** Batches of `store.writeFileInfoBatch`, when the store has it. @default FILE_INFO_BATCH_LIMITS */
  batchLimits?: FileInfoBatchLimits | undefined
}

/**
 * Phases B and C, one bucket of collections at a time: group the bucket's spilled records by collection,
 * compare each collection with its stored FileInfo (C) and store the new FileInfo with its delta (B) in
 * one transaction. Doing both in one transaction is what makes a resumed import equal an uninterrupted one:
 * a collection is either wholly before or wholly after this import.
 */
export async function runPhaseBC(input: PhaseBCInput): Promise<void> {
  const { store } = input
  // A store behind a network takes small collections in batches; any other writes one per call.
  const batcher = store.writeFileInfoBatch
    ? createFileInfoBatcher({ writeFileInfoBatch: store.writeFileInfoBatch.bind(store) }, { signal: input.signal, limits: input.batchLimits })
    : null
  // Each bucket's collections, found in one pass (not one pass over every collection per bucket).
  const membersOf = Array.from({ length: input.bucketCount }, (): { collection: Collection; index: number }[] => [])
  input.collections.forEach((collection, index) => {
    membersOf[spillBucketOf(index, input.collections.length, input.bucketCount)]!.push({ collection, index })
  })
  for (let bucket = 0; bucket < input.bucketCount; bucket++) {
    const members = membersOf[bucket]!
    if (members.every(({ collection }) => input.done.has(collection.id))) continue

    const stored = createStoredFileInfoReader(
      store,
      members.filter(({ collection }) => !input.done.has(collection.id)).map(({ collection }) => collection),
      { signal: input.signal, limits: input.batchLimits ?? FILE_INFO_BATCH_LIMITS },
    )
    const spilled = await SpilledBucket.read(readSpillBytes(input.scratch, spillName(bucket)))
    for (const { collection, index } of members) {
      throwIfAborted(input.signal)
      if (input.done.has(collection.id)) continue
      // In key order, as stores read FileInfo back: the diff merges both sides without a key index, and
      // rows are written in key order, which SQLite inserts far faster than a report's order.
      const files = sortFilesByKey(spilled.filesOf(index))
      const { delta, changes, previousCount } = await diffFileInfo(
        stored.read(collection),
        files,
        // A collection's first FileInfo is not news file by file: its delta keeps the counts only.
        { listLimit: collection.fileInfoUpdatedAt === null ? 0 : input.deltaListLimit },
      )
      const write = {
        source: 'inventory' as const,
        updatedAt: input.now().toISOString(),
        importId: input.importId,
        delta,
      }
      // A daily report changes a few files of a collection: writing those beats rewriting every row.
      const replace = previousCount === 0
      // Every row is written on a first import; a daily import writes only its few changes.
      const rows = replace ? files.length : changes.upserts.length + changes.deletes.length
      // Not `files.length` in the callback: a queued write must not keep its collection's files alive.
      const fileCount = files.length
      const done = () => input.onCollectionDone(collection, fileCount)
      if (batcher?.fits(rows)) {
        await batcher.add({ collectionId: collection.id, options: write, ...(replace ? { replace: files } : { changes }) }, rows, done)
        continue
      }
      // Collections stay in order: what is queued is stored before a big one.
      await batcher?.drain()
      if (replace) await store.replaceFileInfo(collection.id, [files], { ...write, signal: input.signal })
      else await store.applyFileInfoChanges(collection.id, changes, { ...write, signal: input.signal })
      done()
    }
  }
  await batcher?.drain()
}
