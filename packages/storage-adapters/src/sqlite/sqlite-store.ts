import Database from 'better-sqlite3'
import { InventoryError, type FileInfo, type FolderSummary, type InventoryStore } from '@shuttersense/inventory-core'
import type { FileInfoChanges, ReplaceFileInfoOptions } from '@shuttersense/inventory-core/types'
import { createCommonMethods, fileInfoPageStatement, fileInfoWriteStatements } from '../shared/common-methods.js'
import { migrationSteps } from '../shared/sql/migrations.js'
import { compile } from '../shared/sql/statement.js'
import { folderDepth, pageLimit, pageOf } from '../shared/rows.js'
import { fileInfoWriteError } from '../shared/errors.js'
import { replaceThroughStaging, type FileInfoStaging } from '../shared/file-info-staging.js'
import { createJobQueue } from '../shared/job-queue.js'
import { createSqliteSqlRunner, statementCache, describeSqliteFailure, sqliteDialect, sqliteStoreError } from './sqlite-sql.js'
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js'

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Path of the database file (created if missing), or `:memory:`. */
  filename: string
  /** Milliseconds to wait for another process's write lock. @default 5000 */
  busyTimeoutMs?: number | undefined
}


/** A FileInfo row as SQLite returns it in raw mode. */
type FileInfoTuple = [key: string, size: number, lastModified: string, etag: string, storageClass: string]

/** FileInfo rows per INSERT statement. */
const INSERT_ROWS = 64

/** FileInfo rows from an async source staged per transaction: bounds the memory a live listing takes. */
const STAGE_ROWS = 10_000

/**
 * The embedded store: one SQLite file (WAL mode) through better-sqlite3. Writes are synchronous
 * transactions, so no other call can interleave with a replace.
 */
export function createSqliteStore(options: SqliteStoreOptions): InventoryStore & { readonly db: Database.Database } {
  const db = new Database(options.filename)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)

  const stmt = statementCache(db)
  /** Runs `fn` with a driver failure as a store error (shared/errors.ts), as the shared statements run. */
  const mapErrors = <T>(fn: () => T): T => {
    try {
      return fn()
    } catch (error) {
      throw sqliteStoreError(error)
    }
  }

  const runner = createSqliteSqlRunner(db, stmt)
  const { cancelQueuedSteps, auditSteps, ...jobMethods } = createJobQueue(runner)
  const queue = { cancelQueuedSteps, auditSteps }

  const common = createCommonMethods(runner, queue)

  const collectionPk = (collectionId: string): number => {
    const row = stmt('SELECT pk FROM collections WHERE id = ?').get(collectionId) as { pk: number } | undefined
    if (!row) throw new InventoryError('NOT_FOUND', `collection ${collectionId} does not exist`)
    return row.pk
  }

  /** The INSERT of FileInfo rows into `file_info` (owned by a collection) or the staging table (by a stage). */
  const insertInto = {
    file_info: 'INSERT INTO file_info (collection_pk, key, size, last_modified, etag, storage_class) VALUES',
    file_info_staging: 'INSERT INTO temp.file_info_staging (stage_id, key, size, last_modified, etag, storage_class) VALUES',
  }
  const UPSERT_TAIL =
    'ON CONFLICT (collection_pk, key) DO UPDATE SET size = excluded.size, last_modified = excluded.last_modified, etag = excluded.etag, storage_class = excluded.storage_class'

  /** Inserts rows INSERT_ROWS at a time: one call into SQLite per statement is what costs most per row. */
  const insertRows = (table: keyof typeof insertInto, owner: number, rows: Iterable<readonly FileInfo[]>, upsert: boolean): number => {
    const head = insertInto[table]
    const tail = upsert ? ` ${UPSERT_TAIL}` : ''
    const insertOne = stmt(`${head} (?, ?, ?, ?, ?, ?)${tail}`)
    const insertMany = stmt(`${head} ${'(?, ?, ?, ?, ?, ?), '.repeat(INSERT_ROWS - 1)}(?, ?, ?, ?, ?, ?)${tail}`)
    const params: unknown[] = []
    let count = 0
    for (const batch of rows) {
      let i = 0
      for (; i + INSERT_ROWS <= batch.length; i += INSERT_ROWS) {
        params.length = 0
        for (let j = i; j < i + INSERT_ROWS; j++) {
          const file = batch[j]!
          params.push(owner, file.key, file.size, file.lastModified, file.etag, file.storageClass)
        }
        insertMany.run(params)
      }
      for (; i < batch.length; i++) {
        const file = batch[i]!
        insertOne.run(owner, file.key, file.size, file.lastModified, file.etag, file.storageClass)
      }
      count += batch.length
    }
    return count
  }

  // An async source (a live listing) is staged in a temporary table of this connection: it lives in a
  // temporary file (not in memory), writing it takes no lock on the database, and it vanishes with the
  // connection, so a crashed writer leaves nothing behind.
  let stagingCreated = false
  let lastStageId = 0
  const fileInfoStaging = (collectionId: string, options: ReplaceFileInfoOptions): FileInfoStaging => {
    if (!stagingCreated) {
      db.exec(`CREATE TEMP TABLE IF NOT EXISTS file_info_staging (
        stage_id INTEGER NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, last_modified TEXT NOT NULL, etag TEXT NOT NULL,
        storage_class TEXT NOT NULL, PRIMARY KEY (stage_id, key)) WITHOUT ROWID`)
      stagingCreated = true
    }
    const stageId = ++lastStageId
    return {
      async stage(rows) {
        db.transaction(() => insertRows('file_info_staging', stageId, [rows], false))()
      },
      async swap(count) {
        return db
          .transaction(() => {
            const stored = storedByImport(collectionId, options)
            if (stored !== undefined) return stored
            const pk = collectionPk(collectionId)
            stmt('DELETE FROM file_info WHERE collection_pk = ?').run(pk)
            stmt(
              `INSERT INTO file_info (collection_pk, key, size, last_modified, etag, storage_class)
               SELECT ?, key, size, last_modified, etag, storage_class FROM temp.file_info_staging WHERE stage_id = ?`,
            ).run(pk, stageId)
            recordFileInfoWrite(collectionId, count, options)
            return count
          })
          .immediate()
      },
      async discard() {
        stmt('DELETE FROM temp.file_info_staging WHERE stage_id = ?').run(stageId)
      },
    }
  }

  /** What every FileInfo write records beside the rows: counters, source, the delta, the import's progress. */
  const recordFileInfoWrite = (collectionId: string, fileCount: number, options: ReplaceFileInfoOptions): void => {
    for (const statement of fileInfoWriteStatements(collectionId, fileCount, options)) runner.execute(statement)
  }

  /**
   * The collection's file count when `options.importId` has stored it already, else `undefined`: a write
   * sent again (a retried import) leaves what this import stored as it is. Run inside the write's transaction.
   */
  const storedByImport = (collectionId: string, options: ReplaceFileInfoOptions): number | undefined => {
    if (options.importId === undefined) return undefined
    return stmt(
      `SELECT c.file_count FROM import_collections_done d JOIN collections c ON c.id = d.collection_id
       WHERE d.import_id = ? AND d.collection_id = ?`,
    )
      .pluck()
      .get(options.importId, collectionId) as number | undefined
  }

  const writeFileInfo = (collectionId: string, rows: Iterable<readonly FileInfo[]>, options: ReplaceFileInfoOptions): number => {
    const stored = storedByImport(collectionId, options)
    if (stored !== undefined) return stored
    const pk = collectionPk(collectionId)
    stmt('DELETE FROM file_info WHERE collection_pk = ?').run(pk)
    const count = insertRows('file_info', pk, rows, false)
    recordFileInfoWrite(collectionId, count, options)
    return count
  }

  const applyChanges = (collectionId: string, changes: FileInfoChanges, options: ReplaceFileInfoOptions): number => {
    const stored = storedByImport(collectionId, options)
    if (stored !== undefined) return stored
    const pk = collectionPk(collectionId)
    const remove = stmt('DELETE FROM file_info WHERE collection_pk = ? AND key = ?')
    for (const key of changes.deletes) remove.run(pk, key)
    insertRows('file_info', pk, [changes.upserts], true)
    const { count } = stmt('SELECT COUNT(*) AS count FROM file_info WHERE collection_pk = ?').get(pk) as { count: number }
    recordFileInfoWrite(collectionId, count, options)
    return count
  }

  const store: InventoryStore & { readonly db: Database.Database } = {
    db,

    async migrate() {
      // A migration that rebuilds a table must not cascade its DROP to the rows that refer to it, and the
      // pragma cannot change inside a transaction: foreign keys are off for the migration, checked after.
      db.pragma('foreign_keys = OFF')
      try {
        // BEGIN IMMEDIATE takes the write lock first, so two processes migrating at once run one after the other.
        await runner.transaction(() => migrationSteps(SQLITE_MIGRATIONS, 'schema_migrations'))
        const broken = db.pragma('foreign_key_check') as unknown[]
        if (broken.length > 0) throw new Error(`${broken.length} rows refer to rows that do not exist`)
      } catch (cause) {
        throw new InventoryError('STORE_ERROR', `SQLite migration failed: ${(cause as Error).message}`, { cause })
      } finally {
        db.pragma('foreign_keys = ON')
      }
    },

    async close() {
      if (db.open) db.close()
    },

    async replaceFolders(connectorId: string, folders: Iterable<FolderSummary>) {
      await common.getConnector(connectorId)
      const insert = stmt(
        `INSERT INTO folders (connector_id, path, depth, object_count, total_size_bytes, direct_object_count, direct_size_bytes, last_modified)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      mapErrors(db.transaction(() => {
        stmt('DELETE FROM folders WHERE connector_id = ?').run(connectorId)
        for (const folder of folders) {
          insert.run(
            connectorId,
            folder.path,
            folderDepth(folder.path),
            folder.objectCount,
            folder.totalSizeBytes,
            folder.directObjectCount,
            folder.directSizeBytes,
            folder.lastModified,
          )
        }
      }))
    },

    async replaceFileInfo(collectionId, files, options) {
      await common.getCollection(collectionId)
      try {
        if (Symbol.iterator in files) {
          const rows = files as Iterable<readonly FileInfo[]>
          return { fileCount: db.transaction(() => writeFileInfo(collectionId, rows, options))() }
        }
        const staging = fileInfoStaging(collectionId, options)
        return { fileCount: await replaceThroughStaging(files, staging, { chunkRows: STAGE_ROWS, signal: options.signal }) }
      } catch (error) {
        throw fileInfoWriteError(sqliteStoreError(error), describeSqliteFailure)
      }
    },

    async applyFileInfoChanges(collectionId, changes, options) {
      return { fileCount: mapErrors(db.transaction(() => applyChanges(collectionId, changes, options))) }
    },

    // Many small collections in one transaction: a commit per collection was the largest per-collection
    // cost of an import into thousands of collections. All or nothing for the whole batch.
    async writeFileInfoBatch(writes) {
      try {
        db.transaction(() => {
          for (const write of writes) {
            // Each skips a collection this import stored already, as a write of its own does.
            if ('replace' in write) writeFileInfo(write.collectionId, [write.replace], write.options)
            else applyChanges(write.collectionId, write.changes, write.options)
          }
        })()
      } catch (error) {
        throw fileInfoWriteError(sqliteStoreError(error), describeSqliteFailure)
      }
    },

    async *readFileInfo(collectionId, options = {}) {
      const batchSize = Math.max(1, options.batchSize ?? 5000)
      const pk = collectionPk(collectionId)
      // Rows as arrays (raw mode): building a keyed object per row costs more than reading it.
      const page = stmt(
        'SELECT key, size, last_modified, etag, storage_class FROM file_info WHERE collection_pk = ? AND key > ? ORDER BY key LIMIT ?',
      ).raw(true)
      // Keyset pagination: keys are never empty, so '' sorts before the first one.
      const after = (key: string): FileInfoTuple[] => mapErrors(() => page.all(pk, key, batchSize) as FileInfoTuple[])
      let rows = after('')
      while (rows.length > 0) {
        yield rows.map(([key, size, lastModified, etag, storageClass]) => ({ key, size, lastModified, etag, storageClass }))
        if (rows.length < batchSize) return
        rows = after(rows[rows.length - 1]![0])
      }
    },

    async listFileInfo(collectionId, query = {}) {
      const pk = collectionPk(collectionId)
      const limit = pageLimit(query)
      const { text, values } = compile(fileInfoPageStatement({ column: 'collection_pk', value: pk }, query, limit + 1), sqliteDialect)
      // Rows as arrays (raw mode), as readFileInfo reads them.
      const rows = mapErrors(() => stmt(text).raw(true).all(...values) as FileInfoTuple[])
      const page = pageOf(rows, limit, (row) => row[0])
      return {
        files: page.items.map(([key, size, lastModified, etag, storageClass]) => ({ key, size, lastModified, etag, storageClass })),
        nextCursor: page.nextCursor,
      }
    },

    ...common,
    ...jobMethods,
  }
  return store
}
