import { randomUUID } from 'node:crypto'
import { mkdir, open, rm } from 'node:fs/promises'
import * as path from 'node:path'
import { type NodeRandomAccessFile, openRandomAccessFile } from './node-random-access-file.js'

/**
 * Writes `chunks` to a new file under `directory/staged/` and opens it for random access; closing it
 * deletes it. A stream that fails (download error, checksum mismatch) leaves no file behind.
 */
export async function stageFileInDirectory(
  directory: string,
  name: string,
  chunks: AsyncIterable<Uint8Array>,
): Promise<NodeRandomAccessFile> {
  const folder = path.join(directory, 'staged')
  await mkdir(folder, { recursive: true })
  const file = path.join(folder, `${randomUUID()}-${path.basename(name).replace(/[^\w.-]/g, '_').slice(0, 80)}`)
  const handle = await open(file, 'wx')
  try {
    for await (const chunk of chunks) {
      let done = 0
      while (done < chunk.byteLength) done += (await handle.write(chunk, done, chunk.byteLength - done)).bytesWritten
    }
  } catch (error) {
    await handle.close()
    await rm(file, { force: true })
    throw error
  }
  await handle.close()
  return openRandomAccessFile(file, { name, deleteOnClose: true })
}
