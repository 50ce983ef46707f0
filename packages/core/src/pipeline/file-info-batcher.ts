import type { FileInfoWrite, ImportStore, StoreCallOptions } from '../store.js'

/** Limits of one batch of {@link ImportStore.writeFileInfoBatch}. */
export interface FileInfoBatchLimits {
  /** FileInfo rows (or changes) per batch; a collection with more is written on its own. */
  rows: number
  /** Collections per batch. */
  collections: number
}

/**
 * Phases B and C on a store with {@link ImportStore.writeFileInfoBatch}: one round-trip per ~10,000
 * rows rather than one per collection (1,000 collections of 1,000 files: 100 calls, not 1,000). Bigger
 * batches save few more round-trips but keep more rows alive, which the agent pays in heap and GC.
 */
export const FILE_INFO_BATCH_LIMITS: FileInfoBatchLimits = { rows: 10_000, collections: 200 }

/** Collects small collections' writes and sends them in batches, one batch in flight at a time. */
export interface FileInfoBatcher {
  /** Rows a write counts for the limits: files replaced, or changes applied. */
  fits(rows: number): boolean
  /** Queues a write; `done` runs once it is stored. Sends the batch when it is full. */
  add(write: FileInfoWrite, rows: number, done: () => void): Promise<void>
  /** Sends what is queued and waits until every write is stored (or throws the first failure). */
  drain(): Promise<void>
}

/**
 * While a batch is sent, the next one is prepared (diffs and sorts on this thread overlap the store's
 * work on the other side of the network); at most one is in flight, so memory holds two batches.
 */
export function createFileInfoBatcher(
  store: Required<Pick<ImportStore, 'writeFileInfoBatch'>>,
  options: StoreCallOptions & { limits?: FileInfoBatchLimits | undefined } = {},
): FileInfoBatcher {
  const limits = options.limits ?? FILE_INFO_BATCH_LIMITS
  let writes: FileInfoWrite[] = []
  let dones: (() => void)[] = []
  let rows = 0
  let inFlight: Promise<void> | null = null
  let failure: unknown = null

  const settle = async (): Promise<void> => {
    if (inFlight) await inFlight
    inFlight = null
    if (failure !== null) throw failure
  }
  const send = async (): Promise<void> => {
    await settle()
    if (writes.length === 0) return
    const batch = writes
    const callbacks = dones
    writes = []
    dones = []
    rows = 0
    // The failure is kept (never an unhandled rejection) and thrown by the next add or drain.
    inFlight = store.writeFileInfoBatch(batch, { signal: options.signal }).then(
      () => callbacks.forEach((done) => done()),
      (error: unknown) => {
        failure = error
      },
    )
  }

  return {
    fits: (count) => count <= limits.rows,
    async add(write, count, done) {
      if (failure !== null) throw failure
      writes.push(write)
      dones.push(done)
      rows += count
      if (rows >= limits.rows || writes.length >= limits.collections) await send()
    },
    async drain() {
      await send()
      await settle()
    },
  }
}
