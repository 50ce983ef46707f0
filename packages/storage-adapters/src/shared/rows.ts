import { InventoryError, type FolderSummary } from '@shuttersense/inventory-core'
import type {
  AuditEntry,
  Collection,
  ImportJob,
  JobKind,
  JobProgress,
  JobStatus,
  JobTrigger,
  Connector,
  FileInfoSource,
  FolderPage,
  FolderQuery,
  ImportSchedule,
  ImportSession,
  ImportStatus,
  ImportPhase,
  InventoryFileFormat,
  StoredDelta,
} from '@shuttersense/inventory-core/types'

/** Column names shared by the SQLite and Postgres schemas, and their mapping to domain objects. */
export interface ConnectorRow {
  id: string
  name: string
  destination_bucket: string | null
  destination_prefix: string | null
  source_bucket: string | null
  config_name: string | null
  schedule: string
  format: string
  delta_list_limit: number | string
  created_at: string
  updated_at: string
}

export function connectorFromRow(row: ConnectorRow): Connector {
  return {
    id: row.id,
    name: row.name,
    location:
      row.destination_bucket === null || row.source_bucket === null || row.config_name === null
        ? null
        : {
            destinationBucket: row.destination_bucket,
            ...(row.destination_prefix ? { destinationPrefix: row.destination_prefix } : {}),
            sourceBucket: row.source_bucket,
            configName: row.config_name,
          },
    schedule: row.schedule as ImportSchedule,
    format: row.format as InventoryFileFormat,
    deltaListLimit: Number(row.delta_list_limit),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export interface FolderRow {
  path: string
  object_count: number | string
  total_size_bytes: number | string
  direct_object_count: number | string
  direct_size_bytes: number | string
  last_modified: string | null
}

export function folderFromRow(row: FolderRow): FolderSummary {
  return {
    path: row.path,
    objectCount: Number(row.object_count),
    totalSizeBytes: Number(row.total_size_bytes),
    directObjectCount: Number(row.direct_object_count),
    directSizeBytes: Number(row.direct_size_bytes),
    lastModified: row.last_modified,
  }
}

/** Folders per page: `limit` if given, within 1 to 10,000; 1,000 by default. */
export function folderPageLimit(query: FolderQuery): number {
  return Math.max(1, Math.min(query.limit ?? 1000, 10_000))
}

/** A page from rows read with `LIMIT limit + 1`: the extra row only says that another page follows. */
export function folderPageFromRows(rows: readonly FolderRow[], limit: number): FolderPage {
  const folders = rows.slice(0, limit).map(folderFromRow)
  return { folders, nextCursor: rows.length > limit ? (folders[folders.length - 1]?.path ?? null) : null }
}

/** Depth of a folder path: `a/` is 1, `a/b/` is 2. */
export function folderDepth(path: string): number {
  let depth = 0
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) depth++
  return depth
}

export interface CollectionRow {
  id: string
  connector_id: string
  name: string
  folder_path: string
  created_at: string
  file_info_source: string | null
  file_info_updated_at: string | null
  file_count: number | string
}

export function collectionFromRow(row: CollectionRow): Collection {
  return {
    id: row.id,
    connectorId: row.connector_id,
    name: row.name,
    folderPath: row.folder_path,
    createdAt: row.created_at,
    fileInfoSource: row.file_info_source as FileInfoSource | null,
    fileInfoUpdatedAt: row.file_info_updated_at,
    fileCount: Number(row.file_count),
  }
}

export interface FileInfoRow {
  key: string
  size: number | string
  last_modified: string
  etag: string
  storage_class: string
}

export interface DeltaRow {
  collection_id: string
  import_id: string | null
  computed_at: string
  body: string | object
}

export function deltaFromRow(row: DeltaRow): StoredDelta {
  const body = (typeof row.body === 'string' ? JSON.parse(row.body) : row.body) as Omit<
    StoredDelta,
    'collectionId' | 'importId' | 'computedAt'
  >
  return { collectionId: row.collection_id, importId: row.import_id, computedAt: row.computed_at, ...body }
}

export interface ImportSessionRow {
  id: string
  connector_id: string
  status: string
  phase: string
  data_files_done: number | string
  manifest_key: string
  inventory_timestamp: string
  started_at: string
  finished_at: string | null
  summary: string | object | null
  error_code: string | null
  error_message: string | null
}

export function importSessionFromRow(row: ImportSessionRow, collectionsDone: string[]): ImportSession {
  return {
    id: row.id,
    connectorId: row.connector_id,
    status: row.status as ImportStatus,
    manifestKey: row.manifest_key,
    inventoryTimestamp: row.inventory_timestamp,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    checkpoint: {
      phase: row.phase as ImportPhase,
      dataFilesDone: Number(row.data_files_done),
      collectionsDone,
    },
    summary: row.summary === null ? null : typeof row.summary === 'string' ? JSON.parse(row.summary) : row.summary,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
  }
}

export interface JobRow {
  id: string
  connector_id: string
  trigger: string
  status: string
  scheduled_at: string
  created_at: string
  attempts: number | string
  max_attempts: number | string
  locked_by: string | null
  lease_expires_at: string | null
  started_at: string | null
  finished_at: string | null
  error_code: string | null
  error_message: string | null
  kind: string
  actor: string
  payload: string | object | null
  result: string | object | null
  progress: string | object | null
  progress_at: string | null
  cancel_requested_at: string | null
}

/** A JSON column: SQLite keeps text, Postgres' driver hands over the parsed value. */
function jsonColumn<T>(value: string | object | null): T | null {
  if (value === null) return null
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}

export function jobFromRow(row: JobRow): ImportJob {
  return {
    id: row.id,
    connectorId: row.connector_id,
    kind: row.kind as JobKind,
    trigger: row.trigger as JobTrigger,
    status: row.status as JobStatus,
    actor: row.actor,
    payload: jsonColumn<Record<string, unknown>>(row.payload),
    result: jsonColumn<Record<string, unknown>>(row.result),
    progress: jsonColumn<JobProgress>(row.progress),
    progressAt: row.progress_at,
    cancelRequestedAt: row.cancel_requested_at,
    scheduledAt: row.scheduled_at,
    createdAt: row.created_at,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    lockedBy: row.locked_by,
    leaseExpiresAt: row.lease_expires_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    lastError: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
  }
}

export interface AuditRow {
  seq: number | string
  at: string
  connector_id: string | null
  actor: string
  action: string
  subject_id: string | null
  detail: string | object | null
}

export function auditFromRow(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    connectorId: row.connector_id,
    actor: row.actor,
    action: row.action,
    subjectId: row.subject_id,
    detail: row.detail === null ? null : typeof row.detail === 'string' ? JSON.parse(row.detail) : (row.detail as Record<string, unknown>),
  }
}

/** The page size a list query asks for, bounded. */
export function pageLimit(query: { limit?: number | undefined }): number {
  return Math.min(1000, Math.max(1, Math.floor(query.limit ?? 100)))
}

/** `rows` (one more than `limit` asked for) as a page: the extra row only says another page follows. */
export function pageOf<T>(rows: readonly T[], limit: number, cursorOf: (item: T) => string): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit)
  return { items, nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]!) : null }
}

/** A delta page's cursor (the last delta's sequence number), or `null` for the first page. */
export function deltaCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null
  if (!/^[1-9][0-9]{0,15}$/.test(cursor)) throw new InventoryError('INVALID_ARGUMENT', `not a delta cursor: "${cursor}"`)
  return Number(cursor)
}
