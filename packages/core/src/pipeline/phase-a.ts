import { CollectionRouter } from '../collection-router.js'
import { InventoryError, isInventoryError, throwIfAborted } from '../errors.js'
import { FolderAccumulator } from '../folders.js'
import { type RandomAccessFile, localPathOf } from '../io/random-access-file.js'
import { verifyMd5 } from '../manifest/checksum.js'
import type { InventoryManifest, ManifestDataFile } from '../manifest/manifest-schema.js'
import type { CsvEngine } from '../parse/csv-records.js'
import { type ScratchSpace, appendSpill } from '../scratch.js'
import type { ObjectSource } from '../source.js'
import type { Collection } from '../store.js'
import { type FileInfo, type RowCounts, addRowCounts, emptyRowCounts } from '../types.js'
import type { DataFileParser } from './data-file-parser.js'
import { BUILT_IN_READERS, type DataFileReadContext, type DataFileReader, type RolledUpBatch } from './data-file-reader.js'
import { LaneStop } from './lane-stop.js'
import { SpillLines } from './spill-lines.js'
import { type StagedDataFile, stageDataFile } from './staged-data-file.js'

/** Inputs of phase A. */
export interface PhaseAInput {
  source: ObjectSource
  bucket: string
  manifest: InventoryManifest
  reader: DataFileReader
  collections: readonly Collection[]
  scratch: ScratchSpace
  bucketCount: number
  concurrency: number
  csvEngine?: CsvEngine | undefined
  signal?: AbortSignal | undefined
  onBytes(file: string, bytes: number): void
  onRows(file: string, rows: number): void
  /** A data file is read; `counts` are its own (rows, records, bad rows by reason). */
  onFileDone(file: string, counts: RowCounts): Promise<void>
  /** Parses CSV data files on other threads; without, they are parsed on this one. */
  parser?: DataFileParser | undefined
}

/** What phase A produced. */
export interface PhaseAResult {
  folders: FolderAccumulator
  rows: RowCounts
}

/** A data file's copy being staged before its turn: `ready` is the open copy, `staged` closes it. */
interface StagedAhead {
  staged: StagedDataFile
  ready: Promise<RandomAccessFile>
}

/**
 * Closes (and so deletes) a staged copy once it is staged. Its failure to stage is reported where the
 * copy is read, and a failure to close it has no one to tell: neither may be an unhandled rejection.
 */
function closeWhenStaged(copy: Promise<RandomAccessFile>): Promise<void> {
  return copy.then((staged) => staged.close()).catch(() => undefined)
}

/** Spill name of a bucket of collections. */
export function spillName(bucket: number): string {
  return `bucket-${bucket}`
}

/**
 * Phase A: reads every data file (bounded concurrency; results do not depend on order), rolls up
 * folders and spills each collection's records to scratch for phases B/C. The first data file that
 * fails stops the other lanes; phase A rejects with its error once they have all stopped and every
 * copy they staged is deleted, so nothing of it still runs or downloads.
 */
export async function runPhaseA(callerInput: PhaseAInput): Promise<PhaseAResult> {
  const laneStop = new LaneStop(callerInput.signal)
  // Everything the lanes start (downloads, staging, parses) stops when a lane fails.
  const input: PhaseAInput = { ...callerInput, signal: laneStop.signal }
  const folders = new FolderAccumulator()
  const rows = emptyRowCounts()
  const router = new CollectionRouter(input.collections)
  const pending = [...input.manifest.files]
  // Copies no one will read, being closed: phase A ends only once they are.
  const discarded: Promise<void>[] = []
  const discardCopy = (copy: Promise<RandomAccessFile> | undefined): void => {
    if (copy) discarded.push(closeWhenStaged(copy))
  }

  const openChecked = (file: ManifestDataFile) => (): AsyncIterable<Uint8Array> =>
    verifyMd5(countBytes(streamDataFile(input, file), (n) => input.onBytes(file.key, n)), file.MD5checksum, file.key)
  const format = input.manifest.fileFormat
  // The parser's threads run the built-in readers: a file goes to them only when the import reads its
  // format with the built-in reader too (a reader of the caller's own reads every file on this thread).
  // Formats read with random access go to them as a staged file on disk.
  const parserTakesFiles =
    input.parser !== undefined &&
    input.reader === BUILT_IN_READERS[format] &&
    (input.parser.formats ?? ['CSV']).includes(format) &&
    (format === 'CSV' || input.scratch.directory !== undefined)
  // A copy for random access is staged to scratch on disk before it is parsed: each lane stages its next
  // file while it parses the one before, so no parser waits for a download and its MD5. Not for a reader
  // that streams the file: it would download each file twice.
  const stagesAheadOn = (onParser: boolean): boolean =>
    format !== 'CSV' &&
    input.scratch.stageFile !== undefined &&
    input.scratch.directory !== undefined &&
    ((onParser && parserTakesFiles) || input.reader.readsStagedCopy === true)
  const stageAhead = (file: ManifestDataFile): StagedAhead => {
    const staged = stageDataFile(openChecked(file), file.key, input.scratch)
    const ready = staged.openFile()
    // Awaited in the file's turn, which reports a failure; until then it must not be an unhandled rejection.
    ready.catch(() => undefined)
    return { staged, ready }
  }

  const readOne = async (file: ManifestDataFile, onParser: boolean, ahead: StagedAhead | undefined): Promise<void> => {
    const counts = emptyRowCounts()
    const open = openChecked(file)
    const spill = (bucket: number, lines: string | Uint8Array): void => appendSpill(input.scratch, spillName(bucket), lines)
    if (onParser && parserTakesFiles && input.parser) {
      const { staged, ready } = format === 'CSV' ? { staged: undefined, ready: undefined } : (ahead ?? stageAhead(file))
      const stagedFile = await ready?.catch(async (error: unknown) => {
        await staged?.closeAll()
        throw error
      })
      const stagedPath = stagedFile && localPathOf(stagedFile)
      if (stagedFile && stagedPath === undefined) throw new InventoryError('INVALID_ARGUMENT', `${file.key}: the scratch staged it in memory, not on disk`)
      // A parser that checks the MD5 itself does it on its own thread.
      const checksMd5 = format === 'CSV' && input.parser.checksMd5 === true
      const parsed = await input.parser.parse({
        stagedPath,
        manifest: input.manifest,
        file,
        chunks: checksMd5 ? countBytes(streamDataFile(input, file), (n) => input.onBytes(file.key, n)) : open(),
        md5: checksMd5 ? file.MD5checksum : undefined,
        collectionFolders: input.collections.map((collection) => collection.folderPath),
        bucketCount: input.bucketCount,
        csvEngine: input.csvEngine,
        spill,
        spillDirectory: input.scratch.adoptFile ? input.scratch.directory : undefined,
        adoptSpill: (bucket, path) => input.scratch.adoptFile?.(spillName(bucket), path),
        rollup: (part) => folders.mergeDirect(part),
        signal: input.signal,
      }).finally(() => staged?.closeAll())
      addRowCounts(counts, parsed.counts)
      input.onRows(file.key, parsed.counts.records)
    } else {
      const staged = ahead?.staged ?? stageDataFile(open, file.key, input.scratch)
      // The copy staged ahead is the reader's first; any further one is staged anew.
      let first = ahead?.ready
      const openFile = (): Promise<RandomAccessFile> => {
        const copy = first ?? staged.openFile()
        first = undefined
        return copy
      }
      const target: RollUpTarget = {
        folders,
        router,
        bucketCount: input.bucketCount,
        spill,
        signal: input.signal,
        onBatch: (rows) => input.onRows(file.key, rows),
      }
      const context = { manifest: input.manifest, file, open, openFile, counts, csvEngine: input.csvEngine, rollupOnly: router.isEmpty }
      try {
        await rollUpAndSpill(readAndRollUp(input.reader, context, target), target)
      } finally {
        await staged.closeAll()
        // A copy staged ahead that the reader never opened.
        discardCopy(first)
      }
    }
    addRowCounts(rows, counts)
    await input.onFileDone(file.key, counts)
  }

  // One lane per file read at once. The parser's threads take the first lanes; lanes beyond them parse
  // on this thread, which otherwise would mostly wait for the parser.
  const lane = async (onParser: boolean): Promise<void> => {
    const stagesAhead = stagesAheadOn(onParser)
    let file = pending.shift()
    let ahead = file && stagesAhead ? stageAhead(file) : undefined
    while (file !== undefined) {
      // The next file is staged once this one is (one download at a time per lane).
      const next = stagesAhead ? pending.shift() : undefined
      let nextAhead: StagedAhead | undefined
      let failed = false
      const stageNext = (): void => {
        if (next !== undefined && !failed && !laneStop.signal.aborted) nextAhead ??= stageAhead(next)
      }
      // A file whose staging failed ends the lane: nothing more is downloaded for it.
      void ahead?.ready.then(stageNext, () => undefined)
      let taken = false
      try {
        throwIfAborted(input.signal)
        taken = true
        await readOne(file, onParser, ahead)
        stageNext()
      } catch (error) {
        failed = true
        // Copies no one will read (this file's, when the lane stopped before reading it, and the next
        // file's): closing them deletes them.
        if (!taken) discardCopy(ahead?.ready)
        discardCopy(nextAhead?.ready)
        throw error
      }
      file = stagesAhead ? next : pending.shift()
      ahead = nextAhead
    }
  }
  const lanes = Math.max(1, Math.min(input.concurrency, pending.length))
  // Every lane settles, the first failure having stopped the others, before phase A answers.
  const settled = Array.from({ length: lanes }, (_, index) => lane(index < (input.parser?.concurrency ?? 0)).catch((error: unknown) => laneStop.fail(error)))
  await Promise.all(settled)
  await Promise.all(discarded)
  laneStop.throwIfFailed()
  // Idle parser threads would hold their heaps through the rest of the import.
  await input.parser?.release?.()
  return { folders, rows }
}

/** Where {@link rollUpAndSpill} puts what it reads. */
export interface RollUpTarget {
  /** Read again for each batch: a worker hands a full rollup over and starts a new one as it grows. */
  folders: FolderAccumulator
  router: CollectionRouter
  bucketCount: number
  /** A bucket's spill lines, as UTF-8 bytes (the target's own copy). */
  spill(bucket: number, lines: Uint8Array<ArrayBuffer>): void
  signal?: AbortSignal | undefined
  /** Called after each batch; may wait (a worker waits here for the main thread to catch up). */
  onBatch?(rows: number): void | Promise<void>
}

/**
 * A data file's objects for {@link rollUpAndSpill}: through the reader's `rollUp` when it has one (the
 * objects are then rolled up as they are read), else as the reader's FileInfo batches.
 */
export function readAndRollUp(
  reader: DataFileReader,
  context: DataFileReadContext,
  target: RollUpTarget,
): AsyncIterable<FileInfo[] | RolledUpBatch> {
  if (!reader.rollUp) return reader(context)
  const routes = routesOf(target)
  const lines = spillLinesOf(target)
  return reader.rollUp(context, {
    get folders() {
      return target.folders
    },
    wants: (slot) => routes(slot).length > 0,
    beginSpillLine: (slot) => lines.begin(slot),
    endSpillLine: (slot) => lines.end(slot),
  })
}

/** The spill lines of a target, shared by its reader's sink and {@link rollUpAndSpill}, which flushes them. */
function spillLinesOf(target: RollUpTarget): SpillLines {
  let lines = SPILL_LINES.get(target)
  if (!lines) {
    lines = new SpillLines(target.router.size, target.bucketCount, routesOf(target))
    SPILL_LINES.set(target, lines)
  }
  return lines
}

const SPILL_LINES = new WeakMap<RollUpTarget, SpillLines>()

/**
 * Each folder's collection route by its slot in the target's current rollup: computed once per folder
 * and router, whatever the key order and however many files and callers (the reader's `wants`, the
 * spill) ask; a new rollup of a worker starts over.
 */
function routesOf(target: RollUpTarget): (slot: number) => readonly number[] {
  const { router } = target
  let byRollup = ROUTES.get(router)
  if (!byRollup) {
    byRollup = new WeakMap()
    ROUTES.set(router, byRollup)
  }
  let bySlot: (readonly number[] | undefined)[] = []
  let of: FolderAccumulator | undefined
  return (slot) => {
    if (router.isEmpty) return NO_ROUTE
    const folders = target.folders
    if (folders !== of) {
      of = folders
      bySlot = byRollup.get(folders) ?? []
      byRollup.set(folders, bySlot)
    }
    return slot < 0 ? router.routeFolder('') : (bySlot[slot] ??= router.routeFolder(folders.folderOf(slot)))
  }
}

/** Routes by slot, per router and rollup: a slot names one folder until the rollup releases its folders, which happens only once nothing routes any more. */
const ROUTES = new WeakMap<CollectionRouter, WeakMap<FolderAccumulator, (readonly number[] | undefined)[]>>()

const NO_ROUTE: readonly number[] = []

/**
 * The per-record work of phase A, wherever it runs (this thread or a worker): add each record to the
 * folder rollup (unless the reader did, see {@link readAndRollUp}) and spill it to the bucket of every
 * collection that contains it.
 */
export async function rollUpAndSpill(batches: AsyncIterable<FileInfo[] | RolledUpBatch>, target: RollUpTarget): Promise<void> {
  const { router } = target
  const lines = spillLinesOf(target)
  for await (const batch of batches) {
    throwIfAborted(target.signal)
    let objects: number
    if (Array.isArray(batch)) {
      objects = batch.length
      if (router.isEmpty) target.folders.add(batch)
      else target.folders.add(batch, (record, _folder, slot) => lines.addRecord(record, slot))
    } else {
      objects = batch.objects
      batch.records.forEach((record, index) => lines.addRecord(record, batch.slots[index]!))
      if (batch.encoded) lines.addEncoded(batch.encoded)
    }
    lines.flush((bucket, bucketLines) => target.spill(bucket, bucketLines))
    await target.onBatch?.(objects)
  }
}

async function* streamDataFile(input: PhaseAInput, file: ManifestDataFile): AsyncGenerator<Uint8Array> {
  // A download opened before a lane failed starts only on its first read: it must not start after.
  throwIfAborted(input.signal)
  try {
    yield* input.source.streamObject(input.bucket, file.key, { signal: input.signal })
  } catch (error) {
    if (isInventoryError(error, 'NOT_FOUND')) {
      throw new InventoryError('DATA_FILE_MISSING', `${file.key}: listed in the manifest but not found`, {
        file: file.key,
        cause: error,
      })
    }
    throw error
  }
}

async function* countBytes(chunks: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    onBytes(chunk.byteLength)
    yield chunk
  }
}
