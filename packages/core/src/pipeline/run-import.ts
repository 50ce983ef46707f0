import { findLatestInventory, type DiscoveredInventory } from '../discover.js'
import { requireManifestImportFields } from '../parse/file-schema.js'
import { coerceError, throwIfAborted } from '../errors.js'
import { configuredLocation } from '../location.js'
import type { InventoryFileFormat } from '../manifest/manifest-schema.js'
import type { CsvEngine } from '../parse/csv-records.js'
import { createMemoryScratch, type ScratchSpace } from '../scratch.js'
import type { ObjectSource } from '../source.js'
import type { ImportCheckpoint, ImportPhase, ImportSession, ImportStatus, ImportSummary, ImportStore } from '../store.js'
import { addRowCounts, emptyRowCounts, type FolderSummary } from '../types.js'
import type { DataFileParser } from './data-file-parser.js'
import { dataFileReaderFor, type DataFileReader } from './data-file-reader.js'
import { runPhaseA, type PhaseAInput } from './phase-a.js'
import { runPhaseBC } from './phase-bc.js'
import type { ImportProgress, ImportProgressEvent } from './progress.js'
import { spillBucketCount } from './spill.js'

/** Options of {@link runInventoryImport}. */
export interface RunImportOptions {
  /** Where the reports are read from: S3 (`createS3Source`), a local copy (`createLocalDirectorySource`), … */
  source: ObjectSource
  /** Where folders, FileInfo, deltas and the session go: the import part of a store is enough. */
  store: ImportStore
  /** The connector to import; its `location` says where its reports are (`NOT_CONFIGURED` without one). */
  connectorId: string
  /** Where records wait between phases. @default in memory (use the file scratch of `/node` for real inventories) */
  scratch?: ScratchSpace | undefined
  /** Called on every progress event (a data file read, a phase done, …); keep it quick, it runs inline. */
  onProgress?: ((progress: ImportProgress) => void) | undefined
  /** Stops the import: it rejects with `ABORTED`, the session is left to resume. */
  signal?: AbortSignal | undefined
  /**
   * Data files read at once. With a `parser`, its threads take that many of them and the rest are
   * parsed on the calling thread. @default 2, or the parser's threads + 1
   */
  concurrency?: number | undefined
  /** How CSV data files are parsed (see {@link CsvEngine}). @default 'fast' */
  csvEngine?: CsvEngine | undefined
  /** Most files listed per kind in a stored delta. @default 1000 */
  deltaListLimit?: number | undefined
  /**
   * Parses CSV data files on other threads as well as this one (`createWorkerParser` from `/node`,
   * what the CLI does by default); the caller closes it.
   */
  parser?: DataFileParser | undefined
  /** Readers for formats beyond CSV (Parquet, ORC). */
  readers?: Partial<Record<InventoryFileFormat, DataFileReader>> | undefined
  /**
   * Continue the connector's latest session when it imported the same report: interrupted, failed, or
   * completed (then only collections it has not done yet, such as ones created since, are imported, and
   * the others keep their delta). `false` starts a new session. @default true
   */
  resume?: boolean | undefined
  /** The clock (tests pass a fixed one). @default () => new Date() */
  now?: (() => Date) | undefined
  /**
   * The connector's newest report as `findLatestInventory` found it just before (`importInventory`
   * checks a report before creating its connector), so it is not looked up twice.
   */
  discovered?: DiscoveredInventory | undefined
}

/** What {@link runInventoryImport} returns. */
export interface ImportResult {
  /** The import session, as stored at its end (`completed`). */
  session: ImportSession
  /** Rows, data files, bytes, objects, folders and collections of this import. */
  summary: ImportSummary
  /** True when an earlier session of the same report (interrupted, failed or completed) was continued. */
  resumed: boolean
  /**
   * True when the newest report was already imported completely into every collection: nothing was read
   * beyond the manifest, `session` is that earlier session and `summary.requests` counts this run's requests.
   */
  noNewReport: boolean
  /**
   * What the continued session was before this run (`running`: interrupted; `failed`; `completed`: only
   * collections added since were imported), or `null` for a new session.
   */
  resumedFrom: ImportStatus | null
  /** Newer timestamp folders passed over because they were incomplete. */
  skippedFolders: { folder: string; reason: string }[]
  /** Times of every report found, newest first (for the `inventory` schedule). */
  reportTimes: Date[]
}

/**
 * Runs an import of a connector's newest inventory report: A (folders), then B (FileInfo) and
 * C (delta) per collection. Checkpoints go to the store after each data file and each collection;
 * with `resume` (default), the latest session of the same report (interrupted, failed or completed)
 * continues where it stopped. A failure marks the session failed and rethrows; stored folders and FileInfo stay whole.
 */
export async function runInventoryImport(options: RunImportOptions): Promise<ImportResult> {
  // The parser's threads start while the report is found and checked; any path that ends before phase
  // A stops them (phase A itself stops them once its last data file is parsed).
  options.parser?.prepare?.()
  try {
    return await importNewestReport(options)
  } finally {
    await options.parser?.release?.()
  }
}

async function importNewestReport(options: RunImportOptions): Promise<ImportResult> {
  const { source, store, signal } = options
  const now = options.now ?? (() => new Date())
  const connector = await store.getConnector(options.connectorId, { signal })
  const location = configuredLocation(connector)
  const found = options.discovered ?? (await findLatestInventory(source, location, { signal }))
  const reader = dataFileReaderFor(found.manifest.fileFormat, options.readers)
  // A schema (of any format) without Key, Size or LastModifiedDate fails here, before any session exists.
  if (!options.readers?.[found.manifest.fileFormat]) requireManifestImportFields(found.manifest, found.manifestKey)

  const [latest] = await store.listImportSessions(connector.id, { limit: 1, signal })
  const sameReport = latest?.manifestKey === found.manifestKey && options.resume !== false ? latest : undefined
  const collections = await store.listCollections(connector.id, { signal })
  if (sameReport?.status === 'completed' && sameReport.summary) {
    const imported = new Set(sameReport.checkpoint.collectionsDone)
    if (collections.every((collection) => imported.has(collection.id))) {
      // Nothing is newer and nothing was added since: no data file needs reading, the stored session stands.
      return {
        session: sameReport,
        summary: { ...sameReport.summary, requests: source.requestCounts?.() },
        resumed: false,
        noNewReport: true,
        resumedFrom: null,
        skippedFolders: found.skipped,
        reportTimes: found.reportTimes,
      }
    }
  }
  if (latest && !sameReport && latest.status === 'running') {
    // A newer report makes the interrupted import of an older one pointless: close it for good.
    await store.updateImportSession(
      latest.id,
      { status: 'failed', error: { code: 'ABORTED', message: `superseded by ${found.manifestKey}` }, finishedAt: now().toISOString() },
      { signal },
    )
  }
  const previous =
    sameReport && sameReport.status !== 'running'
      ? await store.updateImportSession(sameReport.id, { status: 'running', error: null, finishedAt: null }, { signal })
      : sameReport
  const session =
    previous ??
    (await store.createImportSession(
      { connectorId: connector.id, manifestKey: found.manifestKey, inventoryTimestamp: found.folder.name },
      { signal },
    ))
  const done = new Set(previous?.checkpoint.collectionsDone ?? [])
  const scratch = options.scratch ?? createMemoryScratch()
  const files = found.manifest.files
  const progress: ImportProgress = {
    event: 'discovered',
    phase: 'A',
    importId: session.id,
    compressedBytesRead: 0,
    compressedBytesTotal: files.reduce((sum, file) => sum + file.size, 0),
    dataFilesDone: 0,
    dataFilesTotal: files.length,
    rows: 0,
    records: 0,
    badRows: {},
    collectionsDone: done.size,
    collectionsTotal: collections.length,
  }
  // The row counts of the data files read so far, for the progress events.
  const filesRead = emptyRowCounts()
  const emit = (event: ImportProgressEvent, phase: ImportPhase, subject?: string): void => {
    progress.event = event
    progress.phase = phase
    progress.subject = subject
    options.onProgress?.({ ...progress })
  }
  const checkpoint = (phase: ImportPhase): Omit<ImportCheckpoint, 'collectionsDone'> => ({
    phase,
    dataFilesDone: progress.dataFilesDone,
  })

  try {
    emit('discovered', 'A')
    const bucketCount = spillBucketCount(collections.length, progress.compressedBytesTotal)
    // Phase A runs again on resume: its output lives in scratch, which does not outlive the process.
    const figuresA = await runPhaseAAndStoreFolders(store, connector.id, {
      source,
      bucket: location.destinationBucket,
      manifest: found.manifest,
      reader,
      collections,
      scratch,
      bucketCount,
      // The calling thread parses a file too: otherwise it would mostly wait for the parser's threads.
      concurrency: options.concurrency ?? (options.parser ? options.parser.concurrency + 1 : 2),
      csvEngine: options.csvEngine,
      parser: options.parser,
      signal,
      onBytes: (_file, bytes) => {
        progress.compressedBytesRead += bytes
      },
      onRows: (file, rows) => {
        progress.rows += rows
        emit('data-file-progress', 'A', file)
      },
      onFileDone: async (file, counts) => {
        progress.dataFilesDone++
        addRowCounts(filesRead, counts)
        progress.records = filesRead.records
        progress.badRows = { ...filesRead.badRows }
        emit('data-file-done', 'A', file)
        await store.updateImportSession(session.id, { checkpoint: checkpoint('A') }, { signal })
      },
    })
    await store.updateImportSession(session.id, { checkpoint: checkpoint('B') }, { signal })
    emit('folders-stored', 'B')

    await runPhaseBC({
      store,
      importId: session.id,
      collections,
      scratch,
      bucketCount,
      done,
      deltaListLimit: options.deltaListLimit ?? connector.deltaListLimit,
      now,
      signal,
      onCollectionDone: (collection) => {
        progress.collectionsDone++
        emit('collection-done', 'C', collection.id)
      },
    })

    const summary: ImportSummary = {
      ...figuresA,
      dataFiles: files.length,
      compressedBytes: progress.compressedBytesTotal,
      collections: collections.length,
      requests: source.requestCounts?.(),
    }
    const completed = await store.updateImportSession(session.id, {
      status: 'completed',
      checkpoint: checkpoint('done'),
      summary,
      finishedAt: now().toISOString(),
    })
    emit('completed', 'done')
    return {
      session: completed,
      summary,
      resumed: previous !== undefined,
      noNewReport: false,
      resumedFrom: sameReport?.status ?? null,
      skippedFolders: found.skipped,
      reportTimes: found.reportTimes,
    }
  } catch (error) {
    const failure = coerceError(error)
    // An abort leaves the session running so the next run resumes it; any other failure is final.
    if (failure.code !== 'ABORTED') {
      await store
        .updateImportSession(session.id, {
          status: 'failed',
          error: { code: failure.code, message: failure.message },
          finishedAt: now().toISOString(),
        })
        .catch(() => undefined)
    }
    throw failure
  } finally {
    await scratch.dispose()
  }
}

/**
 * Phase A, then its folders stored. Only the figures come back: the folder rollup and the router are
 * garbage once the folders are stored, and phases B and C should not carry them.
 */
async function runPhaseAAndStoreFolders(
  store: ImportStore,
  connectorId: string,
  input: PhaseAInput,
): Promise<Pick<ImportSummary, 'rows' | 'objectCount' | 'totalSizeBytes' | 'folderCount'>> {
  const { folders, rows } = await runPhaseA(input)
  throwIfAborted(input.signal)
  // The summaries go to the store as they are made, and the per-folder figures go as they are summed:
  // at 10M objects neither is ever whole in memory beside the other.
  let folderCount = 0
  const summaries = function* (): Generator<FolderSummary> {
    for (const summary of folders.takeSummaries()) {
      folderCount++
      yield summary
    }
  }
  await store.replaceFolders(connectorId, summaries(), { signal: input.signal })
  return { rows, objectCount: folders.objectCount, totalSizeBytes: folders.totalSizeBytes, folderCount }
}
