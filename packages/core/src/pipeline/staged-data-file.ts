import { type RandomAccessFile, localPathOf, stageInMemory } from '../io/random-access-file.js'
import type { ScratchSpace } from '../scratch.js'

/** A data file's staged copies, opened on demand and all closed when its reading ends. */
export interface StagedDataFile {
  /** Streams the data file (checked against its MD5 by `open`) into scratch and opens the copy. */
  openFile(): Promise<RandomAccessFile>
  /** Closes (and so deletes) every copy still open. */
  closeAll(): Promise<void>
}

/**
 * Stages what `open()` streams through `scratch.stageFile` (in memory when the scratch cannot stage).
 * `open()` must check the MD5 as it streams: the stream ends in `CHECKSUM_MISMATCH` before a file is
 * handed out, so a reader never sees unverified bytes.
 */
export function stageDataFile(open: () => AsyncIterable<Uint8Array>, name: string, scratch?: ScratchSpace): StagedDataFile {
  const openFiles = new Set<RandomAccessFile>()
  return {
    async openFile() {
      const staged = await (scratch?.stageFile ? scratch.stageFile(name, open()) : stageInMemory(open(), name))
      const file: RandomAccessFile & { path?: string } = {
        // A staged copy on disk keeps its path, so a worker thread can open it too.
        ...(localPathOf(staged) === undefined ? {} : { path: localPathOf(staged) }),
        size: staged.size,
        read: (offset, length) => staged.read(offset, length),
        async close() {
          openFiles.delete(file)
          await staged.close()
        },
      }
      openFiles.add(file)
      return file
    },
    async closeAll() {
      await Promise.all([...openFiles].map((file) => file.close()))
    },
  }
}
