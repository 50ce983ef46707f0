import { readdirSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { InventoryError } from '../src/errors.js'
import { md5Hex } from '../src/manifest/checksum.js'
import type { InventoryManifest } from '../src/manifest/manifest-schema.js'
import { parseManifest } from '../src/manifest/parse-manifest.js'
import { createFileScratch, type FileScratch } from '../src/node/file-scratch.js'
import { createWorkerParser } from '../src/node/worker-parser.js'
import type { DataFileParseJob, DataFileParser } from '../src/pipeline/data-file-parser.js'
import { dataFileReaderFor } from '../src/pipeline/data-file-reader.js'
import { runPhaseA } from '../src/pipeline/phase-a.js'
import type { ObjectSource, StreamObjectOptions } from '../src/source.js'
import { awsFixture, fromChunks, inventoryErrorOf } from './helpers.js'

// Built from the sources before the run by the test setup (test-setup/build-worker.ts).
const workerScript = fileURLToPath(new URL('../dist/phase-a-worker.js', import.meta.url))

const FORMATS = [
  { format: 'CSV', manifest: 'csv_inventory_manifest.json', data: 'csv_inventory.csv.gz' },
  { format: 'Parquet', manifest: 'parquet_inventory_manifest.json', data: 'parquet_inventory.parquet' },
] as const

/** A report of four data files, each a copy of the real AWS data file of `format`. */
function reportOf(format: (typeof FORMATS)[number]): { manifest: InventoryManifest; data: Buffer } {
  const fixture = parseManifest(awsFixture(format.manifest))
  const data = awsFixture(format.data)
  const files = Array.from({ length: 4 }, (_, i) => ({ key: `data/file-${i}-${format.data}`, size: data.length, MD5checksum: md5Hex(data) }))
  return { manifest: { ...fixture, files }, data }
}

/** Resolves when `signal` fires; never without one. */
function abortOf(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }))
}

type Fault = 'damaged' | 'missing'

/**
 * Serves `data` for every data file, except that the `failing`-th download fails fast (`damaged`: one
 * byte changed, so its MD5 differs; `missing`: not found) and every other one sends its first bytes,
 * then hangs until its signal fires: a slow lane beside a failing one. Records what is asked and when.
 */
class OneFailureSource implements ObjectSource {
  readonly requested: string[] = []
  readonly signals: AbortSignal[] = []
  /** Downloads that ended (returned or threw), in order. */
  readonly ended: string[] = []
  /** Downloads asked for after phase A had been told to stop (its signal had fired). */
  readonly requestedWhenStopped: string[] = []

  constructor(
    private readonly data: Uint8Array,
    private readonly failing: number,
    private readonly fault: Fault,
  ) {}

  async listFolders(): Promise<string[]> {
    return []
  }

  async readObject(): Promise<undefined> {
    return undefined
  }

  async *streamObject(_bucket: string, key: string, options: StreamObjectOptions = {}): AsyncGenerator<Uint8Array> {
    const index = this.requested.push(key) - 1
    if (options.signal) this.signals.push(options.signal)
    if (options.signal?.aborted) this.requestedWhenStopped.push(key)
    try {
      if (index === this.failing) yield* this.fail(key)
      else yield* this.hang(key, options.signal)
    } finally {
      this.ended.push(key)
    }
  }

  private async *fail(key: string): AsyncGenerator<Uint8Array> {
    if (this.fault === 'missing') throw new InventoryError('NOT_FOUND', `${key}: no such object`, { file: key })
    const damaged = Uint8Array.from(this.data)
    const middle = damaged.length >> 1
    damaged[middle] = damaged[middle]! ^ 0xff
    yield damaged
  }

  private async *hang(key: string, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
    yield this.data.subarray(0, 10)
    await abortOf(signal)
    throw new InventoryError('ABORTED', `${key}: aborted`, { file: key, cause: signal?.reason })
  }
}

const PARSERS = [
  ['on this thread only', () => undefined],
  // One worker and this thread: the slow lane is the worker's or this thread's, by which request fails.
  ['on a worker beside this thread', () => createWorkerParser({ workers: 1, workerScript })],
] as const

const CASES = [
  { name: 'the first download is damaged', fault: 'damaged', failing: 0, code: 'CHECKSUM_MISMATCH' },
  { name: 'the second download is missing', fault: 'missing', failing: 1, code: 'DATA_FILE_MISSING' },
] as const

describe('phase A when a data file fails while another lane reads', () => {
  let parser: DataFileParser | undefined
  let scratch: FileScratch | undefined
  afterEach(async () => {
    await parser?.close()
    await scratch?.dispose()
  })

  /** The data files staged in scratch and not yet deleted (its `staged/` folder exists once one was staged). */
  const stagedCopies = (directory: string): string[] => {
    try {
      return readdirSync(path.join(directory, 'staged'))
    } catch {
      return []
    }
  }

  describe.each(FORMATS)('$format', (format) => {
    describe.each(PARSERS)('parsed %s', (_where, createParser) => {
      it.each(CASES)('$name: rejects with $code once every other lane has stopped', async ({ fault, failing, code }) => {
        const { manifest, data } = reportOf(format)
        const source = new OneFailureSource(data, failing, fault)
        parser = createParser()
        scratch = createFileScratch()
        const phaseA = runPhaseA({
          source,
          bucket: 'dest',
          manifest,
          reader: dataFileReaderFor(manifest.fileFormat),
          collections: [],
          scratch,
          bucketCount: 1,
          concurrency: 2,
          parser,
          onBytes: () => undefined,
          onRows: () => undefined,
          onFileDone: async () => undefined,
        })
        const error = await inventoryErrorOf(() => phaseA)
        const failed = source.requested[failing]
        // What the user is told: the failing file's own error, not the ABORTED of a lane it stopped.
        expect(error).toMatchObject({ code, file: failed })
        expect(error.message).toContain(failed)
        // Every other download was told to stop, and had stopped, before phase A rejected.
        expect(source.requested.length).toBeGreaterThan(1)
        expect(source.signals).toHaveLength(source.requested.length)
        expect(source.signals.every((signal) => signal.aborted)).toBe(true)
        expect([...source.ended].sort()).toEqual([...source.requested].sort())
        // Nothing was asked for once phase A knew of the failure, and nothing staged is left.
        expect(source.requestedWhenStopped).toEqual([])
        expect(stagedCopies(scratch.directory)).toEqual([])
      })
    })
  })
})

describe('the worker parser, when a parse is aborted', () => {
  const { manifest, data } = reportOf(FORMATS[0])
  /** A parse of the report's first data file (CSV) from `chunks`, its MD5 checked on the worker. */
  const job = (chunks: AsyncIterable<Uint8Array>, signal?: AbortSignal): DataFileParseJob => ({
    manifest,
    file: manifest.files[0]!,
    chunks,
    md5: manifest.files[0]!.MD5checksum,
    collectionFolders: [],
    bucketCount: 1,
    spill: () => undefined,
    rollup: () => undefined,
    signal,
  })

  it('rejects with ABORTED while its data file still downloads, and parses the next file on a new thread', { timeout: 10_000 }, async () => {
    const parser = createWorkerParser({ workers: 1, workerScript })
    try {
      const controller = new AbortController()
      let sent = false
      // A download that sends its first bytes and then nothing, whatever the signal: only the parser can stop.
      async function* stalled(): AsyncGenerator<Uint8Array> {
        yield data.subarray(0, 10)
        sent = true
        controller.abort()
        await new Promise(() => undefined)
      }
      const aborted = parser.parse(job(stalled(), controller.signal))
      await expect(aborted).rejects.toMatchObject({ code: 'ABORTED', file: manifest.files[0]!.key })
      expect(sent).toBe(true)
      await parser.release?.()
      const parsed = await parser.parse(job(fromChunks([data])))
      expect(parsed.counts.records).toBe(2)
    } finally {
      await parser.close()
    }
  })

  it('refuses a parse whose signal has already fired', async () => {
    const parser = createWorkerParser({ workers: 1, workerScript })
    try {
      await expect(parser.parse(job(fromChunks([data]), AbortSignal.abort()))).rejects.toMatchObject({ code: 'ABORTED' })
    } finally {
      await parser.close()
    }
  })
})
