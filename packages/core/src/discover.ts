import { InventoryError, throwIfAborted } from './errors.js'
import { inventoryPrefix, timestampFoldersNewestFirst, type TimestampFolder } from './location.js'
import { parseChecksumFile, verifyManifestChecksum } from './manifest/checksum.js'
import type { InventoryManifest } from './manifest/manifest-schema.js'
import { parseManifest } from './manifest/parse-manifest.js'
import type { ObjectSource, SourceCallOptions } from './source.js'
import type { InventoryLocation } from './types.js'

/** The newest complete report of an inventory configuration. */
export interface DiscoveredInventory {
  folder: TimestampFolder
  manifestKey: string
  manifest: InventoryManifest
  /** Every report's time, newest first (for the `inventory` schedule's cadence). */
  reportTimes: Date[]
  /** Newer folders passed over because they are still being written. */
  skipped: { folder: string; reason: 'no manifest.json' | 'no manifest.checksum' }[]
}

/**
 * Finds the newest timestamp folder that holds a complete report (`manifest.json` and
 * `manifest.checksum`), verifies the checksum and validates the manifest.
 * @throws InventoryError `MANIFEST_NOT_FOUND` when no folder holds a complete report,
 * `CHECKSUM_MISMATCH` or `MANIFEST_INVALID` for a bad manifest (an older report is not used instead:
 * a corrupt newest report is an error to look at, not something to hide).
 */
export async function findLatestInventory(
  source: ObjectSource,
  location: InventoryLocation,
  options: SourceCallOptions = {},
): Promise<DiscoveredInventory> {
  const prefix = inventoryPrefix(location)
  const bucket = location.destinationBucket
  const folders = timestampFoldersNewestFirst(prefix, await source.listFolders(bucket, prefix, options))
  const skipped: DiscoveredInventory['skipped'] = []
  for (const folder of folders) {
    throwIfAborted(options.signal)
    const manifestKey = `${folder.prefix}manifest.json`
    const manifestBytes = await source.readObject(bucket, manifestKey, options)
    if (manifestBytes === undefined) {
      skipped.push({ folder: folder.name, reason: 'no manifest.json' })
      continue
    }
    const checksumKey = `${folder.prefix}manifest.checksum`
    const checksumBytes = await source.readObject(bucket, checksumKey, options)
    if (checksumBytes === undefined) {
      skipped.push({ folder: folder.name, reason: 'no manifest.checksum' })
      continue
    }
    verifyManifestChecksum(manifestBytes, parseChecksumFile(checksumBytes, checksumKey), manifestKey)
    const manifest = parseManifest(manifestBytes, manifestKey)
    return { folder, manifestKey, manifest, reportTimes: folders.map((f) => f.at), skipped }
  }
  const where = `s3://${bucket}/${prefix}`
  throw new InventoryError(
    'MANIFEST_NOT_FOUND',
    folders.length === 0
      ? `no inventory report under ${where} (no timestamp folder YYYY-MM-DDTHH-MMZ/)`
      : `no complete inventory report under ${where}: ${skipped.map((s) => `${s.folder} has ${s.reason}`).join(', ')}`,
    { file: where },
  )
}
