import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { InventoryError, type InventoryErrorCode, throwIfAborted } from '../errors.js'
import type { InventoryFileFormat } from '../manifest/manifest-schema.js'
import { BUILT_IN_READERS } from '../pipeline/data-file-reader.js'
import type { DataFileParseJob, DataFileParser, DataFileParseResult } from '../pipeline/data-file-parser.js'
import { emptyRowCounts } from '../types.js'
import type { FromPhaseAWorker, ToPhaseAWorker } from './phase-a-protocol.js'

/** Options of {@link createWorkerParser}. */
export interface WorkerParserOptions {
  /** Worker threads, each parsing one data file at a time. @default {@link defaultWorkerCount}, at least 1 */
  workers?: number | undefined
  /**
   * The worker script (`@shuttersense/inventory-core/phase-a-worker.js`), as a path or a `file:` URL.
   * Needed when a bundler moved this module away from the package's `dist/`: copy the script beside your
   * bundle, or point at the installed package's copy. @default the script beside this module
   */
  workerScript?: string | URL | undefined
}

/** Most worker threads by default: each costs 25-30 MB, and a report rarely has more data files to share. */
const MAX_DEFAULT_WORKERS = 3

/**
 * Worker threads worth starting here: one per core beside the calling thread (which parses too, see
 * `runInventoryImport`'s `concurrency`), at most 3. 0 on one core, or when no `workerScript` is given
 * and none is beside this module (running from the TypeScript sources, or bundled without the script).
 */
export function defaultWorkerCount(workerScript?: string | URL): number {
  if (workerScript === undefined && findWorkerScript() === undefined) return 0
  return Math.max(0, Math.min(MAX_DEFAULT_WORKERS, availableParallelism() - 1))
}

/** Formats the workers read: every built-in reader's (CSV streamed to them, the others staged on disk). */
const WORKER_FORMATS = Object.keys(BUILT_IN_READERS) as InventoryFileFormat[]

/** Compressed chunks sent to a worker and not yet taken: bounds what waits in its queue. */
const MAX_CHUNKS_IN_FLIGHT = 8

/** Where the built worker script is looked for, relative to this module: beside it in `dist/`, or in `dist/` from the TypeScript source (tests build it first). */
const WORKER_SCRIPT_CANDIDATES = ['./phase-a-worker.js', '../../dist/phase-a-worker.js']

function findWorkerScript(): URL | undefined {
  for (const candidate of WORKER_SCRIPT_CANDIDATES) {
    const url = new URL(candidate, import.meta.url)
    if (existsSync(fileURLToPath(url))) return url
  }
  return undefined
}

/** The worker script to start: the one the caller names (which must exist), else the one beside this module. */
function resolveWorkerScript(workerScript?: string | URL): URL {
  if (workerScript !== undefined) {
    const url = typeof workerScript === 'string' ? pathToFileURL(workerScript) : workerScript
    if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) {
      throw new InventoryError('INVALID_ARGUMENT', `the worker parser's script ${String(workerScript)} does not exist (workerScript must name phase-a-worker.js of @shuttersense/inventory-core)`, {
        file: String(workerScript),
      })
    }
    return url
  }
  const script = findWorkerScript()
  if (script === undefined) {
    const looked = WORKER_SCRIPT_CANDIDATES.map((candidate) => fileURLToPath(new URL(candidate, import.meta.url))).join(', ')
    throw new InventoryError(
      'INVALID_ARGUMENT',
      `the worker parser's script phase-a-worker.js is not where it was looked for (${looked}): ` +
        'if a bundler moved @shuttersense/inventory-core, pass workerScript (the package\'s phase-a-worker.js, copied beside your bundle or left in node_modules), ' +
        'or parse on the calling thread (workers: 0); in this repository run `npm run build` first',
    )
  }
  return script
}

/**
 * Parses data files on worker threads (CSV streamed to them; Parquet staged to scratch by the calling
 * thread, which checks its MD5, and read by path), so phase A uses every core: the calling thread downloads,
 * checks MD5s and parses a file of its own (`runInventoryImport`'s default concurrency is the workers + 1);
 * workers gunzip, parse, roll up folders, route records and write them to the scratch directory (with a
 * scratch in memory, they send the records to the calling thread to append). Pass it as
 * `runInventoryImport({ parser })`, and `close()` it when done.
 */
export function createWorkerParser(options: WorkerParserOptions = {}): DataFileParser {
  const size = Math.max(1, options.workers ?? defaultWorkerCount(options.workerScript))
  const script = resolveWorkerScript(options.workerScript)
  const idle: Worker[] = []
  const all = new Set<Worker>()
  let closed = false

  const spawn = (): Worker => {
    // A worker holds one data file's batches and a bounded part of its rollup: a small heap suffices,
    // and keeps the process's peak memory near the single-threaded one.
    const worker = new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 } })
    // Idle workers must not keep the process alive if the caller forgets close().
    worker.unref()
    return worker
  }
  const acquire = (): Worker => {
    if (closed) throw new InventoryError('INVALID_ARGUMENT', 'the worker parser is closed')
    const worker = idle.pop() ?? spawn()
    all.add(worker)
    return worker
  }
  // Awaited, so a parse that failed or was aborted ends once its thread no longer reads or writes anything.
  const discard = async (worker: Worker): Promise<void> => {
    all.delete(worker)
    await worker.terminate()
  }

  return {
    concurrency: size,
    formats: WORKER_FORMATS,
    checksMd5: true,

    async parse(job: DataFileParseJob): Promise<DataFileParseResult> {
      throwIfAborted(job.signal)
      const worker = acquire()
      const result: DataFileParseResult = { counts: emptyRowCounts() }
      let healthy = false
      try {
        await new Promise<void>((resolve, reject) => {
          let inFlight = 0
          let stopped = false
          let wake: (() => void) | undefined
          const stop = (error?: unknown): void => {
            if (stopped) return
            stopped = true
            wake?.()
            worker.off('message', onMessage)
            worker.off('error', stop)
            worker.off('exit', onExit)
            job.signal?.removeEventListener('abort', onAbort)
            if (error === undefined) resolve()
            else reject(error)
          }
          // A worker that ends before its file is done (close(), a crash) must fail the parse, never leave it pending.
          const onExit = (exitCode: number): void =>
            stop(
              closed
                ? new InventoryError('ABORTED', `${job.file.key}: the worker parser was closed during the parse`, { file: job.file.key })
                : new InventoryError('SOURCE_ERROR', `${job.file.key}: a parser thread stopped (exit code ${exitCode})`, {
                    file: job.file.key,
                  }),
            )
          // An aborted parse stops at once: its thread is discarded with the file half read.
          const onAbort = (): void =>
            stop(new InventoryError('ABORTED', `${job.file.key}: the parse was aborted`, { file: job.file.key, cause: job.signal?.reason }))
          const onMessage = (message: FromPhaseAWorker): void => {
            switch (message.type) {
              case 'ack':
                inFlight--
                wake?.()
                break
              case 'spill':
                for (const [bucket, text] of message.parts) job.spill(bucket, text)
                worker.postMessage({ type: 'spilled' } satisfies ToPhaseAWorker)
                break
              case 'rollup':
                job.rollup(message.part)
                break
              case 'done':
                for (const [bucket, path] of message.spillFiles) job.adoptSpill?.(bucket, path)
                result.counts = message.counts
                healthy = true
                stop()
                break
              case 'error':
                stop(
                  new InventoryError(message.code as InventoryErrorCode, message.message, {
                    file: message.file,
                    byteOffset: message.byteOffset,
                  }),
                )
                break
            }
          }
          worker.on('message', onMessage)
          worker.on('error', stop)
          worker.on('exit', onExit)
          job.signal?.addEventListener('abort', onAbort, { once: true })
          const start: ToPhaseAWorker = {
            type: 'start',
            fileKey: job.file.key,
            fileSchema: job.manifest.fileSchema,
            collectionFolders: job.collectionFolders,
            bucketCount: job.bucketCount,
            csvEngine: job.csvEngine,
            spillDirectory: job.adoptSpill ? job.spillDirectory : undefined,
            // The file list can be long, and the worker needs only this file.
            manifest: { ...job.manifest, files: [] },
            file: job.file,
            stagedPath: job.stagedPath,
            md5: job.md5,
          }
          worker.postMessage(start)
          if (job.stagedPath !== undefined) return
          const pump = async (): Promise<void> => {
            for await (const bytes of job.chunks) {
              while (inFlight >= MAX_CHUNKS_IN_FLIGHT && !stopped) {
                await new Promise<void>((resume) => (wake = resume))
                wake = undefined
              }
              if (stopped) return
              inFlight++
              worker.postMessage({ type: 'chunk', bytes } satisfies ToPhaseAWorker)
            }
            worker.postMessage({ type: 'end' } satisfies ToPhaseAWorker)
          }
          // A failed download or checksum stops the file; the worker is discarded with what it holds.
          pump().catch((error: unknown) => {
            if (!stopped) stop(error)
          })
        })
      } finally {
        if (healthy) idle.push(worker)
        else await discard(worker)
      }
      return result
    },

    prepare() {
      if (closed) return
      for (let count = all.size; count < size; count++) {
        const worker = spawn()
        all.add(worker)
        idle.push(worker)
      }
    },

    async release() {
      const stopping = idle.splice(0)
      for (const worker of stopping) all.delete(worker)
      await Promise.all(stopping.map((worker) => worker.terminate()))
    },

    async close() {
      closed = true
      idle.length = 0
      await Promise.all([...all].map((worker) => worker.terminate()))
      all.clear()
    },
  }
}
