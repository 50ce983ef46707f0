/**
 * Generated inventory reports for the end-to-end tests: the CLI's generator writes them under the
 * location below, and the expected deltas are computed straight from their data files.
 */
import type { FileInfo, InventoryLocation } from '@shuttersense/inventory-core'
import { compareKeys } from '@shuttersense/inventory-core/pure'
import { createLocalDirectorySource, findLatestInventory } from '@shuttersense/inventory-core/node'
import { emptyRowCounts, readCsvDataFile } from '@shuttersense/inventory-core/internal'
import { main as cli } from '@shuttersense/inventory-cli'

/** Where the generated reports live (under the destination bucket `inventory-destination`). */
export const location: InventoryLocation = { destinationBucket: 'inventory-destination', destinationPrefix: 'inv', sourceBucket: 'photos', configName: 'daily' }
const WHERE = ['--source-bucket', location.sourceBucket, '--config', location.configName, '--prefix', location.destinationPrefix!]

/** Runs `shuttersense-inventory <argv>` for the location above; throws with its stderr on failure. */
export async function generate(argv: string[]): Promise<void> {
  let stderr = ''
  const code = await cli([...argv, ...WHERE], { stdout: { write: () => undefined }, stderr: { write: (text: string) => (stderr += text) } })
  if (code !== 0) throw new Error(`generate failed: ${stderr}`)
}

/** The current objects of the newest report under `root`, read straight from its data files. */
export async function reportFiles(root: string): Promise<Map<string, FileInfo>> {
  const source = createLocalDirectorySource(root)
  const local = { ...location, destinationBucket: root }
  const found = await findLatestInventory(source, local)
  const files = new Map<string, FileInfo>()
  for (const file of found.manifest.files) {
    const open = () => source.streamObject(root, file.key)
    for await (const batch of readCsvDataFile({ manifest: found.manifest, file, open, counts: emptyRowCounts() })) {
      for (const record of batch) files.set(record.key, record)
    }
  }
  return files
}

/** The change between the two reports, per folder: what the second import's deltas must say, exactly. */
export function expectedDelta(before: Map<string, FileInfo>, after: Map<string, FileInfo>, folder: string) {
  const inside = (key: string) => key.startsWith(folder)
  const sorted = (keys: string[]) => keys.sort(compareKeys)
  const added = sorted([...after.keys()].filter((key) => inside(key) && !before.has(key)))
  const deleted = sorted([...before.keys()].filter((key) => inside(key) && !after.has(key)))
  const modified = sorted(
    [...after.keys()].filter((key) => inside(key) && before.has(key) && (before.get(key)!.etag !== after.get(key)!.etag || before.get(key)!.size !== after.get(key)!.size)),
  )
  const common = [...after.keys()].filter((key) => inside(key) && before.has(key)).length
  return { new: added, modified, deleted, unchanged: common - modified.length }
}
