import { InventoryError } from './errors.js'
import type { InventoryLocation } from './types.js'

const TIMESTAMP_FOLDER = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})Z$/

/** Strips an `arn:aws:s3:::` prefix: manifests name the destination bucket by ARN. */
export function bucketName(bucketOrArn: string): string {
  return bucketOrArn.startsWith('arn:aws:s3:::') ? bucketOrArn.slice('arn:aws:s3:::'.length) : bucketOrArn
}

/**
 * A destination prefix in its one stored form: no leading or trailing `/`, and `undefined` for none, so
 * `reports`, `reports/` and `/reports/` name the same place.
 */
export function normalizeDestinationPrefix(prefix: string | undefined): string | undefined {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '')
  return trimmed.length > 0 ? trimmed : undefined
}

/** The inventory location of a connector; `NOT_CONFIGURED` for one that has none yet. */
export function configuredLocation(connector: { id: string; name: string; location: InventoryLocation | null }): InventoryLocation {
  if (!connector.location) {
    throw new InventoryError('NOT_CONFIGURED', `connector "${connector.name}" (${connector.id}) has no inventory location yet: configure it first`)
  }
  return connector.location
}

/**
 * The key prefix under which a configuration's reports live:
 * `[destinationPrefix/]sourceBucket/configName/` (always ends in `/`).
 */
export function inventoryPrefix(location: InventoryLocation): string {
  for (const [name, value] of [
    ['sourceBucket', location.sourceBucket],
    ['configName', location.configName],
  ] as const) {
    if (value.length === 0 || value.includes('/')) {
      throw new InventoryError('INVALID_ARGUMENT', `${name} must be non-empty and contain no "/": "${value}"`)
    }
  }
  const prefix = normalizeDestinationPrefix(location.destinationPrefix)
  return `${prefix === undefined ? '' : `${prefix}/`}${location.sourceBucket}/${location.configName}/`
}

/**
 * Parses a timestamp folder name (`2024-05-07T01-00Z`, with or without the trailing `/`) into its
 * instant, or returns `undefined` for anything else (`data/`, `hive/`, stray objects).
 */
export function parseTimestampFolder(name: string): Date | undefined {
  const match = TIMESTAMP_FOLDER.exec(name.endsWith('/') ? name.slice(0, -1) : name)
  if (!match) return undefined
  const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute))
  // Reject names like 2024-02-31: Date.UTC would silently roll them over.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59) return undefined
  return date
}

/** The timestamp folder name for an instant, e.g. `2024-05-07T01-00Z`. */
export function formatTimestampFolder(date: Date): string {
  return date.toISOString().slice(0, 16).replace(':', '-') + 'Z'
}

/** A timestamp folder found under the inventory prefix. */
export interface TimestampFolder {
  /** Folder name without the trailing `/`. */
  name: string
  /** Full key prefix of the folder, ending in `/`. */
  prefix: string
  at: Date
}

/**
 * Picks the timestamp folders out of the common prefixes under the inventory prefix and sorts them
 * newest first. Other folders (`data/`, `hive/`) are ignored. Sorting is by instant, not by name.
 */
export function timestampFoldersNewestFirst(inventoryPrefixValue: string, commonPrefixes: Iterable<string>): TimestampFolder[] {
  const folders: TimestampFolder[] = []
  for (const prefix of commonPrefixes) {
    if (!prefix.startsWith(inventoryPrefixValue)) continue
    const name = prefix.slice(inventoryPrefixValue.length).replace(/\/$/, '')
    const at = parseTimestampFolder(name)
    if (at) folders.push({ name, prefix: `${inventoryPrefixValue}${name}/`, at })
  }
  return folders.sort((a, b) => b.at.getTime() - a.at.getTime())
}
