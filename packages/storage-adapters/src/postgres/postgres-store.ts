import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import {
  InventoryError,
  type Collection,
  type Connector,
  type FileInfo,
  type FolderPage,
  type FolderQuery,
  type FolderSummary,
  type ImportSession,
  type ImportSessionPatch,
  type InventoryStore,
  type NewCollection,
  type NewConnector,
  type NewImportSession,
  type ReplaceFileInfoOptions,
  type StoredDelta,
} from '@shuttersense/inventory-core'
import { newId, throwIfAborted } from '@shuttersense/inventory-core/internal'
import {
  collectionFromRow,
  connectorFromRow,
  deltaFromRow,
  folderDepth,
  folderPageFromRows,
  folderPageLimit,
  importSessionFromRow,
  deltaCursor,
  pageLimit,
  pageOf,
  type CollectionRow,
  type ConnectorRow,
  type DeltaRow,
  type FolderRow,
  type ImportSessionRow,
} from '../shared/rows.js'
import { duplicateFileInfoKey } from '../shared/errors.js'
import { checkCollectionName, checkConnector, checkNamesFree, checkNewCollections, connectorSettingColumns, patchedConnector, prefixUpperBound } from '../shared/validate.js'
import { createPgDb, createStatementQueue, quoteIdentifier, type Query, type StatementQueue } from './postgres-db.js'
import { sqlState, UNIQUE_VIOLATION } from './postgres-sql.js'
import { createJobQueue } from '../shared/job-queue.js'
import { connectorDeletedAudit } from '../shared/audit.js'
import { runStepsAsync } from '../shared/sql/steps.js'
import { createPostgresRunner, postgresExecutor } from './postgres-sql.js'
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
/** A unique violation on FileInfo or its staging table: the same key twice. */
const isDuplicateFileInfo = (cause: unknown): boolean =>
  sqlState(cause) === UNIQUE_VIOLATION && ['file_info', 'file_info_staging'].includes((cause as { table?: string }).table ?? '')
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

/** One page of `listFileInfo`: keys from `$2` (the prefix) after `$3` (the cursor), below `$4`. */
const LIST_FILE_INFO: pg.QueryArrayConfig = {
  text: `SELECT key, size, last_modified, etag, storage_class FROM file_info
         WHERE collection_seq = $1 AND key >= $2 AND key > $3 AND ($4::text IS NULL OR key < $4) AND starts_with(key, $2)
         ORDER BY key LIMIT $5`,
  rowMode: 'array',
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

const SESSION_COLUMNS = `*, ARRAY(SELECT d.collection_id FROM import_collections_done d
  WHERE d.import_id = import_sessions.id ORDER BY d.collection_id) AS collections_done`

type SessionRow = ImportSessionRow & { collections_done: string[] }

const sessionFromRow = (row: SessionRow): ImportSession => importSessionFromRow(row, row.collections_done)

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
 * progress. `fileCount` `null`: counted from the rows. Answers the collection's file count.
 */
async function recordFileInfoWrite(
  statements: StatementQueue,
  collectionId: string,
  fileCount: number | null,
  options: ReplaceFileInfoOptions,
): Promise<() => Promise<number>> {
  const counted = statements.request<{ file_count: string }>(
    `UPDATE collections SET file_info_source = $1, file_info_updated_at = $2,
     file_count = ${fileCount === null ? '(SELECT count(*) FROM file_info WHERE collection_seq = collections.seq)' : '$4'}
     WHERE id = $3 RETURNING file_count`,
    fileCount === null
      ? [options.source, options.updatedAt, collectionId]
      : [options.source, options.updatedAt, collectionId, fileCount],
  )
  if (options.delta) {
    const { counts, ...rest } = options.delta
    await statements.send(
      `INSERT INTO deltas (collection_id, import_id, computed_at, new_count, modified_count, deleted_count, unchanged_count, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        collectionId,
        options.importId ?? null,
        options.updatedAt,
        counts.new,
        counts.modified,
        counts.deleted,
        counts.unchanged,
        JSON.stringify({ counts, ...rest }),
      ],
    )
  }
  if (options.importId) {
    await statements.send('INSERT INTO import_collections_done (import_id, collection_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      options.importId,
      collectionId,
    ])
  }
  return async () => Number((await counted).rows[0]?.file_count ?? 0)
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
  const { cancelQueuedSteps, auditSteps, ...jobMethods } = createJobQueue(createPostgresRunner(db))

  const nowIso = (): string => new Date().toISOString()
  const notFound = (what: string, id: string): InventoryError => new InventoryError('NOT_FOUND', `${what} ${id} does not exist`)

  const getConnectorRow = async (query: Query, id: string, lock = false): Promise<ConnectorRow> => {
    // NO KEY UPDATE: serialises with a completing job's schedule check (FOR SHARE), yet lets job inserts'
    // foreign-key checks (FOR KEY SHARE) through.
    const { rows } = await query<ConnectorRow>(`SELECT * FROM connectors WHERE id = $1${lock ? ' FOR NO KEY UPDATE' : ''}`, [id])
    if (!rows[0]) throw notFound('connector', id)
    return rows[0]
  }

  const getSession = async (query: Query, id: string): Promise<ImportSession> => {
    const { rows } = await query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM import_sessions WHERE id = $1`, [id])
    if (!rows[0]) throw notFound('import session', id)
    return sessionFromRow(rows[0])
  }

  const getCollectionRow = async (query: Query, id: string): Promise<CollectionRow> => {
    const { rows } = await query<CollectionRow>('SELECT * FROM collections WHERE id = $1', [id])
    if (!rows[0]) throw notFound('collection', id)
    return rows[0]
  }

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
      const lock = statements.request<{ seq: string }>('SELECT seq FROM collections WHERE id = $1 FOR NO KEY UPDATE', [collectionId])
      const requireCollection = async (): Promise<void> => {
        if ((await lock).rows.length === 0) throw notFound('collection', collectionId)
      }
      if (!pipelined) await requireCollection()
      try {
        const fileCount = await write(statements)
        await requireCollection()
        await statements.drain()
        return await fileCount()
      } catch (error) {
        // A missing collection is NOT_FOUND, whatever failed after the lock because of it.
        await requireCollection()
        const cause = (error as Error).cause
        if (isDuplicateFileInfo(cause)) throw duplicateFileInfoKey((cause as { detail?: string }).detail ?? '', cause)
        throw error
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
          await query('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)')
          const applied = new Set((await query<{ id: number }>('SELECT id FROM schema_migrations')).rows.map((row) => row.id))
          for (const migration of POSTGRES_MIGRATIONS) {
            if (applied.has(migration.id)) continue
            await query(migration.sql)
            await query('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)', [migration.id, nowIso()])
          }
        }, callOptions.signal)
      } catch (cause) {
        if (cause instanceof InventoryError && cause.code !== 'STORE_ERROR') throw cause
        throw new InventoryError('STORE_ERROR', `PostgreSQL migration failed: ${(cause as Error).message}`, { cause })
      }
    },

    async close() {
      await db.close()
    },

    async createConnector(input: NewConnector, callOptions = {}): Promise<Connector> {
      checkConnector(input)
      const at = nowIso()
      const { rows } = await db.query<ConnectorRow>(
        `INSERT INTO connectors (id, name, destination_bucket, destination_prefix, source_bucket, config_name, schedule, format, delta_list_limit, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [newId('con'), input.name.trim(), ...connectorSettingColumns(input), at, at],
        callOptions.signal,
      )
      return connectorFromRow(rows[0]!)
    },

    async getConnector(id, callOptions = {}) {
      return connectorFromRow(await db.withClient((query) => getConnectorRow(query, id), callOptions.signal))
    },

    async listConnectors(callOptions = {}) {
      const { rows } = await db.query<ConnectorRow>('SELECT * FROM connectors ORDER BY created_at, id', [], callOptions.signal)
      return rows.map(connectorFromRow)
    },

    async updateConnector(id, patch, callOptions = {}) {
      const at = nowIso()
      const row = await db.transaction(async (query) => {
        const current = connectorFromRow(await getConnectorRow(query, id, true))
        const next = patchedConnector(current, patch)
        const { rows } = await query<ConnectorRow>(
          `UPDATE connectors SET name = $1, destination_bucket = $2, destination_prefix = $3, source_bucket = $4, config_name = $5,
           schedule = $6, format = $7, delta_list_limit = $8, updated_at = $9 WHERE id = $10 RETURNING *`,
          [next.name, ...connectorSettingColumns(next), at, id],
        )
        if (patch.schedule === 'manual') {
          // Disabling the schedule cancels what it queued, in the same transaction.
          await runStepsAsync(cancelQueuedSteps(id, 'scheduled', 'system', at, 'schedule set to manual'), postgresExecutor(query))
        }
        return rows[0]!
      }, callOptions.signal)
      return connectorFromRow(row)
    },

    async replaceFolders(connectorId: string, folders: Iterable<FolderSummary>, callOptions = {}) {
      await db.transaction(async (query) => {
        await getConnectorRow(query, connectorId)
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

    async listFolders(connectorId: string, query: FolderQuery = {}): Promise<FolderPage> {
      const limit = folderPageLimit(query)
      const params: unknown[] = [connectorId]
      const where = ['connector_id = $1']
      const param = (value: unknown): string => {
        params.push(value)
        return `$${params.length}`
      }
      if (query.prefix) {
        // The range keeps the scan on the primary key; starts_with() is the exact test.
        const prefix = param(query.prefix)
        const upper = prefixUpperBound(query.prefix)
        where.push(`path >= ${prefix}${upper === undefined ? '' : ` AND path < ${param(upper)}`} AND starts_with(path, ${prefix})`)
      }
      if (query.depth !== undefined) where.push(`depth = ${param(query.depth)}`)
      if (query.cursor !== undefined) where.push(`path > ${param(query.cursor)}`)
      const { rows } = await db.query<FolderRow>(
        `SELECT * FROM folders WHERE ${where.join(' AND ')} ORDER BY path LIMIT ${param(limit + 1)}`,
        params,
        query.signal,
      )
      return folderPageFromRows(rows, limit)
    },

    async createCollections(connectorId: string, collections: readonly NewCollection[], callOptions = {}): Promise<Collection[]> {
      await store.getConnector(connectorId, callOptions)
      const checked = checkNewCollections(collections)
      const ids = checked.map(() => newId('col'))
      if (checked.length === 0) return []
      try {
        const rows = await db.transaction(async (query) => {
          // The connector's row lock serialises batches of one connector, so two cannot take one name.
          await query('SELECT 1 FROM connectors WHERE id = $1 FOR UPDATE', [connectorId])
          const taken = await query<{ name: string }>('SELECT name FROM collections WHERE connector_id = $1', [connectorId])
          checkNamesFree(connectorId, taken.rows.map((row) => row.name), checked)
          const at = nowIso()
          return (
            await query<CollectionRow>(
              `INSERT INTO collections (id, connector_id, name, folder_path, created_at)
               SELECT id, $1, name, folder_path, $2 FROM unnest($3::text[], $4::text[], $5::text[]) AS t (id, name, folder_path)
               RETURNING *`,
              [connectorId, at, ids, checked.map((c) => c.name), checked.map((c) => c.folderPath)],
            )
          ).rows
        }, callOptions.signal)
        const byId = new Map(rows.map((row) => [row.id, row]))
        return ids.map((id) => collectionFromRow(byId.get(id)!))
      } catch (cause) {
        if (sqlState((cause as Error).cause) === UNIQUE_VIOLATION) {
          throw new InventoryError('CONFLICT', 'a collection already exists for one of these folders', { cause })
        }
        throw cause
      }
    },

    async listCollections(connectorId?: string, callOptions = {}) {
      const { rows } =
        connectorId === undefined
          ? await db.query<CollectionRow>('SELECT * FROM collections ORDER BY connector_id, folder_path', [], callOptions.signal)
          : await db.query<CollectionRow>(
              'SELECT * FROM collections WHERE connector_id = $1 ORDER BY folder_path',
              [connectorId],
              callOptions.signal,
            )
      return rows.map(collectionFromRow)
    },

    async getCollection(id, callOptions = {}) {
      return collectionFromRow(await db.withClient((query) => getCollectionRow(query, id), callOptions.signal))
    },

    async replaceFileInfo(collectionId, files, writeOptions) {
      if (Symbol.iterator in files) {
        const rows = files as Iterable<readonly FileInfo[]>
        const fileCount = await writeFileInfoLocked(collectionId, writeOptions, async (statements) => {
          await statements.send(DELETE_FILE_INFO, [collectionId])
          const count = await sendFileInfoRows(statements, collectionId, rows, writeOptions.signal)
          return recordFileInfoWrite(statements, collectionId, count, writeOptions)
        })
        return { fileCount }
      }
      // An async source (a live S3 listing, minutes for a large prefix) streams into the staging table
      // first, in memory-bounded chunks: the collection's lock and a pooled connection are held only for
      // the swap, and a source that fails leaves the stored FileInfo as it was.
      const stageId = randomUUID()
      try {
        await db.query(`DELETE FROM file_info_staging WHERE staged_at < now() - interval '${STAGING_TTL}'`, [], writeOptions.signal)
        let staged = 0
        let chunk: FileInfo[] = []
        const flush = async (): Promise<void> => {
          if (chunk.length === 0) return
          await db.query(STAGE_FILE_INFO, fileInfoColumns(stageId, chunk), writeOptions.signal).catch((error: unknown) => {
            const cause = (error as Error).cause
            throw isDuplicateFileInfo(cause) ? duplicateFileInfoKey((cause as { detail?: string }).detail ?? '', cause) : error
          })
          staged += chunk.length
          chunk = []
        }
        for await (const batch of files) {
          throwIfAborted(writeOptions.signal)
          for (const file of batch) {
            chunk.push(file)
            if (chunk.length >= FILE_INFO_CHUNK) await flush()
          }
        }
        await flush()
        const fileCount = await writeFileInfoLocked(collectionId, writeOptions, async (statements) => {
          await statements.send(DELETE_FILE_INFO, [collectionId])
          await statements.send(INSERT_STAGED_FILE_INFO, [collectionId, stageId])
          return recordFileInfoWrite(statements, collectionId, staged, writeOptions)
        })
        return { fileCount }
      } finally {
        await db.query('DELETE FROM file_info_staging WHERE stage_id = $1', [stageId]).catch(() => undefined)
      }
    },

    async applyFileInfoChanges(collectionId, changes, writeOptions) {
      const fileCount = await writeFileInfoLocked(collectionId, writeOptions, async (statements) => {
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
        await sendFileInfoRows(statements, collectionId, [[...upserts.values()]], writeOptions.signal, UPSERT_FILE_INFO)
        return recordFileInfoWrite(statements, collectionId, null, writeOptions)
      })
      return { fileCount }
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

    async getLatestDelta(collectionId, callOptions = {}): Promise<StoredDelta | null> {
      const { rows } = await db.query<DeltaRow>(
        'SELECT collection_id, import_id, computed_at, body FROM deltas WHERE collection_id = $1 ORDER BY seq DESC LIMIT 1',
        [collectionId],
        callOptions.signal,
      )
      return rows[0] ? deltaFromRow(rows[0]) : null
    },

    async deleteConnector(id, callOptions = {}) {
      await db.transaction(async (query) => {
        const row = await getConnectorRow(query, id, true)
        // Foreign keys cascade to folders, collections (and so FileInfo and deltas), sessions and jobs.
        await query('DELETE FROM connectors WHERE id = $1', [id])
        await runStepsAsync(auditSteps(connectorDeletedAudit(row, nowIso())), postgresExecutor(query))
      }, callOptions.signal)
    },

    async updateCollection(id, patch, callOptions = {}) {
      const name = checkCollectionName(patch.name)
      const row = await db.transaction(async (query) => {
        const { rows } = await query<CollectionRow>('SELECT * FROM collections WHERE id = $1 FOR UPDATE', [id])
        const current = rows[0]
        if (!current) throw notFound('collection', id)
        // Names of one connector are checked under its lock, so two renames cannot both take a name.
        await getConnectorRow(query, current.connector_id, true)
        const { rows: taken } = await query('SELECT 1 FROM collections WHERE connector_id = $1 AND name = $2 AND id <> $3', [
          current.connector_id,
          name,
          id,
        ])
        if (taken.length > 0) throw new InventoryError('CONFLICT', `another collection of connector ${current.connector_id} is named "${name}"`)
        const { rows: updated } = await query<CollectionRow>('UPDATE collections SET name = $1 WHERE id = $2 RETURNING *', [name, id])
        return updated[0]!
      }, callOptions.signal)
      return collectionFromRow(row)
    },

    async deleteCollection(id, callOptions = {}) {
      // The trigger deletes its FileInfo; its deltas cascade.
      const { rowCount } = await db.query('DELETE FROM collections WHERE id = $1', [id], callOptions.signal)
      if (!rowCount) throw notFound('collection', id)
    },

    async listDeltas(collectionId, query = {}) {
      await store.getCollection(collectionId, query)
      const limit = pageLimit(query)
      const { rows } = await db.query<DeltaRow & { seq: string }>(
        `SELECT seq, collection_id, import_id, computed_at, body FROM deltas
         WHERE collection_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint) ORDER BY seq DESC LIMIT $3`,
        [collectionId, deltaCursor(query.cursor), limit + 1],
        query.signal,
      )
      const page = pageOf(rows, limit, (row) => String(row.seq))
      return { deltas: page.items.map(deltaFromRow), nextCursor: page.nextCursor }
    },

    async listFileInfo(collectionId, query = {}) {
      const { rows: found } = await db.query<{ seq: string }>('SELECT seq FROM collections WHERE id = $1', [collectionId], query.signal)
      if (!found[0]) throw notFound('collection', collectionId)
      const seq = found[0].seq
      const limit = pageLimit(query)
      const prefix = query.prefix ?? ''
      const upper = prefix === '' ? null : (prefixUpperBound(prefix) ?? null)
      const { rows } = await db.query<FileInfoTuple>({ ...LIST_FILE_INFO, values: [seq, prefix, query.cursor ?? '', upper, limit + 1] }, undefined, query.signal)
      const page = pageOf(rows, limit, (row) => row[0])
      return {
        files: page.items.map(([key, size, lastModified, etag, storageClass]) => ({ key, size: Number(size), lastModified, etag, storageClass })),
        nextCursor: page.nextCursor,
      }
    },

    async createImportSession(input: NewImportSession, callOptions = {}) {
      return db.withClient(async (query) => {
        await getConnectorRow(query, input.connectorId)
        const { rows } = await query<ImportSessionRow>(
          `INSERT INTO import_sessions (id, connector_id, status, phase, manifest_key, inventory_timestamp, started_at)
           VALUES ($1, $2, 'running', 'A', $3, $4, $5) RETURNING *`,
          [newId('imp'), input.connectorId, input.manifestKey, input.inventoryTimestamp, nowIso()],
        )
        return importSessionFromRow(rows[0]!, [])
      }, callOptions.signal)
    },

    async getImportSession(id, callOptions = {}) {
      return db.withClient((query) => getSession(query, id), callOptions.signal)
    },

    async updateImportSession(id: string, patch: ImportSessionPatch, callOptions = {}) {
      const sets: string[] = []
      const params: unknown[] = []
      const set = (column: string, value: unknown): void => {
        params.push(value)
        sets.push(`${column} = $${params.length}`)
      }
      if (patch.status !== undefined) set('status', patch.status)
      if (patch.checkpoint !== undefined) {
        set('phase', patch.checkpoint.phase)
        set('data_files_done', patch.checkpoint.dataFilesDone)
      }
      if (patch.summary !== undefined) set('summary', JSON.stringify(patch.summary))
      if (patch.error !== undefined) {
        set('error_code', patch.error?.code ?? null)
        set('error_message', patch.error?.message ?? null)
      }
      if (patch.finishedAt !== undefined) set('finished_at', patch.finishedAt)
      return db.withClient(async (query) => {
        if (sets.length === 0) return getSession(query, id)
        params.push(id)
        const { rows } = await query<SessionRow>(
          `UPDATE import_sessions SET ${sets.join(', ')} WHERE id = $${params.length} RETURNING ${SESSION_COLUMNS}`,
          params,
        )
        if (!rows[0]) throw notFound('import session', id)
        return sessionFromRow(rows[0])
      }, callOptions.signal)
    },

    async listImportSessions(connectorId, listOptions = {}) {
      const limit = listOptions.limit ?? 50
      const { rows } = await db.query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM import_sessions WHERE connector_id = $1 ORDER BY seq DESC LIMIT $2`,
        // SQLite reads a negative LIMIT as "no limit"; PostgreSQL reads NULL so.
        [connectorId, limit < 0 ? null : limit],
        listOptions.signal,
      )
      return rows.map(sessionFromRow)
    },

    ...jobMethods,
  }
  return store
}
