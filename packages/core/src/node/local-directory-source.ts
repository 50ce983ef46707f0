import * as nodeFs from 'node:fs'
import * as path from 'node:path'
import { InventoryError } from '../errors.js'
import type { ObjectSource, SourceCallOptions, StreamObjectOptions } from '../source.js'

/** The slice of `node:fs` the local source uses (memfs's `fs` fits too). */
export interface LocalFs {
  promises: {
    readdir(dir: string, options: { withFileTypes: true }): Promise<{ name: string | Buffer; isDirectory(): boolean }[]>
    readFile(file: string): Promise<Uint8Array>
  }
  createReadStream(file: string, options: { start?: number; highWaterMark?: number }): AsyncIterable<Uint8Array | string>
}

/** Options of {@link createLocalDirectorySource}. */
export interface LocalDirectorySourceOptions {
  /** File system to read. @default node:fs */
  fs?: LocalFs | undefined
}

/**
 * Reads an inventory that was downloaded as-is: `root` mirrors the destination bucket, so
 * `<root>/<prefix>/<source-bucket>/<config>/<timestamp>/manifest.json` and the data files under the keys the
 * manifest names. The bucket argument of each call is ignored: a directory holds one bucket.
 */
export function createLocalDirectorySource(root: string, options: LocalDirectorySourceOptions = {}): ObjectSource {
  const fs = options.fs ?? (nodeFs as unknown as LocalFs)
  const counts: Record<string, number> = {}
  const count = (type: string): void => {
    counts[type] = (counts[type] ?? 0) + 1
  }
  const resolve = (key: string): string => {
    const full = path.resolve(root, key)
    const base = path.resolve(root)
    if (full !== base && !full.startsWith(base + path.sep)) {
      throw new InventoryError('INVALID_ARGUMENT', `key escapes the inventory directory: ${key}`, { file: key })
    }
    return full
  }
  const failure = (error: unknown, key: string): InventoryError => {
    // Already classified (a key escaping the directory is INVALID_ARGUMENT, not a source failure).
    if (error instanceof InventoryError) return error
    const code = (error as NodeJS.ErrnoException)?.code
    if (code === 'ENOENT' || code === 'ENOTDIR') return new InventoryError('NOT_FOUND', `${key}: no such file`, { file: key, cause: error })
    if (code === 'EACCES' || code === 'EPERM') return new InventoryError('ACCESS_DENIED', `${key}: permission denied`, { file: key, cause: error })
    return new InventoryError('SOURCE_ERROR', `${key}: ${(error as Error)?.message}`, { file: key, cause: error })
  }

  return {
    async listFolders(_bucket: string, prefix: string, _options?: SourceCallOptions): Promise<string[]> {
      count('list')
      try {
        const entries = await fs.promises.readdir(resolve(prefix), { withFileTypes: true })
        return entries.filter((entry) => entry.isDirectory()).map((entry) => `${prefix}${String(entry.name)}/`)
      } catch (error) {
        const inventoryError = failure(error, prefix)
        if (inventoryError.code === 'NOT_FOUND') return []
        throw inventoryError
      }
    },
    async readObject(_bucket: string, key: string): Promise<Uint8Array | undefined> {
      count('read')
      try {
        return await fs.promises.readFile(resolve(key))
      } catch (error) {
        const inventoryError = failure(error, key)
        if (inventoryError.code === 'NOT_FOUND') return undefined
        throw inventoryError
      }
    },
    async *streamObject(_bucket: string, key: string, streamOptions: StreamObjectOptions = {}): AsyncGenerator<Uint8Array> {
      count('read')
      try {
        const stream = fs.createReadStream(resolve(key), { start: streamOptions.start ?? 0, highWaterMark: 1024 * 1024 })
        for await (const chunk of stream) {
          yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk
        }
      } catch (error) {
        throw failure(error, key)
      }
    },
    requestCounts: () => ({ ...counts }),
  }
}
