import Database from 'better-sqlite3'
import {
  InventoryError,
  type Collection,
  type Connector,
  type FileInfo,
  type FileInfoChanges,
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
import { newId } from '@shuttersense/inventory-core/internal'
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
import { fileInfoWriteError } from '../shared/errors.js'
import { checkCollectionName, checkConnector, checkNamesFree, checkNewCollections, connectorSettingColumns, patchedConnector, prefixUpperBound } from '../shared/validate.js'
import { createJobQueue } from '../shared/job-queue.js'
import { connectorDeletedAudit } from '../shared/audit.js'
import { runSteps } from '../shared/sql/steps.js'
import { createSqliteRunner, describeSqliteFailure, sqliteStoreError } from './sqlite-sql.js'
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

  const nowIso = (): string => new Date().toISOString()
  // Preparing a statement costs more than running it; every SQL text is prepared once per connection.
  const statements = new Map<string, Database.Statement>()
  const stmt = (sql: string): Database.Statement => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }

  const runner = createSqliteRunner(db, stmt)
  const { cancelQueuedSteps, auditSteps, ...jobMethods } = createJobQueue(runner)

  const notFound = (what: string, id: string): InventoryError => new InventoryError('NOT_FOUND', `${what} ${id} does not exist`)

  const getConnectorRow = (id: string): ConnectorRow => {
    const row = stmt('SELECT * FROM connectors WHERE id = ?').get(id) as ConnectorRow | undefined
    if (!row) throw notFound('connector', id)
    return row
  }

  const collectionsDone = (importId: string): string[] =>
    (stmt('SELECT collection_id FROM import_collections_done WHERE import_id = ? ORDER BY collection_id').all(importId) as {
      collection_id: string
    }[]).map((row) => row.collection_id)

  const getSession = (id: string): ImportSession => {
    const row = stmt('SELECT * FROM import_sessions WHERE id = ?').get(id) as ImportSessionRow | undefined
    if (!row) throw notFound('import session', id)
    return importSessionFromRow(row, collectionsDone(id))
  }

  const collectionPk = (collectionId: string): number => {
    const row = stmt('SELECT pk FROM collections WHERE id = ?').get(collectionId) as { pk: number } | undefined
    if (!row) throw notFound('collection', collectionId)
    return row.pk
  }

  const FILE_INFO_COLUMNS = 'INSERT INTO file_info (collection_pk, key, size, last_modified, etag, storage_class) VALUES'
  const UPSERT_TAIL =
    'ON CONFLICT (collection_pk, key) DO UPDATE SET size = excluded.size, last_modified = excluded.last_modified, etag = excluded.etag, storage_class = excluded.storage_class'

  /** Inserts rows INSERT_ROWS at a time: one call into SQLite per statement is what costs most per row. */
  const insertRows = (pk: number, rows: Iterable<readonly FileInfo[]>, upsert: boolean): number => {
    const tail = upsert ? ` ${UPSERT_TAIL}` : ''
    const insertOne = stmt(`${FILE_INFO_COLUMNS} (?, ?, ?, ?, ?, ?)${tail}`)
    const insertMany = stmt(`${FILE_INFO_COLUMNS} ${'(?, ?, ?, ?, ?, ?), '.repeat(INSERT_ROWS - 1)}(?, ?, ?, ?, ?, ?)${tail}`)
    const params: unknown[] = []
    let count = 0
    for (const batch of rows) {
      let i = 0
      for (; i + INSERT_ROWS <= batch.length; i += INSERT_ROWS) {
        params.length = 0
        for (let j = i; j < i + INSERT_ROWS; j++) {
          const file = batch[j]!
          params.push(pk, file.key, file.size, file.lastModified, file.etag, file.storageClass)
        }
        insertMany.run(params)
      }
      for (; i < batch.length; i++) {
        const file = batch[i]!
        insertOne.run(pk, file.key, file.size, file.lastModified, file.etag, file.storageClass)
      }
      count += batch.length
    }
    return count
  }

  /** What every FileInfo write records beside the rows: counters, source, the delta, the import's progress. */
  const recordFileInfoWrite = (collectionId: string, fileCount: number, options: ReplaceFileInfoOptions): void => {
    stmt('UPDATE collections SET file_info_source = ?, file_info_updated_at = ?, file_count = ? WHERE id = ?').run(
      options.source,
      options.updatedAt,
      fileCount,
      collectionId,
    )
    if (options.delta) {
      const { counts, ...rest } = options.delta
      stmt(
        `INSERT INTO deltas (collection_id, import_id, computed_at, new_count, modified_count, deleted_count, unchanged_count, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        collectionId,
        options.importId ?? null,
        options.updatedAt,
        counts.new,
        counts.modified,
        counts.deleted,
        counts.unchanged,
        JSON.stringify({ counts, ...rest }),
      )
    }
    if (options.importId) {
      stmt('INSERT OR IGNORE INTO import_collections_done (import_id, collection_id) VALUES (?, ?)').run(
        options.importId,
        collectionId,
      )
    }
  }

  const writeFileInfo = (collectionId: string, rows: Iterable<readonly FileInfo[]>, options: ReplaceFileInfoOptions): number => {
    const pk = collectionPk(collectionId)
    stmt('DELETE FROM file_info WHERE collection_pk = ?').run(pk)
    const count = insertRows(pk, rows, false)
    recordFileInfoWrite(collectionId, count, options)
    return count
  }

  const applyChanges = (collectionId: string, changes: FileInfoChanges, options: ReplaceFileInfoOptions): number => {
    const pk = collectionPk(collectionId)
    const remove = stmt('DELETE FROM file_info WHERE collection_pk = ? AND key = ?')
    for (const key of changes.deletes) remove.run(pk, key)
    insertRows(pk, [changes.upserts], true)
    const { count } = stmt('SELECT COUNT(*) AS count FROM file_info WHERE collection_pk = ?').get(pk) as { count: number }
    recordFileInfoWrite(collectionId, count, options)
    return count
  }

  const store: InventoryStore & { readonly db: Database.Database } = {
    db,

    async migrate() {
      // BEGIN IMMEDIATE takes the write lock first, so two processes migrating at once run one after the other.
      const migrateAll = db.transaction(() => {
        db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)')
        const applied = new Set(
          (db.prepare('SELECT id FROM schema_migrations').all() as { id: number }[]).map((row) => row.id),
        )
        for (const migration of SQLITE_MIGRATIONS) {
          if (applied.has(migration.id)) continue
          db.exec(migration.sql)
          db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(migration.id, nowIso())
        }
      })
      // A migration that rebuilds a table must not cascade its DROP to the rows that refer to it, and the
      // pragma cannot change inside a transaction: foreign keys are off for the migration, checked after.
      db.pragma('foreign_keys = OFF')
      try {
        migrateAll.immediate()
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

    async createConnector(input: NewConnector): Promise<Connector> {
      checkConnector(input)
      const id = newId('con')
      const at = nowIso()
      stmt(
        `INSERT INTO connectors (id, name, destination_bucket, destination_prefix, source_bucket, config_name, schedule, format, delta_list_limit, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(id, input.name.trim(), ...connectorSettingColumns(input), at, at)
      return connectorFromRow(getConnectorRow(id))
    },

    async getConnector(id) {
      return connectorFromRow(getConnectorRow(id))
    },

    async listConnectors() {
      return (stmt('SELECT * FROM connectors ORDER BY created_at, id').all() as ConnectorRow[]).map(connectorFromRow)
    },

    async updateConnector(id, patch) {
      const current = connectorFromRow(getConnectorRow(id))
      const next = patchedConnector(current, patch)
      const at = nowIso()
      db.transaction(() => {
        stmt(
          `UPDATE connectors SET name = ?, destination_bucket = ?, destination_prefix = ?, source_bucket = ?, config_name = ?,
           schedule = ?, format = ?, delta_list_limit = ?, updated_at = ? WHERE id = ?`,
        ).run(next.name, ...connectorSettingColumns(next), at, id)
        if (patch.schedule === 'manual') {
          // Disabling the schedule cancels what it queued, in the same transaction.
          runSteps(cancelQueuedSteps(id, 'scheduled', 'system', at, 'schedule set to manual'), runner.execute)
        }
      }).immediate()
      return connectorFromRow(getConnectorRow(id))
    },

    async replaceFolders(connectorId: string, folders: Iterable<FolderSummary>) {
      getConnectorRow(connectorId)
      const insert = stmt(
        `INSERT INTO folders (connector_id, path, depth, object_count, total_size_bytes, direct_object_count, direct_size_bytes, last_modified)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      db.transaction(() => {
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
      })()
    },

    async listFolders(connectorId: string, query: FolderQuery = {}): Promise<FolderPage> {
      const limit = folderPageLimit(query)
      const where = ['connector_id = ?']
      const params: unknown[] = [connectorId]
      if (query.prefix) {
        const upper = prefixUpperBound(query.prefix)
        where.push(`path >= ?${upper === undefined ? '' : ' AND path < ?'} AND substr(path, 1, length(?)) = ?`)
        params.push(query.prefix, ...(upper === undefined ? [] : [upper]), query.prefix, query.prefix)
      }
      if (query.depth !== undefined) {
        where.push('depth = ?')
        params.push(query.depth)
      }
      if (query.cursor !== undefined) {
        where.push('path > ?')
        params.push(query.cursor)
      }
      const rows = db
        .prepare(`SELECT * FROM folders WHERE ${where.join(' AND ')} ORDER BY path LIMIT ?`)
        .all(...params, limit + 1) as FolderRow[]
      return folderPageFromRows(rows, limit)
    },

    async createCollections(connectorId: string, collections: readonly NewCollection[]): Promise<Collection[]> {
      getConnectorRow(connectorId)
      const checked = checkNewCollections(collections)
      const insert = stmt(
        'INSERT INTO collections (id, connector_id, name, folder_path, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      const ids = checked.map(() => newId('col'))
      try {
        db.transaction(() => {
          const taken = (stmt('SELECT name FROM collections WHERE connector_id = ?').all(connectorId) as { name: string }[]).map((row) => row.name)
          checkNamesFree(connectorId, taken, checked)
          const at = nowIso()
          checked.forEach((collection, i) => insert.run(ids[i], connectorId, collection.name, collection.folderPath, at))
        }).immediate()
      } catch (cause) {
        if ((cause as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new InventoryError('CONFLICT', 'a collection already exists for one of these folders', { cause })
        }
        throw cause
      }
      return ids.map((id) => collectionFromRow(stmt('SELECT * FROM collections WHERE id = ?').get(id) as CollectionRow))
    },

    async listCollections(connectorId?: string) {
      const rows = (
        connectorId === undefined
          ? stmt('SELECT * FROM collections ORDER BY connector_id, folder_path').all()
          : stmt('SELECT * FROM collections WHERE connector_id = ? ORDER BY folder_path').all(connectorId)
      ) as CollectionRow[]
      return rows.map(collectionFromRow)
    },

    async getCollection(id) {
      const row = stmt('SELECT * FROM collections WHERE id = ?').get(id) as CollectionRow | undefined
      if (!row) throw notFound('collection', id)
      return collectionFromRow(row)
    },

    async replaceFileInfo(collectionId, files, options) {
      await store.getCollection(collectionId)
      // An async source (a live listing) is staged first, so the swap itself is one synchronous transaction.
      let rows: Iterable<readonly FileInfo[]>
      if (Symbol.iterator in files) rows = files as Iterable<readonly FileInfo[]>
      else {
        const staged: FileInfo[][] = []
        for await (const batch of files) staged.push([...batch])
        rows = staged
      }
      try {
        return { fileCount: db.transaction(() => writeFileInfo(collectionId, rows, options))() }
      } catch (error) {
        throw fileInfoWriteError(sqliteStoreError(error), describeSqliteFailure)
      }
    },

    async applyFileInfoChanges(collectionId, changes, options) {
      return { fileCount: db.transaction(() => applyChanges(collectionId, changes, options))() }
    },

    async *readFileInfo(collectionId, options = {}) {
      const batchSize = Math.max(1, options.batchSize ?? 5000)
      const pk = collectionPk(collectionId)
      // Rows as arrays (raw mode): building a keyed object per row costs more than reading it.
      const page = stmt(
        'SELECT key, size, last_modified, etag, storage_class FROM file_info WHERE collection_pk = ? AND key > ? ORDER BY key LIMIT ?',
      ).raw(true)
      // Keyset pagination: keys are never empty, so '' sorts before the first one.
      let rows = page.all(pk, '', batchSize) as FileInfoTuple[]
      while (rows.length > 0) {
        yield rows.map(([key, size, lastModified, etag, storageClass]) => ({ key, size, lastModified, etag, storageClass }))
        if (rows.length < batchSize) return
        rows = page.all(pk, rows[rows.length - 1]![0], batchSize) as FileInfoTuple[]
      }
    },

    async getLatestDelta(collectionId): Promise<StoredDelta | null> {
      const row = db
        .prepare('SELECT collection_id, import_id, computed_at, body FROM deltas WHERE collection_id = ? ORDER BY seq DESC LIMIT 1')
        .get(collectionId) as DeltaRow | undefined
      return row ? deltaFromRow(row) : null
    },

    async deleteConnector(id) {
      db.transaction(() => {
        const row = getConnectorRow(id)
        // Foreign keys cascade to folders, collections (and so FileInfo and deltas), sessions and jobs.
        stmt('DELETE FROM connectors WHERE id = ?').run(id)
        runSteps(auditSteps(connectorDeletedAudit(row, nowIso())), runner.execute)
      }).immediate()
    },

    async updateCollection(id, patch) {
      const name = checkCollectionName(patch.name)
      db.transaction(() => {
        const row = stmt('SELECT connector_id FROM collections WHERE id = ?').get(id) as { connector_id: string } | undefined
        if (!row) throw notFound('collection', id)
        if (stmt('SELECT 1 FROM collections WHERE connector_id = ? AND name = ? AND id <> ?').get(row.connector_id, name, id)) {
          throw new InventoryError('CONFLICT', `another collection of connector ${row.connector_id} is named "${name}"`)
        }
        stmt('UPDATE collections SET name = ? WHERE id = ?').run(name, id)
      }).immediate()
      return store.getCollection(id)
    },

    async deleteCollection(id) {
      // The trigger deletes its FileInfo; its deltas cascade.
      if (stmt('DELETE FROM collections WHERE id = ?').run(id).changes === 0) throw notFound('collection', id)
    },

    async listDeltas(collectionId, query = {}) {
      await store.getCollection(collectionId)
      const limit = pageLimit(query)
      const rows = stmt(
        `SELECT seq, collection_id, import_id, computed_at, body FROM deltas
         WHERE collection_id = ? AND (? IS NULL OR seq < ?) ORDER BY seq DESC LIMIT ?`,
      ).all(collectionId, deltaCursor(query.cursor), deltaCursor(query.cursor), limit + 1) as (DeltaRow & {
        seq: number
      })[]
      const page = pageOf(rows, limit, (row) => String(row.seq))
      return { deltas: page.items.map(deltaFromRow), nextCursor: page.nextCursor }
    },

    async listFileInfo(collectionId, query = {}) {
      const pk = collectionPk(collectionId)
      const limit = pageLimit(query)
      const prefix = query.prefix ?? ''
      const upper = prefix === '' ? undefined : prefixUpperBound(prefix)
      const rows = stmt(
        `SELECT key, size, last_modified, etag, storage_class FROM file_info
         WHERE collection_pk = ? AND key >= ? AND key > ? AND (? IS NULL OR key < ?) AND substr(key, 1, length(?)) = ?
         ORDER BY key LIMIT ?`,
      )
        .raw(true)
        .all(pk, prefix, query.cursor ?? '', upper ?? null, upper ?? null, prefix, prefix, limit + 1) as FileInfoTuple[]
      const page = pageOf(rows, limit, (row) => row[0])
      return {
        files: page.items.map(([key, size, lastModified, etag, storageClass]) => ({ key, size, lastModified, etag, storageClass })),
        nextCursor: page.nextCursor,
      }
    },

    async createImportSession(input: NewImportSession) {
      getConnectorRow(input.connectorId)
      const id = newId('imp')
      stmt(
        `INSERT INTO import_sessions (id, connector_id, status, phase, manifest_key, inventory_timestamp, started_at, seq)
         VALUES (?, ?, 'running', 'A', ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM import_sessions))`,
      ).run(id, input.connectorId, input.manifestKey, input.inventoryTimestamp, nowIso())
      return getSession(id)
    },

    async getImportSession(id) {
      return getSession(id)
    },

    async updateImportSession(id: string, patch: ImportSessionPatch) {
      getSession(id)
      const sets: string[] = []
      const params: unknown[] = []
      const set = (column: string, value: unknown): void => {
        sets.push(`${column} = ?`)
        params.push(value)
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
      if (sets.length > 0) stmt(`UPDATE import_sessions SET ${sets.join(', ')} WHERE id = ?`).run(...params, id)
      return getSession(id)
    },

    async listImportSessions(connectorId, options = {}) {
      const rows = db
        .prepare('SELECT * FROM import_sessions WHERE connector_id = ? ORDER BY seq DESC LIMIT ?')
        .all(connectorId, options.limit ?? 50) as ImportSessionRow[]
      return rows.map((row) => importSessionFromRow(row, collectionsDone(row.id)))
    },

    ...jobMethods,
  }
  return store
}
