import { directFolderOf, type FileInfo, type InventoryLocation } from '@shuttersense/inventory-core'
import { createLocalDirectorySource, findLatestInventory } from '@shuttersense/inventory-core/node'
import { emptyRowCounts, dataFileReaderFor, stageDataFile, verifyMd5 } from '@shuttersense/inventory-core/internal'
import { SeededRandom } from './random.js'

/** Changes applied by {@link nextDayObjects}. */
export interface ChangeStats {
  added: number
  modified: number
  deleted: number
}

/**
 * Reads the newest report under `from` and yields its objects, folder by folder, with `changePct`
 * percent of them changed: a third deleted, a third modified (new ETag and size), and a third as many
 * new files added beside existing ones. Streams: only one data file's batch is in memory at a time.
 */
export async function* nextDayObjects(
  from: string,
  location: InventoryLocation,
  changePct: number,
  seed: number,
  stats: ChangeStats,
): AsyncGenerator<{ files: FileInfo[] }> {
  const source = createLocalDirectorySource(from)
  const found = await findLatestInventory(source, location)
  const random = new SeededRandom(seed ^ 0xc0ffee)
  const share = changePct / 100 / 3
  for (const file of found.manifest.files) {
    const open = (): AsyncIterable<Uint8Array> =>
      verifyMd5(source.streamObject(location.destinationBucket, file.key), file.MD5checksum, file.key)
    let folder: string | undefined
    let files: FileInfo[] = []
    const staged = stageDataFile(open, file.key)
    const reader = dataFileReaderFor(found.manifest.fileFormat)
    for await (const batch of reader({ manifest: found.manifest, file, open, openFile: staged.openFile, counts: emptyRowCounts() })) {
      for (const record of batch) {
        const recordFolder = directFolderOf(record.key)
        if (folder !== undefined && recordFolder !== folder && files.length > 0) {
          yield { files }
          files = []
        }
        folder = recordFolder
        const roll = random.next()
        if (roll < share) {
          stats.deleted++
          continue
        }
        if (roll < 2 * share) {
          files.push({ ...record, size: record.size + random.int(1, 4096), etag: random.hex32() })
          stats.modified++
        } else {
          files.push(record)
        }
        if (random.next() < share) {
          files.push({
            key: `${recordFolder}NEW_${random.hex32().slice(0, 8)}.JPG`,
            size: random.int(3_000_000, 12_000_000),
            lastModified: new Date(Number(found.manifest.creationTimestamp)).toISOString(),
            etag: random.hex32(),
            storageClass: 'STANDARD',
          })
          stats.added++
        }
      }
    }
    await staged.closeAll()
    if (files.length > 0) yield { files }
  }
}
