import { mkdirSync } from 'node:fs'
import { open, rm, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { InventoryError, type FileInfo, type FolderSummary, type ImportStore } from '@shuttersense/inventory-core'
import type {
  Collection,
  Connector,
  FileInfoChanges,
  FileInfoWrite,
  StoredFileInfo,
  ImportJob,
  ImportSession,
  ReplaceFileInfoOptions,
} from '@shuttersense/inventory-core/types'
import { fileInfoOfTuple, fileInfoTuple, type FileInfoTuple } from '../file-info-line.js'
import { toNdjson } from '../ndjson.js'
import type { AgentApi } from './agent-api.js'

/** Options of {@link createHttpImportStore}. */
export interface HttpImportStoreOptions {
  api: AgentApi
  /** The job this agent holds: every call is about it and its connector. */
  jobId: string
  /**
   * The job's scratch directory: each upload is written here first, so a failed one is sent again from
   * the file (with backoff) rather than produced again. The agent deletes it when the job ends.
   */
  scratchDir: string
  /**
   * Rows (files replaced, or changes) per batch upload: a batch the import hands over is sent in
   * requests of at most this many, each with at least one collection. @default Infinity (the import's
   * batches, about 10,000 rows, go whole)
   */
  batchRows?: number | undefined
}

/** The import part of the store, spoken over HTTP to the server, plus reading one collection (a refresh needs it). */
export type HttpImportStore = ImportStore & {
    getCollection(id: string, options?: { signal?: AbortSignal | undefined }): Promise<Collection>
  }

/** Uploads up to this many characters are held in memory; bigger ones are written to scratch first. */
const MEMORY_UPLOAD_CHARS = 8 * 1024 * 1024

/** A heartbeat tries once: `runImportJob` beats again on its next tick. */
const HEARTBEAT_RETRY = { budgetMs: 0 }

/**
 * Core's `ImportStore` over the agent API: what `runImportJob` calls, for one held job. Folders and
 * FileInfo travel as NDJSON files from the job's scratch (never one JSON body); FileInfo comes back as
 * an NDJSON stream in batches.
 */
export function createHttpImportStore(options: HttpImportStoreOptions): HttpImportStore {
  const { api, jobId } = options
  const job = `/api/agents/jobs/${encodeURIComponent(jobId)}`
  let uploads = 0
  let connectorId: string | undefined

  const required = async <T>(promise: Promise<T | null>): Promise<T> => {
    const value = await promise
    if (value === null) throw new InventoryError('STORE_ERROR', 'the server answered without a body')
    return value
  }

  /**
   * Sends an upload, retried from what was written: a small one from memory; past
   * {@link MEMORY_UPLOAD_CHARS} it goes on into a scratch file, sent from there and then deleted.
   */
  async function upload<T>(
    method: 'PUT' | 'POST',
    urlPath: string,
    lines: Iterable<unknown> | AsyncIterable<unknown>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const chunks: string[] = []
    let chars = 0
    let file: string | null = null
    let handle: FileHandle | null = null
    try {
      for await (const chunk of toNdjson(lines)) {
        if (handle) {
          await handle.write(chunk)
          continue
        }
        chunks.push(chunk)
        chars += chunk.length
        if (chars > MEMORY_UPLOAD_CHARS) {
          mkdirSync(options.scratchDir, { recursive: true })
          file = path.join(options.scratchDir, `upload-${++uploads}.ndjson`)
          handle = await open(file, 'w')
          for (const held of chunks.splice(0)) await handle.write(held)
        }
      }
    } catch (error) {
      if (file) await rm(file, { force: true })
      throw error
    } finally {
      await handle?.close()
    }
    if (file === null) return required(api.call<T>({ method, path: urlPath, ndjson: chunks.join(''), signal }))
    try {
      return await required(api.call<T>({ method, path: urlPath, ndjsonFile: file, signal }))
    } finally {
      await rm(file, { force: true })
    }
  }

  /** FileInfo batches as compact lines (the server takes `[key, size, lastModified, etag, storageClass]`). */
  async function* tuplesOf(batches: Iterable<readonly FileInfo[]> | AsyncIterable<readonly FileInfo[]>): AsyncGenerator<FileInfoTuple> {
    for await (const batch of batches) for (const file of batch) yield fileInfoTuple(file)
  }

  async function* withHeader(header: unknown, values: AsyncIterable<unknown>): AsyncGenerator<unknown> {
    yield header
    yield* values
  }

  const header = (options: ReplaceFileInfoOptions) => ({
    source: options.source,
    updatedAt: options.updatedAt,
    ...(options.importId !== undefined ? { importId: options.importId } : {}),
    ...(options.delta !== undefined ? { delta: options.delta } : {}),
  })

  /** One `file-info-batch` upload. */
  async function sendBatch(writes: readonly FileInfoWrite[], signal: AbortSignal | undefined): Promise<void> {
    function* lines(): Generator<unknown> {
      for (const write of writes) {
        const mode = 'replace' in write ? 'replace' : 'changes'
        yield { collection: { collectionId: write.collectionId, mode, ...header(write.options) } }
        if ('replace' in write) {
          for (const file of write.replace) yield fileInfoTuple(file)
          continue
        }
        for (const file of write.changes.upserts) yield { upsert: fileInfoTuple(file) }
        for (const key of write.changes.deletes) yield { delete: key }
      }
    }
    await upload<{ collections: unknown[] }>('POST', `${job}/file-info-batch`, lines(), signal)
  }

  /** Only the held job's connector is reachable; anything else is unknown to this store. */
  const ensureConnector = async (id: string, signal?: AbortSignal): Promise<void> => {
    connectorId ??= (await store.getConnector(id, { signal })).id
    if (id !== connectorId) throw new InventoryError('NOT_FOUND', `connector ${id} is not the connector of job ${jobId}`)
  }

  const store: HttpImportStore = {
    async getConnector(id, callOptions = {}) {
      const connector = await required(api.call<Connector>({ method: 'GET', path: `${job}/connector`, signal: callOptions.signal }))
      if (connector.id !== id) throw new InventoryError('NOT_FOUND', `connector ${id} is not the connector of job ${jobId}`)
      connectorId = connector.id
      return connector
    },
    async listCollections(id, callOptions = {}) {
      if (id !== undefined) await ensureConnector(id, callOptions.signal)
      const { collections } = await required(api.call<{ collections: Collection[] }>({ method: 'GET', path: `${job}/collections`, signal: callOptions.signal }))
      return collections
    },
    async getCollection(id, callOptions = {}) {
      return required(api.call<Collection>({ method: 'GET', path: `${job}/collections/${encodeURIComponent(id)}`, signal: callOptions.signal }))
    },
    async replaceFolders(id, folders, callOptions = {}) {
      await ensureConnector(id, callOptions.signal)
      await upload<{ folderCount: number }>('PUT', `${job}/folders`, folders as Iterable<FolderSummary>, callOptions.signal)
    },
    async replaceFileInfo(collectionId, files, writeOptions) {
      const { fileCount } = await upload<{ fileCount: number }>(
        'PUT',
        `${job}/collections/${encodeURIComponent(collectionId)}/file-info`,
        withHeader(header(writeOptions), tuplesOf(files)),
        writeOptions.signal,
      )
      return { fileCount }
    },
    async applyFileInfoChanges(collectionId, changes: FileInfoChanges, writeOptions) {
      async function* lines(): AsyncGenerator<unknown> {
        for (const file of changes.upserts) yield { upsert: fileInfoTuple(file) }
        for (const key of changes.deletes) yield { delete: key }
      }
      const { fileCount } = await upload<{ fileCount: number }>(
        'POST',
        `${job}/collections/${encodeURIComponent(collectionId)}/file-info-changes`,
        withHeader(header(writeOptions), lines()),
        writeOptions.signal,
      )
      return { fileCount }
    },
    async writeFileInfoBatch(writes: readonly FileInfoWrite[], callOptions = {}) {
      const rowsOf = (write: FileInfoWrite) => ('replace' in write ? write.replace.length : write.changes.upserts.length + write.changes.deletes.length)
      const limit = options.batchRows ?? Infinity
      let part: FileInfoWrite[] = []
      let rows = 0
      for (const write of writes) {
        if (part.length > 0 && rows + rowsOf(write) > limit) {
          await sendBatch(part, callOptions.signal)
          part = []
          rows = 0
        }
        part.push(write)
        rows += rowsOf(write)
      }
      if (part.length > 0) await sendBatch(part, callOptions.signal)
    },
    async *readFileInfoBatch(collectionIds: readonly string[], callOptions = {}): AsyncGenerator<StoredFileInfo> {
      const stream = api.stream({
        method: 'POST',
        path: `${job}/file-info-read`,
        json: { collectionIds, format: 'tuple' },
        signal: callOptions.signal,
        identity: (value) => (Array.isArray(value) ? (value as FileInfoTuple)[0] : (value as { collection: string }).collection),
      })
      let current: StoredFileInfo | null = null
      for await (const values of stream) {
        for (const value of values) {
          const marker = (value as { collection?: unknown }).collection
          if (typeof marker === 'string') {
            if (current) yield current
            current = { collectionId: marker, files: [] }
          } else if (current) {
            current.files.push(fileInfoOfTuple(value as FileInfoTuple))
          } else {
            throw new InventoryError('STORE_ERROR', `POST ${job}/file-info-read: FileInfo before the first collection marker`)
          }
        }
      }
      if (current) yield current
    },
    async *readFileInfo(collectionId, readOptions = {}) {
      const batchSize = Math.max(1, readOptions.batchSize ?? 5000)
      let batch: FileInfo[] = []
      // Asked again after a server restart, the stream continues after the last key received.
      const stream = api.stream({
        method: 'GET',
        path: `${job}/collections/${encodeURIComponent(collectionId)}/file-info?format=tuple`,
        signal: readOptions.signal,
        identity: (value) => (value as FileInfoTuple)[0],
      })
      for await (const values of stream) {
        for (const value of values) {
          batch.push(fileInfoOfTuple(value as FileInfoTuple))
          if (batch.length >= batchSize) {
            yield batch
            batch = []
          }
        }
      }
      if (batch.length > 0) yield batch
    },
    async createImportSession(input, callOptions = {}) {
      await ensureConnector(input.connectorId, callOptions.signal)
      const { manifestKey, inventoryTimestamp } = input
      return required(api.call<ImportSession>({ method: 'POST', path: `${job}/import-sessions`, json: { manifestKey, inventoryTimestamp }, signal: callOptions.signal }))
    },
    async updateImportSession(id, patch, callOptions = {}) {
      return required(api.call<ImportSession>({ method: 'PATCH', path: `${job}/import-sessions/${encodeURIComponent(id)}`, json: patch, signal: callOptions.signal }))
    },
    async listImportSessions(id, listOptions = {}) {
      await ensureConnector(id, listOptions.signal)
      const query = listOptions.limit !== undefined ? `?limit=${listOptions.limit}` : ''
      const { sessions } = await required(api.call<{ sessions: ImportSession[] }>({ method: 'GET', path: `${job}/import-sessions${query}`, signal: listOptions.signal }))
      return sessions
    },
    async heartbeatJob(id, options) {
      const beat = options
      const { job: beaten } = await required(
        api.call<{ job: ImportJob }>({
          method: 'POST',
          path: `/api/agents/jobs/${encodeURIComponent(id)}/heartbeat`,
          json: { leaseMs: beat.leaseMs, ...(beat.progress ? { progress: beat.progress } : {}) },
          signal: beat.signal,
          retry: HEARTBEAT_RETRY,
        }),
      )
      return beaten
    },
    async completeJob(id, options) {
      const completion = options
      return required(
        api.call<{ job: ImportJob; next: ImportJob | null }>({
          method: 'POST',
          path: `/api/agents/jobs/${encodeURIComponent(id)}/complete`,
          json: { nextRunAt: completion.nextRunAt?.toISOString() ?? null, ...(completion.result ? { result: completion.result } : {}) },
          signal: completion.signal,
        }),
      )
    },
    async failJob(id, failure) {
      const { job: failed } = await required(
        api.call<{ job: ImportJob }>({
          method: 'POST',
          path: `/api/agents/jobs/${encodeURIComponent(id)}/fail`,
          json: {
            error: failure.error,
            retryAt: failure.retryAt?.toISOString() ?? null,
            nextRunAt: failure.nextRunAt?.toISOString() ?? null,
          },
          signal: failure.signal,
        }),
      )
      return failed
    },
    async acknowledgeCancel(id, ack) {
      const { job: cancelled } = await required(
        api.call<{ job: ImportJob }>({
          method: 'POST',
          path: `/api/agents/jobs/${encodeURIComponent(id)}/acknowledge-cancel`,
          json: { nextRunAt: ack.nextRunAt?.toISOString() ?? null },
          signal: ack.signal,
        }),
      )
      return cancelled
    },
  }
  return store
}
