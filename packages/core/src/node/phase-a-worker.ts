// The body of a phase A worker thread (see worker-parser.ts): gunzip, parse, roll up and route one data
// file at a time, with the same functions phase A uses in-thread.
import { parentPort } from 'node:worker_threads'
import { CollectionRouter } from '../collection-router.js'
import { coerceError, InventoryError } from '../errors.js'
import { FolderAccumulator } from '../folders.js'
import { verifyMd5 } from '../manifest/checksum.js'
import { type DataFileReadContext, dataFileReaderFor } from '../pipeline/data-file-reader.js'
import { type RollUpTarget, readAndRollUp, rollUpAndSpill } from '../pipeline/phase-a.js'
import { type RowCounts, emptyRowCounts } from '../types.js'
import { openRandomAccessFile } from './node-random-access-file.js'
import { createFileScratch } from './file-scratch.js'
import type { FromPhaseAWorker, ToPhaseAWorker } from './phase-a-protocol.js'

/**
 * Folders held before the rollup so far goes to the main thread: about 8 MB of arrays (paths held once,
 * as bytes), outside the heap.
 */
const ROLLUP_FLUSH_FOLDERS = 100_000
/** Spill bytes held before they go to the main thread. */
const SPILL_FLUSH_BYTES = 512 * 1024
/** Spill messages the main thread has not written yet before this worker waits for it. */
const MAX_SPILLS_IN_FLIGHT = 4

let spillsInFlight = 0
let spillWritten: (() => void) | undefined

const port = parentPort
if (!port) throw new Error('phase-a-worker runs in a worker thread')
const send = (message: FromPhaseAWorker, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer)

/** Compressed chunks as they arrive, as an async iterable; each one taken is acknowledged. */
class ChunkQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = []
  private ended = false
  private wake: (() => void) | undefined

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk)
    this.wake?.()
  }

  end(): void {
    this.ended = true
    this.wake?.()
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.chunks.shift()
      if (chunk !== undefined) {
        send({ type: 'ack' })
        yield chunk
        continue
      }
      if (this.ended) return
      await new Promise<void>((resolve) => (this.wake = resolve))
      this.wake = undefined
    }
  }
}

let queue: ChunkQueue | undefined

async function parseFile(start: Extract<ToPhaseAWorker, { type: 'start' }>, chunks: ChunkQueue): Promise<void> {
  const counts = emptyRowCounts()
  // With a scratch directory the records go straight to files of this worker's own.
  const scratch = start.spillDirectory === undefined ? undefined : createFileScratch({ parent: start.spillDirectory })
  const router = new CollectionRouter(start.collectionFolders.map((folderPath) => ({ folderPath })))
  let folders = new FolderAccumulator()
  let parts: [number, Uint8Array<ArrayBuffer>][] = []
  let partBytes = 0
  const flushSpill = (): void => {
    if (parts.length === 0) return
    // Each part is this worker's own copy (SpillBytes.take): moved, not copied again.
    send({ type: 'spill', parts }, parts.map(([, lines]) => lines.buffer))
    spillsInFlight++
    parts = []
    partBytes = 0
  }
  const flushRollup = (): void => {
    // The rollup's own arrays: moved, not copied.
    const part = folders.takeDirect()
    send({ type: 'rollup', part }, [part.paths.buffer, part.pathEnds.buffer, part.figures.buffer])
    folders = new FolderAccumulator()
  }
  const target: RollUpTarget = {
    folders,
    router,
    bucketCount: start.bucketCount,
    spill(bucket, lines) {
      if (scratch) {
        scratch.appendBytes(String(bucket), lines)
        return
      }
      parts.push([bucket, lines])
      partBytes += lines.length
      if (partBytes >= SPILL_FLUSH_BYTES) flushSpill()
    },
    async onBatch() {
      if (folders.directFolderCount >= ROLLUP_FLUSH_FOLDERS) {
        flushRollup()
        target.folders = folders
      }
      while (spillsInFlight >= MAX_SPILLS_IN_FLIGHT) await new Promise<void>((resolve) => (spillWritten = resolve))
    },
  }
  const records = readAndRollUp(dataFileReaderFor(start.manifest.fileFormat), readContext(start, chunks, counts, router.isEmpty), target)
  await rollUpAndSpill(records, target)
  flushSpill()
  flushRollup()
  const spillFiles = [...(scratch?.flush() ?? [])].map(([bucket, path]): [number, string] => [Number(bucket), path])
  send({ type: 'done', counts, spillFiles })
}

/**
 * What the format's reader gets: CSV streams the chunks sent; a staged data file (Parquet, ORC) is read
 * from the path the main thread staged, checked and deletes.
 */
function readContext(start: Extract<ToPhaseAWorker, { type: 'start' }>, chunks: ChunkQueue, counts: RowCounts, rollupOnly: boolean): DataFileReadContext {
  const stagedPath = start.stagedPath
  return {
    manifest: start.manifest,
    file: start.file,
    open: () => {
      if (stagedPath === undefined) return start.md5 === undefined ? chunks : verifyMd5(chunks, start.md5, start.file.key)
      throw new InventoryError('INVALID_ARGUMENT', `${start.file.key}: a worker reads the staged file, not the stream`)
    },
    openFile: () => {
      if (stagedPath !== undefined) return openRandomAccessFile(stagedPath, { name: start.file.key })
      throw new InventoryError('INVALID_ARGUMENT', `${start.file.key}: a worker streams this data file`)
    },
    counts,
    csvEngine: start.csvEngine,
    rollupOnly,
  }
}

port.on('message', (message: ToPhaseAWorker) => {
  switch (message.type) {
    case 'start': {
      spillsInFlight = 0
      const chunks = new ChunkQueue()
      queue = chunks
      parseFile(message, chunks).catch((error: unknown) => {
        const failure = coerceError(error)
        send({
          type: 'error',
          code: failure.code,
          message: failure.message,
          // A failure of our own names its file (or none); anything else happened reading this one.
          file: failure === error ? failure.file : message.fileKey,
          byteOffset: failure.byteOffset,
        })
      })
      break
    }
    case 'chunk':
      queue?.push(message.bytes)
      break
    case 'end':
      queue?.end()
      break
    case 'spilled':
      spillsInFlight--
      spillWritten?.()
      spillWritten = undefined
      break
  }
})
