import { InventoryError, throwIfAborted } from './errors.js'
import { inventoryPrefix, timestampFoldersNewestFirst, type TimestampFolder } from './location.js'
import { parseChecksumFile, verifyManifestChecksum } from './manifest/checksum.js'
import type { InventoryManifest } from './manifest/manifest-schema.js'
import { parseManifest } from './manifest/parse-manifest.js'
import { objectDisplayName, type ObjectSource, type SourceCallOptions } from './source.js'
import type { InventoryLocation } from './types.js'

/**
 * Largest `manifest.json` read: a manifest lists data files, not objects (a 10M-object report's is a few
 * kilobytes), so anything near this is not a manifest, and is never read whole.
 */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024
/** Largest `manifest.checksum` read (it holds 32 hex digits). */
const MAX_CHECKSUM_BYTES = 1024

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
 * @param source - where the reports are (S3, a local copy)
 * @param location - the inventory configuration: destination bucket and prefix, source bucket, configuration name
 * @param options - `signal` to abort
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
    const manifestBytes = await source.readObject(bucket, manifestKey, { ...options, maxBytes: MAX_MANIFEST_BYTES })
    if (manifestBytes === undefined) {
      skipped.push({ folder: folder.name, reason: 'no manifest.json' })
      continue
    }
    const checksumKey = `${folder.prefix}manifest.checksum`
    const checksumBytes = await source.readObject(bucket, checksumKey, { ...options, maxBytes: MAX_CHECKSUM_BYTES })
    if (checksumBytes === undefined) {
      skipped.push({ folder: folder.name, reason: 'no manifest.checksum' })
      continue
    }
    refuseLarger(manifestBytes, MAX_MANIFEST_BYTES, manifestKey)
    refuseLarger(checksumBytes, MAX_CHECKSUM_BYTES, checksumKey)
    verifyManifestChecksum(manifestBytes, parseChecksumFile(checksumBytes, checksumKey), manifestKey)
    const manifest = parseManifest(manifestBytes, manifestKey)
    return { folder, manifestKey, manifest, reportTimes: folders.map((f) => f.at), skipped }
  }
  const where = objectDisplayName(source, bucket, prefix)
  throw new InventoryError(
    'MANIFEST_NOT_FOUND',
    folders.length === 0
      ? `no inventory report under ${where} (no timestamp folder YYYY-MM-DDTHH-MMZ/)`
      : `no complete inventory report under ${where}: ${skipped.map((s) => `${s.folder} has ${s.reason}`).join(', ')}`,
    { file: where },
  )
}

function refuseLarger(bytes: Uint8Array, maxBytes: number, file: string): void {
  if (bytes.byteLength <= maxBytes) return
  throw new InventoryError(
    'MANIFEST_INVALID',
    `${file}: larger than ${maxBytes >= 1 << 20 ? `${maxBytes / (1 << 20)} MiB` : `${maxBytes} bytes`}, which no S3 Inventory manifest is (a manifest lists data files, not objects)`,
    { file },
  )
}
