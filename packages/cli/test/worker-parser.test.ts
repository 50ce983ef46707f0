import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { InventoryStore, ObjectSource } from '@shuttersense/inventory-core'
import type { DataFileParser, DataFileReadContext, DataFileReader, ScratchSpace } from '@shuttersense/inventory-core/types'
import {
  createFileScratch,
  createLocalDirectorySource,
  createWorkerParser,
  defaultWorkerCount,
  runInventoryImport,
} from '@shuttersense/inventory-core/node'
import { createMemoryScratch, dataFileReaderFor, stageInMemory } from '@shuttersense/inventory-core/internal'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'
import { expectCodeOf, runCliJson, snapshot, tempDir, WHERE } from './helpers.js'

// Worker threads load the built script, which the test setup builds from the sources before every run
// (test-setup/build-worker.ts): these tests never run a stale build, and never skip.
const workerScript = fileURLToPath(new URL('../../core/dist/phase-a-worker.js', import.meta.url))

const location = { destinationBucket: 'dest', sourceBucket: 'photos', configName: 'daily' }

describe('createWorkerParser', () => {
  it('runs the worker script built from the sources by the test setup', () => {
    const built = statSync(workerScript).mtimeMs
    const sources = path.resolve(path.dirname(workerScript), '../src')
    const newestSource = Math.max(...readdirSync(sources, { recursive: true, encoding: 'utf8' }).map((file) => statSync(path.join(sources, file)).mtimeMs))
    expect(built).toBeGreaterThanOrEqual(newestSource)
  })

  let dir: string
  let cleanup: () => void
  let parser: DataFileParser
  const stores: InventoryStore[] = []

  beforeEach(() => {
    ;({ dir, cleanup } = tempDir())
    parser = createWorkerParser({ workers: 2 })
  })
  afterEach(async () => {
    await parser.close()
    for (const store of stores.splice(0)) await store.close()
    cleanup()
  })

  /** A SQLite store in `dir` (closed after the test) with one connector. */
  async function openStore(database: string, connectorName = database) {
    const store = createSqliteStore({ filename: path.join(dir, `${database}.db`) })
    await store.migrate()
    stores.push(store)
    return { store, connector: await store.createConnector({ name: connectorName, location }) }
  }

  /** Runs the import of `root` into the store's connector, with the worker parser or on this thread alone. */
  function importer(store: InventoryStore, connectorId: string, root: string, withParser: boolean, scratch: () => ScratchSpace = createFileScratch) {
    return () =>
      runInventoryImport({
        source: createLocalDirectorySource(root),
        store,
        connectorId,
        scratch: scratch(),
        parser: withParser ? parser : undefined,
      })
  }

  async function importInto(name: string, root: string, withParser: boolean, collections = true, scratch: () => ScratchSpace = createFileScratch) {
    const { store, connector } = await openStore(name)
    const run = importer(store, connector.id, root, withParser, scratch)
    await run()
    if (collections) {
      const { folders } = await store.listFolders(connector.id, { depth: 2 })
      await store.createCollections(connector.id, folders.map((folder, i) => ({ name: `C${i}`, folderPath: folder.path })))
    }
    const result = await run()
    return { store, connectorId: connector.id, result }
  }

  it('imports exactly what the single-threaded import does: folders, rows, FileInfo, deltas', async () => {
    const root = path.join(dir, 'inventory')
    await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '9000', '--files', '3', '--malformed', '7', '--seed', '5'])
    const inThread = await importInto('in-thread', root, false)
    const adopted: string[] = []
    // Workers write their spill files into the scratch directory and hand them over.
    const watchedScratch = () => {
      const scratch = createFileScratch()
      return { ...scratch, adoptFile: (name: string, file: string) => (adopted.push(file), scratch.adoptFile(name, file)) }
    }
    const workers = await importInto('workers', root, true, true, watchedScratch)
    expect(adopted.length).toBeGreaterThan(0)
    // With a scratch in memory they send their spill text to the main thread instead.
    const workersToMemory = await importInto('workers-memory', root, true, true, createMemoryScratch)
    expect(workers.result.summary).toEqual(inThread.result.summary)
    expect(workers.result.summary.rows.badRows).not.toEqual({})
    expect(workersToMemory.result.summary).toEqual(inThread.result.summary)
    const expected = await snapshot(inThread.store, inThread.connectorId)
    expect(await snapshot(workers.store, workers.connectorId)).toEqual(expected)
    expect(await snapshot(workersToMemory.store, workersToMemory.connectorId)).toEqual(expected)
  })

  it.each([
    ['on this thread', false],
    ['on workers', true],
  ])('gives nested collections %s every object of their folders, once each, whatever else holds them', async (_where, withParser) => {
    const root = path.join(dir, 'nested')
    await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '4000', '--files', '3', '--seed', '12'])
    const { store, connector } = await openStore(`nested-${String(withParser)}`)
    const run = importer(store, connector.id, root, withParser)
    await run()
    // Every folder of the first two levels: each object of a second-level folder is in two collections.
    const folders = [...(await store.listFolders(connector.id, { depth: 1 })).folders, ...(await store.listFolders(connector.id, { depth: 2 })).folders]
    expect(folders.length).toBeGreaterThan(4)
    await store.createCollections(connector.id, folders.map((folder, i) => ({ name: `N${i}`, folderPath: folder.path })))
    await run()
    for (const collection of await store.listCollections(connector.id)) {
      const keys: string[] = []
      for await (const batch of store.readFileInfo(collection.id)) keys.push(...batch.map((file) => file.key))
      const folder = folders.find((candidate) => candidate.path === collection.folderPath)!
      expect(keys).toHaveLength(folder.objectCount)
      expect(new Set(keys).size).toBe(keys.length)
      expect(keys.every((key) => key.startsWith(folder.path))).toBe(true)
    }
  })

  it.each(['parquet', 'orc'])('parses %s data files on the workers from the staged copy, as the single-threaded import does', async (format) => {
    const root = path.join(dir, `inventory-${format}`)
    await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '6000', '--files', '3', '--versioned', '--seed', '9', '--format', format])
    const inThread = await importInto('in-thread', root, false)
    const adopted: string[] = []
    let scratchDirectory = ''
    const watchedScratch = () => {
      const scratch = createFileScratch()
      scratchDirectory = scratch.directory
      return { ...scratch, adoptFile: (name: string, file: string) => (adopted.push(file), scratch.adoptFile(name, file)) }
    }
    const workers = await importInto('workers', root, true, true, watchedScratch)
    // Only the workers hand spill files over: they read the staged data files.
    expect(adopted.length).toBeGreaterThan(0)
    expect(workers.result.summary).toEqual(inThread.result.summary)
    expect(workers.result.summary.rows.noncurrentVersions).toBeGreaterThan(0)
    expect(await snapshot(workers.store, workers.connectorId)).toEqual(await snapshot(inThread.store, inThread.connectorId))
    // The staged copies went with the import's scratch.
    expect(() => statSync(scratchDirectory)).toThrow()
  })

  describe('a format read from a staged copy', () => {
    /** Runs `--format parquet` imports of `files` data files on one worker beside this thread, logging what happens when. */
    async function stagedImport(root: string, log: string[]) {
      const { store, connector } = await openStore(`staged-${log.length}-${Date.now()}`, 'staged')
      const local = createLocalDirectorySource(root)
      const source: ObjectSource = {
        ...local,
        streamObject(bucket, key, options) {
          if (key.includes('/data/')) log.push(`download ${path.basename(key)}`)
          return local.streamObject(bucket, key, options)
        },
      }
      await parser.close()
      const worker = createWorkerParser({ workers: 1 })
      parser = {
        ...worker,
        async parse(job) {
          log.push(`parse ${path.basename(job.file.key)}`)
          const parsed = await worker.parse(job)
          log.push(`parsed ${path.basename(job.file.key)}`)
          return parsed
        },
      }
      return runInventoryImport({ source, store, connectorId: connector.id, scratch: createFileScratch(), parser, concurrency: 2 })
    }

    it('downloads and checks each lane’s next data file while the one before is parsed', async () => {
      const root = path.join(dir, 'inventory-ahead')
      await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '4000', '--files', '4', '--seed', '3', '--format', 'parquet'])
      const log: string[] = []
      const result = await stagedImport(root, log)
      expect(result.summary.rows.records).toBe(4000)
      const parsedOnWorker = log.filter((line) => line.startsWith('parse ')).map((line) => line.slice('parse '.length))
      expect(parsedOnWorker).toHaveLength(2)
      // The worker's second file was downloaded before its first was parsed.
      expect(log.indexOf(`download ${parsedOnWorker[1]}`)).toBeLessThan(log.indexOf(`parsed ${parsedOnWorker[0]}`))
    })

    it('fails with CHECKSUM_MISMATCH naming a file staged ahead whose bytes differ from its MD5', async () => {
      const root = path.join(dir, 'inventory-bad-ahead')
      await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '3000', '--files', '3', '--seed', '4', '--format', 'parquet'])
      const base = path.join(root, 'photos', 'daily')
      const stamp = readdirSync(base).filter((name) => /^\d{4}-/.test(name)).sort().at(-1)!
      const manifest = JSON.parse(readFileSync(path.join(base, stamp, 'manifest.json'), 'utf8')) as { files: { key: string }[] }
      // The worker's lane takes the first file and stages the second ahead of its turn.
      const damaged = manifest.files[1]!.key
      const bytes = readFileSync(path.join(root, damaged))
      bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0xff, bytes.length >> 1)
      writeFileSync(path.join(root, damaged), bytes)
      const log: string[] = []
      const error = await stagedImport(root, log).then(
        () => undefined,
        (failure: unknown) => failure as { code?: string; file?: string },
      )
      expect(error).toMatchObject({ code: 'CHECKSUM_MISMATCH', file: damaged })
      expect(log).not.toContain(`parse ${path.basename(damaged)}`)
    })
  })

  it('parses on one worker beside the calling thread as it does on workers alone', async () => {
    const root = path.join(dir, 'inventory')
    await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '6000', '--files', '4', '--malformed', '3', '--seed', '8'])
    const inThread = await importInto('in-thread', root, false)
    await parser.close()
    // The default: one worker and the calling thread, a data file each at a time.
    parser = createWorkerParser({ workers: 1 })
    const mixed = await importInto('mixed', root, true)
    expect(mixed.result.summary).toEqual(inThread.result.summary)
    expect(await snapshot(mixed.store, mixed.connectorId)).toEqual(await snapshot(inThread.store, inThread.connectorId))
  })

  it('is what `import` uses by default and with --workers N', async () => {
    const root = path.join(dir, 'inventory')
    await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '4000', '--files', '3'])
    const folders = async (db: string, ...extra: string[]) => {
      await runCliJson(['import', '--from', root, ...WHERE, '--db', db, ...extra])
      return runCliJson(['folders', '--db', db])
    }
    const mainThreadOnly = await folders(path.join(dir, 't.db'), '--workers', '0')
    expect(await folders(path.join(dir, 'w.db'), '--workers', '2')).toEqual(mainThreadOnly)
    expect(await folders(path.join(dir, 'd.db'))).toEqual(mainThreadOnly)
  })

  it('starts a worker per core beside the calling one by default, at most 3', () => {
    expect(defaultWorkerCount()).toBe(Math.min(3, availableParallelism() - 1))
  })

  it("starts the parser's threads before it looks for the report, and stops them however the import ends", async () => {
    const root = path.join(dir, 'inventory')
    await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '3000', '--files', '2'])
    const { store, connector } = await openStore('prepared')
    const log: string[] = []
    const local = createLocalDirectorySource(root)
    const source: ObjectSource = {
      ...local,
      listFolders(bucket, prefix, options) {
        log.push('list')
        return local.listFolders(bucket, prefix, options)
      },
    }
    const watched: DataFileParser = {
      ...parser,
      concurrency: parser.concurrency,
      prepare: () => (log.push('prepare'), parser.prepare?.()),
      parse: (job) => (log.push('parse'), parser.parse(job)),
      release: () => (log.push('release'), parser.release!()),
    }
    const run = () => runInventoryImport({ source, store, connectorId: connector.id, parser: watched })
    await run()
    expect(log[0]).toBe('prepare')
    expect(log.at(-1)).toBe('release')
    expect(log.indexOf('list')).toBeGreaterThan(0)
    // The same report again: no data file is read, and the threads started for it are stopped.
    log.length = 0
    expect((await run()).noNewReport).toBe(true)
    expect(log.filter((call) => call !== 'list')).toEqual(['prepare', 'release'])
    // A failure before phase A (no such connector) stops them too.
    log.length = 0
    await expectCodeOf(runInventoryImport({ source, store, connectorId: 'missing', parser: watched }), ['NOT_FOUND'])
    expect(log).toEqual(['prepare', 'release'])
  })

  describe("a reader of the caller's own", () => {
    /** A Parquet inventory of three data files, a store, and a source that counts each data file's downloads. */
    async function setUp(name: string) {
      const root = path.join(dir, `own-${name}`)
      await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '3000', '--files', '3', '--seed', '4', '--format', 'parquet'])
      const { store, connector } = await openStore(`own-${name}`)
      const downloads = new Map<string, number>()
      const local = createLocalDirectorySource(root)
      const source: ObjectSource = {
        ...local,
        streamObject(bucket, key, options) {
          if (key.includes('/data/')) downloads.set(key, (downloads.get(key) ?? 0) + 1)
          return local.streamObject(bucket, key, options)
        },
      }
      const importWith = (reader: DataFileReader, withParser = true) =>
        runInventoryImport({ source, store, connectorId: connector.id, scratch: createFileScratch(), parser: withParser ? parser : undefined, readers: { Parquet: reader } })
      return { downloads, importWith }
    }
    const builtIn = dataFileReaderFor('Parquet')

    it('reads every data file, none of them on the parser\'s threads (they run the built-in readers)', async () => {
      const { importWith } = await setUp('every')
      const read: string[] = []
      const own: DataFileReader = Object.assign((context: DataFileReadContext) => (read.push(context.file.key), builtIn(context)), { readsStagedCopy: true })
      const result = await importWith(own)
      expect(result.summary.dataFiles).toBe(3)
      expect(read).toHaveLength(3)
    })

    it.each([
      ['with the parser', true],
      ['on this thread alone', false],
    ])('that streams each data file downloads it once, %s: nothing is staged ahead for it', async (_how, withParser) => {
      const { downloads, importWith } = await setUp(`streams-${String(withParser)}`)
      const streaming: DataFileReader = (context) => builtIn({ ...context, openFile: () => stageInMemory(context.open(), context.file.key) })
      await importWith(streaming, withParser)
      expect([...downloads.values()]).toEqual([1, 1, 1])
    })
  })

  it('rejects the import when the parser is closed during a parse (never leaves it pending)', async () => {
    const root = path.join(dir, 'inventory')
    await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '4000', '--files', '2'])
    const { store, connector } = await openStore('closed')
    const local = createLocalDirectorySource(root)
    // Each data file's first chunk reaches a worker; then the parser is closed before the file ends.
    const source: ObjectSource = {
      ...local,
      async *streamObject(bucket, key, options) {
        for await (const chunk of local.streamObject(bucket, key, options)) {
          yield chunk
          if (key.endsWith('.csv.gz')) await parser.close()
        }
      },
    }
    const attempt = runInventoryImport({ source, store, connectorId: connector.id, parser, concurrency: parser.concurrency })
    await expect(attempt).rejects.toMatchObject({ code: 'ABORTED', message: expect.stringContaining('closed during the parse') })
  })

  it('reports a corrupt data file or a checksum mismatch as the in-thread import does, and keeps working', async () => {
    const root = path.join(dir, 'inventory')
    await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '3000', '--files', '2'])
    const dataDir = path.join(root, 'photos/daily/data')
    const [first] = readdirSync(dataDir)
    const good = path.join(dir, 'good')
    await runCliJson(['generate', '--out', good, ...WHERE, '--objects', '3000', '--files', '2'])
    writeFileSync(path.join(dataDir, first!), 'not gzip at all')
    const { store, connector } = await openStore('broken')
    const attempt = runInventoryImport({ source: createLocalDirectorySource(root), store, connectorId: connector.id, parser })
    await expectCodeOf(attempt, ['DATA_FILE_CORRUPT', 'CHECKSUM_MISMATCH'])
    // The same parser imports a good inventory afterwards (a failed worker is replaced).
    const after = await importInto('after', good, true, false)
    expect(after.result.summary.objectCount).toBe(3000)
  })

  it('checks each data file MD5 on its worker thread: a valid gzip CSV that is not the listed file is CHECKSUM_MISMATCH naming it', async () => {
    expect(parser.checksMd5).toBe(true)
    const root = path.join(dir, 'inventory')
    const other = path.join(dir, 'other')
    await runCliJson(['generate', '--out', root, ...WHERE, '--objects', '3000', '--files', '2'])
    await runCliJson(['generate', '--out', other, ...WHERE, '--objects', '3000', '--files', '2', '--seed', '99'])
    const dataDir = path.join(root, 'photos/daily/data')
    const [first] = readdirSync(dataDir)
    const [replacement] = readdirSync(path.join(other, 'photos/daily/data'))
    writeFileSync(path.join(dataDir, first!), readFileSync(path.join(other, 'photos/daily/data', replacement!)))
    const { store, connector } = await openStore('mismatch')
    // Both data files go to the two workers: the main thread parses none of them.
    const attempt = runInventoryImport({ source: createLocalDirectorySource(root), store, connectorId: connector.id, parser, concurrency: 2 })
    await expect(attempt).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH', message: expect.stringContaining(first!) })
  })
})
