import { InventoryError, type InventoryStore } from '@shuttersense/inventory-core'
import type { Collection, ImportSession, ImportSessionPatch, ReplaceFileInfoOptions } from '@shuttersense/inventory-core/types'
import { newId } from '@shuttersense/inventory-core/internal'
import { connectorDeletedAudit } from './audit.js'
import { duplicateCollection, duplicateIn } from './errors.js'
import type { JobQueue } from './job-queue.js'
import {
  collectionFromRow,
  connectorFromRow,
  deltaCursor,
  deltaFromRow,
  folderPageFromRows,
  folderPageLimit,
  importSessionFromRow,
  pageLimit,
  pageOf,
  type CollectionRow,
  type ConnectorRow,
  type DeltaRow,
  type FolderRow,
  type ImportSessionRow,
} from './rows.js'
import { listOf, listValue, lockRows, orderColumn, orderValue, prefixConditions, whereAll } from './sql/clauses.js'
import { EMPTY, join, raw, sql, type SqlFragment } from './sql/statement.js'
import { countOf, firstOf, rowsOf, type SqlSteps, type SqlRunner } from './sql/steps.js'
import { checkCollectionName, checkConnector, checkNamesFree, checkNewCollections, connectorSettingColumns, patchedConnector } from './validate.js'

// The store methods both databases run with the same statements: connectors, collections, folder
// listing, deltas and import sessions. Bulk writes (FileInfo, folders) and migrations' locking stay
// with each store, where the databases really differ.

type CommonMethods = Pick<
  InventoryStore,
  | 'createConnector'
  | 'getConnector'
  | 'listConnectors'
  | 'updateConnector'
  | 'deleteConnector'
  | 'listFolders'
  | 'createCollections'
  | 'listCollections'
  | 'getCollection'
  | 'updateCollection'
  | 'deleteCollection'
  | 'getLatestDelta'
  | 'listDeltas'
  | 'createImportSession'
  | 'getImportSession'
  | 'updateImportSession'
  | 'listImportSessions'
>

const nowIso = (): string => new Date().toISOString()
const notFound = (what: string, id: string): InventoryError => new InventoryError('NOT_FOUND', `${what} ${id} does not exist`)

/** Collections per INSERT: 5 parameters each stays far below either database's parameter limit. */
const COLLECTION_ROWS = 1000

/** The connector's row; `lock`: until the transaction ends, against writes other than key-share (job inserts pass). */
export function* connectorRow(id: string, lock = false): SqlSteps<ConnectorRow> {
  // NO KEY UPDATE: serialises with a completing job's schedule check (FOR SHARE), yet lets job inserts'
  // foreign-key checks (FOR KEY SHARE) through.
  const row = yield* firstOf<ConnectorRow>(sql`SELECT * FROM connectors WHERE id = ${id}${lock ? lockRows('no key update') : EMPTY}`)
  if (!row) throw notFound('connector', id)
  return row
}

export function* collectionRow(id: string): SqlSteps<CollectionRow> {
  const row = yield* firstOf<CollectionRow>(sql`SELECT * FROM collections WHERE id = ${id}`)
  if (!row) throw notFound('collection', id)
  return row
}

/** A session row with the collections its import has finished. */
type SessionRow = ImportSessionRow & { collections_done: string[] | string }

const SESSION_COLUMNS = sql`*, ${listOf(`SELECT d.collection_id AS value FROM import_collections_done d
  WHERE d.import_id = import_sessions.id ORDER BY d.collection_id`)} AS collections_done`

const sessionFromRow = (row: SessionRow): ImportSession => importSessionFromRow(row, listValue(row.collections_done))

function* sessionRow(id: string): SqlSteps<ImportSession> {
  const row = yield* firstOf<SessionRow>(sql`SELECT ${SESSION_COLUMNS} FROM import_sessions WHERE id = ${id}`)
  if (!row) throw notFound('import session', id)
  return sessionFromRow(row)
}

/** The columns an import-session patch sets. */
function sessionAssignments(patch: ImportSessionPatch): SqlFragment[] {
  const sets: SqlFragment[] = []
  const set = (column: string, value: unknown): void => {
    sets.push(sql`${raw(column)} = ${value}`)
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
  return sets
}

/**
 * The statements every FileInfo write runs beside the rows, in order: the collection's source, time and
 * `fileCount` (a number, or a statement that counts), answered as `file_count`; the delta, if any; the
 * import's progress. Each store sends them in its own way (SQLite runs them, Postgres pipelines them).
 */
export function fileInfoWriteStatements(collectionId: string, fileCount: number | SqlFragment, options: ReplaceFileInfoOptions): SqlFragment[] {
  const statements = [
    sql`UPDATE collections SET file_info_source = ${options.source}, file_info_updated_at = ${options.updatedAt}, file_count = ${fileCount}
      WHERE id = ${collectionId} RETURNING file_count`,
  ]
  if (options.delta) {
    const { counts, ...rest } = options.delta
    statements.push(sql`INSERT INTO deltas (collection_id, import_id, computed_at, new_count, modified_count, deleted_count, unchanged_count, body)
      VALUES (${collectionId}, ${options.importId ?? null}, ${options.updatedAt}, ${counts.new}, ${counts.modified}, ${counts.deleted},
      ${counts.unchanged}, ${JSON.stringify({ counts, ...rest })})`)
  }
  if (options.importId) {
    statements.push(sql`INSERT INTO import_collections_done (import_id, collection_id) VALUES (${options.importId}, ${collectionId}) ON CONFLICT DO NOTHING`)
  }
  return statements
}

/**
 * One page of a collection's FileInfo in key order: keys under `query.prefix`, after `query.cursor`,
 * `limit` of them. `owner` is the collection's key column in `file_info` and its value.
 */
export function fileInfoPageStatement(owner: { column: string; value: unknown }, query: { prefix?: string | undefined; cursor?: string | undefined }, limit: number): SqlFragment {
  const where = [sql`${raw(owner.column)} = ${owner.value}`]
  if (query.prefix) where.push(...prefixConditions('key', query.prefix))
  if (query.cursor !== undefined) where.push(sql`key > ${query.cursor}`)
  return sql`SELECT key, size, last_modified, etag, storage_class FROM file_info ${whereAll(where)} ORDER BY key LIMIT ${limit}`
}

/** The common methods over `run`, with the queue's steps for what they cancel and audit. */
export function createCommonMethods(run: SqlRunner, jobs: Pick<JobQueue, 'cancelQueuedSteps' | 'auditSteps'>): CommonMethods {
  const methods: CommonMethods = {
    async createConnector(input, options = {}) {
      checkConnector(input)
      const at = nowIso()
      const row = await run.autocommit(
        () =>
          firstOf<ConnectorRow>(sql`INSERT INTO connectors (id, name, destination_bucket, destination_prefix, source_bucket, config_name, schedule,
            format, delta_list_limit, created_at, updated_at)
            VALUES (${newId('con')}, ${input.name.trim()}, ${join(connectorSettingColumns(input).map((value) => sql`${value}`), ', ')}, ${at}, ${at})
            RETURNING *`),
        options.signal,
      )
      return connectorFromRow(row!)
    },

    async getConnector(id, options = {}) {
      return connectorFromRow(await run.autocommit(() => connectorRow(id), options.signal))
    },

    async listConnectors(options = {}) {
      const rows = await run.autocommit(() => rowsOf<ConnectorRow>(sql`SELECT * FROM connectors ORDER BY created_at, id`), options.signal)
      return rows.map(connectorFromRow)
    },

    async updateConnector(id, patch, options = {}) {
      const at = nowIso()
      const row = await run.transaction(function* () {
        const next = patchedConnector(connectorFromRow(yield* connectorRow(id, true)), patch)
        const [bucket, prefix, source, config, schedule, format, deltaListLimit] = connectorSettingColumns(next)
        const updated = yield* firstOf<ConnectorRow>(sql`UPDATE connectors SET name = ${next.name}, destination_bucket = ${bucket},
          destination_prefix = ${prefix}, source_bucket = ${source}, config_name = ${config}, schedule = ${schedule}, format = ${format},
          delta_list_limit = ${deltaListLimit}, updated_at = ${at} WHERE id = ${id} RETURNING *`)
        // Disabling the schedule cancels what it queued, in the same transaction.
        if (patch.schedule === 'manual') yield* jobs.cancelQueuedSteps(id, 'scheduled', 'system', at, 'schedule set to manual')
        return updated!
      }, options.signal)
      return connectorFromRow(row)
    },

    async deleteConnector(id, options = {}) {
      await run.transaction(function* () {
        const row = yield* connectorRow(id, true)
        // Foreign keys cascade to folders, collections (and so FileInfo and deltas), sessions and jobs.
        yield sql`DELETE FROM connectors WHERE id = ${id}`
        yield* jobs.auditSteps(connectorDeletedAudit(row, nowIso()))
      }, options.signal)
    },

    async listFolders(connectorId, query = {}) {
      const limit = folderPageLimit(query)
      const where = [sql`connector_id = ${connectorId}`]
      if (query.prefix) where.push(...prefixConditions('path', query.prefix))
      if (query.depth !== undefined) where.push(sql`depth = ${query.depth}`)
      if (query.cursor !== undefined) where.push(sql`path > ${query.cursor}`)
      const rows = await run.autocommit(
        () => rowsOf<FolderRow>(sql`SELECT * FROM folders ${whereAll(where)} ORDER BY path LIMIT ${limit + 1}`),
        query.signal,
      )
      return folderPageFromRows(rows, limit)
    },

    async createCollections(connectorId, collections, options = {}): Promise<Collection[]> {
      await methods.getConnector(connectorId, options)
      const checked = checkNewCollections(collections)
      if (checked.length === 0) return []
      const ids = checked.map(() => newId('col'))
      try {
        const rows = await run.transaction(function* () {
          // The connector's row lock serialises batches of one connector, so two cannot take one name.
          yield sql`SELECT 1 FROM connectors WHERE id = ${connectorId}${lockRows('update')}`
          const taken = yield* rowsOf<{ name: string }>(sql`SELECT name FROM collections WHERE connector_id = ${connectorId}`)
          checkNamesFree(connectorId, taken.map((row) => row.name), checked)
          const at = nowIso()
          const inserted: CollectionRow[] = []
          for (let start = 0; start < checked.length; start += COLLECTION_ROWS) {
            const values = checked
              .slice(start, start + COLLECTION_ROWS)
              .map((collection, i) => sql`(${ids[start + i]}, ${connectorId}, ${collection.name}, ${collection.folderPath}, ${at})`)
            inserted.push(...(yield* rowsOf<CollectionRow>(sql`INSERT INTO collections (id, connector_id, name, folder_path, created_at)
              VALUES ${join(values, ', ')} RETURNING *`)))
          }
          return inserted
        }, options.signal)
        const byId = new Map(rows.map((row) => [row.id, row]))
        return ids.map((id) => collectionFromRow(byId.get(id)!))
      } catch (error) {
        if (duplicateIn(error, run.dialect.describeFailure, ['collections'])) throw duplicateCollection(error)
        throw error
      }
    },

    async listCollections(connectorId, options = {}) {
      const rows = await run.autocommit(
        () =>
          rowsOf<CollectionRow>(
            connectorId === undefined
              ? sql`SELECT * FROM collections ORDER BY connector_id, folder_path`
              : sql`SELECT * FROM collections WHERE connector_id = ${connectorId} ORDER BY folder_path`,
          ),
        options.signal,
      )
      return rows.map(collectionFromRow)
    },

    async getCollection(id, options = {}) {
      return collectionFromRow(await run.autocommit(() => collectionRow(id), options.signal))
    },

    async updateCollection(id, patch, options = {}) {
      const name = checkCollectionName(patch.name)
      const row = await run.transaction(function* () {
        const current = yield* firstOf<CollectionRow>(sql`SELECT * FROM collections WHERE id = ${id}${lockRows('update')}`)
        if (!current) throw notFound('collection', id)
        // Names of one connector are checked under its lock, so two renames cannot both take a name.
        yield* connectorRow(current.connector_id, true)
        if (yield* firstOf(sql`SELECT 1 FROM collections WHERE connector_id = ${current.connector_id} AND name = ${name} AND id <> ${id}`)) {
          throw new InventoryError('CONFLICT', `another collection of connector ${current.connector_id} is named "${name}"`)
        }
        return (yield* firstOf<CollectionRow>(sql`UPDATE collections SET name = ${name} WHERE id = ${id} RETURNING *`))!
      }, options.signal)
      return collectionFromRow(row)
    },

    async deleteCollection(id, options = {}) {
      // The trigger deletes its FileInfo; its deltas cascade.
      const count = await run.autocommit(() => countOf(sql`DELETE FROM collections WHERE id = ${id}`), options.signal)
      if (count === 0) throw notFound('collection', id)
    },

    async getLatestDelta(collectionId, options = {}) {
      const row = await run.autocommit(
        () => firstOf<DeltaRow>(sql`SELECT collection_id, import_id, computed_at, body FROM deltas WHERE collection_id = ${collectionId} ORDER BY seq DESC LIMIT 1`),
        options.signal,
      )
      return row ? deltaFromRow(row) : null
    },

    async listDeltas(collectionId, query = {}) {
      await methods.getCollection(collectionId, query)
      const limit = pageLimit(query)
      const before = deltaCursor(query.cursor)
      const rows = await run.autocommit(
        () =>
          rowsOf<DeltaRow & { seq: number | string }>(sql`SELECT seq, collection_id, import_id, computed_at, body FROM deltas
            WHERE collection_id = ${collectionId}${before === null ? EMPTY : sql` AND seq < ${before}`} ORDER BY seq DESC LIMIT ${limit + 1}`),
        query.signal,
      )
      const page = pageOf(rows, limit, (row) => String(row.seq))
      return { deltas: page.items.map(deltaFromRow), nextCursor: page.nextCursor }
    },

    async createImportSession(input, options = {}) {
      const row = await run.autocommit(function* () {
        yield* connectorRow(input.connectorId)
        return (yield* firstOf<ImportSessionRow>(sql`INSERT INTO import_sessions (id, connector_id, status, phase, manifest_key, inventory_timestamp,
          started_at${orderColumn('import_sessions')})
          VALUES (${newId('imp')}, ${input.connectorId}, 'running', 'A', ${input.manifestKey}, ${input.inventoryTimestamp}, ${nowIso()}${orderValue('import_sessions')})
          RETURNING *`))!
      }, options.signal)
      return importSessionFromRow(row, [])
    },

    async getImportSession(id, options = {}) {
      return run.autocommit(() => sessionRow(id), options.signal)
    },

    async updateImportSession(id, patch, options = {}) {
      const sets = sessionAssignments(patch)
      return run.autocommit(function* () {
        if (sets.length === 0) return yield* sessionRow(id)
        const row = yield* firstOf<SessionRow>(sql`UPDATE import_sessions SET ${join(sets, ', ')} WHERE id = ${id} RETURNING ${SESSION_COLUMNS}`)
        if (!row) throw notFound('import session', id)
        return sessionFromRow(row)
      }, options.signal)
    },

    async listImportSessions(connectorId, options = {}) {
      const limit = options.limit ?? 50
      // A negative limit: all of them.
      const rows = await run.autocommit(
        () =>
          rowsOf<SessionRow>(sql`SELECT ${SESSION_COLUMNS} FROM import_sessions WHERE connector_id = ${connectorId} ORDER BY seq DESC
            ${limit < 0 ? EMPTY : sql`LIMIT ${limit}`}`),
        options.signal,
      )
      return rows.map(sessionFromRow)
    },
  }
  return methods
}
