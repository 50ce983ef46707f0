import type { ImportProgress } from '@shuttersense/inventory-core/types'
import { formatBytes, formatCount, type CliIo } from './cli-io.js'

/** A one-line progress bar on a terminal; silent when stderr is not a TTY. Redraws at most 10 times a second. */
export function createProgressBar(io: CliIo): { update(progress: ImportProgress): void; done(): void } {
  if (!io.stderr.isTTY) return { update: () => undefined, done: () => undefined }
  let last = 0
  let drawn = false
  return {
    update(progress) {
      const now = Date.now()
      if (now - last < 100 && progress.event !== 'completed') return
      last = now
      const width = 24
      const fraction =
        progress.phase === 'A'
          ? progress.compressedBytesTotal > 0
            ? progress.compressedBytesRead / progress.compressedBytesTotal
            : 1
          : progress.collectionsTotal > 0
            ? progress.collectionsDone / progress.collectionsTotal
            : 1
      const filled = Math.round(Math.min(1, fraction) * width)
      const detail =
        progress.phase === 'A'
          ? `A folders  ${formatBytes(progress.compressedBytesRead)}/${formatBytes(progress.compressedBytesTotal)}  ${formatCount(progress.rows)} rows`
          : `B/C FileInfo + delta  ${formatCount(progress.collectionsDone)}/${formatCount(progress.collectionsTotal)} collections`
      io.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${detail}\u001b[K`)
      drawn = true
    },
    done() {
      if (drawn) io.stderr.write('\r\u001b[K')
    },
  }
}
