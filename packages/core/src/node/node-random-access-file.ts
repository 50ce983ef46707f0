import { open, rm } from 'node:fs/promises'
import { InventoryError } from '../errors.js'
import { checkReadRange, type LocalRandomAccessFile } from '../io/random-access-file.js'

/** A {@link RandomAccessFile} over a local file, with the path it reads (another thread may open it too). */
export type NodeRandomAccessFile = LocalRandomAccessFile

/** Options of {@link openRandomAccessFile}. */
export interface OpenRandomAccessFileOptions {
  /** How errors name the file. @default the path */
  name?: string | undefined
  /** Delete the file when it is closed (a staged copy). @default false */
  deleteOnClose?: boolean | undefined
}

/** Opens a local file for random access through one file handle. */
export async function openRandomAccessFile(path: string, options: OpenRandomAccessFileOptions = {}): Promise<NodeRandomAccessFile> {
  const name = options.name ?? path
  const handle = await open(path, 'r')
  const { size } = await handle.stat()
  let closed = false
  return {
    path,
    size,
    async read(offset, length) {
      if (closed) throw new InventoryError('INVALID_ARGUMENT', `${name}: read after close`, { file: name })
      checkReadRange(offset, length, size, name)
      const bytes = new Uint8Array(length)
      let done = 0
      while (done < length) {
        const { bytesRead } = await handle.read(bytes, done, length - done, offset + done)
        // The file shrank under us: it is not the file that was staged.
        if (bytesRead === 0) checkReadRange(offset, length, offset + done, name)
        done += bytesRead
      }
      return bytes
    },
    async close() {
      if (closed) return
      closed = true
      await handle.close()
      if (options.deleteOnClose) await rm(path, { force: true })
    },
  }
}
