import { InventoryError } from '@shuttersense/inventory-core'
import type {
  Connector,
  ConnectorPatch,
  ImportSchedule,
  InventoryFileFormat,
  NewCollection,
  NewConnector,
} from '@shuttersense/inventory-core/types'
import { DEFAULT_DELTA_LIST_LIMIT, normalizeDestinationPrefix, normalizeFolderPath } from '@shuttersense/inventory-core/internal'

const SCHEDULES: readonly ImportSchedule[] = ['manual', 'daily', 'weekly', 'inventory']

/** Checks a schedule name; both stores reject the same inputs. */
export function checkSchedule(schedule: string): ImportSchedule {
  if (!SCHEDULES.includes(schedule as ImportSchedule)) {
    throw new InventoryError('INVALID_ARGUMENT', `schedule must be one of ${SCHEDULES.join(', ')}: "${schedule}"`)
  }
  return schedule as ImportSchedule
}

const FORMATS: readonly InventoryFileFormat[] = ['CSV', 'ORC', 'Parquet']

export function checkConnector(input: NewConnector): void {
  if (input.name.trim().length === 0) throw new InventoryError('INVALID_ARGUMENT', 'connector name must not be empty')
  if (input.location) {
    const { destinationBucket, sourceBucket, configName } = input.location
    if (!destinationBucket || !sourceBucket || !configName) {
      throw new InventoryError('INVALID_ARGUMENT', 'destinationBucket, sourceBucket and configName are required')
    }
  }
  checkSchedule(input.schedule ?? 'manual')
  if (input.format !== undefined && !FORMATS.includes(input.format)) {
    throw new InventoryError('INVALID_ARGUMENT', `format must be one of ${FORMATS.join(', ')}: "${String(input.format)}"`)
  }
  const limit = input.deltaListLimit
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new InventoryError('INVALID_ARGUMENT', `deltaListLimit must be a whole number ≥ 0: ${String(limit)}`)
  }
}

/** The connector after `patch`: a location is replaced whole (`null` unconfigures the connector). */
export function patchedConnector(current: Connector, patch: ConnectorPatch): Connector {
  const next: Connector = { ...current, ...definedFields(patch) }
  checkConnector(next)
  return next
}

const definedFields = (patch: ConnectorPatch): ConnectorPatch =>
  Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as ConnectorPatch

/**
 * The stored columns of a connector's settings, in the order both stores write them:
 * destination_bucket, destination_prefix, source_bucket, config_name, schedule, format, delta_list_limit.
 */
export function connectorSettingColumns(connector: NewConnector): (string | number | null)[] {
  const location = connector.location ?? null
  return [
    location?.destinationBucket ?? null,
    (location && normalizeDestinationPrefix(location.destinationPrefix)) ?? null,
    location?.sourceBucket ?? null,
    location?.configName ?? null,
    connector.schedule ?? 'manual',
    connector.format ?? 'CSV',
    connector.deltaListLimit ?? DEFAULT_DELTA_LIST_LIMIT,
  ]
}

/** Normalises folder paths (trailing `/`) and rejects empty names, empty paths and duplicates in the batch. */
/** A collection's name, trimmed; an empty one is INVALID_ARGUMENT. */
export function checkCollectionName(name: string): string {
  if (name.trim().length === 0) throw new InventoryError('INVALID_ARGUMENT', 'collection name must not be empty')
  return name.trim()
}

export function checkNewCollections(collections: readonly NewCollection[]): NewCollection[] {
  const seen = new Set<string>()
  return collections.map((collection) => {
    checkCollectionName(collection.name)
    if (collection.folderPath.replace(/^\/+|\/+$/g, '').length === 0) {
      throw new InventoryError('INVALID_ARGUMENT', 'collection folder must not be empty (the bucket root is not a folder)')
    }
    const folderPath = normalizeFolderPath(collection.folderPath)
    if (seen.has(folderPath)) throw new InventoryError('CONFLICT', `folder ${folderPath} appears twice in the batch`)
    seen.add(folderPath)
    return { name: collection.name.trim(), folderPath }
  })
}

/** Collection names are unique per connector: CONFLICT when a new one is taken or repeated in the batch. */
export function checkNamesFree(connectorId: string, taken: Iterable<string>, collections: readonly NewCollection[]): void {
  const names = new Set(taken)
  for (const { name } of collections) {
    if (names.has(name)) throw new InventoryError('CONFLICT', `another collection of connector ${connectorId} is named "${name}"`)
    names.add(name)
  }
}

/** Checks a job's `maxAttempts` and a lease length; both stores reject the same inputs. */
export function checkJobNumbers(input: { maxAttempts?: number | undefined; leaseMs?: number | undefined }): void {
  const { maxAttempts, leaseMs } = input
  if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
    throw new InventoryError('INVALID_ARGUMENT', `maxAttempts must be a whole number of at least 1: ${maxAttempts}`)
  }
  if (leaseMs !== undefined && (!Number.isFinite(leaseMs) || leaseMs <= 0)) {
    throw new InventoryError('INVALID_ARGUMENT', `leaseMs must be a positive number of milliseconds: ${leaseMs}`)
  }
}

/**
 * The least string above every string that starts with `prefix` (its last code point plus one), for a
 * range scan; `undefined` when there is none (a prefix of U+10FFFF only). Exact in code point order,
 * which is UTF-8 byte order.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix]
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!
    if (last < 0x10ffff) {
      // Skip the surrogate range: those are not characters and never appear in a well-formed key.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1
      return points.join('') + String.fromCodePoint(next)
    }
  }
  return undefined
}
