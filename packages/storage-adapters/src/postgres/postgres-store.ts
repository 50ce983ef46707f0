import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { InventoryError, type FileInfo, type FolderSummary, type InventoryStore } from '@shuttersense/inventory-core'
import type { FileInfoChanges, FileInfoWrite, ReplaceFileInfoOptions } from '@shuttersense/inventory-core/types'
import { throwIfAborted } from '@shuttersense/inventory-core/internal'
import { connectorRow, createCommonMethods, fileInfoPageStatement, fileInfoWriteStatements } from '../shared/common-methods.js'
import { migrationSteps } from '../shared/sql/migrations.js'
import { folderDepth, pageLimit, pageOf } from '../shared/rows.js'
import { compile, sql } from '../shared/sql/statement.js'
import { fileInfoWriteError } from '../shared/errors.js'
import { replaceThroughStaging } from '../shared/file-info-staging.js'
import { createPgDb, createStatementQueue, quoteIdentifier, type StatementQueue } from './postgres-db.js'
import { createJobQueue } from '../shared/job-queue.js'
import { runStepsAsync } from '../shared/sql/steps.js'
import { createPostgresRunner, describePostgresFailure, postgresDialect, postgresExecutor } from './postgres-sql.js'
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js'

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /** e.g. `postgres://user:password@host:5432/database`. Used unless `pool` is given. */
  connectionString: string
  /** Schema holding the store's tables; created by `migrate()` if missing. @default 'public' */
  schema?: string | undefined
  /** Connections of the store's own pool. @default 10 */
  poolSize?: number | undefined
  /**
   * A pool to use instead of opening one. The store sets `search_path` on each of its connections and
   * does not end it on `close()`: its owner does.
   */
  pool?: pg.Pool | undefined
  /** Milliseconds to wait for a connection before failing with `STORE_ERROR`. @default 10000 */
  connectionTimeoutMs?: number | undefined
}

/** The Postgres store, with its pool and schema for callers that need them (tests, tools). */
export type PostgresStore = InventoryStore & { readonly pool: pg.Pool; readonly schema: string }


/** Rows per multi-row INSERT: large enough to amortise a round trip, small enough to bound memory. */
const FILE_INFO_CHUNK = 10_000
const FOLDER_CHUNK = 5000

/** Key of the advisory lock that serialises `migrate()` of one schema (with `hashtext(schema)`). */
const MIGRATION_LOCK_CLASS = 0x53_53_49_4e // 'SSIN'

// Named statements are prepared once per connection and reused: the FileInfo write runs them
// hundreds of times per import.
const INSERT_FILE_INFO: pg.QueryConfig = {
  name: 'ssinv_insert_file_info',
  text: `INSERT INTO file_info (collection_seq, key, size, last_modified, etag, storage_class)
         SELECT (SELECT seq FROM collections WHERE id = $1), *
         FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])`,
}
const UPSERT_FILE_INFO: pg.QueryConfig = {
  name: 'ssinv_upsert_file_info',
  text: `${INSERT_FILE_INFO.text}
         ON CONFLICT (collection_seq, key) DO UPDATE SET size = excluded.size, last_modified = excluded.last_modified,
         etag = excluded.etag, storage_class = excluded.storage_class`,
}
const STAGE_FILE_INFO: pg.QueryConfig = {
  name: 'ssinv_stage_file_info',
  text: `INSERT INTO file_info_staging (stage_id, key, size, last_modified, etag, storage_class)
         SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])`,
}
const INSERT_STAGED_FILE_INFO: pg.QueryConfig = {
  name: 'ssinv_insert_staged_file_info',
  text: `INSERT INTO file_info (collection_seq, key, size, last_modified, etag, storage_class)
         SELECT (SELECT seq FROM collections WHERE id = $1), key, size, last_modified, etag, storage_class
         FROM file_info_staging WHERE stage_id = $2`,
}
/** Staged rows a crashed writer left behind are dropped after this long. */
const STAGING_TTL = '1 day'
const DELETE_FILE_INFO: pg.QueryConfig = {
  name: 'ssinv_delete_file_info',
  text: 'DELETE FROM file_info WHERE collection_seq = (SELECT seq FROM collections WHERE id = $1)',
}
const DELETE_FILE_INFO_KEYS: pg.QueryConfig = {
  name: 'ssinv_delete_file_info_keys',
  text: 'DELETE FROM file_info WHERE collection_seq = (SELECT seq FROM collections WHERE id = $1) AND key = ANY ($2::text[])',
}

const READ_FILE_INFO: pg.QueryArrayConfig = {
  name: 'ssinv_read_file_info',
  text: `SELECT key, size, last_modified, etag, storage_class FROM file_info
         WHERE collection_seq = $1 AND key > $2 ORDER BY key LIMIT $3`,
  rowMode: 'array',
}

/** A FileInfo row as the driver returns it in array mode (BIGINT as text). */
type FileInfoTuple = [key: string, size: string, lastModified: string, etag: string, storageClass: string]

/** A PostgreSQL array literal of strings: every element quoted, `"` and `\\` escaped (the rest is literal inside quotes). */
/** `items` in arrays of at most `size`, read as they are needed. */
function* chunksOf<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = []
  for (const item of items) {
    chunk.push(item)
    if (chunk.length === size) {
      yield chunk
      chunk = []
    }
  }
  if (chunk.length > 0) yield chunk
}

function textArray(values: readonly string[]): string {
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!
    const safe = value.indexOf('"') < 0 && value.indexOf('\\') < 0
    out += `${i === 0 ? '' : ','}"${safe ? value : value.replace(/["\\]/g, '\\$&')}"`
  }
  return `${out}}`
}

/** The parameters of {@link INSERT_FILE_INFO}: one array literal per column, built directly (cheaper than the driver's generic array encoding). */
function fileInfoColumns(collectionId: string, files: readonly FileInfo[]): unknown[] {
  const keys = new Array<string>(files.length)
  const sizes = new Array<number>(files.length)
  const modified = new Array<string>(files.length)
  const etags = new Array<string>(files.length)
  const classes = new Array<string>(files.length)
  files.forEach((file, i) => {
    keys[i] = file.key
    sizes[i] = file.size
    modified[i] = file.lastModified
    etags[i] = file.etag
    classes[i] = file.storageClass
  })
  // Sizes: integers print as digits; anything else (1.5, NaN) fails the bigint cast as it should.
  return [collectionId, textArray(keys), `{${sizes.join(',')}}`, textArray(modified), textArray(etags), textArray(classes)]
}

/** Sends the INSERTs of `files` (batches), FILE_INFO_CHUNK rows per statement; answers the row count. */
async function sendFileInfoRows(
  statements: StatementQueue,
  collectionId: string,
  files: Iterable<readonly FileInfo[]> | AsyncIterable<readonly FileInfo[]>,
  signal: AbortSignal | undefined,
  insert: pg.QueryConfig = INSERT_FILE_INFO,
): Promise<number> {
  let count = 0
  let chunk: FileInfo[] = []
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return
    const values = fileInfoColumns(collectionId, chunk)
    count += chunk.length
    chunk = []
    await statements.send(insert, values)
  }
  // An async source (a live listing) streams straight into the open transaction; if it throws, the
  // transaction rolls back and the previous FileInfo stays whole.
  for await (const batch of files as AsyncIterable<readonly FileInfo[]>) {
    throwIfAborted(signal)
    for (const file of batch) {
      chunk.push(file)
      if (chunk.length >= FILE_INFO_CHUNK) await flush()
    }
  }
  await flush()
  return count
}

/**
 * What every FileInfo write records beside the rows: counters, source, the delta, the import's
 * progress (shared statements, pipelined). `fileCount` `null`: counted from the rows. Answers the collection's file count.
 */
async function recordFileInfoWrite(
  statements: StatementQueue,
  collectionId: string,
  fileCount: number | null,
  options: ReplaceFileInfoOptions,
): Promise<() => Promise<number>> {
  const count = fileCount ?? sql`(SELECT count(*) FROM file_info WHERE collection_seq = collections.seq)`
  const [counted, ...rest] = fileInfoWriteStatements(collectionId, count, options).map((statement) => compile(statement, postgresDialect))
  const answer = statements.request<{ file_count: string }>(counted!.text, counted!.values)
  for (const statement of rest) await statements.send(statement.text, statement.values)
  return async () => Number((await answer).rows[0]?.file_count ?? 0)
}

/** Locks a collection's row for a FileInfo write (see `writeFileInfoLocked`). */
const LOCK_COLLECTION = 'SELECT seq FROM collections WHERE id = $1 FOR NO KEY UPDATE'

/** The collection's file count when the import has stored it already (asked after the lock, so it sees the holder's commit). */
const STORED_BY_IMPORT = `SELECT c.file_count FROM import_collections_done d JOIN collections c ON c.id = d.collection_id
  WHERE d.import_id = $1 AND d.collection_id = $2`

/**
 * Locks the rows of a batch's collections, in id order: two batches that share collections wait for
 * each other instead of deadlocking.
 */
const LOCK_COLLECTIONS = 'SELECT id FROM collections WHERE id = ANY ($1::text[]) ORDER BY id FOR NO KEY UPDATE'

/** The (import, collection) pairs of a batch stored already; asked after LOCK_COLLECTIONS, so it sees what a holder of a lock committed. */
const STORED_BY_IMPORTS = `SELECT import_id, collection_id FROM import_collections_done
  WHERE import_id = ANY ($1::text[]) AND collection_id = ANY ($2::text[])`

/**
 * Locks the collections of `writes`, then answers the writes their import has not stored yet (a batch
 * sent again, after a retry or while the first request still runs, leaves those as they are) and the
 * ids of the collections that exist. Both statements go out together: one round trip.
 */
async function lockBatch(statements: StatementQueue, writes: readonly FileInfoWrite[]): Promise<{ unstored: FileInfoWrite[]; found: Set<string> }> {
  const collectionIds = [...new Set(writes.map((write) => write.collectionId))]
  const importIds = [...new Set(writes.flatMap((write) => write.options.importId ?? []))]
  const locked = statements.request<{ id: string }>(LOCK_COLLECTIONS, [collectionIds])
  const stored = statements.request<{ import_id: string; collection_id: string }>(STORED_BY_IMPORTS, [importIds, collectionIds])
  const found = new Set((await locked).rows.map((row) => row.id))
  const done = new Set((await stored).rows.map((row) => `${row.import_id}\n${row.collection_id}`))
  const unstored = writes.filter((write) => write.options.importId === undefined || !done.has(`${write.options.importId}\n${write.collectionId}`))
  return { unstored, found }
}

/** The statements of a replace: every row of the collection goes, `rows` come. */
async function sendReplace(
  statements: StatementQueue,
  collectionId: string,
  rows: Iterable<readonly FileInfo[]>,
  options: ReplaceFileInfoOptions,
): Promise<() => Promise<number>> {
  await statements.send(DELETE_FILE_INFO, [collectionId])
  const count = await sendFileInfoRows(statements, collectionId, rows, options.signal)
  return recordFileInfoWrite(statements, collectionId, count, options)
}

/** The statements of a change set. */
async function sendChanges(
  statements: StatementQueue,
  collectionId: string,
  changes: FileInfoChanges,
  options: ReplaceFileInfoOptions,
): Promise<() => Promise<number>> {
  // Deletes first, then upserts (a key in both ends up present), as SQLite applies them. A key
  // upserted twice keeps its last version, as SQLite's row-by-row upsert does (one PostgreSQL
  // statement may not update a row twice).
  for (let start = 0; start < changes.deletes.length; start += FILE_INFO_CHUNK) {
    await statements.send(DELETE_FILE_INFO_KEYS, [collectionId, textArray(changes.deletes.slice(start, start + FILE_INFO_CHUNK))])
  }
  const upserts = new Map<string, FileInfo>()
  for (const file of changes.upserts) {
    upserts.delete(file.key)
    upserts.set(file.key, file)
  }
  await sendFileInfoRows(statements, collectionId, [[...upserts.values()]], options.signal, UPSERT_FILE_INFO)
  return recordFileInfoWrite(statements, collectionId, null, options)
}

/**
 * The server store: PostgreSQL through a `pg` pool. It answers exactly like the SQLite store (same
 * row mapping, same validation, same ordering); writes that must be atomic run in one transaction
 * on one connection, and the job queue relies on row locks and a partial unique index so several
 * agents can claim at once.
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const db = createPgDb({
    connectionString: options.connectionString,
    schema: options.schema ?? 'public',
    poolSize: options.poolSize,
    pool: options.pool,
    connectionTimeoutMs: options.connectionTimeoutMs,
  })
  const runner = createPostgresRunner(db)
  const { cancelQueuedSteps, auditSteps, ...jobMethods } = createJobQueue(runner)
  const common = createCommonMethods(runner, { cancelQueuedSteps, auditSteps })

  const notFound = (what: string, id: string): InventoryError => new InventoryError('NOT_FOUND', `${what} ${id} does not exist`)

  /**
   * One FileInfo write: locks the collection row, runs `write`, commits. On a pipelining connection the
   * statements go out without waiting for each answer (one round trip for the whole write, plus
   * COMMIT); they find the collection's seq themselves, so none needs an earlier answer, and the
   * lock's answer is checked before COMMIT.
   */
  const writeFileInfoLocked = async (
    collectionId: string,
    writeOptions: ReplaceFileInfoOptions,
    write: (statements: StatementQueue) => Promise<() => Promise<number>>,
  ): Promise<number> =>
    db.transaction(async (query, { pipelined }) => {
      const statements = createStatementQueue(query, pipelined)
      // FileInfo is derived from the report, and this transaction also records the import's checkpoint,
      // so a crash can only lose both together and the resumed import writes them again. Not waiting for
      // the WAL flush on each of a thousand commits saves about a fifth of a 1M-row import; the session's
      // final (synchronous) commit flushes everything before it.
      await statements.send('SET LOCAL synchronous_commit = off', [])
      // Locking the collection row serialises two writes of one collection (and keeps it from being
      // deleted under the insert, which has no foreign key to check that). It comes first: the
      // statements after it see what a write that held the lock before us committed.
      const lock = statements.request<{ seq: string }>(LOCK_COLLECTION, [collectionId])
      const requireCollection = async (): Promise<void> => {
        if ((await lock).rows.length === 0) throw notFound('collection', collectionId)
      }
      if (!pipelined) await requireCollection()
      try {
        // A write sent again (a retried import) leaves what this import stored as it is.
        if (writeOptions.importId !== undefined) {
          const stored = await statements.request<{ file_count: string }>(STORED_BY_IMPORT, [writeOptions.importId, collectionId])
          if (stored.rows[0] !== undefined) {
            await requireCollection()
            await statements.drain()
            return Number(stored.rows[0].file_count)
          }
        }
        const fileCount = await write(statements)
        await requireCollection()
        await statements.drain()
        return await fileCount()
      } catch (error) {
        // A missing collection is NOT_FOUND, whatever failed after the lock because of it.
        await requireCollection()
        throw fileInfoWriteError(error, describePostgresFailure)
      }
    }, writeOptions.signal)

  const store: PostgresStore = {
    pool: db.pool,
    schema: db.schema,

    async migrate(callOptions = {}) {
      try {
        await db.transaction(async (query) => {
          // Concurrent migrations of one schema (several processes starting at once) run one after the
          // other; the lock is released with the transaction.
          await query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, db.schema])
          const { rowCount } = await query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [db.schema])
          if (!rowCount) await query(`CREATE SCHEMA ${quoteIdentifier(db.schema)}`)
          await runStepsAsync(migrationSteps(POSTGRES_MIGRATIONS, 'schema_migrations'), postgresExecutor(query))
        }, callOptions.signal)
      } catch (cause) {
        if (cause instanceof InventoryError && cause.code !== 'STORE_ERROR') throw cause
        throw new InventoryError('STORE_ERROR', `PostgreSQL migration failed: ${(cause as Error).message}`, { cause })
      }
    },

    async close() {
      await db.close()
    },

    async replaceFolders(connectorId: string, folders: Iterable<FolderSummary>, callOptions = {}) {
      await db.transaction(async (query) => {
        await runStepsAsync(connectorRow(connectorId), postgresExecutor(query))
        await query('DELETE FROM folders WHERE connector_id = $1', [connectorId])
        for (const chunk of chunksOf(folders, FOLDER_CHUNK)) {
          await query(
            `INSERT INTO folders (connector_id, path, depth, object_count, total_size_bytes, direct_object_count, direct_size_bytes, last_modified)
             SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[])`,
            [
              connectorId,
              chunk.map((folder) => folder.path),
              chunk.map((folder) => folderDepth(folder.path)),
              chunk.map((folder) => folder.objectCount),
              chunk.map((folder) => folder.totalSizeBytes),
              chunk.map((folder) => folder.directObjectCount),
              chunk.map((folder) => folder.directSizeBytes),
              chunk.map((folder) => folder.lastModified),
            ],
          )
        }
      }, callOptions.signal)
    },

    async replaceFileInfo(collectionId, files, writeOptions) {
      if (Symbol.iterator in files) {
        const rows = files as Iterable<readonly FileInfo[]>
        const fileCount = await writeFileInfoLocked(collectionId, writeOptions, (statements) => sendReplace(statements, collectionId, rows, writeOptions))
        return { fileCount }
      }
      // An async source (a live S3 listing, minutes for a large prefix) streams into the staging table
      // first, in memory-bounded chunks: the collection's lock and a pooled connection are held only for
      // the swap, and a source that fails leaves the stored FileInfo as it was.
      const stageId = randomUUID()
      await db.query(`DELETE FROM file_info_staging WHERE staged_at < now() - interval '${STAGING_TTL}'`, [], writeOptions.signal)
      const fileCount = await replaceThroughStaging(
        files,
        {
          stage: async (rows) => {
            await db.query(STAGE_FILE_INFO, fileInfoColumns(stageId, rows), writeOptions.signal).catch((error: unknown) => {
              throw fileInfoWriteError(error, describePostgresFailure)
            })
          },
          swap: (staged) =>
            writeFileInfoLocked(collectionId, writeOptions, async (statements) => {
              await statements.send(DELETE_FILE_INFO, [collectionId])
              await statements.send(INSERT_STAGED_FILE_INFO, [collectionId, stageId])
              return recordFileInfoWrite(statements, collectionId, staged, writeOptions)
            }),
          discard: async () => {
            await db.query('DELETE FROM file_info_staging WHERE stage_id = $1', [stageId])
          },
        },
        { chunkRows: FILE_INFO_CHUNK, signal: writeOptions.signal },
      )
      return { fileCount }
    },

    async applyFileInfoChanges(collectionId, changes, writeOptions) {
      const fileCount = await writeFileInfoLocked(collectionId, writeOptions, (statements) => sendChanges(statements, collectionId, changes, writeOptions))
      return { fileCount }
    },

    // Many small collections in one transaction, their statements pipelined: one commit and about one
    // round trip for the batch instead of a transaction per collection. All or nothing for the batch.
    async writeFileInfoBatch(writes, callOptions = {}) {
      if (writes.length === 0) return
      await db.transaction(async (query, { pipelined }) => {
        const statements = createStatementQueue(query, pipelined)
        await statements.send('SET LOCAL synchronous_commit = off', [])
        const { unstored, found } = await lockBatch(statements, writes)
        const missing = unstored.find((write) => !found.has(write.collectionId))
        if (missing !== undefined) throw notFound('collection', missing.collectionId)
        try {
          for (const { collectionId, options, ...write } of unstored) {
            if ('replace' in write) await sendReplace(statements, collectionId, [write.replace], options)
            else await sendChanges(statements, collectionId, write.changes, options)
          }
          await statements.drain()
        } catch (error) {
          throw fileInfoWriteError(error, describePostgresFailure)
        }
      }, callOptions.signal)
    },

    async *readFileInfo(collectionId, readOptions = {}) {
      const batchSize = Math.max(1, readOptions.batchSize ?? 5000)
      const { rows: found } = await db.query<{ seq: string }>('SELECT seq FROM collections WHERE id = $1', [collectionId], readOptions.signal)
      if (!found[0]) throw notFound('collection', collectionId)
      const seq = found[0].seq
      // Keyset pagination: keys are never empty, so '' sorts before the first one. Rows as arrays:
      // building a keyed object per row costs more than reading it.
      let after = ''
      for (;;) {
        const { rows } = await db.query<FileInfoTuple>({ ...READ_FILE_INFO, values: [seq, after, batchSize] }, undefined, readOptions.signal)
        if (rows.length === 0) return
        yield rows.map(([key, size, lastModified, etag, storageClass]) => ({
          key,
          size: Number(size),
          lastModified,
          etag,
          storageClass,
        }))
        if (rows.length < batchSize) return
        after = rows[rows.length - 1]![0]
      }
    },

    async listFileInfo(collectionId, query = {}) {
      const { rows: found } = await db.query<{ seq: string }>('SELECT seq FROM collections WHERE id = $1', [collectionId], query.signal)
      if (!found[0]) throw notFound('collection', collectionId)
      const seq = found[0].seq
      const limit = pageLimit(query)
      const { text, values } = compile(fileInfoPageStatement({ column: 'collection_seq', value: seq }, query, limit + 1), postgresDialect)
      const select: pg.QueryArrayConfig = { text, values, rowMode: 'array' }
      const { rows } = await db.query<FileInfoTuple>(select, undefined, query.signal)
      const page = pageOf(rows, limit, (row) => row[0])
      return {
        files: page.items.map(([key, size, lastModified, etag, storageClass]) => ({ key, size: Number(size), lastModified, etag, storageClass })),
        nextCursor: page.nextCursor,
      }
    },

    ...common,
    ...jobMethods,
  }
  return store
}
